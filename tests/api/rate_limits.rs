//! Rate limits: 429 with `Retry-After` past them, `RateLimit-*` headers on every `/v1`
//! response, a tight limit on the endpoints that take passwords.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::Backend;
use crate::support::app::{TestApp, spawn_with, test_settings};
use crate::support::database::TestDatabase;
use crate::support::identity::GOOD_PASSWORD;

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
        assert_eq!(
            response.headers()["ratelimit-remaining"],
            (2 - attempt).to_string().as_str()
        );
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
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/too-many-requests");
    assert_eq!(problem["instance"], "/v1/auth/token");

    let health = app.get("/health/live").await;
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "operational endpoints are not limited"
    );
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
        let response = app
            .authorized(Method::GET, "/v1/me", &first.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let refused = app
        .authorized(Method::GET, "/v1/me", &first.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let other = app
        .authorized(Method::GET, "/v1/me", &second.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "another person's budget is their own"
    );
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
