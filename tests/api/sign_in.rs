//! The OAuth 2.0 token and revocation endpoints.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::api_test;
use crate::support::identity::GOOD_PASSWORD;

async fn oauth_error(response: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], code, "{body}");
    assert!(body["error_description"].is_string());
}

api_test!(async fn the_password_grant_issues_a_bearer_token_pair(app) {
    let person = app.signed_in_user().await;
    let response = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["pragma"], "no-cache");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["scope"], "goals:read goals:write routines:read routines:write contacts:read contacts:write shares:read shares:write shared:read shared:write profile patient/Patient.rs patient/Goal.rs patient/CarePlan.rs patient/RelatedPerson.rs launch/patient");
    assert_eq!(body["patient"], person.account_id, "with launch/patient, the token response names the person");
    assert!(body["refresh_token"].as_str().unwrap().starts_with("wmr_"));
    assert_eq!(body["access_token"].as_str().unwrap().split('.').count(), 3);
});

api_test!(async fn json_bodies_work_like_forms(app) {
    let person = app.signed_in_user().await;
    let response = app
        .client
        .post(app.url("/v1/auth/token"))
        .json(&json!({ "grant_type": "password", "username": person.email, "password": GOOD_PASSWORD, "scope": "profile" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["scope"], "profile");
});

api_test!(async fn a_wrong_password_and_an_unknown_address_look_the_same(app) {
    let person = app.signed_in_user().await;
    let started = Instant::now();
    let wrong_password = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", "not the password at all")]).await;
    let wrong_password_took = started.elapsed();
    let wrong_body: Value = wrong_password.json().await.unwrap();

    let started = Instant::now();
    let unknown = app.token(&[("grant_type", "password"), ("username", "nobody-here@example.org"), ("password", "not the password at all")]).await;
    let unknown_took = started.elapsed();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let unknown_body: Value = unknown.json().await.unwrap();
    assert_eq!(wrong_body, unknown_body);
    assert_eq!(unknown_body["error"], "invalid_grant");
    // Both run one Argon2id verification; allow generous noise on a shared machine.
    let (slow, fast) = if wrong_password_took > unknown_took { (wrong_password_took, unknown_took) } else { (unknown_took, wrong_password_took) };
    assert!(slow < fast * 4 + Duration::from_millis(50), "{wrong_password_took:?} vs {unknown_took:?}");
});

api_test!(async fn scopes_can_be_narrowed_but_not_widened(app) {
    let person = app.signed_in_user().await;
    let narrowed = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD), ("scope", "goals:read")]).await;
    assert_eq!(narrowed.json::<Value>().await.unwrap()["scope"], "goals:read");
    let widened = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD), ("scope", "goals:read admin")]).await;
    oauth_error(widened, StatusCode::BAD_REQUEST, "invalid_scope").await;
    let unknown = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD), ("scope", "root")]).await;
    oauth_error(unknown, StatusCode::BAD_REQUEST, "invalid_scope").await;
});

api_test!(async fn malformed_token_requests_get_oauth_errors(app) {
    oauth_error(app.token(&[("grant_type", "implicit")]).await, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    oauth_error(app.token(&[("grant_type", "authorization_code")]).await, StatusCode::BAD_REQUEST, "invalid_request").await;
    oauth_error(app.token(&[("username", "a@example.org")]).await, StatusCode::BAD_REQUEST, "invalid_request").await;
    oauth_error(app.token(&[("grant_type", "password")]).await, StatusCode::BAD_REQUEST, "invalid_request").await;
    let text = app.client.post(app.url("/v1/auth/token")).header("content-type", "text/plain").body("grant_type=password").send().await.unwrap();
    oauth_error(text, StatusCode::BAD_REQUEST, "invalid_request").await;
    let client = app.client.post(app.url("/v1/auth/token")).basic_auth("0192f0c0-0000-7000-8000-000000000000", Some("nope")).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    assert!(client.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    oauth_error(client, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let no_client = app.token(&[("grant_type", "client_credentials")]).await;
    assert!(!no_client.headers().contains_key("www-authenticate"), "no Basic challenge unless Basic was used");
    oauth_error(no_client, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let wrong_in_body = app
        .token(&[("grant_type", "client_credentials"), ("client_id", "0192f0c0-0000-7000-8000-000000000000"), ("client_secret", "nope")])
        .await;
    assert!(!wrong_in_body.headers().contains_key("www-authenticate"));
    oauth_error(wrong_in_body, StatusCode::UNAUTHORIZED, "invalid_client").await;
});

api_test!(async fn refresh_tokens_rotate_on_every_use(app) {
    let person = app.signed_in_user().await;
    let first = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &person.refresh_token)]).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    let second_refresh = first["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, person.refresh_token);
    let me = app.authorized(Method::GET, "/v1/me", first["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    let second = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &second_refresh), ("scope", "profile")]).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(second.json::<Value>().await.unwrap()["scope"], "profile");
});

api_test!(async fn reusing_a_spent_refresh_token_revokes_its_whole_family(app) {
    let person = app.signed_in_user().await;
    let rotated: Value = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &person.refresh_token)]).await.json().await.unwrap();
    let current = rotated["refresh_token"].as_str().unwrap().to_owned();

    let replay = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &person.refresh_token)]).await;
    oauth_error(replay, StatusCode::BAD_REQUEST, "invalid_grant").await;
    let after_replay = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &current)]).await;
    oauth_error(after_replay, StatusCode::BAD_REQUEST, "invalid_grant").await;

    let other_sign_in = app.sign_in(&person.email, GOOD_PASSWORD).await;
    let unaffected = app.token(&[("grant_type", "refresh_token"), ("refresh_token", other_sign_in["refresh_token"].as_str().unwrap())]).await;
    assert_eq!(unaffected.status(), StatusCode::OK, "another sign-in's family is untouched");
});

api_test!(async fn concurrent_uses_of_one_refresh_token_let_at_most_one_through(app) {
    let person = app.signed_in_user().await;
    let attempts = (0..6).map(|_| {
        let client = app.client.clone();
        let url = app.url("/v1/auth/token");
        let token = person.refresh_token.clone();
        tokio::spawn(async move {
            client.post(url).form(&[("grant_type", "refresh_token"), ("refresh_token", token.as_str())]).send().await.unwrap().status()
        })
    });
    let mut succeeded = 0;
    for attempt in attempts {
        if attempt.await.unwrap() == StatusCode::OK {
            succeeded += 1;
        }
    }
    assert!(succeeded <= 1, "{succeeded} concurrent rotations succeeded");
});

api_test!(async fn revoking_a_refresh_token_stops_it_and_answers_200_even_when_unknown(app) {
    let person = app.signed_in_user().await;
    let revoke = |token: String| {
        let request = app.client.post(app.url("/v1/auth/revoke")).form(&[("token", token), ("token_type_hint", "refresh_token".to_owned())]);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(revoke(person.refresh_token.clone()).await.status(), StatusCode::OK);
    let refused = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &person.refresh_token)]).await;
    oauth_error(refused, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert_eq!(revoke("wmr_not-a-real-token".to_owned()).await.status(), StatusCode::OK);
    let missing = app.client.post(app.url("/v1/auth/revoke")).form(&[("token_type_hint", "refresh_token")]).send().await.unwrap();
    oauth_error(missing, StatusCode::BAD_REQUEST, "invalid_request").await;
});

api_test!(async fn changing_the_password_revokes_every_refresh_token(app) {
    let person = app.signed_in_user().await;
    let second_device = app.sign_in(&person.email, GOOD_PASSWORD).await;
    let change = app
        .authorized(Method::POST, "/v1/me/password", &person.access_token)
        .json(&json!({ "current_password": GOOD_PASSWORD, "new_password": "a different long passphrase" }))
        .send()
        .await
        .unwrap();
    assert_eq!(change.status(), StatusCode::NO_CONTENT);
    for refresh in [person.refresh_token.as_str(), second_device["refresh_token"].as_str().unwrap()] {
        let refused = app.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
        oauth_error(refused, StatusCode::BAD_REQUEST, "invalid_grant").await;
    }
    let old = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD)]).await;
    oauth_error(old, StatusCode::BAD_REQUEST, "invalid_grant").await;
    app.sign_in(&person.email, "a different long passphrase").await;
});

api_test!(async fn repeated_failed_sign_ins_make_the_address_wait(app) {
    let person = app.signed_in_user().await;
    for _ in 0..5 {
        let failed = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", "wrong wrong wrong")]).await;
        assert_eq!(failed.status(), StatusCode::BAD_REQUEST);
    }
    let locked = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD)]).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(locked.headers()["content-type"], "application/problem+json");

    // An unknown address is counted the same way, so the lockout reveals nothing.
    for _ in 0..5 {
        app.token(&[("grant_type", "password"), ("username", "ghost@example.org"), ("password", "wrong wrong wrong")]).await;
    }
    let ghost = app.token(&[("grant_type", "password"), ("username", "ghost@example.org"), ("password", "wrong wrong wrong")]).await;
    assert_eq!(ghost.status(), StatusCode::TOO_MANY_REQUESTS);
});

api_test!(async fn swagger_ui_password_flow_signs_in(app) {
    // Swagger UI's Authorize dialog, by default ("client credentials location:
    // Authorization header"), posts the password grant with the scopes ticked and
    // `Authorization: Basic Og==`, an empty client id and secret (seen in Chromium).
    let person = app.signed_in_user().await;
    let response = app
        .client
        .post(app.url("/v1/auth/token"))
        .header("accept", "application/json, text/plain, */*")
        .header("authorization", "Basic Og==")
        .form(&[
            ("grant_type", "password"),
            ("username", person.email.as_str()),
            ("password", GOOD_PASSWORD),
            ("scope", "profile goals:read"),
            ("client_id", ""),
            ("client_secret", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["scope"], "goals:read profile");
    let spec: Value = app.get("/v1/openapi.json").await.json().await.unwrap();
    let flows = &spec["components"]["securitySchemes"]["oauth2"]["flows"];
    assert_eq!(flows["password"]["tokenUrl"], "/v1/auth/token");
    assert!(flows["password"]["scopes"]["profile"].is_string());
});

api_test!(async fn concurrent_guesses_cannot_outrun_the_lockout(app) {
    let person = app.signed_in_user().await;
    let guesses = (0..20).map(|guess| {
        let client = app.client.clone();
        let url = app.url("/v1/auth/token");
        let email = person.email.clone();
        tokio::spawn(async move {
            let password = format!("wrong guess number {guess}");
            client
                .post(url)
                .form(&[("grant_type", "password"), ("username", email.as_str()), ("password", password.as_str())])
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    let mut evaluated = 0;
    let mut refused = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            StatusCode::BAD_REQUEST => evaluated += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(evaluated <= 5, "{evaluated} concurrent guesses were checked; the limit is 5");
    assert_eq!(evaluated + refused, 20);
});

api_test!(async fn a_refused_refresh_leaves_the_token_usable(app) {
    let person = app.signed_in_user().await;
    let narrowed: Value = app
        .token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD), ("scope", "profile")])
        .await
        .json()
        .await
        .unwrap();
    let refresh = narrowed["refresh_token"].as_str().unwrap();
    let too_wide = app.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh), ("scope", "profile goals:read")]).await;
    oauth_error(too_wide, StatusCode::BAD_REQUEST, "invalid_scope").await;
    let still_good = app.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(still_good.status(), StatusCode::OK, "a refused request must not spend the token");
    assert_eq!(still_good.json::<Value>().await.unwrap()["scope"], "profile");
});
