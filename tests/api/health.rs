//! `/health/live`, `/health/ready` and `/metrics`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use waymark::duration::HumanDuration;

use crate::support::app::{spawn_with, test_settings};
use crate::support::tcp_proxy::TcpProxy;
use crate::support::{Backend, api_test};

api_test!(async fn live_answers_ok_with_security_headers(app) {
    let response = app.get("/health/live").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("x-request-id"));
    assert_eq!(headers["content-type"], "application/json");
    let body: Value = response.json().await.unwrap_or_default();
    assert_eq!(body, json!({"status": "ok"}));
});

api_test!(async fn ready_answers_ok_when_the_database_answers(app) {
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap_or_default();
    assert_eq!(body, json!({"status": "ready"}));
});

api_test!(async fn metrics_count_requests_by_route_template_and_status(app) {
    app.get("/health/live").await;
    app.get("/health/live").await;
    app.get("/no/such/place").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap_or_default().to_owned();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let text = response.text().await.unwrap_or_default();
    assert!(text.contains("waymark_http_requests_total{method=\"GET\",route=\"/health/live\",status=\"200\"} 2"), "{text}");
    assert!(text.contains("waymark_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"), "{text}");
    assert!(text.contains("waymark_http_request_duration_seconds_bucket{method=\"GET\",route=\"/health/live\",status=\"200\",le=\"+Inf\"} 2"), "{text}");
    assert!(text.contains("waymark_db_pool_connections{state=\"in_use\"}"), "{text}");
    assert!(text.contains("waymark_db_pool_max_connections 5"), "{text}");
    assert!(!text.contains("/no/such/place"), "unmatched paths must not become labels");
});

/// A PostgreSQL address nothing listens on.
fn unreachable_postgres_url() -> String {
    let unused = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap_or_else(|error| panic!("no free port: {error}"));
    format!("postgres://postgres@{unused}/waymark?sslmode=disable")
}

/// The server starts without its database (so an orchestrator can probe it), stays
/// alive, and reports unready with a problem that leaks nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_is_503_problem_when_postgres_is_unreachable() {
    let mut settings = test_settings(&unreachable_postgres_url());
    settings.no_migrate = true;
    settings.database.db_connect_timeout = HumanDuration::millis(500);
    let app = spawn_with(&settings).await;

    let started = Instant::now();
    let response = app.get("/health/ready").await;
    assert!(started.elapsed() < Duration::from_secs(3), "readiness must answer within its timeout");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert_eq!(response.headers()["retry-after"], "5");
    let body: Value = response.json().await.unwrap_or_default();
    assert_eq!(body["type"], "/problems/service-unavailable");
    assert_eq!(body["status"], 503);
    assert_eq!(body["instance"], "/health/ready");
    let text = body.to_string().to_lowercase();
    for leak in ["sqlx", "postgres", "connection refused", "127.0.0.1", "error returned"] {
        assert!(!text.contains(leak), "the problem leaks `{leak}`: {text}");
    }

    assert_eq!(
        app.get("/health/live").await.status(),
        StatusCode::OK,
        "liveness must not depend on the database"
    );
    app.handle().stop(false).await;
}

/// An embedded database that is not a SQLite file stops start-up with an error (the
/// binary prints it on one line and exits 1) instead of serving on a broken store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_fails_cleanly_when_the_sqlite_file_is_not_a_database() {
    let directory = std::env::temp_dir().join(format!("waymark-unusable-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&directory).unwrap_or_else(|error| panic!("{error}"));
    let file = directory.join("not-a-database.db");
    std::fs::write(&file, b"this is not a SQLite database, just some words".repeat(200))
        .unwrap_or_else(|error| panic!("{error}"));
    let settings = test_settings(&format!("sqlite://{}?mode=rw", file.display()));

    let outcome = waymark::Application::build(&settings).await;
    let error = outcome.err().unwrap_or_else(|| panic!("start-up must fail"));
    assert!(matches!(error, waymark::StartupError::Database(_)), "{error:?}");
    let _ = std::fs::remove_dir_all(directory);
}

/// Cuts the connection to PostgreSQL under a running server, then restores it: the
/// server reports unready during the outage and ready again afterwards, by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_recovers_by_itself_when_postgres_comes_back() {
    let Some(database) = crate::support::database::TestDatabase::create(Backend::Postgres).await
    else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let (proxy, real) = TcpProxy::in_front_of(database.url()).await;

    let mut settings = test_settings(&real);
    settings.database.db_connect_timeout = HumanDuration::millis(500);
    settings.database.db_acquire_timeout = HumanDuration::millis(800);
    let app = spawn_with(&settings).await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);

    proxy.cut();
    let started = Instant::now();
    let during = app.get("/health/ready").await;
    assert_eq!(during.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());

    proxy.restore();
    let restored = Instant::now();
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    while restored.elapsed() < Duration::from_secs(5) {
        status = app.get("/health/ready").await.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status,
        StatusCode::OK,
        "readiness did not recover within 5 s of the database returning"
    );

    app.handle().stop(false).await;
    drop(proxy);
    drop(database);
}

api_test!(async fn load_balancers_may_probe_with_head(app) {
    for path in ["/health/live", "/health/ready"] {
        let response = app.request(reqwest::Method::HEAD, path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers().contains_key("x-request-id"));
        assert_eq!(response.bytes().await.unwrap().len(), 0);
    }
});
