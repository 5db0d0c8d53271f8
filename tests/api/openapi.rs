//! The contract: served at `/v1/openapi.json`, identical to the committed
//! `openapi/v1.json`, complete, and explorable offline in Swagger UI at `/docs/`.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::api_test;
use crate::support::spec::required_scopes;

const COMMITTED: &str = include_str!("../../openapi/v1.json");

/// The OAuth endpoints answer 400 and 401 the RFC 6749 way, not as problems.
const OAUTH_ENDPOINTS: [&str; 3] = ["/v1/auth/token", "/v1/auth/revoke", "/v1/auth/introspect"];

#[test]
fn committed_spec_matches_the_code() {
    let generated = waymark_http::openapi::openapi_json().unwrap_or_else(|error| panic!("{error}"));
    assert!(
        generated == COMMITTED,
        "openapi/v1.json is out of date; regenerate it with:\n    cargo run -q -p waymark -- openapi > openapi/v1.json"
    );
}

fn committed() -> Value {
    serde_json::from_str(COMMITTED)
        .unwrap_or_else(|error| panic!("openapi/v1.json is not JSON: {error}"))
}

#[test]
fn spec_is_openapi_3_1_with_complete_info() {
    let spec = committed();
    assert_eq!(spec["openapi"], "3.1.0");
    let info = &spec["info"];
    assert_eq!(info["title"], "Waymark API");
    assert!(info["description"].as_str().is_some_and(|text| text.len() > 100));
    assert_eq!(info["license"]["identifier"], "Apache-2.0");
    assert!(info["contact"]["email"].is_string());
    assert!(info["version"].is_string());
    assert_eq!(spec["servers"][0]["url"], "/", "clients resolve paths against the origin");
}

#[test]
fn every_operation_is_tagged_described_and_lists_problem_responses() {
    let spec = committed();
    let tags: Vec<&str> = spec["tags"]
        .as_array()
        .map(|tags| tags.iter().filter_map(|tag| tag["name"].as_str()).collect())
        .unwrap_or_default();
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    assert!(!paths.is_empty());
    for (path, item) in &paths {
        for (method, operation) in item.as_object().cloned().unwrap_or_default() {
            let name = format!("{method} {path}");
            assert!(operation["operationId"].is_string(), "{name} has no operationId");
            assert!(
                operation["summary"].is_string() || operation["description"].is_string(),
                "{name} is undocumented"
            );
            let operation_tags = operation["tags"].as_array().cloned().unwrap_or_default();
            assert!(!operation_tags.is_empty(), "{name} has no tag");
            for tag in operation_tags {
                assert!(
                    tags.contains(&tag.as_str().unwrap_or_default()),
                    "{name}: tag {tag} is not declared"
                );
            }
            let responses = operation["responses"].as_object().cloned().unwrap_or_default();
            for (status, response) in &responses {
                let response = match response["$ref"].as_str() {
                    Some(reference) => {
                        &spec["components"]["responses"]
                            [reference.trim_start_matches("#/components/responses/")]
                    }
                    None => response,
                };
                assert!(
                    response["description"].as_str().is_some_and(|text| !text.is_empty()),
                    "{name} {status} has no description"
                );
                let oauth_error = OAUTH_ENDPOINTS.contains(&path.as_str())
                    && matches!(status.as_str(), "400" | "401");
                // The authorization endpoint answers a person's browser with pages.
                let page = path == "/v1/auth/authorize"
                    && response["content"]["text/html"].is_object()
                    && status.starts_with('4');
                if page {
                    assert!(matches!(status.as_str(), "400" | "429"), "{name} {status} is a page");
                } else if oauth_error {
                    assert!(
                        response["content"]["application/json"]["schema"]["$ref"]
                            == "#/components/schemas/OAuthError",
                        "{name} {status} is not an RFC 6749 error response"
                    );
                } else if path.starts_with("/fhir/")
                    && (status.starts_with('4') || status.starts_with('5'))
                {
                    assert!(
                        response["content"]["application/fhir+json"]["schema"]["$ref"]
                            == "#/components/schemas/OperationOutcome",
                        "{name} {status} is not an OperationOutcome"
                    );
                } else if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"]["schema"]["$ref"]
                            == "#/components/schemas/Problem",
                        "{name} {status} is not a problem response"
                    );
                }
            }
            for status in ["500", "503"] {
                assert!(responses.contains_key(status), "{name} does not list {status}");
            }
        }
    }
}

api_test!(async fn the_served_spec_is_the_committed_spec(app) {
    let response = app.get("/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let served: Value = response.json().await.unwrap_or_default();
    assert_eq!(served, committed());
});

api_test!(async fn swagger_ui_is_served_offline_with_the_spec(app) {
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/html"));
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("swagger-ui-bundle.js"));
    assert!(!html.contains("https://"), "Swagger UI must not load assets from the network");

    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(bundle.bytes().await.map(|bytes| bytes.len()).unwrap_or_default() > 100_000);

    let initializer = app.get("/docs/swagger-initializer.js").await.text().await.unwrap_or_default();
    assert!(initializer.contains("/v1/openapi.json"), "{initializer}");
    // Authorize runs the authorization code flow with PKCE, and comes back here.
    assert!(initializer.contains("\"usePkceWithAuthorizationCodeGrant\": true") || initializer.contains("\"usePkceWithAuthorizationCodeGrant\":true"), "{initializer}");
    let redirect = app.get("/docs/oauth2-redirect.html").await;
    assert_eq!(redirect.status(), StatusCode::OK);
});

// Every operation that declares security in the spec refuses a request without a
// token, or with a garbage one, before doing anything else. Walks the spec, so
// operations added later are covered without being listed here.
api_test!(async fn every_secured_operation_in_the_spec_answers_401_without_a_valid_token(app) {
    let spec = committed();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if required_scopes(operation).is_none() {
                continue;
            }
            let concrete: String = path
                .split('/')
                .map(|segment| if segment.starts_with('{') { "0192f0c0-0000-7000-8000-000000000000" } else { segment })
                .collect::<Vec<_>>()
                .join("/");
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for token in [None, Some("garbage.token.here")] {
                let mut request = app.request(method.clone(), &concrete).json(&serde_json::json!({}));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{method} {path} with {token:?}");
                assert!(response.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 9, "only {checked} secured operations found");
});

// Generated clients send a parameter's documented default when the caller gives none
// (openapi-python-client does), so every default must be one the server accepts on its
// own. `within_km` once had one that the server refuses without `near`.
api_test!(async fn every_documented_query_default_is_accepted_on_its_own(app) {
    let spec = committed();
    let admin = app.signed_in_with_role(waymark_domain::identity::Role::Admin).await;
    let mut checked = 0;
    for operation in crate::support::spec::operations(&spec) {
        let path = crate::support::spec::stand_in_path(&operation.template);
        for parameter in operation.operation["parameters"].as_array().into_iter().flatten() {
            let default = &parameter["schema"]["default"];
            if parameter["in"] != "query" || default.is_null() {
                continue;
            }
            let value = default.as_str().map_or_else(|| default.to_string(), str::to_owned);
            let name = parameter["name"].as_str().unwrap();
            let response = app.authorized(operation.method.clone(), &format!("{path}?{name}={value}"), &admin.access_token).send().await.unwrap();
            assert_ne!(response.status(), StatusCode::BAD_REQUEST, "{} with {name}={value}", operation.name());
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
});

#[test]
fn a_body_offered_as_a_form_and_as_json_has_one_schema_per_media_type() {
    let spec = committed();
    let mut checked = 0;
    for operation in crate::support::spec::operations(&spec) {
        let content = &operation.operation["requestBody"]["content"];
        let form = &content["application/x-www-form-urlencoded"]["schema"]["$ref"];
        let json = &content["application/json"]["schema"]["$ref"];
        if form.is_string() && json.is_string() {
            assert_ne!(
                form,
                json,
                "{}: generators cannot tell the encodings apart",
                operation.name()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 3, "the token, revocation and introspection endpoints");
}

/// The names of the Rust types `crates/http/src` gives schemas (by `#[derive(ToSchema)]`
/// or `impl ToSchema for`), each with the file that declares it.
fn schema_types() -> Vec<(String, String)> {
    fn walk(directory: &std::path::Path, found: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut derives_schema = false;
            for line in text.lines().map(str::trim) {
                if line.starts_with("#[derive(") {
                    derives_schema = line.contains("ToSchema");
                    continue;
                }
                if let Some(name) = line.strip_prefix("impl ToSchema for ") {
                    found
                        .push((name.trim_end_matches(" {").to_owned(), path.display().to_string()));
                }
                if line.starts_with("#[") || line.starts_with("///") {
                    continue;
                }
                if derives_schema {
                    let declared = line
                        .split_whitespace()
                        .skip_while(|word| *word != "struct" && *word != "enum")
                        .nth(1)
                        .map(|name| {
                            name.trim_end_matches(['{', '(', ';'])
                                .split('<')
                                .next()
                                .unwrap_or_default()
                                .to_owned()
                        });
                    if let Some(name) = declared {
                        found.push((name, path.display().to_string()));
                    }
                }
                derives_schema = false;
            }
        }
    }
    let mut found = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/http/src"), &mut found);
    found
}

#[test]
fn no_two_schema_types_share_a_name() {
    // The spec names each schema by its Rust type's name alone: two types of one name
    // in different modules would silently become one schema, and one of them would be
    // documented wrong.
    let types = schema_types();
    assert!(types.len() > 100, "the scan finds the schema types: {}", types.len());
    assert!(types.iter().any(|(name, _)| name == "PersonalExport"), "impl ToSchema is found too");
    let mut seen: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (name, file) in &types {
        if let Some(other) = seen.insert(name, file) {
            panic!("two schema types are called {name}: in {other} and in {file}");
        }
    }
}
