//! Access tokens that must stop working before they expire: after a password change,
//! "sign out everywhere" or a role change, every access token issued before is refused
//! on its next request (on every instance: see `faults.rs`; an erased account's token:
//! see `security.rs`), content reads and idempotent replays included, and a refresh
//! token stored by a sign-in that raced the change never refreshes; and one access
//! token revoked at `/v1/auth/revoke` (RFC 7009), alone.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::ports::{NewRefreshToken, RefreshGrant, SignInId};
use waymark_domain::identity::secret::OpaqueSecret;
use waymark_domain::identity::{AccountId, Role, Scope, ScopeSet};

use crate::support::identity::{GOOD_PASSWORD, SignedIn};
use crate::support::{TestApp, api_test};
use crate::token_attacks::assert_token_refused;

/// `GET /v1/me` with `token`: the status.
async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.authorized(Method::GET, "/v1/me", token).send().await.unwrap().status()
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
    assert_token_refused(&app, &person.access_token, "the token that changed the password").await;
    assert_token_refused(&app, phone["access_token"].as_str().unwrap(), "another device's token").await;
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

    assert_token_refused(&app, &person.access_token, "this device's access token").await;
    assert_token_refused(&app, phone["access_token"].as_str().unwrap(), "another device's access token").await;
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
    assert_token_refused(&app, &person.access_token, "a token carrying the old role").await;
    assert_eq!(me_status(&app, &admin.access_token).await, StatusCode::OK, "the admin's own session goes on");
    let fresh = app.sign_in(&person.email, GOOD_PASSWORD).await;
    let me: Value = app.authorized(Method::GET, "/v1/me", fresh["access_token"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["role"], "editor");
});

api_test!(async fn an_editor_whose_sessions_ended_reads_content_as_the_public_does(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    let created = app
        .authorized(Method::POST, "/v1/content/articles", &editor.access_token)
        .json(&json!({ "slug": "unfinished", "title": "Unfinished", "summary": "A draft", "body_markdown": "Not yet.", "topics": ["hope"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let draft = "/v1/content/articles/en-GB/unfinished";
    let read = |token: &str| {
        let request = app.authorized(Method::GET, draft, token);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(read(&editor.access_token).await, StatusCode::OK, "an editor sees drafts");
    let signed_out = app.authorized(Method::POST, "/v1/me/sign-out-everywhere", &editor.access_token).send().await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    assert_eq!(read(&editor.access_token).await, StatusCode::NOT_FOUND, "an ended token shows no drafts");
    let drafts = app.authorized(Method::GET, "/v1/content/articles?status=draft", &editor.access_token).send().await.unwrap();
    assert_eq!(drafts.status(), StatusCode::FORBIDDEN, "nor lists them");
});

api_test!(async fn a_refresh_token_stored_after_its_sessions_ended_never_refreshes(app) {
    // What a sign-in racing a password change does: it reads the account, its
    // sessions are ended meanwhile, then it stores its refresh token.
    let person = app.signed_in_user().await;
    let settings = crate::support::app::test_settings(&app.database_url);
    let database = waymark_persistence::Database::connect(&settings.database()).await.unwrap();
    let account_id = AccountId(uuid::Uuid::parse_str(&person.account_id).unwrap());
    let before = database.accounts().get(account_id).await.unwrap().unwrap();
    let store = |epoch: i64| {
        let refresh_tokens = database.refresh_tokens();
        async move {
            let secret = OpaqueSecret::generate("wmr_").unwrap();
            refresh_tokens
                .issue(NewRefreshToken {
                    digest: secret.digest(),
                    grant: RefreshGrant { sign_in: SignInId::generate(), account_id, client_id: None, scopes: ScopeSet::of([Scope::Profile]), token_epoch: epoch, grant: None },
                    expires_at: chrono::Utc::now() + chrono::Duration::days(1),
                })
                .await
                .unwrap();
            secret.expose().to_owned()
        }
    };
    let signed_out = app.authorized(Method::POST, "/v1/me/sign-out-everywhere", &person.access_token).send().await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    let raced = store(before.token_epoch).await;
    let refreshed = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &raced)]).await;
    assert_eq!(refreshed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refreshed.json::<Value>().await.unwrap()["error"], "invalid_grant");

    // A new connection: this one remembers the account as it was before.
    let fresh = waymark_persistence::Database::connect(&settings.database()).await.unwrap();
    let after = fresh.accounts().get(account_id).await.unwrap().unwrap();
    fresh.close().await;
    assert!(after.token_epoch > before.token_epoch);
    let current = store(after.token_epoch).await;
    let refreshed = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &current)]).await;
    assert_eq!(refreshed.status(), StatusCode::OK, "a refresh token of the current epoch works");
    database.close().await;
});

api_test!(async fn an_ended_token_gets_no_idempotent_replay(app) {
    let person = app.signed_in_user().await;
    let create = || {
        let request = app
            .authorized(Method::POST, "/v1/goals", &person.access_token)
            .header("idempotency-key", "walk-1")
            .json(&json!({ "title": "Walk", "area": "health" }));
        async move { request.send().await.unwrap() }
    };
    assert_eq!(create().await.status(), StatusCode::CREATED);
    let replayed = create().await;
    assert_eq!(replayed.headers()["idempotent-replayed"], "true", "a live token gets the replay");
    let signed_out = app.authorized(Method::POST, "/v1/me/sign-out-everywhere", &person.access_token).send().await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    let after = create().await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "the goal is not shown to an ended token");
    assert!(!after.headers().contains_key("idempotent-replayed"));
});

api_test!(async fn revoking_an_access_token_stops_it_at_once_and_nothing_else(app) {
    let person = app.signed_in_user().await;
    let phone = another_session(&app, &person, GOOD_PASSWORD).await;
    let revoke = |token: &str, client: Option<&str>| {
        let mut form = vec![("token", token.to_owned()), ("token_type_hint", "access_token".to_owned())];
        if let Some(client) = client {
            form.push(("client_id", client.to_owned()));
        }
        let request = app.client.post(app.url("/v1/auth/revoke")).form(&form);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(me_status(&app, &person.access_token).await, StatusCode::OK);
    assert_eq!(revoke(&person.access_token, None).await.status(), StatusCode::OK);
    assert_eq!(me_status(&app, &person.access_token).await, StatusCode::UNAUTHORIZED, "revoked from its next request");
    assert_eq!(revoke(&person.access_token, None).await.status(), StatusCode::OK, "twice is fine");
    assert_eq!(me_status(&app, phone["access_token"].as_str().unwrap()).await, StatusCode::OK, "the other session goes on");
    let refreshed = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &person.refresh_token)]).await;
    assert_eq!(refreshed.status(), StatusCode::OK, "the sign-in itself goes on");
    let fresh: Value = refreshed.json().await.unwrap();
    assert_eq!(me_status(&app, fresh["access_token"].as_str().unwrap()).await, StatusCode::OK);

    // An app's token: only that app revokes it.
    let (client_id, _, tokens) = crate::authorize::an_app_let_in(&app, json!(["goals:read"])).await;
    let app_token = tokens["access_token"].as_str().unwrap();
    let by_someone_else = revoke(app_token, None).await;
    assert_eq!(by_someone_else.status(), StatusCode::BAD_REQUEST);
    assert_eq!(by_someone_else.json::<Value>().await.unwrap()["error"], "unauthorized_client");
    let goals = app.authorized(Method::GET, "/v1/goals", app_token).send().await.unwrap();
    assert_eq!(goals.status(), StatusCode::OK, "still works");
    assert_eq!(revoke(app_token, Some(&client_id)).await.status(), StatusCode::OK);
    let goals = app.authorized(Method::GET, "/v1/goals", app_token).send().await.unwrap();
    assert_eq!(goals.status(), StatusCode::UNAUTHORIZED);

    // An API client's own token is not revocable, and says so.
    let admin = app.signed_in_with_role(Role::Admin).await;
    let backend: Value = app
        .authorized(Method::POST, "/v1/admin/clients", &admin.access_token)
        .json(&json!({ "name": "Backend", "scopes": ["goals:read"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (id, secret) = (backend["id"].as_str().unwrap(), backend["client_secret"].as_str().unwrap());
    let own: Value = app.token(&[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)]).await.json().await.unwrap();
    let refused = app
        .client
        .post(app.url("/v1/auth/revoke"))
        .basic_auth(id, Some(secret))
        .form(&[("token", own["access_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"], "unsupported_token_type");
});

api_test!(async fn access_tokens_revoked_at_the_same_moment_all_stop(app) {
    let person = app.signed_in_user().await;
    let mut sessions = Vec::new();
    for _ in 0..8 {
        sessions.push(another_session(&app, &person, GOOD_PASSWORD).await["access_token"].as_str().unwrap().to_owned());
    }
    let revocations: Vec<_> = sessions
        .iter()
        .map(|token| {
            let request = app.client.post(app.url("/v1/auth/revoke")).form(&[("token", token.as_str())]);
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    for revocation in revocations {
        assert_eq!(revocation.await.unwrap(), StatusCode::OK);
    }
    for token in &sessions {
        assert_eq!(me_status(&app, token).await, StatusCode::UNAUTHORIZED, "every one of them");
    }
    assert_eq!(me_status(&app, &person.access_token).await, StatusCode::OK, "and no other");
});

api_test!(async fn revoking_a_refresh_token_ends_the_access_tokens_of_its_sign_in_and_no_other(app) {
    let person = app.signed_in_user().await;
    let phone = another_session(&app, &person, GOOD_PASSWORD).await;
    let refreshed: Value = app
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &person.refresh_token)])
        .await
        .json()
        .await
        .unwrap();
    let newest_refresh = refreshed["refresh_token"].as_str().unwrap();
    let newest_access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(me_status(&app, newest_access).await, StatusCode::OK);
    let revoked = app.client.post(app.url("/v1/auth/revoke")).form(&[("token", newest_refresh)]).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_token_refused(&app, newest_access, "the access token of the sign-in signed out").await;
    assert_token_refused(&app, &person.access_token, "an earlier access token of the same sign-in").await;
    assert_eq!(me_status(&app, phone["access_token"].as_str().unwrap()).await, StatusCode::OK, "another sign-in goes on");
});

api_test!(async fn a_stolen_refresh_token_used_again_ends_the_access_tokens_of_its_sign_in(app) {
    let (client_id, _, tokens) = crate::authorize::an_app_let_in(&app, json!(["goals:read"])).await;
    let stolen = tokens["refresh_token"].as_str().unwrap();
    let refresh = |token: String| {
        let client_id = client_id.clone();
        let app = &app;
        async move { app.token(&[("grant_type", "refresh_token"), ("refresh_token", &token), ("client_id", &client_id)]).await }
    };
    let rotated: Value = refresh(stolen.to_owned()).await.json().await.unwrap();
    let rotated_access = rotated["access_token"].as_str().unwrap();
    assert_eq!(app.authorized(Method::GET, "/v1/goals", rotated_access).send().await.unwrap().status(), StatusCode::OK);
    let reused = refresh(stolen.to_owned()).await;
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST);
    for token in [tokens["access_token"].as_str().unwrap(), rotated_access] {
        let after = app.authorized(Method::GET, "/v1/goals", token).send().await.unwrap();
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "whoever holds the sign-in's access tokens is stopped too");
    }
});
