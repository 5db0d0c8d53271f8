//! The committed contract, read by tests that walk every operation in it.

use reqwest::Method;
use serde_json::Value;

/// `openapi/v1.json` as committed.
pub const COMMITTED: &str = include_str!("../../../openapi/v1.json");

/// The committed contract, parsed.
pub fn committed() -> Value {
    serde_json::from_str(COMMITTED)
        .unwrap_or_else(|error| panic!("openapi/v1.json is not JSON: {error}"))
}

/// One operation of the contract.
#[derive(Debug, Clone)]
pub struct SpecOperation {
    /// Its method.
    pub method: Method,
    /// Its path template, `/v1/goals/{goal_id}`.
    pub template: String,
    /// The operation object.
    pub operation: Value,
}

impl SpecOperation {
    /// `GET /v1/goals/{goal_id}`.
    pub fn name(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// The scopes it requires, or `None` when anyone may call it (no requirement, or
    /// an anonymous `{}` alternative beside the others).
    pub fn required_scopes(&self) -> Option<Vec<String>> {
        required_scopes(&self.operation)
    }

    /// Whether it is called with an API client's own token.
    pub fn for_api_clients(&self) -> bool {
        for_api_clients(&self.operation)
    }

    /// The media type of its request body, if it takes one.
    pub fn body_type(&self) -> Option<String> {
        self.operation["requestBody"]["content"]
            .as_object()
            .and_then(|types| types.keys().next().cloned())
    }
}

/// Every operation in `spec`, HEAD included.
pub fn operations(spec: &Value) -> Vec<SpecOperation> {
    let mut found = Vec::new();
    for (template, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            found.push(SpecOperation {
                method,
                template: template.clone(),
                operation: operation.clone(),
            });
        }
    }
    found
}

/// Whether `operation` is called with an API client's own token (the `client`
/// security scheme, client credentials) rather than a person's.
pub fn for_api_clients(operation: &Value) -> bool {
    operation["security"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|alternative| alternative.get("client").is_some())
}

/// The scopes `operation` requires, or `None` when anyone may call it.
pub fn required_scopes(operation: &Value) -> Option<Vec<String>> {
    let alternatives = operation["security"].as_array()?;
    let anonymous = alternatives
        .iter()
        .any(|alternative| alternative.as_object().is_some_and(serde_json::Map::is_empty));
    if alternatives.is_empty() || anonymous {
        return None;
    }
    Some(
        alternatives
            .iter()
            .filter_map(serde_json::Value::as_object)
            .flat_map(|alternative| alternative.values())
            .filter_map(serde_json::Value::as_array)
            .flatten()
            .filter_map(|scope| scope.as_str().map(str::to_owned))
            .collect(),
    )
}

/// `template` with every `{parameter}` replaced by a value that names nothing.
pub fn stand_in_path(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment.find('{') {
            Some(start) => {
                let end = segment.find('}').unwrap_or(segment.len() - 1);
                let name = &segment[start + 1..end];
                let value = match name {
                    "locale" => "en-GB",
                    "slug" => "no-such-thing",
                    "number" => "1",
                    _ => "0192f0c0-0000-7000-8000-000000000000",
                };
                format!("{}{value}{}", &segment[..start], &segment[end + 1..])
            }
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// An error body as a problem: a problem+json body as it is, and an
/// `OperationOutcome` (how `/fhir/` answers errors) as the problem it carries (its
/// type in `issue[0].details`, its detail in `issue[0].diagnostics`), so suites that
/// sweep every operation read both alike.
pub fn as_problem(body: serde_json::Value) -> serde_json::Value {
    if body["resourceType"] != "OperationOutcome" {
        return body;
    }
    let issue = &body["issue"][0];
    assert_eq!(issue["details"]["coding"][0]["system"], "urn:waymark:problem", "{body}");
    serde_json::json!({
        "type": format!("/problems/{}", issue["details"]["coding"][0]["code"].as_str().unwrap_or_default()),
        "title": issue["details"]["text"],
        "detail": issue["diagnostics"],
    })
}
