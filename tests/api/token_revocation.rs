//! Access tokens that must stop working before they expire: after a password change,
//! "sign out everywhere", a role change or the account's erasure, every access token
//! issued before is refused on its next request (and on every instance: see
//! `faults.rs`), with no database round trip on the read path while nothing changes.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::identity::{GOOD_PASSWORD, SignedIn};
use crate::support::{TestApp, api_test};

/// `GET /v1/me` with `token`: the status.
async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.authorized(Method::GET, "/v1/me", token)
        .send()
        .await
        .unwrap()
        .status()
}

/// Asserts that `token` is refused as an invalid token (not merely unauthorised).
async fn assert_refused(app: &TestApp, token: &str, what: &str) {
    let response = app
        .authorized(Method::GET, "/v1/goals", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token"),
        "{what}"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/unauthorized", "{what}");
}

/// A second session of `person`, as from another device.
async fn another_session(app: &TestApp, person: &SignedIn, password: &str) -> Value {
    app.sign_in(&person.email, password).await
}

api_test!(async fn changing_the_password_ends_every_access_token_issued_before(app) {
    let person = app.signed_in_user().await;
    let phone = another_session(&app, &person, GOOD_PASSWORD).await;
    let changed = app
        .authorized(Method::POST, "/v1/me/password", &person.access_token)
        .json(&json!({ "current_password": GOOD_PASSWORD, "new_password": "a new and longer passphrase" }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_refused(&app, &person.access_token, "the token that changed the password").await;
    assert_refused(&app, phone["access_token"].as_str().unwrap(), "another device's token").await;
    let fresh = app.sign_in(&person.email, "a new and longer passphrase").await;
    assert_eq!(me_status(&app, fresh["access_token"].as_str().unwrap()).await, StatusCode::OK);
});

api_test!(async fn signing_out_everywhere_ends_every_session_of_the_account_and_no_other(app) {
    let person = app.signed_in_user().await;
    let bystander = app.signed_in_user().await;
    let phone = another_session(&app, &person, GOOD_PASSWORD).await;
    assert_eq!(me_status(&app, &person.access_token).await, StatusCode::OK);

    let signed_out = app
        .authorized(Method::POST, "/v1/me/sign-out-everywhere", &person.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    assert_eq!(signed_out.headers()["cache-control"], "no-store");

    assert_refused(&app, &person.access_token, "this device's access token").await;
    assert_refused(&app, phone["access_token"].as_str().unwrap(), "another device's access token").await;
    for refresh_token in [person.refresh_token.as_str(), phone["refresh_token"].as_str().unwrap()] {
        let refreshed = app.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await;
        assert_eq!(refreshed.status(), StatusCode::BAD_REQUEST, "a refresh token outlived the sign-out");
        assert_eq!(refreshed.json::<Value>().await.unwrap()["error"], "invalid_grant");
    }
    assert_eq!(me_status(&app, &bystander.access_token).await, StatusCode::OK, "someone else's session goes on");
    let again = app.sign_in(&person.email, GOOD_PASSWORD).await;
    assert_eq!(me_status(&app, again["access_token"].as_str().unwrap()).await, StatusCode::OK, "signing in again works");
});

api_test!(async fn a_role_change_ends_the_accounts_access_tokens_and_a_new_sign_in_carries_the_role(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let person = app.signed_in_user().await;
    let changed = app
        .authorized(Method::PATCH, &format!("/v1/admin/users/{}", person.account_id), &admin.access_token)
        .header("content-type", "application/merge-patch+json")
        .body(json!({ "role": "editor" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_refused(&app, &person.access_token, "a token carrying the old role").await;
    assert_eq!(me_status(&app, &admin.access_token).await, StatusCode::OK, "the admin's own session goes on");
    let fresh = app.sign_in(&person.email, GOOD_PASSWORD).await;
    let me: Value = app.authorized(Method::GET, "/v1/me", fresh["access_token"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["role"], "editor");
});

api_test!(async fn an_erased_accounts_token_is_refused_not_answered_with_empty_lists(app) {
    let person = app.signed_in_user().await;
    let erased = app
        .authorized(Method::DELETE, "/v1/me", &person.access_token)
        .json(&json!({ "password": GOOD_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    for (method, path) in [
        (Method::GET, "/v1/goals"),
        (Method::GET, "/v1/contacts"),
        (Method::GET, "/v1/routines/calendar.ics"),
        (Method::POST, "/v1/me/calendar-feed"),
        (Method::GET, "/v1/me"),
    ] {
        let response = app.authorized(method.clone(), path, &person.access_token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
    }
});
