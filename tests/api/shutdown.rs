//! Graceful shutdown: a request whose handler is already running when the server is
//! told to stop (as by SIGTERM) still gets its whole answer before the server exits.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use waymark::duration::HumanDuration;

use crate::support::Backend;
use crate::support::app::{spawn_with, test_settings};
use crate::support::database::TestDatabase;
use crate::support::tcp_proxy::TcpProxy;

/// Makes a readiness request that the slow database holds for about a second, stops
/// the server gracefully while it runs, and checks it is answered in full.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_finishes_during_graceful_shutdown() {
    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let (proxy, url) = TcpProxy::in_front_of(database.url()).await;

    let mut settings = test_settings(&url);
    settings.readiness_timeout = HumanDuration::secs(10);
    settings.shutdown_grace = HumanDuration::secs(10);
    // No change listener (it runs while any cache is on): its connection's traffic
    // through the proxy would be indistinguishable from the request this test holds.
    settings.goal_list_cache_mib = 0;
    settings.article_cache_mib = 0;
    settings.personal_cache_mib = 0;
    let app = spawn_with(&settings).await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);

    proxy.set_latency(Duration::from_millis(1200));
    let client = app.client.clone();
    let ready_url = app.url("/health/ready");
    let in_flight = tokio::spawn(async move { client.get(ready_url).send().await });
    proxy.wait_until_holding_a_reply().await;

    let stop_started = Instant::now();
    let handle = app.handle();
    let stopping = tokio::spawn(async move { handle.stop(true).await });

    let response = in_flight
        .await
        .unwrap_or_else(|error| panic!("{error}"))
        .unwrap_or_else(|error| panic!("the in-flight request was cut off: {error}"));
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap_or_default();
    assert_eq!(body["status"], "ready");

    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .unwrap_or_else(|_| panic!("the server did not stop within its grace period"))
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(
        stop_started.elapsed() >= Duration::from_millis(500),
        "the server stopped without waiting"
    );
    app.wait_until_stopped().await.unwrap_or_else(|error| panic!("{error}"));

    drop(proxy);
    drop(database);
}
