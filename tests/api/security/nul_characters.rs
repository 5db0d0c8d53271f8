//! NUL (U+0000), which PostgreSQL cannot store and SQLite can, sent in every path and
//! query parameter and every body field of every operation: each is refused alike on
//! both databases with a clear 4xx that names where it was, and nothing is stored.

use reqwest::StatusCode;
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use super::{
    SPEC, Seen, a_webhook, check_misconfiguration, fill, operations, owned_resources, request,
    resolve, snapshot,
};
use crate::support::api_test;

/// One step into a JSON body: an object's field or an array's first item.
#[derive(Debug, Clone)]
enum Step {
    Field(String),
    Item,
}

/// The paths to every string field of `schema` (following `$ref`s, `allOf`,
/// `oneOf`, `anyOf`, object properties and array items), at most four levels deep.
fn string_fields(spec: &Value, schema: &Value, path: &[Step], found: &mut Vec<Vec<Step>>) {
    if path.len() > 4 {
        return;
    }
    let schema = resolve(spec, schema);
    let types: Vec<&str> = match &schema["type"] {
        Value::String(kind) => vec![kind.as_str()],
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"string") && !found.iter().any(|known| same_path(known, path)) {
        found.push(path.to_vec());
    }
    for combined in ["allOf", "oneOf", "anyOf"] {
        for part in schema[combined].as_array().into_iter().flatten() {
            string_fields(spec, part, path, found);
        }
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let mut deeper = path.to_vec();
        deeper.push(Step::Field(name.clone()));
        string_fields(spec, property, &deeper, found);
    }
    if schema.get("items").is_some() {
        let mut deeper = path.to_vec();
        deeper.push(Step::Item);
        string_fields(spec, &schema["items"], &deeper, found);
    }
}

fn same_path(left: &[Step], right: &[Step]) -> bool {
    left.len() == right.len()
        && left.iter().zip(right).all(|pair| match pair {
            (Step::Field(a), Step::Field(b)) => a == b,
            (Step::Item, Step::Item) => true,
            _ => false,
        })
}

/// A body holding `value` at `path` and nothing else, and the JSON Pointer to it.
fn body_at(path: &[Step], value: Value) -> (Value, String) {
    let pointer: String = path
        .iter()
        .map(|step| match step {
            Step::Field(name) => format!("/{name}"),
            Step::Item => "/0".to_owned(),
        })
        .collect();
    let body = path.iter().rev().fold(value, |inner, step| match step {
        Step::Field(name) => json!({ name.as_str(): inner }),
        Step::Item => json!([inner]),
    });
    (body, pointer)
}

/// Names of `template`'s path parameters.
fn path_parameters(template: &str) -> Vec<String> {
    template
        .split('/')
        .flat_map(|segment| segment.split(['{', '}']).skip(1).step_by(2))
        .map(str::to_owned)
        .collect()
}

api_test!(async fn nul_characters_are_refused_in_every_parameter_and_body_field(app) {
    // PostgreSQL cannot store U+0000 in text; SQLite can. Both must answer alike: a
    // clear 4xx that names where the character was, and nothing stored.
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    let admin = app.signed_in_with_role(Role::Admin).await;
    let partner = app.client_token().await;
    let mut ids = owned_resources(&app, &admin).await;
    ids.insert("webhook_id", a_webhook(&app, &partner).await);
    let before = snapshot(&app, &admin, &ids).await;
    let mut seen = Seen::default();
    let (mut parameters, mut fields) = (0, 0);
    for operation in operations() {
        let token = Some(operation.token(&admin.access_token, &partner));
        for name in path_parameters(&operation.template) {
            let template = operation.template.replace(&format!("{{{name}}}"), "a%00b");
            let path = fill(&template, &ids);
            let (status, body) = seen.send(&operation.name(), request(&app, &operation, &path, token), operation.secured).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{} with NUL in {{{name}}}: {body}", operation.name());
            assert!(body["detail"].as_str().unwrap().contains("NUL"), "{}: {body}", operation.name());
            parameters += 1;
        }
        let path = fill(&operation.template, &ids);
        for parameter in &operation.query_parameters {
            let schema = resolve(&spec, &parameter["schema"]);
            let stringly = schema["type"] == "string" || schema["items"]["type"] == "string" || resolve(&spec, &schema["items"])["type"] == "string";
            if !stringly {
                continue;
            }
            let name = parameter["name"].as_str().unwrap();
            let separator = if path.contains('?') { '&' } else { '?' };
            let with_nul = format!("{path}{separator}{name}=a%00b");
            let (status, body) = seen.send(&operation.name(), request(&app, &operation, &with_nul, token), operation.secured).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{} with NUL in ?{name}: {body}", operation.name());
            let detail = body["detail"].as_str().unwrap();
            assert!(detail.contains("NUL") && detail.contains(name), "{} names ?{name}: {body}", operation.name());
            parameters += 1;
        }
        let (Some(kind), Some(schema)) = (&operation.body_type, &operation.body_schema) else { continue };
        if kind == "text/vcard" {
            // A vCard is text, not fields: a card holding NUL is refused on its own,
            // as any card that breaks a rule is, and nothing is written.
            let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Sam\u{0}Rivers\r\nEND:VCARD\r\n";
            let request = app.request(operation.method.clone(), &path).bearer_auth(&admin.access_token).header("content-type", kind.as_str()).body(card);
            let (status, answer) = seen.send(&operation.name(), request, operation.secured).await;
            assert_eq!(status, StatusCode::OK, "{}: {answer}", operation.name());
            assert_eq!(answer["results"][0]["status"], 422, "{}: {answer}", operation.name());
            fields += 1;
            continue;
        }
        let mut paths = Vec::new();
        string_fields(&spec, schema, &[], &mut paths);
        for field in paths.iter().filter(|field| !field.is_empty()) {
            let (body, pointer) = body_at(field, json!("a\u{0}b"));
            let sent = if kind.contains("json") {
                body.to_string()
            } else if kind == "application/x-www-form-urlencoded" {
                format!("{}=a%00b", pointer.trim_start_matches('/'))
            } else {
                continue;
            };
            let request = app.request(operation.method.clone(), &path).bearer_auth(operation.token(&admin.access_token, &partner)).header("content-type", kind.as_str()).body(sent);
            let (status, problem) = seen.send(&operation.name(), request, operation.secured).await;
            let oauth = ["/v1/auth/token", "/v1/auth/revoke", "/v1/auth/introspect"].contains(&operation.template.as_str());
            if operation.template == "/v1/auth/authorize" {
                // The sign-in and consent forms: a page asks the person to start again.
                assert_eq!(status, StatusCode::BAD_REQUEST, "{} with NUL in {pointer}", operation.name());
            } else if !oauth {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{} with NUL in {pointer}: {problem}", operation.name());
                let named = problem["errors"].as_array().unwrap().iter().any(|error| error["pointer"] == pointer.as_str() && error["code"] == "nul_character");
                assert!(named, "{} names {pointer}: {problem}", operation.name());
            } else {
                // OAuth endpoints answer in RFC 6749's words.
                assert_eq!(status, StatusCode::BAD_REQUEST, "{} with NUL in {pointer}: {problem}", operation.name());
                assert_eq!(problem["error"], "invalid_request", "{}: {problem}", operation.name());
            }
            fields += 1;
        }
    }
    eprintln!("NUL refused in {parameters} path and query parameters and {fields} body fields");
    assert!(parameters >= 60, "{parameters} parameters checked");
    assert!(fields >= 150, "{fields} body fields checked");
    assert_eq!(snapshot(&app, &admin, &ids).await, before, "nothing was changed");
    check_misconfiguration(&seen);
});
