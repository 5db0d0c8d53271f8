//! Every failure is an RFC 9457 problem document with the request's id and path.
//! Body-related problems (400 malformed JSON, 413, 415, 422) are exercised against the
//! real middleware stack in `crates/http/tests/body_problems.rs`, since no endpoint of
//! this release takes a body yet.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use waymark::duration::HumanDuration;

use crate::support::api_test;
use crate::support::app::{spawn_with, test_settings};

async fn problem_of(
    response: reqwest::Response,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let status = response.status();
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/problem+json", "status {status}");
    let body: Value = response.json().await.unwrap_or_default();
    (status, headers, body)
}

api_test!(async fn unknown_route_is_404_problem(app) {
    let (status, headers, body) = problem_of(app.get("/v1/nothing-here").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["type"], "/problems/not-found");
    assert_eq!(body["title"], "Not found");
    assert_eq!(body["status"], 404);
    assert_eq!(body["instance"], "/v1/nothing-here");
    assert_eq!(body["request_id"], headers["x-request-id"].to_str().unwrap_or_default());
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
});

api_test!(async fn wrong_method_is_405_problem_with_allow(app) {
    for (method, path, allow) in [
        (Method::POST, "/health/live", "GET, HEAD"),
        (Method::DELETE, "/metrics", "GET"),
        (Method::PUT, "/v1/openapi.json", "GET"),
        (Method::PUT, "/v1/me", "DELETE, GET, PATCH"),
    ] {
        let (status, headers, body) = problem_of(app.request(method.clone(), path).send().await.unwrap_or_else(|error| panic!("{error}"))).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(headers["allow"], allow, "{method} {path}");
        assert_eq!(body["type"], "/problems/method-not-allowed");
        assert_eq!(body["instance"], path);
    }
});

api_test!(async fn a_trailing_slash_on_a_known_path_is_404_not_405(app) {
    let (status, headers, _) = problem_of(app.get("/health/live/").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!headers.contains_key("allow"));
});

api_test!(async fn an_unknown_method_is_405_and_does_not_grow_the_metrics(app) {
    for invented in ["FOO1", "FOO2", "FOO3"] {
        let method = Method::from_bytes(invented.as_bytes()).unwrap();
        let (status, _, _) = problem_of(app.request(method, "/health/live").send().await.unwrap()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(!metrics.contains("FOO"), "{metrics}");
    assert!(metrics.contains("method=\"OTHER\",route=\"/health/live\",status=\"405\"} 3"), "{metrics}");
});

api_test!(async fn docs_without_slash_redirects_to_swagger_ui(app) {
    let response = app.get("/docs").await;
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(response.headers()["location"], "/docs/");
});

/// A TCP server that accepts connections and never answers, like a database that
/// hangs rather than refusing.
async fn silent_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    let address = listener.local_addr().unwrap_or_else(|error| panic!("{error}"));
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (address, task)
}

/// The request deadline answers 503 with `Retry-After` instead of holding the client,
/// and the answer is a complete problem with every standard header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_past_its_deadline_is_503_problem_with_retry_after() {
    let (address, silent) = silent_server().await;
    let mut settings =
        test_settings(&format!("postgres://postgres@{address}/waymark?sslmode=disable"));
    settings.no_migrate = true;
    settings.request_timeout = HumanDuration::millis(300);
    settings.readiness_timeout = HumanDuration::secs(30);
    settings.database.db_connect_timeout = HumanDuration::secs(30);
    settings.database.db_acquire_timeout = HumanDuration::secs(30);
    let app = spawn_with(&settings).await;

    let started = Instant::now();
    let response = app
        .client
        .get(app.url("/health/ready"))
        .header("x-request-id", "deadline-test")
        .send()
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    let (status, headers, body) = problem_of(response).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers["retry-after"], "5");
    assert_eq!(headers["x-request-id"], "deadline-test");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(body["type"], "/problems/timeout");
    assert_eq!(body["instance"], "/health/ready");
    assert_eq!(body["request_id"], "deadline-test");

    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK, "the worker is free again");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(
            "waymark_http_requests_total{method=\"GET\",route=\"/health/ready\",status=\"503\"} 1"
        ),
        "a timed-out request is counted under its route: {metrics}"
    );
    app.handle().stop(false).await;
    silent.abort();
}
