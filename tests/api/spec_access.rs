//! The contract's security requirements are what the server enforces, so a generated
//! client or a gateway reading the spec reaches the server's decision: for every
//! secured operation, a token with exactly the declared scopes gets past
//! authorisation, a token missing any one of them is 403, and a token an API client
//! got for itself (client credentials) is 403 unless the spec offers that flow.

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::client::scopes_clients_may_hold;
use waymark_domain::identity::{Role, Scope};

use crate::support::identity::{GOOD_PASSWORD, SignedIn};
use crate::support::spec::{SpecOperation, as_problem, committed, operations, stand_in_path};
use crate::support::{TestApp, api_test};

/// `operation` at its stand-in path with `token` and an empty body of its media type.
async fn call(app: &TestApp, operation: &SpecOperation, token: &str) -> (StatusCode, Value) {
    let mut request =
        app.authorized(operation.method.clone(), &stand_in_path(&operation.template), token);
    if let Some(kind) = operation.body_type() {
        let empty = if kind.contains("json") { "{}" } else { "" };
        request = request.header("content-type", kind).body(empty);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, as_problem(response.json().await.unwrap_or(Value::Null)))
}

/// An access token of `admin` narrowed to `scopes`, signed in once per set.
async fn narrowed(
    app: &TestApp,
    admin: &SignedIn,
    scopes: &[&str],
    tokens: &mut HashMap<String, String>,
) -> String {
    let scope = scopes.join(" ");
    if let Some(token) = tokens.get(&scope) {
        return token.clone();
    }
    let response = app
        .token(&[
            ("grant_type", "password"),
            ("username", &admin.email),
            ("password", GOOD_PASSWORD),
            ("scope", &scope),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK, "sign-in with {scope}");
    let body: Value = response.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap().to_owned();
    tokens.insert(scope, token.clone());
    token
}

/// A client-credentials token of a new API client holding every scope clients may.
async fn client_token(app: &TestApp, admin: &SignedIn) -> String {
    let scopes: Vec<&str> = scopes_clients_may_hold().iter().map(Scope::as_str).collect();
    let created: Value = app
        .authorized(Method::POST, "/v1/admin/clients", &admin.access_token)
        .json(&json!({ "name": "Partner backend", "scopes": scopes }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = app
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", created["id"].as_str().unwrap()),
            ("client_secret", created["client_secret"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["scope"], scopes.join(" "), "the client holds every scope it may");
    body["access_token"].as_str().unwrap().to_owned()
}

api_test!(async fn every_secured_operation_enforces_exactly_the_scopes_and_flows_the_spec_declares(app) {
    let spec = committed();
    let admin = app.signed_in_with_role(Role::Admin).await;
    let client = client_token(&app, &admin).await;
    let client_flow_offered = spec["components"]["securitySchemes"]["oauth2"]["flows"]
        .get("clientCredentials")
        .is_some();
    let client_scopes: Vec<&str> = scopes_clients_may_hold().iter().map(Scope::as_str).collect();
    let mut tokens = HashMap::new();
    let mut checked = 0;
    // Signing out everywhere ends every token of the account: it goes last, and each
    // operation is called with exactly its scopes only after the refusals.
    let mut operations = operations(&spec);
    operations.sort_by_key(|operation| operation.name().ends_with("/v1/me/sign-out-everywhere"));
    for operation in operations {
        let Some(required) = operation.required_scopes() else { continue };
        let name = operation.name();
        let required: Vec<&str> = required.iter().map(String::as_str).collect();

        for missing in required.iter().filter(|_| !operation.for_api_clients()) {
            let others: Vec<&str> = Scope::ALL.iter().filter(|scope| !scope.is_for_clients_only()).map(|scope| scope.as_str()).filter(|scope| scope != missing).collect();
            let token = narrowed(&app, &admin, &others, &mut tokens).await;
            let (status, body) = call(&app, &operation, &token).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{name} without {missing}: {body}");
            assert_eq!(body["type"], "/problems/insufficient-scope", "{name}: {body}");
        }

        let for_clients = operation.for_api_clients();
        let client_may_call = (client_flow_offered || for_clients) && required.iter().all(|scope| client_scopes.contains(scope));
        let (status, body) = call(&app, &operation, &client).await;
        if client_may_call {
            assert_ne!(status, StatusCode::FORBIDDEN, "{name} offers client credentials: {body}");
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{name} with a client token: {body}");
        }
        if for_clients {
            // A person's token never carries a client's scopes: 403 with any of theirs.
            let person = narrowed(&app, &admin, &["goals:read"], &mut tokens).await;
            let (status, body) = call(&app, &operation, &person).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{name} with a person's token: {body}");
            checked += 1;
            continue;
        }

        let exact = narrowed(&app, &admin, &required, &mut tokens).await;
        let (status, body) = call(&app, &operation, &exact).await;
        assert!(
            status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
            "{name} with exactly {required:?}: {status} {body}"
        );
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} secured operations");
});

#[test]
fn only_flows_whose_tokens_reach_an_operation_are_offered() {
    let spec = committed();
    let scheme = &spec["components"]["securitySchemes"]["oauth2"];
    let mut flows: Vec<&String> = scheme["flows"].as_object().unwrap().keys().collect();
    flows.sort();
    assert_eq!(
        flows,
        ["authorizationCode", "password"],
        "a person's flows only; a client's own token has a scheme of its own"
    );
    assert_eq!(scheme["flows"]["password"]["tokenUrl"], "/v1/auth/token");
    assert_eq!(scheme["flows"]["password"]["refreshUrl"], "/v1/auth/token");
    let code = &scheme["flows"]["authorizationCode"];
    assert_eq!(code["authorizationUrl"], "/v1/auth/authorize");
    assert_eq!(code["tokenUrl"], "/v1/auth/token");
    assert_eq!(code["refreshUrl"], "/v1/auth/token");
    let schemes: Vec<&String> =
        spec["components"]["securitySchemes"].as_object().unwrap().keys().collect();
    assert_eq!(schemes, ["client", "oauth2"], "no catch-all bearer alternative");
    let client = &spec["components"]["securitySchemes"]["client"]["flows"];
    let client_flows: Vec<&String> = client.as_object().unwrap().keys().collect();
    assert_eq!(client_flows, ["clientCredentials"]);
    assert_eq!(client["clientCredentials"]["tokenUrl"], "/v1/auth/token");
    let client_scopes: Vec<&String> =
        client["clientCredentials"]["scopes"].as_object().unwrap().keys().collect();
    assert_eq!(client_scopes, ["content:events", "webhooks"], "only what a client does for itself");
    let mut client_operations = 0;
    for operation in operations(&spec) {
        let security = operation.operation["security"].as_array();
        assert!(security.is_some(), "{} says who may call it", operation.name());
        for alternative in security.unwrap() {
            for scheme in alternative.as_object().unwrap().keys() {
                assert!(scheme == "oauth2" || scheme == "client", "{}", operation.name());
                if scheme == "client" {
                    assert!(operation.template.starts_with("/v1/webhooks"), "{}", operation.name());
                    client_operations += 1;
                }
            }
        }
    }
    assert!(client_operations >= 8, "the webhook operations take a client's own token");
}
