//! The bounds the contract states are the server's: every query parameter one past its
//! documented maximum (length, items or value) is refused with a 400 problem, and what
//! the server writes itself (problem pointers and paths that echo the request) stays
//! within the lengths the contract gives them.

use reqwest::StatusCode;
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::api_test;
use crate::support::spec::{committed, operations, stand_in_path};

/// A value for `parameter` one past its documented bound, if it has one: a string one
/// character too long, an array with one item too many, a number one too large.
fn one_past_the_bound(spec: &Value, parameter: &Value) -> Option<Vec<String>> {
    let schema = &parameter["schema"];
    let types: Vec<&str> = match &schema["type"] {
        Value::String(kind) => vec![kind.as_str()],
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"string") {
        let max = schema["maxLength"].as_u64()?;
        return Some(vec!["a".repeat(usize::try_from(max).ok()? + 1)]);
    }
    if types.contains(&"integer") || types.contains(&"number") {
        let max = schema["maximum"].as_f64()?;
        return Some(vec![format!("{}", max + 1.0)]);
    }
    if types.contains(&"array") {
        let max = usize::try_from(schema["maxItems"].as_u64()?).ok()?;
        let item = &schema["items"];
        let item = match item["$ref"].as_str() {
            Some(reference) => {
                &spec["components"]["schemas"]
                    [reference.trim_start_matches("#/components/schemas/")]
            }
            None => item,
        };
        let first = item["enum"][0].as_str()?.to_owned();
        return Some(vec![first; max + 1]);
    }
    None
}

/// The authorization endpoint, whose answers are pages for a person.
const PAGES: &str = "/v1/auth/authorize";

api_test!(async fn every_query_parameter_one_past_its_documented_bound_is_refused(app) {
    let spec = committed();
    let admin = app.signed_in_with_role(Role::Admin).await;
    let partner = app.client_token().await;
    let mut checked = 0;
    for operation in operations(&spec) {
        let token = if operation.for_api_clients() { &partner } else { &admin.access_token };
        let path = stand_in_path(&operation.template);
        // Path parameters name things; a bad one is 404 like any unknown name.
        if path != operation.template {
            continue;
        }
        for parameter in operation.operation["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] != "query" {
                continue;
            }
            let Some(values) = one_past_the_bound(&spec, parameter) else { continue };
            let name = parameter["name"].as_str().unwrap();
            let query: Vec<(&str, &str)> = values.iter().map(|value| (name, value.as_str())).collect();
            let response = app.authorized(operation.method.clone(), &path, token).query(&query).send().await.unwrap();
            let status = response.status();
            if path == PAGES {
                // The authorization endpoint answers a person's browser: a page, not JSON.
                assert_eq!(status, StatusCode::BAD_REQUEST, "{} with {name} past its bound", operation.name());
                assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
                checked += 1;
                continue;
            }
            let problem: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(status, StatusCode::BAD_REQUEST, "{} with {name} past its bound: {problem}", operation.name());
            if path.starts_with("/fhir/") {
                assert_eq!(problem["issue"][0]["code"], "invalid", "{problem}");
            } else {
                assert_eq!(problem["status"], 400, "{problem}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked}");
});

api_test!(async fn echoes_of_the_request_in_a_problem_stay_within_their_documented_lengths(app) {
    let spec = committed();
    let person = app.signed_in_user().await;
    let field_error = &spec["components"]["schemas"]["FieldError"]["properties"];
    let problem_fields = &spec["components"]["schemas"]["Problem"]["properties"];
    let max_pointer = field_error["pointer"]["maxLength"].as_u64().unwrap();
    let max_instance = problem_fields["instance"]["maxLength"].as_u64().unwrap();

    let invented = "x".repeat(5000);
    let response = app.authorized(reqwest::Method::POST, "/v1/goals", &person.access_token).json(&json!({ "title": "Walk", "area": "health", invented.clone(): 1 })).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    let pointer = problem["errors"][0]["pointer"].as_str().unwrap();
    assert_eq!(problem["errors"][0]["code"], "unknown_field");
    assert!(pointer.starts_with("/xxx"), "{pointer}");
    assert_eq!(pointer.chars().count() as u64, max_pointer, "the pointer is cut to its documented length");

    let long_path = format!("/v1/{}", "a".repeat(4000));
    let response = app.authorized(reqwest::Method::GET, &long_path, &person.access_token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let problem: Value = response.json().await.unwrap();
    let instance = problem["instance"].as_str().unwrap();
    assert!(long_path.starts_with(instance), "{instance}");
    assert_eq!(instance.chars().count() as u64, max_instance, "the path is cut to its documented length");
});
