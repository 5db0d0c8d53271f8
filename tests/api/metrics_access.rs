//! Who may read `/metrics`: anyone by default, only holders of the metrics token when
//! one is set, and only on its own listener when `metrics_bind` is set.

use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::Value;

use crate::support::api_test;

const SCRAPE_TOKEN: &str = "a-long-random-scrape-secret";

async fn assert_problem(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(body["request_id"].is_string(), "{body}");
    body
}

api_test!(async fn metrics_are_open_by_default(app) {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(text.contains("waymark_db_pool_max_connections"), "{text}");
});

api_test!(async fn metrics_need_the_bearer_token_when_one_is_set(app) with |settings| {
    settings.metrics_token = Some(SecretString::from(SCRAPE_TOKEN));
}; {
    let missing = app.get("/metrics").await;
    assert_eq!(missing.headers()["www-authenticate"], r#"Bearer realm="waymark""#);
    let body = assert_problem(missing, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["instance"], "/metrics");

    for wrong in ["not-the-token", &SCRAPE_TOKEN[1..], &format!("{SCRAPE_TOKEN}x")] {
        let refused = app.client.get(app.url("/metrics")).bearer_auth(wrong).send().await.unwrap();
        assert_problem(refused, StatusCode::UNAUTHORIZED).await;
    }
    let basic = app.client.get(app.url("/metrics")).basic_auth("prometheus", Some(SCRAPE_TOKEN)).send().await.unwrap();
    assert_problem(basic, StatusCode::UNAUTHORIZED).await;

    let scraped = app.client.get(app.url("/metrics")).bearer_auth(SCRAPE_TOKEN).send().await.unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    let text = scraped.text().await.unwrap();
    assert!(text.contains("route=\"/metrics\",status=\"401\""), "refusals are counted: {text}");

    // The token guards /metrics only; the API and probes answer as before.
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
});

api_test!(async fn metrics_bind_moves_metrics_to_a_listener_of_their_own(app) with |settings| {
    settings.metrics_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
}; {
    let on_main = app.get("/metrics").await;
    assert_problem(on_main, StatusCode::NOT_FOUND).await;

    let metrics = app.metrics_address.clone().expect("a metrics listener");
    assert_ne!(metrics, app.address);
    app.get("/health/live").await;
    let scraped = app.client.get(format!("{metrics}/metrics")).send().await.unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    assert_eq!(scraped.headers()["x-content-type-options"], "nosniff");
    assert!(scraped.headers().contains_key("x-request-id"));
    let text = scraped.text().await.unwrap();
    assert!(
        text.contains("waymark_http_requests_total{method=\"GET\",route=\"/health/live\",status=\"200\"} 1"),
        "the main listener's requests are counted: {text}"
    );

    // Nothing but /metrics is served there.
    for path in ["/health/live", "/v1/goals", "/docs/"] {
        let elsewhere = app.client.get(format!("{metrics}{path}")).send().await.unwrap();
        assert_problem(elsewhere, StatusCode::NOT_FOUND).await;
    }
});

api_test!(async fn the_metrics_token_guards_the_metrics_listener_too(app) with |settings| {
    settings.metrics_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    settings.metrics_token = Some(SecretString::from(SCRAPE_TOKEN));
}; {
    let metrics = app.metrics_address.clone().expect("a metrics listener");
    let refused = app.client.get(format!("{metrics}/metrics")).send().await.unwrap();
    assert_problem(refused, StatusCode::UNAUTHORIZED).await;
    let scraped = app.client.get(format!("{metrics}/metrics")).bearer_auth(SCRAPE_TOKEN).send().await.unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    let on_main = app.client.get(app.url("/metrics")).bearer_auth(SCRAPE_TOKEN).send().await.unwrap();
    assert_problem(on_main, StatusCode::NOT_FOUND).await;
});
