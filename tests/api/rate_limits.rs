//! Rate limits: 429 with `Retry-After` past them, `RateLimit-*` headers on every `/v1`
//! response, a tight limit on the endpoints that take passwords.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_with, test_settings};
use crate::support::database::TestDatabase;
use crate::support::identity::GOOD_PASSWORD;
use crate::support::{Backend, api_test};

async fn app_with_limits(
    backend: Backend,
    general: u32,
    credentials: u32,
) -> Option<(TestApp, TestDatabase)> {
    let database = TestDatabase::create(backend).await?;
    let mut settings = test_settings(database.url());
    settings.rate_limit_per_minute = general;
    settings.credentials_rate_limit_per_minute = credentials;
    let app = spawn_with(&settings).await;
    Some((app, database))
}

async fn credential_endpoints_are_limited_per_address(backend: Backend) {
    let Some((app, _database)) = app_with_limits(backend, 1000, 3).await else {
        return;
    };
    for attempt in 0..3 {
        let response = app
            .register(&json!({ "email": format!("burst-{attempt}@example.org"), "password": GOOD_PASSWORD, "display_name": "B" }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["ratelimit-limit"], "3");
        assert_eq!(response.headers()["ratelimit-remaining"], (2 - attempt).to_string().as_str());
    }
    // Percent-encoding a letter of the path reaches the same endpoint, and the same limit.
    let disguised = app
        .client
        .post(app.url("/v1/auth/%74oken"))
        .form(&[
            ("grant_type", "password"),
            ("username", "burst-0@example.org"),
            ("password", GOOD_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        disguised.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "an encoded path must not dodge the limit"
    );
    let refused = app
        .token(&[
            ("grant_type", "password"),
            ("username", "burst-0@example.org"),
            ("password", GOOD_PASSWORD),
        ])
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "20");
    assert_eq!(refused.headers()["ratelimit-remaining"], "0");
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/too-many-requests");
    assert_eq!(problem["instance"], "/v1/auth/token");

    let health = app.get("/health/live").await;
    assert_eq!(health.status(), StatusCode::OK, "operational endpoints are not limited");
    assert!(!health.headers().contains_key("ratelimit-limit"));
    app.handle().stop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_endpoints_are_limited_per_address_on_sqlite() {
    credential_endpoints_are_limited_per_address(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_endpoints_are_limited_per_address_on_postgres() {
    credential_endpoints_are_limited_per_address(Backend::Postgres).await;
}

async fn the_general_limit_is_per_caller(backend: Backend) {
    let Some((app, _database)) = app_with_limits(backend, 6, 1000).await else {
        return;
    };
    // Registration and sign-in count against the address until a token exists.
    let first = app.signed_in_user().await;
    let second = app.signed_in_user().await;
    for _ in 0..6 {
        let response =
            app.authorized(Method::GET, "/v1/me", &first.access_token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let refused = app.authorized(Method::GET, "/v1/me", &first.access_token).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let other = app.authorized(Method::GET, "/v1/me", &second.access_token).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::OK, "another person's budget is their own");
    app.handle().stop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_general_limit_is_per_caller_on_sqlite() {
    the_general_limit_is_per_caller(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_general_limit_is_per_caller_on_postgres() {
    the_general_limit_is_per_caller(Backend::Postgres).await;
}

/// `Retry-After` and `RateLimit-Reset` of a 429, as numbers, with `RateLimit-Remaining`.
fn refusal_timing(response: &reqwest::Response) -> (u64, u64, u64) {
    let number = |name: &str| -> u64 {
        response.headers()[name]
            .to_str()
            .unwrap()
            .parse()
            .unwrap_or_else(|error| panic!("{name}: {error}"))
    };
    (number("retry-after"), number("ratelimit-reset"), number("ratelimit-remaining"))
}

async fn a_429_says_the_same_in_retry_after_and_ratelimit_reset(backend: Backend) {
    // 6 a minute refills one every 10 s, and fills the bucket in 60 s: the two
    // answers differ unless the server makes them agree.
    let Some((app, _database)) = app_with_limits(backend, 6, 1000).await else {
        return;
    };
    let person = app.signed_in_user().await;
    let mut refused = None;
    for _ in 0..8 {
        let response =
            app.authorized(Method::GET, "/v1/me", &person.access_token).send().await.unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
    }
    let refused = refused.expect("the bucket runs out");
    let (retry_after, reset, remaining) = refusal_timing(&refused);
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    assert_eq!(reset, retry_after, "RateLimit-Reset says when to retry");
    assert_eq!(remaining, 0);

    app.handle().stop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_says_the_same_in_retry_after_and_ratelimit_reset_on_sqlite() {
    a_429_says_the_same_in_retry_after_and_ratelimit_reset(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_says_the_same_in_retry_after_and_ratelimit_reset_on_postgres() {
    a_429_says_the_same_in_retry_after_and_ratelimit_reset(Backend::Postgres).await;
}

// A sign-in lockout is a 429 from another limit than the buckets; its headers agree
// the same way.
api_test!(async fn a_sign_in_lockout_says_the_same_in_retry_after_and_ratelimit_reset(app) {
    let person = app.signed_in_user().await;
    for _ in 0..5 {
        let failed = app
            .token(&[
                ("grant_type", "password"),
                ("username", &person.email),
                ("password", "wrong wrong wrong"),
            ])
            .await;
        assert_eq!(failed.status(), StatusCode::BAD_REQUEST);
    }
    let locked = app
        .token(&[
            ("grant_type", "password"),
            ("username", &person.email),
            ("password", GOOD_PASSWORD),
        ])
        .await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let (retry_after, reset, remaining) = refusal_timing(&locked);
    assert!((60..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(reset, retry_after, "RateLimit-Reset says when to retry");
    assert_eq!(remaining, 0);
});

async fn an_app_has_a_budget_of_its_own_not_the_persons(backend: Backend) {
    let Some((app, _database)) = app_with_limits(backend, 20, 1000).await else {
        return;
    };
    let (client_id, email, tokens) =
        crate::authorize::an_app_let_in(&app, json!(["goals:read"])).await;
    let app_token = tokens["access_token"].as_str().unwrap().to_owned();
    let mut flooded = false;
    for _ in 0..40 {
        let response = app.authorized(Method::GET, "/v1/goals", &app_token).send().await.unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            flooded = true;
            break;
        }
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert!(flooded, "the app runs out of its budget");
    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let own_token = own["access_token"].as_str().unwrap();
    let me = app.authorized(Method::GET, "/v1/me", own_token).send().await.unwrap();
    assert_eq!(
        me.status(),
        StatusCode::OK,
        "the person is not held back by an app acting for them"
    );
    let taken_back = app
        .authorized(Method::DELETE, &format!("/v1/me/grants/{client_id}"), own_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        taken_back.status(),
        StatusCode::NO_CONTENT,
        "and can always take the app's grant back"
    );
    app.handle().stop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_has_a_budget_of_its_own_not_the_persons_on_sqlite() {
    an_app_has_a_budget_of_its_own_not_the_persons(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_has_a_budget_of_its_own_not_the_persons_on_postgres() {
    an_app_has_a_budget_of_its_own_not_the_persons(Backend::Postgres).await;
}
