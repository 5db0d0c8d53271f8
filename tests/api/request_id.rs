//! `X-Request-Id`: echoed when sane, replaced when not, always present.

use reqwest::StatusCode;

use crate::support::api_test;

async fn request_id_for(app: &crate::support::TestApp, sent: Option<&str>) -> String {
    let mut request = app.client.get(app.url("/health/live"));
    if let Some(sent) = sent {
        request = request.header("x-request-id", sent);
    }
    let response = request.send().await.unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()["x-request-id"].to_str().unwrap_or_default().to_owned()
}

api_test!(async fn a_sane_request_id_is_echoed(app) {
    assert_eq!(request_id_for(&app, Some("client-42.retry_1")).await, "client-42.retry_1");
});

api_test!(async fn a_missing_request_id_is_generated_as_a_uuid_v7(app) {
    let generated = request_id_for(&app, None).await;
    let parsed = uuid::Uuid::parse_str(&generated).unwrap_or_else(|error| panic!("{generated}: {error}"));
    assert_eq!(parsed.get_version_num(), 7);
});

api_test!(async fn an_unsafe_request_id_is_replaced(app) {
    for unsafe_id in ["has spaces in it", "<script>", &"x".repeat(129)] {
        let answered = request_id_for(&app, Some(unsafe_id)).await;
        assert_ne!(answered, unsafe_id);
        assert!(uuid::Uuid::parse_str(&answered).is_ok(), "{answered}");
    }
});

api_test!(async fn each_request_gets_its_own_id(app) {
    assert_ne!(request_id_for(&app, None).await, request_id_for(&app, None).await);
});
