//! `POST /v1/auth/register`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::api_test;
use crate::support::identity::GOOD_PASSWORD;

api_test!(async fn registering_creates_an_account_with_defaults(app) {
    let response = app
        .register(&json!({ "email": "  Sam.Rivers@Example.ORG ", "password": GOOD_PASSWORD, "display_name": " Sam " }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["location"], "/v1/me");
    assert_eq!(response.headers()["etag"], "\"1\"");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["email"], "sam.rivers@example.org");
    assert_eq!(body["display_name"], "Sam");
    assert_eq!(body["time_zone"], "Europe/London");
    assert_eq!(body["locale"], "en-GB");
    assert_eq!(body["role"], "user");
    assert_eq!(body["version"], 1);
    assert_eq!(uuid::Uuid::parse_str(body["id"].as_str().unwrap()).unwrap().get_version_num(), 7);
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
    let text = body.to_string();
    assert!(!text.contains("argon2") && !text.contains("password"), "{text}");
});

api_test!(async fn the_same_address_in_another_case_is_409(app) {
    let first = app.register(&json!({ "email": "twin@example.org", "password": GOOD_PASSWORD, "display_name": "A" })).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let second = app.register(&json!({ "email": "TWIN@example.org", "password": GOOD_PASSWORD, "display_name": "B" })).await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["type"], "/problems/conflict");
});

api_test!(async fn every_invalid_field_is_reported_at_once(app) {
    let response = app
        .register(&json!({
            "email": "not-an-address",
            "password": "password123",
            "display_name": "",
            "time_zone": "Mars/Olympus",
            "locale": "english"
        }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let pointers: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|error| error["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, vec!["/email", "/password", "/display_name", "/time_zone", "/locale"]);
    assert!(!body.to_string().contains("password123"));
});

api_test!(async fn weak_passwords_are_refused_with_a_reason(app) {
    for (password, reason) in [
        ("short", "8 to 128"),
        ("qwertyuiop", "most common"),
        ("me@example.org", "e-mail"),
    ] {
        let response = app.register(&json!({ "email": "me@example.org", "password": password, "display_name": "Me" })).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["pointer"], "/password");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains(reason), "{body}");
    }
});

api_test!(async fn server_owned_fields_in_the_body_are_rejected(app) {
    for field in ["id", "role", "version", "created_at"] {
        let mut body = json!({ "email": "mass@example.org", "password": GOOD_PASSWORD, "display_name": "M" });
        body[field] = json!("admin");
        let response = app.register(&body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["pointer"], format!("/{field}"));
        assert_eq!(problem["errors"][0]["code"], "unknown_field");
    }
    let sign_in = app.token(&[("grant_type", "password"), ("username", "mass@example.org"), ("password", GOOD_PASSWORD)]).await;
    assert_eq!(sign_in.status(), StatusCode::BAD_REQUEST, "no account was created");
});

api_test!(async fn look_alike_addresses_and_invisible_names_are_refused(app) {
    app.register(&json!({ "email": "s\u{00e1}m@example.org", "password": GOOD_PASSWORD, "display_name": "Sam" })).await;
    let decomposed = app.register(&json!({ "email": "sa\u{0301}m@example.org", "password": GOOD_PASSWORD, "display_name": "Sam" })).await;
    assert_eq!(decomposed.status(), StatusCode::CONFLICT, "NFC and NFD spellings are one address");
    for (email, name) in [("sam\u{200b}@example.org", "Sam"), ("sam2@example.org", "\u{200b}"), ("sam3@example.org", "\u{202e}evil")] {
        let response = app.register(&json!({ "email": email, "password": GOOD_PASSWORD, "display_name": name })).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email:?} {name:?}");
    }
});

api_test!(async fn bodies_must_be_json_objects_of_a_json_media_type(app) {
    let array = app
        .client
        .post(app.url("/v1/auth/register"))
        .json(&json!(["arr@example.org", GOOD_PASSWORD, "Array"]))
        .send()
        .await
        .unwrap();
    assert_eq!(array.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = array.json().await.unwrap();
    assert!(!problem.to_string().contains("struct"), "no Rust internals: {problem}");
    let json_patch = app
        .client
        .post(app.url("/v1/auth/register"))
        .header("content-type", "application/json-patch+json")
        .body(json!({ "email": "p@example.org", "password": GOOD_PASSWORD, "display_name": "P" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(json_patch.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
});

api_test!(async fn addresses_differing_only_in_width_or_case_are_one_account(app) {
    let registered = app.register(&json!({ "email": "case@example.org", "password": GOOD_PASSWORD, "display_name": "Sam" })).await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    let full_width = "\u{ff43}\u{ff41}\u{ff53}\u{ff45}@example.org";
    let again = app.register(&json!({ "email": full_width, "password": GOOD_PASSWORD, "display_name": "Sam" })).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "the full-width address is the same account");
    let upper = app.register(&json!({ "email": "CASE@Example.org", "password": GOOD_PASSWORD, "display_name": "Sam" })).await;
    assert_eq!(upper.status(), StatusCode::CONFLICT);
    for spelling in [full_width, "Case@EXAMPLE.org"] {
        let tokens = app.sign_in(spelling, GOOD_PASSWORD).await;
        assert!(tokens["access_token"].is_string(), "{spelling} signs in to the account");
    }
});
