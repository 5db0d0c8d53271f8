//! JSON bodies through the real middleware stack: every way a body can be wrong gets
//! its documented problem+json status. A test-only route is mounted on the real
//! application, since no endpoint of this release takes a body yet.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, test, web};
use serde::Deserialize;
use serde_json::{Value, json};
use waymark_application::{Failure, Input};
use waymark_domain::ports::StoreError;
use waymark_domain::validation::{Problem, Problems};
use waymark_http::auth::{SigningKeys, TokenIssuer, TokenSettings, generate_ed25519_pem};
use waymark_http::extract::JsonBody;
use waymark_http::{AppState, HttpSettings, build_app};
use waymark_persistence::{Database, DatabaseSettings};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    title: String,
    progress: Option<u8>,
    #[serde(default)]
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    title: String,
}

/// A typed input as the API's own are: it parses into a value (here the title),
/// collecting every problem at once.
impl Input<String> for Sample {
    fn parse(self) -> Result<String, Vec<Problem>> {
        let mut problems = Problems::default();
        if self.progress.is_some_and(|progress| progress > 100) {
            problems.add("/progress", "must be 0 to 100");
        }
        for (index, step) in self.steps.iter().enumerate() {
            if !(1..=5).contains(&step.title.chars().count()) {
                problems.add(&format!("/steps/{index}/title"), "must be 1 to 5 characters");
            }
        }
        // Problems are answered in the order they are found.
        if !(1..=10).contains(&self.title.chars().count()) {
            problems.add("/title", "must be 1 to 10 characters");
        }
        problems.or(|| Some(self.title))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleQuery {
    #[allow(dead_code)]
    limit: Option<u8>,
}

async fn explode() -> HttpResponse {
    panic!("a bug in a handler")
}

async fn echo(
    body: JsonBody<Sample>,
    _query: web::Query<SampleQuery>,
) -> Result<HttpResponse, waymark_http::ApiError> {
    let title = body.into_inner().parse().map_err(Failure::<StoreError>::Invalid)?;
    Ok(HttpResponse::Ok().json(json!({ "title": title })))
}

/// The real application state over an in-memory SQLite database that these tests
/// never query (their route only echoes).
async fn state() -> AppState {
    let database = Database::connect(&DatabaseSettings {
        url: secrecy::SecretString::from("sqlite::memory:"),
        max_connections: 1,
        min_connections: 0,
        connect_timeout: Duration::from_secs(1),
        acquire_timeout: Duration::from_secs(1),
        statement_timeout: None,
        sqlite_busy_timeout: Duration::from_secs(1),
        caches: waymark_persistence::CacheBudgets::none(),
    })
    .await
    .expect("in-memory SQLite opens");
    let keys = SigningKeys::from_pems(&[generate_ed25519_pem().expect("key")]).expect("valid key");
    let tokens = TokenIssuer::new(
        keys,
        TokenSettings {
            issuer: "http://waymark.test".to_owned(),
            audience: "waymark".to_owned(),
            access_token_lifetime: Duration::from_secs(900),
            refresh_token_lifetime: Duration::from_secs(86_400),
        },
    );
    AppState::new(database.ports(), tokens, settings())
}

fn settings() -> HttpSettings {
    HttpSettings {
        max_body_bytes: 1024,
        request_timeout: Duration::from_secs(5),
        readiness_timeout: Duration::from_secs(1),
        cors_allowed_origins: Vec::new(),
        sign_in_lockout: waymark_domain::identity::ports::LockoutPolicy {
            max_failures: 5,
            window: Duration::from_secs(900),
        },
        rate_limit_per_minute: 1000,
        credentials_rate_limit_per_minute: 1000,
        trust_forwarded_for: false,
        password_grant: true,
        password_hashing_concurrency: 1,
        metrics_token: None,
        metrics_on_main_listener: true,
        webhook_targets: waymark_domain::webhooks::TargetPolicy::PublicOnly,
    }
}

async fn send(request: test::TestRequest) -> (StatusCode, Value) {
    let state = state().await;
    let app = test::init_service(
        build_app(state)
            .route("/test/echo", web::post().to(echo))
            .route("/test/explode", web::get().to(explode)),
    )
    .await;
    let response = test::call_service(&app, request.to_request()).await;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = test::read_body_json(response).await;
    if !status.is_success() {
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(body["status"], status.as_u16());
        assert!(body["request_id"].is_string());
        assert!(body["instance"].as_str().is_some_and(|path| path.starts_with("/test/echo")));
    }
    (status, body)
}

fn post(body: &str) -> test::TestRequest {
    test::TestRequest::post()
        .uri("/test/echo")
        .insert_header(("content-type", "application/json"))
        .set_payload(body.to_owned())
}

#[actix_web::test]
async fn a_valid_body_is_accepted() {
    let (status, body) = send(post(r#"{"title":"walk"}"#)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["title"], "walk");
}

#[actix_web::test]
async fn merge_patch_json_is_accepted_like_json() {
    let request =
        post(r#"{"title":"walk"}"#).insert_header(("content-type", "application/merge-patch+json"));
    assert_eq!(send(request).await.0, StatusCode::OK);
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let (status, body) = send(post(r#"{"title": "#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "/problems/malformed-json");
}

#[actix_web::test]
async fn an_empty_body_is_400() {
    let (status, body) = send(post("")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "/problems/malformed-json");
}

#[actix_web::test]
async fn trailing_garbage_is_400() {
    let (status, _) = send(post(r#"{"title":"walk"} {"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn nesting_deeper_than_the_limit_is_400() {
    let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
    let (status, body) = send(post(&format!(r#"{{"title":"a","steps":{deep}}}"#))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().is_some_and(|detail| detail.contains("32")));
}

#[actix_web::test]
async fn an_unknown_field_is_422_with_its_pointer() {
    let (status, body) = send(post(r#"{"title":"walk","titel":"typo"}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["type"], "/problems/validation-failed");
    assert_eq!(
        body["errors"],
        json!([{"pointer": "/titel", "code": "unknown_field", "message": "is not a field of this resource"}])
    );
}

#[actix_web::test]
async fn a_missing_field_is_422_required() {
    let (status, body) = send(post(r#"{}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "/title");
    assert_eq!(body["errors"][0]["code"], "required");
}

#[actix_web::test]
async fn a_wrong_type_is_422_without_echoing_the_value() {
    let (status, body) = send(post(r#"{"title":"walk","progress":"secret-value"}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "/progress");
    assert_eq!(body["errors"][0]["code"], "invalid_type");
    assert!(!body.to_string().contains("secret-value"));
}

#[actix_web::test]
async fn every_rule_violation_is_listed_with_pointers() {
    let (status, body) = send(post(r#"{"title":"far too long a title","progress":101,"steps":[{"title":"ok"},{"title":"much too long"}]}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"], "3 fields are invalid");
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|error| error["pointer"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(pointers, vec!["/progress", "/steps/1/title", "/title"]);
    assert_eq!(body["errors"][2]["message"], "must be 1 to 10 characters");
}

#[actix_web::test]
async fn a_wrong_content_type_is_415() {
    let request = post(r#"{"title":"walk"}"#).insert_header(("content-type", "text/plain"));
    let (status, body) = send(request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["type"], "/problems/unsupported-media-type");
}

#[actix_web::test]
async fn a_missing_content_type_is_415() {
    let request = test::TestRequest::post().uri("/test/echo").set_payload(r#"{"title":"walk"}"#);
    assert_eq!(send(request).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413() {
    let big = format!(r#"{{"title":"{}"}}"#, "a".repeat(2000));
    let (status, body) = send(post(&big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["type"], "/problems/payload-too-large");
    assert_eq!(body["detail"], "The body may be at most 1024 bytes.");
}

#[actix_web::test]
async fn a_bad_query_parameter_is_400() {
    let request = post(r#"{"title":"walk"}"#).uri("/test/echo?limit=lots");
    let (status, body) = send(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "/problems/bad-request");
}

#[actix_web::test]
async fn an_unknown_query_parameter_is_400() {
    let request = post(r#"{"title":"walk"}"#).uri("/test/echo?limt=5");
    assert_eq!(send(request).await.0, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn a_panicking_handler_is_a_500_problem_without_internals() {
    let state = state().await;
    let app =
        test::init_service(build_app(state).route("/test/explode", web::get().to(explode))).await;
    let result =
        test::try_call_service(&app, test::TestRequest::get().uri("/test/explode").to_request())
            .await;
    // The panic guard turns the panic into an error carrying a complete problem.
    let error = result.err().expect("a panic becomes an error, not a response");
    let response = error.error_response();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        response.headers().get("content-type").and_then(|value| value.to_str().ok()),
        Some("application/problem+json")
    );
    assert!(response.headers().contains_key("x-request-id"));
    let body = actix_web::body::to_bytes(response.into_body()).await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    assert_eq!(body["type"], "/problems/internal-error");
    assert_eq!(body["instance"], "/test/explode");
    assert!(!body.to_string().contains("a bug in a handler"));
}
