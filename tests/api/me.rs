//! `/v1/me`: reading, changing and deleting your own account.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::api_test;
use crate::support::identity::GOOD_PASSWORD;
use crate::support::storage::{rows_belonging_to, sign_in_attempts_recorded};

api_test!(async fn me_answers_the_account_with_an_etag_and_honours_if_none_match(app) {
    let person = app.signed_in_user().await;
    let response = app.authorized(Method::GET, "/v1/me", &person.access_token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"1\"");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["id"], person.account_id);
    assert_eq!(body["email"], person.email);

    let unchanged = app.authorized(Method::GET, "/v1/me", &person.access_token).header("if-none-match", "\"1\"").send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    let changed = app.authorized(Method::GET, "/v1/me", &person.access_token).header("if-none-match", "\"7\"").send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
});

api_test!(async fn patching_me_is_a_merge_patch_guarded_by_if_match(app) {
    let person = app.signed_in_user().await;
    let patch = |body: Value, if_match: Option<&str>| {
        let mut request = app
            .authorized(Method::PATCH, "/v1/me", &person.access_token)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string());
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        async move { request.send().await.unwrap() }
    };

    let changed = patch(json!({ "time_zone": "America/New_York" }), Some("\"1\"")).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.headers()["etag"], "\"2\"");
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["time_zone"], "America/New_York");
    assert_eq!(body["display_name"], "Sam", "absent fields stay as they are");
    assert_eq!(body["version"], 2);

    let stale = patch(json!({ "display_name": "Late" }), Some("\"1\"")).await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json::<Value>().await.unwrap()["type"], "/problems/precondition-failed");

    let cleared = patch(json!({ "display_name": null }), None).await;
    assert_eq!(cleared.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let invalid = patch(json!({ "locale": "not a locale", "time_zone": "Nowhere/Else" }), None).await;
    let problem: Value = invalid.json().await.unwrap();
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    let owned = patch(json!({ "role": "admin" }), None).await;
    assert_eq!(owned.status(), StatusCode::UNPROCESSABLE_ENTITY, "role is not yours to set");

    let current: Value = app.authorized(Method::GET, "/v1/me", &person.access_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(current["version"], 2, "refused patches changed nothing");
    assert_eq!(current["role"], "user");
});

api_test!(async fn a_wrong_current_password_changes_nothing(app) {
    let person = app.signed_in_user().await;
    let response = app
        .authorized(Method::POST, "/v1/me/password", &person.access_token)
        .json(&json!({ "current_password": "not my password", "new_password": "another long passphrase" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/current_password");
    app.sign_in(&person.email, GOOD_PASSWORD).await;
});

api_test!(async fn deleting_me_erases_the_account_and_everything_that_belongs_to_it(app) {
    let person = app.signed_in_user().await;
    let account_id = uuid::Uuid::parse_str(&person.account_id).unwrap();
    let second_device = app.sign_in(&person.email, GOOD_PASSWORD).await;
    let someone_else = app.signed_in_user().await;
    let goal: serde_json::Value = app
        .authorized(Method::POST, "/v1/goals", &person.access_token)
        .json(&json!({ "title": "Something of mine", "area": "hobbies" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let removed_goal = app.authorized(Method::POST, "/v1/goals", &person.access_token).json(&json!({ "title": "Another", "area": "work" })).send().await.unwrap();
    let removed_goal: serde_json::Value = removed_goal.json().await.unwrap();
    app.authorized(Method::DELETE, &format!("/v1/goals/{}", removed_goal["id"].as_str().unwrap()), &person.access_token).send().await.unwrap();
    assert!(goal["id"].is_string());
    let goal_path = format!("/v1/goals/{}", goal["id"].as_str().unwrap());
    app.authorized(Method::POST, &format!("{goal_path}/steps"), &person.access_token).json(&json!({ "title": "A step" })).send().await.unwrap();
    app.authorized(Method::POST, &format!("{goal_path}/check-ins"), &person.access_token).json(&json!({ "note": "A check-in" })).send().await.unwrap();

    let refused = app.authorized(Method::DELETE, "/v1/me", &person.access_token).json(&json!({ "password": "wrong" })).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(sign_in_attempts_recorded(&app.database_url, &person.email).await, 1);
    let before = rows_belonging_to(&app.database_url, account_id).await;
    assert!(before.iter().any(|(table, count)| table == "refresh_tokens" && *count == 2), "{before:?}");
    for table in ["goals", "goal_status_changes", "change_journal", "goal_steps", "goal_check_ins"] {
        assert!(before.iter().any(|(name, count)| name == table && *count >= 1), "{table}: {before:?}");
    }

    let deleted = app.authorized(Method::DELETE, "/v1/me", &person.access_token).json(&json!({ "password": GOOD_PASSWORD })).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(sign_in_attempts_recorded(&app.database_url, &person.email).await, 0, "attempt counts keyed by the address go too");

    let after = rows_belonging_to(&app.database_url, account_id).await;
    assert!(after.iter().all(|(_, count)| *count == 0), "rows left behind: {after:?}");
    assert!(after.len() >= 2, "the check must cover accounts and at least one owned table: {after:?}");

    let me = app.authorized(Method::GET, "/v1/me", &person.access_token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "the erased account's token is dead");
    let refresh = app.token(&[("grant_type", "refresh_token"), ("refresh_token", second_device["refresh_token"].as_str().unwrap())]).await;
    assert_eq!(refresh.status(), StatusCode::BAD_REQUEST);
    let sign_in = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD)]).await;
    assert_eq!(sign_in.status(), StatusCode::BAD_REQUEST);

    let other = app.authorized(Method::GET, "/v1/me", &someone_else.access_token).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::OK, "other accounts are untouched");
});

api_test!(async fn an_address_can_register_again_after_its_account_is_deleted(app) {
    let person = app.signed_in_user().await;
    let deleted = app.authorized(Method::DELETE, "/v1/me", &person.access_token).json(&json!({ "password": GOOD_PASSWORD })).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let again = app.register(&json!({ "email": person.email, "password": GOOD_PASSWORD, "display_name": "Sam again" })).await;
    assert_eq!(again.status(), StatusCode::CREATED);
});

api_test!(async fn if_match_compares_exactly_against_any_listed_tag(app) {
    let person = app.signed_in_user().await;
    let patch = |if_match: &'static str, name: &'static str| {
        let request = app
            .authorized(Method::PATCH, "/v1/me", &person.access_token)
            .header("if-match", if_match)
            .json(&json!({ "display_name": name }));
        async move { request.send().await.unwrap().status() }
    };
    for loose in ["\"+1\"", "\"01\"", "W/\"1\"", "1"] {
        assert_eq!(patch(loose, "Loose").await, StatusCode::PRECONDITION_FAILED, "{loose}");
    }
    assert_eq!(patch("\"7\", \"1\"", "Listed").await, StatusCode::OK, "any listed tag may match");
    assert_eq!(patch("*", "Starred").await, StatusCode::OK);
});

api_test!(async fn guessing_the_current_password_counts_against_the_sign_in_limit(app) {
    let person = app.signed_in_user().await;
    for _ in 0..5 {
        let wrong = app
            .authorized(Method::POST, "/v1/me/password", &person.access_token)
            .json(&json!({ "current_password": "a wrong guess", "new_password": "another long passphrase" }))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = app
        .authorized(Method::DELETE, "/v1/me", &person.access_token)
        .json(&json!({ "password": GOOD_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
});
