//! Every header the server sends or honours is in the contract: the spec declares
//! `X-Request-Id` on every response, `RateLimit-*` on every rate-limited one,
//! `Retry-After` on every 429 and 503, `Location` on every 201, `Link` on every
//! cursor page and `Idempotency-Key` on every POST that honours it; and a sample of
//! real responses sends no shared header its operation does not declare, always sends
//! the ones declared as always present, and sends values their schemas allow.

use std::collections::HashMap;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::identity::SignedIn;
use crate::support::spec::{SpecOperation, committed, operations, stand_in_path};
use crate::support::{TestApp, api_test};

/// Headers every response of the operation carries, whatever the request.
const ALWAYS_SENT: [&str; 5] =
    ["X-Request-Id", "Cache-Control", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"];

/// `value` followed through a `$ref` into `spec`'s components.
fn resolved<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => {
            let mut target = spec;
            for part in reference.trim_start_matches("#/").split('/') {
                target = &target[part];
            }
            target
        }
        None => value,
    }
}

/// The headers `response` (of an operation) declares, by lower-case name.
fn declared_headers<'a>(spec: &'a Value, response: &'a Value) -> HashMap<String, &'a Value> {
    resolved(spec, response)["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, header)| (name.to_lowercase(), resolved(spec, header)))
        .collect()
}

fn responses(spec: &Value, operation: &SpecOperation) -> Vec<(String, Value)> {
    operation.operation["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, response)| (status.clone(), resolved(spec, response).clone()))
        .collect()
}

fn has_query_parameter(spec: &Value, operation: &SpecOperation, name: &str) -> bool {
    header_or_query_parameters(spec, operation)
        .iter()
        .any(|parameter| parameter["in"] == "query" && parameter["name"] == name)
}

fn header_or_query_parameters(spec: &Value, operation: &SpecOperation) -> Vec<Value> {
    operation.operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|parameter| resolved(spec, parameter).clone())
        .collect()
}

fn declares_request_header(spec: &Value, operation: &SpecOperation, name: &str) -> bool {
    header_or_query_parameters(spec, operation)
        .iter()
        .any(|parameter| parameter["in"] == "header" && parameter["name"] == name)
}

#[test]
fn every_response_declares_the_headers_the_server_always_or_conditionally_sends() {
    let spec = committed();
    let mut checked = 0;
    for operation in operations(&spec) {
        let name = operation.name();
        let rate_limited = (operation.template.starts_with("/v1/")
            || operation.template.starts_with("/fhir/"))
            && !["/v1/content/crisis", "/v1/content/crisis.html"]
                .contains(&operation.template.as_str());
        let paged = has_query_parameter(&spec, &operation, "cursor");
        for (status, response) in responses(&spec, &operation) {
            let headers = declared_headers(&spec, &response);
            let declares = |header: &str| headers.contains_key(&header.to_lowercase());
            assert!(declares("X-Request-Id"), "{name} {status}: X-Request-Id");
            assert!(declares("Cache-Control"), "{name} {status}: Cache-Control");
            for header in ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] {
                assert_eq!(declares(header), rate_limited, "{name} {status}: {header}");
            }
            if status == "429" || status == "503" {
                assert!(declares("Retry-After"), "{name} {status}: Retry-After");
            }
            if status == "201" {
                assert!(declares("Location"), "{name} {status}: Location");
            }
            if status == "401" {
                assert!(declares("WWW-Authenticate"), "{name} {status}: WWW-Authenticate");
            }
            if status == "200" && paged {
                assert!(declares("Link"), "{name} {status}: Link");
            }
            if status == "304" || status == "412" {
                let request_header = if status == "304" { "If-None-Match" } else { "If-Match" };
                assert!(
                    declares_request_header(&spec, &operation, request_header),
                    "{name}: {request_header}"
                );
            }
            for (header, declaration) in &headers {
                assert!(
                    declaration["schema"].is_object(),
                    "{name} {status}: {header} has a schema"
                );
            }
            checked += 1;
        }
        assert!(declares_request_header(&spec, &operation, "X-Request-Id"), "{name}: X-Request-Id");
    }
    assert!(checked > 600, "{checked} responses");
}

/// A request that the idempotency middleware refuses (400) if it honours the key on
/// that operation, and that nothing else refuses before the handler.
async fn honours_idempotency_key(app: &TestApp, operation: &SpecOperation, token: &str) -> bool {
    let mut request = app
        .authorized(operation.method.clone(), &stand_in_path(&operation.template), token)
        .header("idempotency-key", "not visible ascii");
    if let Some(kind) = operation.body_type() {
        request = request.header("content-type", kind).body("{}");
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    status == StatusCode::BAD_REQUEST
        && body["detail"].as_str().is_some_and(|detail| detail.starts_with("Idempotency-Key"))
}

api_test!(async fn every_post_that_honours_idempotency_key_declares_it_and_no_other_does(app) {
    let spec = committed();
    let admin = app.signed_in_with_role(Role::Admin).await;
    let partner = app.client_token().await;
    let mut honoured = 0;
    for operation in operations(&spec).into_iter().filter(|operation| operation.method == Method::POST) {
        let declared = declares_request_header(&spec, &operation, "Idempotency-Key");
        let token = if operation.for_api_clients() { &partner } else { &admin.access_token };
        let honours = honours_idempotency_key(&app, &operation, token).await;
        assert_eq!(declared, honours, "{}: declared {declared}, honoured {honours}", operation.name());
        if honours {
            let replayed = responses(&spec, &operation).into_iter().filter(|(status, _)| status.starts_with('2')).all(|(_, response)| declared_headers(&spec, &response).contains_key("idempotent-replayed"));
            assert!(replayed, "{}: every success may be a replay", operation.name());
            honoured += 1;
        }
    }
    assert!(honoured >= 15, "{honoured}");
});

/// Checks one real response against the contract: its status is declared; every
/// shared header it carries is declared for that status, with a value the header's
/// schema allows; and the headers the spec says are always sent are there.
fn check_response(
    spec: &Value,
    method: &Method,
    template: &str,
    status: StatusCode,
    headers: &HeaderMap,
) {
    let name = format!("{method} {template}");
    let operation = &spec["paths"][template][method.as_str().to_lowercase()];
    assert!(operation.is_object(), "{name} is not in the spec");
    let declared_response = &operation["responses"][status.as_str()];
    assert!(
        declared_response.is_object(),
        "{name} answered {status}, which the spec does not declare"
    );
    let declared = declared_headers(spec, declared_response);
    let shared: Vec<String> = spec["components"]["headers"]
        .as_object()
        .unwrap()
        .keys()
        .map(|name| name.to_lowercase())
        .collect();
    for (header, value) in headers {
        let header = header.as_str();
        if !shared.iter().any(|shared| shared == header) {
            continue;
        }
        let declaration = declared
            .get(header)
            .unwrap_or_else(|| panic!("{name} {status} sends {header} but does not declare it"));
        let value = value.to_str().unwrap();
        check_value(&declaration["schema"], value, &format!("{name} {status} {header}"));
    }
    for header in ALWAYS_SENT.iter().chain(if status == StatusCode::CREATED {
        &["Location"][..]
    } else {
        &[]
    }) {
        if declared.contains_key(&header.to_lowercase()) {
            assert!(
                headers.contains_key(*header),
                "{name} {status} declares {header} but did not send it"
            );
        }
    }
}

/// Whether `value` is allowed by a header's `schema` (length, pattern, enum, range).
fn check_value(schema: &Value, value: &str, what: &str) {
    if let Some(max) = schema["maxLength"].as_u64() {
        assert!(value.chars().count() as u64 <= max, "{what}: {value} is longer than {max}");
    }
    if let Some(pattern) = schema["pattern"].as_str() {
        let pattern = regex::Regex::new(pattern).unwrap();
        assert!(pattern.is_match(value), "{what}: {value} does not match {pattern}");
    }
    if let Some(allowed) = schema["enum"].as_array() {
        assert!(
            allowed.iter().any(|allowed| allowed == value),
            "{what}: {value} is not one of {allowed:?}"
        );
    }
    if schema["type"] == "integer" {
        let number: i64 =
            value.parse().unwrap_or_else(|_| panic!("{what}: {value} is not an integer"));
        assert!(schema["minimum"].as_i64().is_none_or(|min| number >= min), "{what}: {value}");
        assert!(schema["maximum"].as_i64().is_none_or(|max| number <= max), "{what}: {value}");
    }
}

/// Sends requests and checks every answer against the contract.
struct Sampler<'a> {
    app: &'a TestApp,
    spec: Value,
    token: String,
    checked: usize,
}

impl Sampler<'_> {
    /// Sends `request` for the operation `method template`, checks the answer and
    /// returns its status, headers and body.
    async fn send(
        &mut self,
        method: Method,
        template: &str,
        request: reqwest::RequestBuilder,
    ) -> (StatusCode, HeaderMap, Value) {
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        check_response(&self.spec, &method, template, status, &headers);
        self.checked += 1;
        (status, headers, response.json().await.unwrap_or(Value::Null))
    }

    /// `method path` as the signed-in admin, with an optional JSON body.
    async fn call(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut request = self.app.authorized(method.clone(), path, &self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(method, template, request).await
    }
}

api_test!(async fn a_sample_of_real_responses_sends_only_declared_headers_with_allowed_values(app) {
    let admin: SignedIn = app.signed_in_with_role(Role::Admin).await;
    let mut sample = Sampler { app: &app, spec: committed(), token: admin.access_token.clone(), checked: 0 };

    // Public, unversioned and exempt operations.
    for (template, path) in [("/health/live", "/health/live"), ("/health/ready", "/health/ready"), ("/metrics", "/metrics"), ("/.well-known/jwks.json", "/.well-known/jwks.json"), ("/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server"), ("/v1/content/crisis", "/v1/content/crisis")] {
        let (status, _, _) = sample.send(Method::GET, template, app.request(Method::GET, path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let (status, _, _) = sample.send(Method::POST, "/v1/auth/register", app.request(Method::POST, "/v1/auth/register").json(&json!({ "email": "sample@example.org", "password": crate::support::identity::GOOD_PASSWORD, "display_name": "Sample" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = sample.send(Method::POST, "/v1/auth/token", app.request(Method::POST, "/v1/auth/token").form(&[("grant_type", "password"), ("username", "sample@example.org"), ("password", crate::support::identity::GOOD_PASSWORD)])).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = sample.send(Method::GET, "/v1/me", app.request(Method::GET, "/v1/me")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A goal: created, replayed, conflicting, read, cached, stale, changed, listed.
    let goal_body = json!({ "title": "Walk to the park", "area": "health" });
    let keyed = |body: &Value, key: &str| app.authorized(Method::POST, "/v1/goals", &admin.access_token).header("idempotency-key", key).json(body);
    let (status, headers, goal) = sample.send(Method::POST, "/v1/goals", keyed(&goal_body, "sample-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{goal}");
    assert!(!headers.contains_key("idempotent-replayed"));
    let (status, headers, _) = sample.send(Method::POST, "/v1/goals", keyed(&goal_body, "sample-1")).await;
    assert_eq!((status, headers["idempotent-replayed"].to_str().unwrap()), (StatusCode::CREATED, "true"));
    let (status, _, _) = sample.send(Method::POST, "/v1/goals", keyed(&json!({ "title": "Another", "area": "health" }), "sample-1")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let goal_path = format!("/v1/goals/{}", goal["id"].as_str().unwrap());
    let (status, headers, _) = sample.call(Method::GET, "/v1/goals/{goal_id}", &goal_path, None).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, _) = sample.send(Method::GET, "/v1/goals/{goal_id}", app.authorized(Method::GET, &goal_path, &admin.access_token).header("if-none-match", &etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let (status, _, _) = sample.send(Method::PATCH, "/v1/goals/{goal_id}", app.authorized(Method::PATCH, &goal_path, &admin.access_token).header("if-match", "\"99\"").json(&json!({ "why": "Fresh air" }))).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _, _) = sample.call(Method::PATCH, "/v1/goals/{goal_id}", &goal_path, Some(json!({ "why": "Fresh air" }))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = sample.call(Method::POST, "/v1/goals", "/v1/goals", Some(json!({ "title": "" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    sample.call(Method::POST, "/v1/goals", "/v1/goals", Some(json!({ "title": "Second goal", "area": "health" }))).await;
    let (status, headers, _) = sample.call(Method::GET, "/v1/goals", "/v1/goals?limit=1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.contains_key("link"), "a first page of two links to the next");
    let (status, _, _) = sample.call(Method::GET, "/v1/goals/{goal_id}", &stand_in_path("/v1/goals/{goal_id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Parts of a goal, a routine, contacts, supporters and the calendar feed: every 201.
    let step = sample.call(Method::POST, "/v1/goals/{goal_id}/steps", &format!("{goal_path}/steps"), Some(json!({ "title": "Find shoes" }))).await;
    let check_in = sample.call(Method::POST, "/v1/goals/{goal_id}/check-ins", &format!("{goal_path}/check-ins"), Some(json!({ "note": "Went out" }))).await;
    let step_path = format!("{goal_path}/steps/{}", step.2["id"].as_str().unwrap());
    sample.call(Method::GET, "/v1/goals/{goal_id}/steps/{step_id}", &step_path, None).await;
    sample.call(Method::GET, "/v1/goals/{goal_id}/check-ins/{check_in_id}", &format!("{goal_path}/check-ins/{}", check_in.2["id"].as_str().unwrap()), None).await;
    let today = chrono::Utc::now().date_naive();
    let routine = sample.call(Method::POST, "/v1/routines", "/v1/routines", Some(json!({ "title": "Stretch", "category": "exercise", "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": today - chrono::Duration::days(3), "time_zone": "UTC" } }))).await;
    let routine_path = format!("/v1/routines/{}", routine.2["id"].as_str().unwrap());
    sample.call(Method::POST, "/v1/routines/{routine_id}/check-ins", &format!("{routine_path}/check-ins"), Some(json!({ "occurrence": { "date": today - chrono::Duration::days(1), "time": "08:00" }, "status": "done" }))).await;
    sample.call(Method::GET, "/v1/routines/{routine_id}", &routine_path, None).await;
    let contact = sample.call(Method::POST, "/v1/contacts", "/v1/contacts", Some(json!({ "name": "Alex" }))).await;
    let contact_path = format!("/v1/contacts/{}", contact.2["id"].as_str().unwrap());
    let interaction = sample.call(Method::POST, "/v1/contacts/{contact_id}/interactions", &format!("{contact_path}/interactions"), Some(json!({ "at": chrono::Utc::now().to_rfc3339(), "method": "phone" }))).await;
    sample.call(Method::GET, "/v1/contacts/{contact_id}/interactions/{interaction_id}", &format!("{contact_path}/interactions/{}", interaction.2["interaction"]["id"].as_str().unwrap()), None).await;
    let supporter = format!("{goal_path}/supporters/{}", contact.2["id"].as_str().unwrap());
    let (status, _, _) = sample.call(Method::PUT, "/v1/goals/{goal_id}/supporters/{contact_id}", &supporter, Some(json!({ "role": "Walks with me" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = sample.call(Method::PUT, "/v1/goals/{goal_id}/supporters/{contact_id}", &supporter, Some(json!({ "role": "Walks with me often" }))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = sample.call(Method::POST, "/v1/me/calendar-feed", "/v1/me/calendar-feed", None).await;
    assert_eq!(status, StatusCode::CREATED);
    sample.call(Method::GET, "/v1/me", "/v1/me", None).await;
    let (status, _, _) = sample.call(Method::POST, "/v1/admin/clients", "/v1/admin/clients", Some(json!({ "name": "Sample partner", "scopes": ["goals:read"] }))).await;
    assert_eq!(status, StatusCode::CREATED);
    sample.call(Method::GET, "/v1/admin/clients", "/v1/admin/clients?limit=1", None).await;

    // Public content: written by the admin, read by anyone, cached, paged.
    let article = sample.call(Method::POST, "/v1/content/articles", "/v1/content/articles", Some(json!({ "slug": "sample-article", "title": "Sleep", "summary": "On sleep.", "body_markdown": "Sleep well.", "topics": ["sleep"], "author_name": "Waymark editors", "source": "Waymark", "licence": "CC BY 4.0" }))).await;
    assert_eq!(article.0, StatusCode::CREATED, "{}", article.2);
    let article_path = "/v1/content/articles/en-GB/sample-article";
    let (status, headers, _) = sample.send(Method::POST, "/v1/content/articles/{locale}/{slug}/publish", app.authorized(Method::POST, &format!("{article_path}/publish"), &admin.access_token).header("if-match", article.1["etag"].to_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.contains_key("etag"));
    let (status, headers, _) = sample.send(Method::GET, "/v1/content/articles/{locale}/{slug}", app.request(Method::GET, article_path)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = sample.send(Method::GET, "/v1/content/articles/{locale}/{slug}", app.request(Method::GET, article_path).header("if-none-match", headers["etag"].to_str().unwrap())).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    sample.send(Method::GET, "/v1/content/articles", app.request(Method::GET, "/v1/content/articles")).await;
    for slug in ["first-service", "second-service"] {
        let (status, _, body) = sample.call(Method::POST, "/v1/content/services", "/v1/content/services", Some(json!({ "slug": slug, "name": format!("Service {slug}"), "kind": "helpline", "description": "Listens.", "status": "published" }))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, headers, _) = sample.send(Method::GET, "/v1/content/services", app.request(Method::GET, "/v1/content/services?limit=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.contains_key("link"), "a first page of two links to the next");
    sample.send(Method::GET, "/v1/content/services/{slug}", app.request(Method::GET, "/v1/content/services/first-service")).await;
    sample.call(Method::PATCH, "/v1/content/services/{slug}", "/v1/content/services/first-service", Some(json!({ "description": "Listens, day and night." }))).await;
    assert!(sample.checked >= 45, "{}", sample.checked);
});
