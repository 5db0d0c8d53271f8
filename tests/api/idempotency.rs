//! `Idempotency-Key`: a retried POST is done once, and its first answer replayed.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::api_test;
use crate::support::identity::GOOD_PASSWORD;

fn registration(email: &str) -> Value {
    json!({ "email": email, "password": GOOD_PASSWORD, "display_name": "Retry" })
}

api_test!(async fn a_retry_with_the_same_key_replays_the_first_answer(app) {
    let send = |body: Value| {
        let request = app.client.post(app.url("/v1/auth/register")).header("idempotency-key", "signup-1").json(&body);
        async move { request.send().await.unwrap() }
    };
    let first = send(registration("retry@example.org")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(!first.headers().contains_key("idempotent-replayed"));
    let first_location = first.headers()["location"].clone();
    let first_body: Value = first.json().await.unwrap();

    let again = send(registration("retry@example.org")).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], first_location);
    assert_eq!(again.headers()["content-type"], "application/json");
    assert!(again.headers().contains_key("x-request-id"));
    let again_body: Value = again.json().await.unwrap();
    assert_eq!(again_body, first_body, "the same account, not a second one");

    let other_body = send(registration("someone-else@example.org")).await;
    assert_eq!(other_body.status(), StatusCode::CONFLICT);
    assert_eq!(other_body.json::<Value>().await.unwrap()["type"], "/problems/conflict");
});

api_test!(async fn a_failed_request_gives_its_key_back(app) {
    let send = |body: Value| {
        let request = app.client.post(app.url("/v1/auth/register")).header("idempotency-key", "signup-2").json(&body);
        async move { request.send().await.unwrap() }
    };
    let invalid = send(json!({ "email": "not an address", "password": GOOD_PASSWORD, "display_name": "X" })).await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let corrected = send(registration("corrected@example.org")).await;
    assert_eq!(corrected.status(), StatusCode::CREATED, "the key was not used up by a request that changed nothing");
});

api_test!(async fn malformed_keys_are_400(app) {
    for key in ["has space".to_owned(), "k".repeat(256), "caf\u{e9}".to_owned()] {
        let response = app
            .client
            .post(app.url("/v1/auth/register"))
            .header("idempotency-key", key.as_bytes())
            .json(&registration("bad-key@example.org"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{key:?}");
    }
    let nothing_created = app.register(&registration("bad-key@example.org")).await;
    assert_eq!(nothing_created.status(), StatusCode::CREATED);
});

api_test!(async fn concurrent_retries_create_exactly_one_resource(app) {
    let attempts = (0..6).map(|_| {
        let request = app
            .client
            .post(app.url("/v1/auth/register"))
            .header("idempotency-key", "signup-race")
            .json(&registration("race@example.org"));
        tokio::spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap_or_default();
            (status, body["id"].as_str().map(str::to_owned))
        })
    });
    let mut ids = Vec::new();
    for attempt in attempts {
        let (status, id) = attempt.await.unwrap();
        assert!(matches!(status, StatusCode::CREATED | StatusCode::CONFLICT), "{status}");
        if status == StatusCode::CREATED {
            ids.push(id.unwrap());
        }
    }
    assert!(!ids.is_empty());
    ids.dedup();
    assert_eq!(ids.len(), 1, "every success is the same account");
});

api_test!(async fn a_client_secret_is_never_replayed(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let create = || {
        let request = app
            .authorized(Method::POST, "/v1/admin/clients", &admin.access_token)
            .header("idempotency-key", "client-1")
            .json(&json!({ "name": "Partner", "scopes": ["goals:read"] }));
        async move { request.send().await.unwrap() }
    };
    let first = create().await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let retry = create().await;
    assert_eq!(retry.status(), StatusCode::CONFLICT);
    let problem: Value = retry.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("shown only once"), "{problem}");
    let listed: Value = app.authorized(Method::GET, "/v1/admin/clients", &admin.access_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "the retry created no second client");
});

api_test!(async fn a_calendar_feed_address_is_never_stored_for_replay_nor_replayed(app) {
    let person = app.signed_in_user().await;
    let create = || {
        let request = app
            .authorized(Method::POST, "/v1/me/calendar-feed", &person.access_token)
            .header("idempotency-key", "feed-1");
        async move { request.send().await.unwrap() }
    };
    let first = create().await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let feed: Value = first.json().await.unwrap();
    let token = feed["token"].as_str().unwrap().to_owned();
    let retry = create().await;
    assert_eq!(retry.status(), StatusCode::CONFLICT);
    let problem: Value = retry.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("shown only once"), "{problem}");
    assert!(!problem.to_string().contains(&token), "the retry does not show the address");
    let stored = crate::support::storage::stored_replays(&app.database_url).await;
    assert!(!stored.is_empty(), "the key is remembered");
    assert!(stored.iter().all(|replay| !replay.contains(&token)), "the address is stored for replay: {stored:?}");
    let calendar = app.get(&format!("/v1/calendar/{token}.ics")).await;
    assert_eq!(calendar.status(), StatusCode::OK, "the address from the first answer works");
});

api_test!(async fn keys_belong_to_their_caller(app) {
    let first = app.signed_in_user().await;
    let second = app.signed_in_user().await;
    for person in [&first, &second] {
        let response = app
            .authorized(Method::POST, "/v1/me/password", &person.access_token)
            .header("idempotency-key", "same-key")
            .json(&json!({ "current_password": GOOD_PASSWORD, "new_password": "a brand new passphrase" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "one person's key is not another's");
        assert!(!response.headers().contains_key("idempotent-replayed"));
    }
});

api_test!(async fn an_apps_keys_are_its_own_not_the_persons_it_acts_for(app) {
    let (_, email, tokens) = crate::authorize::an_app_let_in(&app, json!(["goals:read", "goals:write"])).await;
    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let account_id: Value = app.authorized(Method::GET, "/v1/me", own["access_token"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    let account_id = account_id["id"].as_str().unwrap().to_owned();
    let mut created = Vec::new();
    for token in [own["access_token"].as_str().unwrap(), tokens["access_token"].as_str().unwrap()] {
        let response = app
            .authorized(Method::POST, "/v1/goals", token)
            .header("idempotency-key", "goal-1")
            .json(&json!({ "title": "Walk to the park", "area": "health" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "each caller's first use of the key");
        assert!(!response.headers().contains_key("idempotent-replayed"), "the app is not answered the person's request");
        created.push(response.json::<Value>().await.unwrap()["id"].clone());
    }
    assert_ne!(created[0], created[1]);
    let callers = crate::support::storage::idempotency_callers(&app.database_url).await;
    assert_eq!(callers.iter().filter(|caller| caller.starts_with(&account_id)).count(), 2, "{callers:?}");

    let erased = app
        .authorized(Method::DELETE, "/v1/me", own["access_token"].as_str().unwrap())
        .json(&json!({ "password": GOOD_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    let callers = crate::support::storage::idempotency_callers(&app.database_url).await;
    assert!(!callers.iter().any(|caller| caller.starts_with(&account_id)), "erasure forgets the app's keys too: {callers:?}");
});
