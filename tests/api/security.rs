//! The OWASP API Security Top 10 (2023) checks that apply, walked over every operation
//! in `openapi/v1.json`, so that an endpoint added later is covered without anyone
//! remembering to: object-level authorisation (a second person gets 404 and changes
//! nothing), authentication (no, expired, unsigned and foreign tokens are 401),
//! function-level authorisation (editor and admin operations are 403 to a person),
//! mass assignment (server-owned fields are 422), resource consumption (limits and
//! body sizes), inventory (every operation is served), and misconfiguration (headers
//! on every answer, no internals in any error).

use std::collections::HashMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::TestApp;
use crate::support::api_test;
use crate::support::identity::SignedIn;
use crate::support::spec::{as_problem, required_scopes};
use crate::token_attacks::{AUDIENCE, Signer, claims, craft, header, kid_of, server_pem, with};

mod erased_accounts;
mod nul_characters;

const SPEC: &str = include_str!("../../openapi/v1.json");

/// One operation of the contract.
#[derive(Debug, Clone)]
struct Operation {
    method: Method,
    template: String,
    scopes: Vec<String>,
    secured: bool,
    /// Called with an API client's own token, not a person's.
    for_clients: bool,
    body_type: Option<String>,
    body_schema: Option<Value>,
    query_parameters: Vec<Value>,
}

impl Operation {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// The token to call it with: `client`'s for the operations that take an API
    /// client's own token, else `person`'s.
    fn token<'a>(&self, person: &'a str, client: &'a str) -> &'a str {
        if self.for_clients { client } else { person }
    }
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &spec["components"]["schemas"][name]
        }
        None => schema,
    }
}

fn operations() -> Vec<Operation> {
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    let mut found = Vec::new();
    for (template, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            if method == Method::HEAD || operation.get("responses").is_none() {
                continue;
            }
            // Operations anyone may call (`security: []`, or an anonymous `{}` beside a
            // scope that unlocks more) are public here.
            let required = required_scopes(operation);
            let content = &operation["requestBody"]["content"];
            let body_type = content.as_object().and_then(|types| types.keys().next().cloned());
            let body_schema =
                body_type.as_ref().map(|kind| resolve(&spec, &content[kind]["schema"]).clone());
            let query_parameters = operation["parameters"]
                .as_array()
                .map(|parameters| {
                    parameters
                        .iter()
                        .filter(|parameter| parameter["in"] == "query")
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            found.push(Operation {
                method,
                template: template.clone(),
                secured: required.is_some(),
                for_clients: crate::support::spec::for_api_clients(operation),
                scopes: required.unwrap_or_default(),
                body_type,
                body_schema,
                query_parameters,
            });
        }
    }
    assert!(found.len() > 80, "the spec lists every operation: {}", found.len());
    // Operations that end the caller's sessions go last, so the caller's token
    // works for every other operation of a walk.
    found.sort_by_key(ends_sessions);
    found
}

/// Whether `operation`, done with the caller's token, ends every session of theirs.
fn ends_sessions(operation: &Operation) -> bool {
    operation.method == Method::POST && operation.template == "/v1/me/sign-out-everywhere"
}

/// Path parameters that name something one person owns.
const PERSONAL: &[&str] = &[
    "goal_id",
    "step_id",
    "check_in_id",
    "routine_id",
    "contact_id",
    "interaction_id",
    "share_id",
    "encouragement_id",
];

fn personal(operation: &Operation) -> bool {
    PERSONAL.iter().any(|name| operation.template.contains(&format!("{{{name}}}")))
}

/// `template` with its parameters filled from `ids` (a check-in's id depends on whose
/// check-in it is), or with harmless stand-ins.
fn fill(template: &str, ids: &HashMap<&str, String>) -> String {
    let mut path = template.to_owned();
    let check_in = if template.starts_with("/v1/routines/") {
        "routine_check_in_id"
    } else {
        "goal_check_in_id"
    };
    let stand_in = uuid::Uuid::now_v7().to_string();
    for (name, value) in [
        ("goal_id", ids.get("goal_id")),
        ("step_id", ids.get("step_id")),
        ("check_in_id", ids.get(check_in)),
        ("routine_id", ids.get("routine_id")),
        ("contact_id", ids.get("contact_id")),
        ("interaction_id", ids.get("interaction_id")),
        ("share_id", ids.get("share_id")),
        ("encouragement_id", ids.get("encouragement_id")),
        ("webhook_id", ids.get("webhook_id")),
        ("client_id", None),
        ("user_id", None),
        ("feed_token", None),
    ] {
        path =
            path.replace(&format!("{{{name}}}"), value.map_or(stand_in.as_str(), String::as_str));
    }
    path.replace("{locale}", "en-GB").replace("{slug}", "no-such-article").replace("{number}", "1")
}

/// A webhook subscription of the API client holding `client_token`, for the
/// operations on one (its address is never reached: no person let the client in).
async fn a_webhook(app: &TestApp, client_token: &str) -> String {
    let created: Value = app
        .authorized(Method::POST, "/v1/webhooks", client_token)
        .json(
            &json!({ "url": "https://hooks.example.org/waymark", "event_types": ["goal.created"] }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned()
}

/// A request for `operation` at `path` with an empty body of its media type.
fn request(
    app: &TestApp,
    operation: &Operation,
    path: &str,
    token: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut request = app.request(operation.method.clone(), path);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match operation.body_type.as_deref() {
        Some("application/x-www-form-urlencoded") => {
            request.header("content-type", "application/x-www-form-urlencoded").body("")
        }
        Some("text/vcard") => request.header("content-type", "text/vcard").body(""),
        Some(kind) => request.header("content-type", kind).body("{}"),
        None => request,
    }
}

/// Everything the suite saw, checked for misconfiguration at the end.
#[derive(Default)]
struct Seen(Vec<(String, StatusCode, reqwest::header::HeaderMap, String, bool)>);

impl Seen {
    async fn send(
        &mut self,
        name: &str,
        request: reqwest::RequestBuilder,
        personal: bool,
    ) -> (StatusCode, Value) {
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        self.0.push((name.to_owned(), status, headers, text.clone(), personal));
        (status, as_problem(serde_json::from_str(&text).unwrap_or(Value::Null)))
    }
}

async fn json_call(
    app: &TestApp,
    person: &SignedIn,
    method: Method,
    path: &str,
    body: Value,
) -> Value {
    let response =
        app.authorized(method, path, &person.access_token).json(&body).send().await.unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

/// One of each personal resource, owned by `owner`, by the path parameter naming it.
async fn owned_resources(app: &TestApp, owner: &SignedIn) -> HashMap<&'static str, String> {
    let id = |value: &Value| value["id"].as_str().unwrap().to_owned();
    let goal = json_call(
        app,
        owner,
        Method::POST,
        "/v1/goals",
        json!({ "title": "Walk more", "area": "health" }),
    )
    .await;
    let goal_id = id(&goal);
    let step = json_call(
        app,
        owner,
        Method::POST,
        &format!("/v1/goals/{goal_id}/steps"),
        json!({ "title": "Buy shoes" }),
    )
    .await;
    let check_in = json_call(
        app,
        owner,
        Method::POST,
        &format!("/v1/goals/{goal_id}/check-ins"),
        json!({ "note": "Went out" }),
    )
    .await;
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let routine = json_call(app, owner, Method::POST, "/v1/routines", json!({ "title": "Stretch", "category": "exercise", "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": yesterday - chrono::Duration::days(3), "time_zone": "UTC" } })).await;
    let routine_id = id(&routine);
    let routine_check_in = json_call(
        app,
        owner,
        Method::POST,
        &format!("/v1/routines/{routine_id}/check-ins"),
        json!({ "occurrence": { "date": yesterday, "time": "08:00" }, "status": "done" }),
    )
    .await;
    let contact =
        json_call(app, owner, Method::POST, "/v1/contacts", json!({ "name": "Private friend" }))
            .await;
    let contact_id = id(&contact);
    let interaction = json_call(
        app,
        owner,
        Method::POST,
        &format!("/v1/contacts/{contact_id}/interactions"),
        json!({ "at": chrono::Utc::now().to_rfc3339(), "method": "phone" }),
    )
    .await;
    json_call(
        app,
        owner,
        Method::PUT,
        &format!("/v1/goals/{goal_id}/supporters/{contact_id}"),
        json!({ "role": "Walks with me" }),
    )
    .await;
    // Shared with a supporter, who accepted and sent encouragement: their token is
    // kept too, for the sweep a supporter makes.
    let share = json_call(
        app,
        owner,
        Method::POST,
        "/v1/shares",
        json!({ "contact_id": contact_id, "goals": [{ "goal_id": goal_id, "include_why": true, "include_steps": true, "include_check_in_notes": true }], "routines_summary": true }),
    )
    .await;
    let supporter = app.signed_in_user().await;
    json_call(
        app,
        &supporter,
        Method::POST,
        "/v1/invitations/accept",
        json!({ "code": share["invitation"]["code"] }),
    )
    .await;
    let share_id = id(&share["share"]);
    let encouragement = json_call(
        app,
        &supporter,
        Method::POST,
        &format!("/v1/shared-with-me/{share_id}/goals/{goal_id}/encouragements"),
        json!({ "message": "Go well" }),
    )
    .await;
    HashMap::from([
        ("share_id", share_id),
        ("encouragement_id", id(&encouragement)),
        ("supporter_token", supporter.access_token),
        ("goal_id", goal_id),
        ("step_id", id(&step)),
        ("goal_check_in_id", id(&check_in)),
        ("routine_id", routine_id),
        ("routine_check_in_id", id(&routine_check_in)),
        ("contact_id", contact_id),
        ("interaction_id", id(&interaction["interaction"])),
    ])
}

/// What `owner` can see of their resources, to compare before and after an attack.
async fn snapshot(app: &TestApp, owner: &SignedIn, ids: &HashMap<&str, String>) -> Vec<Value> {
    let mut views = Vec::new();
    for path in [
        format!("/v1/goals/{}", ids["goal_id"]),
        format!("/v1/goals/{}/steps", ids["goal_id"]),
        format!("/v1/goals/{}/check-ins", ids["goal_id"]),
        format!("/v1/goals/{}/supporters", ids["goal_id"]),
        format!("/v1/routines/{}", ids["routine_id"]),
        format!(
            "/v1/routines/{}/check-ins?from={}&to={}",
            ids["routine_id"],
            chrono::Utc::now().date_naive() - chrono::Duration::days(30),
            chrono::Utc::now().date_naive()
        ),
        format!("/v1/contacts/{}", ids["contact_id"]),
        format!("/v1/contacts/{}/interactions", ids["contact_id"]),
        format!("/v1/shares/{}", ids["share_id"]),
        format!("/v1/goals/{}/encouragements", ids["goal_id"]),
    ] {
        let response =
            app.authorized(Method::GET, &path, &owner.access_token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        views.push(response.json().await.unwrap());
    }
    views
}

api_test!(async fn every_personal_object_is_invisible_and_untouchable_to_another_person(app) {
    let owner = app.signed_in_user().await;
    let intruder = app.signed_in_user().await;
    let ids = owned_resources(&app, &owner).await;
    let before = snapshot(&app, &owner, &ids).await;
    let mut seen = Seen::default();
    let mut checked = 0;
    for operation in operations().iter().filter(|operation| personal(operation)) {
        if ![Method::GET, Method::PATCH, Method::PUT, Method::DELETE].contains(&operation.method) {
            continue;
        }
        let path = fill(&operation.template, &ids);
        let (status, body) = seen.send(&operation.name(), request(&app, operation, &path, Some(&intruder.access_token)), true).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{}: {body}", operation.name());
        checked += 1;
    }
    assert!(checked >= 25, "{checked} operations checked");
    assert_eq!(snapshot(&app, &owner, &ids).await, before, "the owner's data is unchanged");
    check_misconfiguration(&seen);
});

api_test!(async fn a_supporter_reaches_nothing_of_the_person_but_through_the_share(app) {
    let owner = app.signed_in_user().await;
    let ids = owned_resources(&app, &owner).await;
    let supporter = ids["supporter_token"].clone();
    let before = snapshot(&app, &owner, &ids).await;
    let mut seen = Seen::default();
    let mut checked = 0;
    for operation in operations().iter().filter(|operation| personal(operation)) {
        // The supporter's own views of the share are what the share gives them.
        if operation.template.starts_with("/v1/shared-with-me/") || operation.method == Method::POST {
            continue;
        }
        let path = fill(&operation.template, &ids);
        let (status, body) = seen.send(&operation.name(), request(&app, operation, &path, Some(&supporter)), true).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{} as the supporter: {body}", operation.name());
        checked += 1;
    }
    assert!(checked >= 25, "{checked} operations checked");
    // The share itself is theirs to read, and shows what it was given.
    let goal = app.authorized(Method::GET, &format!("/v1/shared-with-me/{}/goals/{}", ids["share_id"], ids["goal_id"]), &supporter).send().await.unwrap();
    assert_eq!(goal.status(), StatusCode::OK);
    assert_eq!(snapshot(&app, &owner, &ids).await, before, "the owner's data is unchanged");
    check_misconfiguration(&seen);
});

/// A token of `person` that the server would accept but for what `change` does to it.
fn forged(
    person: &SignedIn,
    kid: &str,
    change: &Value,
    signer: Signer<'_>,
    algorithm: &str,
) -> String {
    let mut token_header = header(kid);
    token_header["alg"] = json!(algorithm);
    let everything = "goals:read goals:write routines:read routines:write contacts:read contacts:write profile content:write admin";
    craft(
        &token_header,
        &with(
            with(claims(&person.account_id), &json!({ "scope": everything, "aud": AUDIENCE })),
            change,
        ),
        signer,
    )
}

api_test!(async fn every_secured_operation_refuses_missing_expired_unsigned_and_foreign_tokens(app) {
    let person = app.signed_in_with_role(Role::Admin).await;
    let ids = owned_resources(&app, &person).await;
    let pem = server_pem();
    let kid = kid_of(&pem);
    let other_pem = waymark_http::auth::generate_ed25519_pem().unwrap();
    let now = crate::token_attacks::now();
    let expired = forged(&person, &kid, &json!({ "exp": now - 60, "iat": now - 960, "nbf": now - 960 }), Signer::Ed25519(&pem), "EdDSA");
    let unsigned = forged(&person, &kid, &json!({}), Signer::Unsigned, "none");
    let foreign = forged(&person, &kid, &json!({}), Signer::Ed25519(&other_pem), "EdDSA");
    let valid = forged(&person, &kid, &json!({}), Signer::Ed25519(&pem), "EdDSA");
    let mut seen = Seen::default();
    for operation in operations() {
        let path = fill(&operation.template, &ids);
        if operation.secured {
            for (case, token) in [("no token", None), ("expired", Some(expired.as_str())), ("alg none", Some(unsigned.as_str())), ("another key", Some(foreign.as_str()))] {
                let (status, body) = seen.send(&operation.name(), request(&app, &operation, &path, token), true).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{} with {case}: {body}", operation.name());
            }
            // The same forgery done right is accepted, so the refusals above mean something.
            let (status, body) = seen.send(&operation.name(), request(&app, &operation, &path, Some(&valid)), true).await;
            assert_ne!(status, StatusCode::UNAUTHORIZED, "{} with a good token: {body}", operation.name());
        } else {
            let (status, body) = seen.send(&operation.name(), request(&app, &operation, &path, None), false).await;
            // The token endpoint authenticates OAuth clients itself (RFC 6749 5.2).
            if !["/v1/auth/token", "/v1/auth/revoke", "/v1/auth/introspect"].contains(&operation.template.as_str()) {
                assert_ne!(status, StatusCode::UNAUTHORIZED, "{} needs no token: {body}", operation.name());
            }
            assert!(!status.is_server_error(), "{}: {status} {body}", operation.name());
        }
    }
    check_misconfiguration(&seen);
});

api_test!(async fn editor_and_admin_operations_are_forbidden_to_a_person(app) {
    let person = app.signed_in_user().await;
    let editor = app.signed_in_with_role(Role::Editor).await;
    let mut seen = Seen::default();
    let mut checked = 0;
    for operation in operations() {
        let privileged = operation.scopes.iter().any(|scope| scope == "content:write" || scope == "admin");
        if !privileged {
            continue;
        }
        let path = fill(&operation.template, &HashMap::new());
        let (status, body) = seen.send(&operation.name(), request(&app, &operation, &path, Some(&person.access_token)), true).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}: {body}", operation.name());
        if operation.scopes.iter().any(|scope| scope == "admin") {
            let (status, body) = seen.send(&operation.name(), request(&app, &operation, &path, Some(&editor.access_token)), true).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "an editor is no admin: {}: {body}", operation.name());
        }
        checked += 1;
    }
    assert!(checked >= 15, "{checked}");
    check_misconfiguration(&seen);
});

/// Fields only the server writes, with values an attacker might send.
fn server_owned() -> Vec<(&'static str, Value)> {
    vec![
        ("id", json!("0193a5e4-7d1c-7b4e-9b2a-3f0c5d6e7f80")),
        ("owner", json!("0193a5e4-7d1c-7b4e-9b2a-3f0c5d6e7f80")),
        ("user_id", json!("0193a5e4-7d1c-7b4e-9b2a-3f0c5d6e7f80")),
        ("account_id", json!("0193a5e4-7d1c-7b4e-9b2a-3f0c5d6e7f80")),
        ("version", json!(99)),
        ("created_at", json!("2020-01-01T00:00:00Z")),
        ("updated_at", json!("2020-01-01T00:00:00Z")),
        ("role", json!("admin")),
        ("body_html", json!("<script>alert(1)</script>")),
        ("reading_minutes", json!(1)),
        ("revision", json!(7)),
        ("due_since", json!("2020-01-01T00:00:00Z")),
        ("steps_done", json!(3)),
        ("supporter_ids", json!([])),
        ("distance_km", json!(1.0)),
    ]
}

api_test!(async fn server_owned_fields_are_refused_in_every_body(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let partner = app.client_token().await;
    let mut ids = owned_resources(&app, &admin).await;
    ids.insert("webhook_id", a_webhook(&app, &partner).await);
    let mut seen = Seen::default();
    let mut checked = 0;
    for operation in operations() {
        let (Some(kind), Some(schema)) = (&operation.body_type, &operation.body_schema) else { continue };
        // OAuth endpoints answer RFC 6749 errors and must ignore parameters they do not
        // know (RFC 6749 3.2); they take no resource fields at all.
        if !kind.contains("json")
            || schema["type"] != "object"
            || operation.template.starts_with("/v1/auth/")
        {
            continue;
        }
        let properties = schema["properties"].as_object().cloned().unwrap_or_default();
        let path = fill(&operation.template, &ids);
        for (field, value) in server_owned() {
            if properties.contains_key(field) {
                continue;
            }
            let body = json!({ field: value });
            let request = app.request(operation.method.clone(), &path).bearer_auth(operation.token(&admin.access_token, &partner)).header("content-type", kind.as_str()).body(body.to_string());
            let (status, problem) = seen.send(&operation.name(), request, operation.secured).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{} with {field}: {problem}", operation.name());
            let named = problem["errors"].as_array().unwrap().iter().any(|error| error["pointer"] == format!("/{field}") && error["code"] == "unknown_field");
            assert!(named, "{} names /{field}: {problem}", operation.name());
            checked += 1;
        }
    }
    assert!(checked >= 200, "{checked}");
    assert_eq!(snapshot(&app, &admin, &ids).await.len(), 10);
    check_misconfiguration(&seen);
});

api_test!(async fn limits_and_body_sizes_are_enforced_everywhere(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let partner = app.client_token().await;
    let mut ids = owned_resources(&app, &admin).await;
    ids.insert("webhook_id", a_webhook(&app, &partner).await);
    let mut seen = Seen::default();
    for operation in operations() {
        let path = fill(&operation.template, &ids);
        if let Some(limit) = operation.query_parameters.iter().find(|parameter| parameter["name"] == "limit") {
            assert_eq!(limit["schema"]["maximum"], 100, "{} caps its pages", operation.name());
            let separator = if path.contains('?') { '&' } else { '?' };
            let over = format!("{path}{separator}limit=101");
            let (status, body) = seen.send(&operation.name(), request(&app, &operation, &over, Some(operation.token(&admin.access_token, &partner))), operation.secured).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{} limit=101: {body}", operation.name());
        }
        if let Some(kind) = &operation.body_type {
            let size = if operation.template == "/v1/contacts/import" { 8 * 1024 * 1024 + 1 } else { 64 * 1024 + 1 };
            let request = app.request(operation.method.clone(), &path).bearer_auth(operation.token(&admin.access_token, &partner)).header("content-type", kind.as_str()).body(vec![b' '; size]);
            let (status, body) = seen.send(&operation.name(), request, operation.secured).await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{} with {size} bytes: {body}", operation.name());
        }
    }
    check_misconfiguration(&seen);
});

api_test!(async fn every_operation_in_the_contract_is_served(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let ids = owned_resources(&app, &admin).await;
    let mut seen = Seen::default();
    for operation in operations() {
        let path = fill(&operation.template, &ids);
        let (status, body) = seen.send(&operation.name(), request(&app, &operation, &path, Some(&admin.access_token)), operation.secured).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{}: {body}", operation.name());
        assert_ne!(body["detail"], "Nothing is served at this address.", "{} is in the contract but not served", operation.name());
    }
    // The walk ended with signing out everywhere; the rest needs a session again.
    let session = app.sign_in(&admin.email, crate::support::identity::GOOD_PASSWORD).await;
    let token = session["access_token"].as_str().unwrap().to_owned();
    // No method the contract does not list is served on any of its paths...
    let declared: HashMap<String, Vec<Method>> = operations().into_iter().fold(HashMap::new(), |mut paths, operation| {
        paths.entry(operation.template.clone()).or_default().push(operation.method.clone());
        paths
    });
    for (template, methods) in &declared {
        let path = fill(template, &ids);
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            if methods.contains(&method) {
                continue;
            }
            let response = app.request(method.clone(), &path).bearer_auth(&token).send().await.unwrap();
            // `PATCH /v1/routines/calendar.ics` is `PATCH /v1/routines/{routine_id}`
            // with an id that names nothing: 404, from a listed operation.
            let listed_elsewhere = declared.iter().any(|(other, methods)| other != template && methods.contains(&method) && template_matches(other, &path));
            let expected = if listed_elsewhere { StatusCode::NOT_FOUND } else { StatusCode::METHOD_NOT_ALLOWED };
            assert_eq!(response.status(), expected, "{method} {template} is served but not in the contract");
        }
    }
    // ...and nothing is served that the contract does not list, beyond the contract and
    // its viewer themselves.
    for (path, expected) in [("/v1/openapi.json", StatusCode::OK), ("/docs/", StatusCode::OK), ("/v1/unlisted", StatusCode::NOT_FOUND), ("/v1/goals/x/unlisted", StatusCode::NOT_FOUND)] {
        let response = app.request(Method::GET, path).send().await.unwrap();
        assert_eq!(response.status(), expected, "{path}");
    }
    check_misconfiguration(&seen);
});

/// Whether `path` has the shape of `template`, each `{parameter}` standing for one
/// whole segment.
fn template_matches(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template.iter().zip(&path).all(|(expected, actual)| {
            (expected.starts_with('{') && expected.ends_with('}')) || expected == actual
        })
}

/// API-guide headers on every answer, `no-store` on personal ones, and no SQL, file
/// path or stack trace in any error body.
fn check_misconfiguration(seen: &Seen) {
    let leaks = [
        "select ",
        "insert into",
        "sqlx",
        "sea_orm",
        "dberr",
        "sqlite",
        "postgres",
        ".rs:",
        "/src/",
        "panicked",
        "backtrace",
        "stack trace",
        "/home/",
        "/tmp/",
        "/var/",
    ];
    assert!(!seen.0.is_empty());
    for (name, status, headers, body, personal) in &seen.0 {
        assert_eq!(
            headers.get("x-content-type-options").map(|value| value.to_str().unwrap()),
            Some("nosniff"),
            "{name}"
        );
        assert!(headers.contains_key("x-request-id"), "{name}: no X-Request-Id");
        assert!(headers.contains_key("cache-control"), "{name}: no Cache-Control");
        if *personal {
            let cache = headers["cache-control"].to_str().unwrap();
            assert!(cache.contains("no-store"), "{name}: personal answer cached: {cache}");
        }
        if status.is_client_error() || status.is_server_error() {
            let lower = body.to_lowercase();
            for leak in leaks {
                assert!(!lower.contains(leak), "{name} {status} leaks `{leak}`: {body}");
            }
            assert!(!status.is_server_error(), "{name}: {status} {body}");
        }
    }
}
