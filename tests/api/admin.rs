//! Administration: API clients and roles, for admins only.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::api_test;
use crate::support::identity::GOOD_PASSWORD;

const ADMIN_OPERATIONS: [(&str, &str); 5] = [
    ("GET", "/v1/admin/clients"),
    ("POST", "/v1/admin/clients"),
    ("GET", "/v1/admin/clients/0192f0c0-0000-7000-8000-000000000000"),
    ("DELETE", "/v1/admin/clients/0192f0c0-0000-7000-8000-000000000000"),
    ("PATCH", "/v1/admin/users/0192f0c0-0000-7000-8000-000000000000"),
];

api_test!(async fn people_and_editors_get_403_from_every_admin_operation(app) {
    for role in [Role::User, Role::Editor] {
        let caller = app.signed_in_with_role(role).await;
        for (method, path) in ADMIN_OPERATIONS {
            let response = app
                .authorized(Method::from_bytes(method.as_bytes()).unwrap(), path, &caller.access_token)
                .json(&json!({ "name": "x", "scopes": ["goals:read"], "role": "admin" }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role} {method} {path}");
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["type"], "/problems/insufficient-scope");
        }
    }
    let person = app.signed_in_user().await;
    let widened = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD), ("scope", "admin")]).await;
    assert_eq!(widened.status(), StatusCode::BAD_REQUEST, "a person cannot ask for the admin scope");
});

api_test!(async fn an_admin_registers_a_client_that_signs_in_with_client_credentials(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let created = app
        .authorized(Method::POST, "/v1/admin/clients", &admin.access_token)
        .json(&json!({ "name": "Hillside Trust backend", "scopes": ["goals:read", "routines:read"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let client: Value = created.json().await.unwrap();
    let id = client["id"].as_str().unwrap().to_owned();
    let secret = client["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("wms_"));
    assert_eq!(location, format!("/v1/admin/clients/{id}"));

    let shown = app.authorized(Method::GET, &location, &admin.access_token).send().await.unwrap();
    let shown: Value = shown.json().await.unwrap();
    assert_eq!(shown["scopes"], json!(["goals:read", "routines:read"]));
    assert!(shown.get("client_secret").is_none(), "the secret is shown once only");

    let tokens = app.client.post(app.url("/v1/auth/token")).basic_auth(&id, Some(&secret)).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    assert_eq!(tokens.status(), StatusCode::OK);
    let tokens: Value = tokens.json().await.unwrap();
    assert!(tokens.get("refresh_token").is_none());
    assert_eq!(tokens["scope"], "goals:read routines:read");
    let in_body = app.token(&[("grant_type", "client_credentials"), ("client_id", &id), ("client_secret", &secret), ("scope", "goals:read")]).await;
    assert_eq!(in_body.status(), StatusCode::OK);
    let widened = app.token(&[("grant_type", "client_credentials"), ("client_id", &id), ("client_secret", &secret), ("scope", "goals:write")]).await;
    assert_eq!(widened.status(), StatusCode::BAD_REQUEST);

    let client_token = tokens["access_token"].as_str().unwrap();
    let me = app.authorized(Method::GET, "/v1/me", client_token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::FORBIDDEN, "a client token is nobody's account");

    let wrong = app.client.post(app.url("/v1/auth/token")).basic_auth(&id, Some("wms_wrong")).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let deleted = app.authorized(Method::DELETE, &location, &admin.access_token).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = app.client.post(app.url("/v1/auth/token")).basic_auth(&id, Some(&secret)).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    let again = app.authorized(Method::DELETE, &location, &admin.access_token).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
});

api_test!(async fn clients_are_listed_in_pages_with_tamper_evident_cursors(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let mut created = Vec::new();
    for name in ["first", "second", "third"] {
        let response = app
            .authorized(Method::POST, "/v1/admin/clients", &admin.access_token)
            .json(&json!({ "name": name, "scopes": ["goals:read"] }))
            .send()
            .await
            .unwrap();
        created.push(response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
    }
    let first_page = app.authorized(Method::GET, "/v1/admin/clients?limit=2", &admin.access_token).send().await.unwrap();
    assert_eq!(first_page.status(), StatusCode::OK);
    let link = first_page.headers()["link"].to_str().unwrap().to_owned();
    let first_page: Value = first_page.json().await.unwrap();
    let names: Vec<&str> = first_page["items"].as_array().unwrap().iter().map(|item| item["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["first", "second"]);
    let cursor = first_page["next_cursor"].as_str().unwrap().to_owned();
    assert!(link.contains(&cursor) && link.ends_with("rel=\"next\""), "{link}");

    let second_page: Value = app
        .authorized(Method::GET, &format!("/v1/admin/clients?limit=2&cursor={cursor}"), &admin.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second_page["items"][0]["id"], created[2]);
    assert_eq!(second_page["next_cursor"], Value::Null);

    let mut tampered = cursor.clone().into_bytes();
    tampered[2] = if tampered[2] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for query in [format!("cursor={tampered}"), "cursor=garbage".to_owned(), "limit=0".to_owned(), "limit=101".to_owned(), "limit=many".to_owned()] {
        let response = app.authorized(Method::GET, &format!("/v1/admin/clients?{query}"), &admin.access_token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
});

api_test!(async fn an_admin_changes_a_role_which_revokes_the_accounts_refresh_tokens(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let person = app.signed_in_user().await;
    let path = format!("/v1/admin/users/{}", person.account_id);
    let promote = |body: Value, if_match: &str| {
        let request = app.authorized(Method::PATCH, &path, &admin.access_token).header("if-match", if_match.to_owned()).json(&body);
        async move { request.send().await.unwrap() }
    };
    let promoted = promote(json!({ "role": "editor" }), "\"1\"").await;
    assert_eq!(promoted.status(), StatusCode::OK);
    assert_eq!(promoted.headers()["etag"], "\"2\"");
    assert_eq!(promoted.json::<Value>().await.unwrap()["role"], "editor");
    assert_eq!(promote(json!({ "role": "admin" }), "\"1\"").await.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(promote(json!({ "role": "root" }), "\"2\"").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = app
        .authorized(Method::PATCH, "/v1/admin/users/0192f0c0-0000-7000-8000-000000000000", &admin.access_token)
        .json(&json!({ "role": "editor" }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let refresh = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &person.refresh_token)]).await;
    assert_eq!(refresh.status(), StatusCode::BAD_REQUEST, "the role change revoked the refresh token");
    let as_editor = app.sign_in(&person.email, GOOD_PASSWORD).await;
    assert!(as_editor["scope"].as_str().unwrap().contains("content:write"));
});

// First-party: only such a client may use the password grant these tests sign in with.
async fn register_client(
    app: &crate::support::TestApp,
    admin_token: &str,
    scopes: Value,
) -> (String, String) {
    let created: Value = app
        .authorized(Method::POST, "/v1/admin/clients", admin_token)
        .json(&json!({ "name": "Partner", "scopes": scopes, "first_party": true }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        created["id"].as_str().unwrap().to_owned(),
        created["client_secret"].as_str().unwrap().to_owned(),
    )
}

api_test!(async fn tokens_through_a_client_carry_no_more_than_the_client_may_hold(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let (id, secret) = register_client(&app, &admin.access_token, json!(["goals:read"])).await;
    let through_client = app
        .client
        .post(app.url("/v1/auth/token"))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "password"), ("username", admin.email.as_str()), ("password", GOOD_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(through_client.status(), StatusCode::OK);
    let body: Value = through_client.json().await.unwrap();
    assert_eq!(body["scope"], "goals:read", "the client's ceiling applies to people signing in through it");
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();

    let without_client = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!(without_client.status(), StatusCode::BAD_REQUEST);
    let revoke_by_nobody = app.client.post(app.url("/v1/auth/revoke")).form(&[("token", refresh.as_str())]).send().await.unwrap();
    assert_eq!(revoke_by_nobody.status(), StatusCode::BAD_REQUEST);
    assert_eq!(revoke_by_nobody.json::<Value>().await.unwrap()["error"], "unauthorized_client");
    let with_client = app
        .client
        .post(app.url("/v1/auth/token"))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(with_client.status(), StatusCode::OK, "refused attempts by others left the client's token usable");
});

api_test!(async fn client_names_and_scopes_are_validated(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    for (name, scopes) in [
        (json!("a\u{0000}b"), json!(["goals:read"])),
        (json!("\u{202e}evil"), json!(["goals:read"])),
        (json!("ok"), json!(["goals:read goals:write"])),
        (json!("ok"), json!([])),
        (json!("ok"), json!(["admin"])),
        (json!("ok"), json!(["content:write"])),
    ] {
        let response = app
            .authorized(Method::POST, "/v1/admin/clients", &admin.access_token)
            .json(&json!({ "name": name, "scopes": scopes }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name} {scopes}");
    }
});
