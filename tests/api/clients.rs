//! API clients as issue 17 describes them: public and confidential kinds, redirect URIs
//! checked at registration, first-party clients alone on the password grant, changes
//! with `If-Match`, and disabling that stops every token a client had.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::api_test;
use crate::support::identity::GOOD_PASSWORD;

async fn register(app: &crate::support::TestApp, admin_token: &str, body: Value) -> Value {
    let response = app
        .authorized(Method::POST, "/v1/admin/clients", admin_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    response.json().await.unwrap()
}

/// A password-grant sign-in of `email` through the confidential client `id`.
async fn sign_in_through(
    app: &crate::support::TestApp,
    (id, secret): (&str, &str),
    email: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/v1/auth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "password"), ("username", email), ("password", GOOD_PASSWORD)])
        .send()
        .await
        .unwrap()
}

api_test!(async fn only_first_party_clients_may_use_the_password_grant(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let person = app.signed_in_user().await;
    let third_party = register(&app, &admin.access_token, json!({ "name": "Partner", "scopes": ["goals:read"] })).await;
    assert_eq!(third_party["first_party"], false, "clients are third-party unless said otherwise");
    let credentials = (third_party["id"].as_str().unwrap(), third_party["client_secret"].as_str().unwrap());
    let refused = sign_in_through(&app, credentials, &person.email).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"], "unauthorized_client");

    let first_party = register(&app, &admin.access_token, json!({ "name": "Waymark app", "scopes": ["goals:read"], "first_party": true })).await;
    let credentials = (first_party["id"].as_str().unwrap(), first_party["client_secret"].as_str().unwrap());
    let allowed = sign_in_through(&app, credentials, &person.email).await;
    assert_eq!(allowed.status(), StatusCode::OK);

    let own_pages = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD)]).await;
    assert_eq!(own_pages.status(), StatusCode::OK, "Waymark's own pages (no client) still sign in");
});

api_test!(async fn a_server_can_switch_the_password_grant_off_for_everyone(app) with |settings| {
    settings.no_password_grant = true;
}; {
    let email = "switched-off@example.org";
    let registered = app.register(&json!({ "email": email, "password": GOOD_PASSWORD, "display_name": "Sam" })).await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    let refused = app.token(&[("grant_type", "password"), ("username", email), ("password", GOOD_PASSWORD)]).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"], "unsupported_grant_type");
});

api_test!(async fn public_clients_have_no_secret_and_cannot_get_tokens_for_themselves(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let public = register(&app, &admin.access_token, json!({
        "name": "Hillside app",
        "kind": "public",
        "redirect_uris": ["org.hillside.app:/callback", "http://127.0.0.1/callback"],
        "scopes": ["goals:read"],
    }))
    .await;
    assert_eq!(public["kind"], "public");
    assert!(public.get("client_secret").is_none(), "a public client has no secret: {public}");
    assert_eq!(public["redirect_uris"], json!(["org.hillside.app:/callback", "http://127.0.0.1/callback"]));
    let id = public["id"].as_str().unwrap();

    let for_itself = app.token(&[("grant_type", "client_credentials"), ("client_id", id)]).await;
    assert_eq!(for_itself.status(), StatusCode::BAD_REQUEST);
    assert_eq!(for_itself.json::<Value>().await.unwrap()["error"], "unauthorized_client");
    let with_a_guessed_secret = app.token(&[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", "")]).await;
    assert_ne!(with_a_guessed_secret.status(), StatusCode::OK);

    let unknown = app.token(&[("grant_type", "client_credentials"), ("client_id", "0192f0c0-0000-7000-8000-000000000000")]).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.json::<Value>().await.unwrap()["error"], "invalid_client");
    let confidential = register(&app, &admin.access_token, json!({ "name": "Backend", "scopes": ["goals:read"] })).await;
    let without_secret = app.token(&[("grant_type", "client_credentials"), ("client_id", confidential["id"].as_str().unwrap())]).await;
    assert_eq!(without_secret.status(), StatusCode::UNAUTHORIZED, "a confidential client must send its secret");
});

api_test!(async fn redirect_uris_are_checked_when_a_client_is_registered(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    for (kind, uris, pointer) in [
        ("public", json!([]), "/redirect_uris"),
        ("public", json!(["http://app.example.org/callback"]), "/redirect_uris/0"),
        ("public", json!(["http://localhost/callback"]), "/redirect_uris/0"),
        ("public", json!(["https://app.example.org/cb", "https://app.example.org/cb#x"]), "/redirect_uris/1"),
        ("public", json!(["javascript:alert(1)"]), "/redirect_uris/0"),
        ("public", json!(["myapp:/callback"]), "/redirect_uris/0"),
        ("public", json!(["https://app.example.org/cb", "https://app.example.org/cb"]), "/redirect_uris/1"),
        ("confidential", json!(["https://user@app.example.org/cb"]), "/redirect_uris/0"),
        ("secretive", json!([]), "/kind"),
    ] {
        let response = app
            .authorized(Method::POST, "/v1/admin/clients", &admin.access_token)
            .json(&json!({ "name": "App", "kind": kind, "redirect_uris": uris, "scopes": ["goals:read"] }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{kind} {uris}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{kind} {uris}: {problem}");
    }
    let backend = register(&app, &admin.access_token, json!({ "name": "Backend", "scopes": ["goals:read"] })).await;
    assert_eq!(backend["kind"], "confidential");
    assert_eq!(backend["redirect_uris"], json!([]), "a confidential backend needs no redirect URI");
});

api_test!(async fn an_admin_changes_a_client_under_if_match(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let client = register(&app, &admin.access_token, json!({ "name": "Old name", "kind": "public", "redirect_uris": ["https://app.example.org/cb"], "scopes": ["goals:read"] })).await;
    let path = format!("/v1/admin/clients/{}", client["id"].as_str().unwrap());
    let shown = app.authorized(Method::GET, &path, &admin.access_token).send().await.unwrap();
    assert_eq!(shown.headers()["etag"], "\"1\"");

    let changed = app
        .authorized(Method::PATCH, &path, &admin.access_token)
        .header("if-match", "\"1\"")
        .json(&json!({ "name": "New name", "scopes": ["goals:read", "routines:read"], "redirect_uris": ["https://app.example.org/callback"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.headers()["etag"], "\"2\"");
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["name"], "New name");
    assert_eq!(changed["scopes"], json!(["goals:read", "routines:read"]));
    assert_eq!(changed["redirect_uris"], json!(["https://app.example.org/callback"]));

    let stale = app.authorized(Method::PATCH, &path, &admin.access_token).header("if-match", "\"1\"").json(&json!({ "name": "Lost" })).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    for (body, pointer) in [
        (json!({ "name": null }), "/name"),
        (json!({ "redirect_uris": [] }), "/redirect_uris"),
        (json!({ "redirect_uris": ["http://app.example.org/cb"] }), "/redirect_uris/0"),
        (json!({ "scopes": ["admin"] }), "/scopes"),
    ] {
        let refused = app.authorized(Method::PATCH, &path, &admin.access_token).json(&body).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}: {problem}");
    }
    let unchanged: Value = app.authorized(Method::GET, &path, &admin.access_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(unchanged["version"], 2, "refused changes changed nothing");
    let missing = app
        .authorized(Method::PATCH, "/v1/admin/clients/0192f0c0-0000-7000-8000-000000000000", &admin.access_token)
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
});

api_test!(async fn disabling_a_client_stops_every_token_it_had(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let person = app.signed_in_user().await;
    let client = register(&app, &admin.access_token, json!({ "name": "Waymark app", "scopes": ["goals:read"], "first_party": true })).await;
    let (id, secret) = (client["id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());
    let own: Value = app
        .client
        .post(app.url("/v1/auth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let own_token = own["access_token"].as_str().unwrap().to_owned();
    let for_person: Value = sign_in_through(&app, (id, secret), &person.email).await.json().await.unwrap();
    let access = for_person["access_token"].as_str().unwrap().to_owned();
    let refresh = for_person["refresh_token"].as_str().unwrap().to_owned();
    let me = app.authorized(Method::GET, "/v1/goals", &access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let not_a_person = app.authorized(Method::GET, "/v1/goals", &own_token).send().await.unwrap();
    assert_eq!(not_a_person.status(), StatusCode::FORBIDDEN, "a client's own token reaches no person's data");

    let disabled = app.authorized(Method::POST, &format!("/v1/admin/clients/{id}/disable"), &admin.access_token).send().await.unwrap();
    assert_eq!(disabled.status(), StatusCode::OK);
    let disabled: Value = disabled.json().await.unwrap();
    assert!(disabled["disabled_at"].is_string(), "{disabled}");

    let me = app.authorized(Method::GET, "/v1/goals", &access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "a person's token through the client stops at once");
    let refreshed = app
        .client
        .post(app.url("/v1/auth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED, "a disabled client authenticates no more");
    let again = app.client.post(app.url("/v1/auth/token")).basic_auth(id, Some(secret)).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let twice = app.authorized(Method::POST, &format!("/v1/admin/clients/{id}/disable"), &admin.access_token).send().await.unwrap();
    assert_eq!(twice.status(), StatusCode::OK, "disabling a disabled client changes nothing");
    assert_eq!(twice.json::<Value>().await.unwrap()["version"], disabled["version"]);
});

api_test!(async fn a_refresh_never_gives_more_than_the_client_may_hold_now(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let person = app.signed_in_user().await;
    let client = register(&app, &admin.access_token, json!({ "name": "Waymark app", "scopes": ["goals:read", "routines:read"], "first_party": true })).await;
    let (id, secret) = (client["id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());
    let signed_in: Value = sign_in_through(&app, (id, secret), &person.email).await.json().await.unwrap();
    assert_eq!(signed_in["scope"], "goals:read routines:read");
    let narrowed = app
        .authorized(Method::PATCH, &format!("/v1/admin/clients/{id}"), &admin.access_token)
        .json(&json!({ "scopes": ["goals:read"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(narrowed.status(), StatusCode::OK);
    let refreshed: Value = app
        .client
        .post(app.url("/v1/auth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", signed_in["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refreshed["scope"], "goals:read", "the client's narrower scopes apply at the next refresh");
});

api_test!(async fn a_confidential_client_introspects_its_own_tokens_and_learns_nothing_of_others(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let person = app.signed_in_user().await;
    let client = register(&app, &admin.access_token, json!({ "name": "Backend", "scopes": ["goals:read"], "first_party": true })).await;
    let (id, secret) = (client["id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());
    let other = register(&app, &admin.access_token, json!({ "name": "Other", "scopes": ["goals:read"] })).await;
    let tokens: Value = sign_in_through(&app, (id, secret), &person.email).await.json().await.unwrap();
    let introspect = |credentials: (&str, &str), token: String| {
        let (client_id, client_secret) = (credentials.0.to_owned(), credentials.1.to_owned());
        let url = app.url("/v1/auth/introspect");
        let http = app.client.clone();
        async move {
            let response = http.post(url).basic_auth(client_id, Some(client_secret)).form(&[("token", token)]).send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let (status, answer) = introspect((id, secret), access.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["active"], true, "{answer}");
    assert_eq!(answer["token_type"], "access_token");
    assert_eq!(answer["scope"], "goals:read");
    assert_eq!(answer["sub"], person.account_id.as_str());
    let (_, answer) = introspect((id, secret), refresh).await;
    assert_eq!(answer["active"], true, "{answer}");
    assert_eq!(answer["token_type"], "refresh_token");
    let (_, answer) = introspect((other["id"].as_str().unwrap(), other["client_secret"].as_str().unwrap()), access.clone()).await;
    assert_eq!(answer, json!({ "active": false }), "another client learns nothing");
    let (_, answer) = introspect((id, secret), "not a token".to_owned()).await;
    assert_eq!(answer, json!({ "active": false }));
    let (status, answer) = introspect((id, "wms_wrong"), access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["error"], "invalid_client");
    let anonymous = app.client.post(app.url("/v1/auth/introspect")).form(&[("token", "x")]).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "introspection needs a confidential client");
});

api_test!(async fn narrowing_a_clients_scopes_holds_for_the_tokens_it_has_already(app) {
    let (client_id, _, tokens) = crate::authorize::an_app_let_in(&app, json!(["goals:read", "goals:write"])).await;
    let app_token = tokens["access_token"].as_str().unwrap().to_owned();
    let write = || {
        let request = app.authorized(Method::POST, "/v1/goals", &app_token).json(&json!({ "title": "Walk", "area": "health" }));
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(write().await, StatusCode::CREATED);
    let admin = app.signed_in_with_role(Role::Admin).await;
    let narrowed = app
        .authorized(Method::PATCH, &format!("/v1/admin/clients/{client_id}"), &admin.access_token)
        .json(&json!({ "scopes": ["goals:read"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(narrowed.status(), StatusCode::OK);
    assert_eq!(write().await, StatusCode::FORBIDDEN, "the app may no longer write, with the token it had too");
    let read = app.authorized(Method::GET, "/v1/goals", &app_token).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK, "what it may still do, it does");
});

api_test!(async fn a_token_narrowed_by_an_administrator_introspects_as_narrowed(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let person = app.signed_in_user().await;
    let client = register(&app, &admin.access_token, json!({ "name": "Waymark app", "scopes": ["goals:read", "goals:write"], "first_party": true })).await;
    let (id, secret) = (client["id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());
    let tokens: Value = sign_in_through(&app, (id, secret), &person.email).await.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let introspected = || {
        let request = app.client.post(app.url("/v1/auth/introspect")).basic_auth(id, Some(secret)).form(&[("token", access.clone())]);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(introspected().await["scope"], "goals:read goals:write");
    let narrowed = app
        .authorized(Method::PATCH, &format!("/v1/admin/clients/{id}"), &admin.access_token)
        .json(&json!({ "scopes": ["goals:read"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(narrowed.status(), StatusCode::OK);
    let answer = introspected().await;
    assert_eq!((&answer["active"], &answer["scope"]), (&json!(true), &json!("goals:read")), "what the token may do now");
});
