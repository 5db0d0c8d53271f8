//! CORS only for configured origins.

use reqwest::{Method, StatusCode};

use crate::support::Backend;
use crate::support::app::{spawn_with, test_settings};
use crate::support::database::TestDatabase;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_configured_origins_get_cors_headers() {
    let Some(database) = TestDatabase::create(Backend::Sqlite).await else {
        unreachable!("SQLite is always available")
    };
    let mut settings = test_settings(database.url());
    settings.cors_origins = vec!["https://app.example.org".to_owned()];
    let app = spawn_with(&settings).await;

    let allowed = app
        .client
        .get(app.url("/health/live"))
        .header("origin", "https://app.example.org")
        .send()
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example.org");

    let preflight = app
        .request(Method::OPTIONS, "/health/live")
        .header("origin", "https://app.example.org")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(preflight.status(), StatusCode::OK);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "https://app.example.org");

    let other = app
        .client
        .get(app.url("/health/live"))
        .header("origin", "https://elsewhere.example.com")
        .send()
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    app.handle().stop(false).await;
    drop(database);
}
