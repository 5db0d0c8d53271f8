//! The authorization code flow with PKCE, as a browser and an app go through it:
//! the sign-in page, the consent page, the code at the redirect URI, its exchange,
//! and the hostile cases (open redirects, missing or weak PKCE, replayed codes,
//! forged forms).

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::TestApp;
use crate::support::api_test;
use crate::support::identity::GOOD_PASSWORD;

// RFC 7636 appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "org.hillside.app:/callback";

/// A public client for `scopes`, and a person who may sign in to it.
async fn setting(app: &TestApp, scopes: Value) -> (String, String) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let client: Value = app
        .authorized(Method::POST, "/v1/admin/clients", &admin.access_token)
        .json(&json!({ "name": "Hillside <app>", "kind": "public", "redirect_uris": [REDIRECT], "scopes": scopes }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let email = format!("flow-{}@example.org", uuid::Uuid::now_v7().simple());
    let registered = app
        .register(&json!({ "email": email, "password": GOOD_PASSWORD, "display_name": "Sam" }))
        .await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    (client["id"].as_str().unwrap().to_owned(), email)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The query of an authorization request.
fn query(client_id: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("state", "s-123"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        // SMART's: the FHIR server the token is for (required with SMART's scopes).
        ("aud", "http://waymark.test/fhir/r4"),
    ];
    for (name, value) in extra {
        pairs.retain(|(existing, _)| existing != name);
        if !value.is_empty() {
            pairs.push((name, value));
        }
    }
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// A page in the flow: its status, its CSRF cookie, the flow its form carries, its HTML.
struct Page {
    status: StatusCode,
    cookie: Option<String>,
    flow: Option<String>,
    html: String,
    location: Option<String>,
}

async fn page_of(response: reqwest::Response) -> Page {
    let status = response.status();
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("waymark_authorize="))
        .map(|value| value.split(';').next().unwrap().to_owned());
    let location = response.headers().get(LOCATION).map(|value| value.to_str().unwrap().to_owned());
    let html = response.text().await.unwrap();
    let flow = regex::Regex::new(r#"name="flow" value="([^"]+)""#)
        .unwrap()
        .captures(&html)
        .map(|found| found[1].to_owned());
    Page { status, cookie, flow, html, location }
}

async fn open(app: &TestApp, query: &str) -> Page {
    page_of(
        no_redirects().get(app.url(&format!("/v1/auth/authorize?{query}"))).send().await.unwrap(),
    )
    .await
}

async fn submit(app: &TestApp, cookie: Option<&str>, form: &[(&str, &str)]) -> Page {
    let mut request = no_redirects().post(app.url("/v1/auth/authorize")).form(form);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    page_of(request.send().await.unwrap()).await
}

/// The parameters of the redirect back to the app.
fn back(location: &str) -> std::collections::HashMap<String, String> {
    let (base, query) = location.split_once('?').unwrap();
    assert_eq!(base, REDIRECT);
    url::form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

/// Signs in on the page `opened` and answers the next page.
async fn sign_in(app: &TestApp, opened: &Page, email: &str, password: &str) -> Page {
    let flow = opened.flow.as_deref().unwrap();
    submit(
        app,
        opened.cookie.as_deref(),
        &[("flow", flow), ("action", "sign_in"), ("email", email), ("password", password)],
    )
    .await
}

async fn exchange(app: &TestApp, client_id: &str, code: &str, verifier: &str) -> reqwest::Response {
    app.token(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
        ("client_id", client_id),
    ])
    .await
}

api_test!(async fn an_app_gets_a_code_and_exchanges_it_with_its_verifier(app) {
    let (client_id, email) = setting(&app, json!(["goals:read", "routines:read"])).await;
    let opened = open(&app, &query(&client_id, &[("scope", "goals:read")])).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(opened.html.contains("<html lang=\"en\">"));
    assert!(opened.html.contains("Hillside &lt;app&gt;"), "the app's name is shown, escaped");
    assert!(opened.html.contains("href=\"/v1/content/crisis.html\""), "every page shows the way to crisis help");
    assert!(opened.cookie.is_some(), "the page sets the cookie its form must come back with");

    let consent = sign_in(&app, &opened, &email, GOOD_PASSWORD).await;
    assert_eq!(consent.status, StatusCode::OK);
    assert!(consent.html.contains("See your goals and how they are going"), "{}", consent.html);
    assert!(!consent.html.contains("routines"), "only what was asked for is shown");
    let allowed = submit(&app, opened.cookie.as_deref(), &[("flow", consent.flow.as_deref().unwrap()), ("action", "allow")]).await;
    assert_eq!(allowed.status, StatusCode::SEE_OTHER);
    let answer = back(allowed.location.as_deref().unwrap());
    assert_eq!(answer["state"], "s-123");
    assert!(answer["iss"].starts_with("http"), "RFC 9207: the issuer comes back too");
    let code = answer["code"].clone();
    assert!(code.starts_with("wma_"));

    let tokens = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_eq!(tokens.status(), StatusCode::OK);
    let tokens: Value = tokens.json().await.unwrap();
    assert_eq!(tokens["scope"], "goals:read");
    let access = tokens["access_token"].as_str().unwrap();
    let claims = access.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap()).unwrap();
    assert_eq!((&claims["client_id"], &claims["azp"]), (&json!(client_id), &json!(client_id)), "the token names its app: {claims}");
    let goals = app.authorized(Method::GET, "/v1/goals", access).send().await.unwrap();
    assert_eq!(goals.status(), StatusCode::OK);
    let routines = app.authorized(Method::GET, "/v1/routines", access).send().await.unwrap();
    assert_eq!(routines.status(), StatusCode::FORBIDDEN, "never more than the person allowed");
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let refreshed = app.token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &client_id)]).await;
    assert_eq!(refreshed.status(), StatusCode::OK, "a public client refreshes naming itself");
    let refreshed: Value = refreshed.json().await.unwrap();

    let refreshed_access = refreshed["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.authorized(Method::GET, "/v1/goals", &refreshed_access).send().await.unwrap().status(), StatusCode::OK);
    let replayed = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(replayed.json::<Value>().await.unwrap()["error"], "invalid_grant");
    for token in [access, refreshed_access.as_str()] {
        let after = app.authorized(Method::GET, "/v1/goals", token).send().await.unwrap();
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "a replayed code ends the access tokens issued from it");
    }
    let after_replay = app
        .token(&[("grant_type", "refresh_token"), ("refresh_token", refreshed["refresh_token"].as_str().unwrap()), ("client_id", &client_id)])
        .await;
    assert_eq!(after_replay.status(), StatusCode::BAD_REQUEST, "a replayed code revokes what was issued from it");
});

api_test!(async fn consent_is_remembered_and_asked_again_when_the_app_asks_for_more(app) {
    let (client_id, email) = setting(&app, json!(["goals:read", "routines:read"])).await;
    let opened = open(&app, &query(&client_id, &[("scope", "goals:read")])).await;
    let consent = sign_in(&app, &opened, &email, GOOD_PASSWORD).await;
    let allowed = submit(&app, opened.cookie.as_deref(), &[("flow", consent.flow.as_deref().unwrap()), ("action", "allow")]).await;
    assert_eq!(allowed.status, StatusCode::SEE_OTHER);

    let again = open(&app, &query(&client_id, &[("scope", "goals:read")])).await;
    let straight_back = sign_in(&app, &again, &email, GOOD_PASSWORD).await;
    assert_eq!(straight_back.status, StatusCode::SEE_OTHER, "the same ask is not asked twice");
    assert!(back(straight_back.location.as_deref().unwrap()).contains_key("code"));

    let more = open(&app, &query(&client_id, &[("scope", "goals:read routines:read")])).await;
    let asked = sign_in(&app, &more, &email, GOOD_PASSWORD).await;
    assert_eq!(asked.status, StatusCode::OK, "asking for more asks again");
    assert!(asked.html.contains("routines"));
    let denied = submit(&app, more.cookie.as_deref(), &[("flow", asked.flow.as_deref().unwrap()), ("action", "deny")]).await;
    assert_eq!(denied.status, StatusCode::SEE_OTHER);
    let answer = back(denied.location.as_deref().unwrap());
    assert_eq!(answer["error"], "access_denied");
    assert_eq!(answer["state"], "s-123");
    assert!(!answer.contains_key("code"));
});

api_test!(async fn the_authorization_endpoint_never_redirects_where_the_app_did_not_register(app) {
    let (client_id, _) = setting(&app, json!(["goals:read"])).await;
    for (extra, why) in [
        (vec![("redirect_uri", "https://evil.example/callback")], "unregistered"),
        (vec![("redirect_uri", "org.hillside.app:/callback/more")], "prefix match"),
        (vec![("redirect_uri", "org.hillside.app:/callbac")], "shorter"),
        (vec![("redirect_uri", "")], "missing"),
        (vec![("client_id", "0192f0c0-0000-7000-8000-000000000000")], "unknown client"),
        (vec![("client_id", "not-an-id")], "malformed client"),
    ] {
        let page = open(&app, &query(&client_id, &extra)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{why}");
        assert!(page.location.is_none(), "{why}: never redirected");
        assert!(page.html.contains("cannot be used"), "{why}");
    }
});

api_test!(async fn other_problems_go_back_to_the_app_with_state_and_iss(app) {
    let (client_id, _) = setting(&app, json!(["goals:read", "launch/patient"])).await;
    for (extra, error) in [
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge_method", "")], "invalid_request"),
        (vec![("response_type", "token")], "unsupported_response_type"),
        (vec![("scope", "goals:read goals:write")], "invalid_scope"),
        (vec![("scope", "admin")], "invalid_scope"),
        (vec![("scope", "everything")], "invalid_scope"),
        // SMART's `aud` names the FHIR server the token is for: only this one.
        (vec![("aud", "https://elsewhere.example/fhir/r4")], "invalid_request"),
        (vec![("aud", "http://waymark.test")], "invalid_request"),
        (vec![("aud", "http://waymark.test/fhir/r4//")], "invalid_request"),
        // Without it, SMART's scopes are not asked for.
        (vec![("aud", ""), ("scope", "goals:read launch/patient")], "invalid_request"),
    ] {
        let page = open(&app, &query(&client_id, &extra)).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{extra:?}");
        let answer = back(page.location.as_deref().unwrap());
        assert_eq!(answer["error"], error, "{extra:?}");
        assert_eq!(answer["state"], "s-123");
        assert!(answer.contains_key("iss") && answer.contains_key("error_description"));
    }
});

api_test!(async fn a_smart_app_naming_this_fhir_base_as_aud_is_let_in_with_the_patient_named(app) {
    let (client_id, email) = setting(&app, json!(["launch/patient", "patient/Goal.rs"])).await;
    for aud in ["http://waymark.test/fhir/r4", "http://waymark.test/fhir/r4/"] {
        let opened = open(&app, &query(&client_id, &[("aud", aud)])).await;
        assert_eq!(opened.status, StatusCode::OK, "{aud}: {}", opened.html);
        let consent = sign_in(&app, &opened, &email, GOOD_PASSWORD).await;
        if consent.status == StatusCode::OK {
            assert!(consent.html.contains("Know that the record it opens is yours"), "{}", consent.html);
            assert!(consent.html.contains("See your goals and how they are going, in the format NHS and care services use"), "{}", consent.html);
            let allowed = submit(&app, opened.cookie.as_deref(), &[("flow", consent.flow.as_deref().unwrap()), ("action", "allow")]).await;
            assert_eq!(allowed.status, StatusCode::SEE_OTHER);
        }
    }
    let code = a_code_allowed(&app, &client_id, &email).await;
    let tokens: Value = exchange(&app, &client_id, &code, VERIFIER).await.json().await.unwrap();
    assert_eq!(tokens["scope"], "patient/Goal.rs launch/patient");
    let person: Value = app.authorized(Method::GET, "/v1/me", app.sign_in(&email, GOOD_PASSWORD).await["access_token"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    assert_eq!(tokens["patient"], person["id"], "the token response names the person");
    let refreshed: Value = app.token(&[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap()), ("client_id", &client_id)]).await.json().await.unwrap();
    assert_eq!(refreshed["patient"], person["id"], "and so does a refresh");
});

api_test!(async fn forms_must_come_from_this_flows_page_in_this_browser(app) {
    let (client_id, email) = setting(&app, json!(["goals:read"])).await;
    let opened = open(&app, &query(&client_id, &[])).await;
    assert_eq!(opened.status, StatusCode::OK);
    let flow = opened.flow.clone().unwrap();
    let sign_in_form = [("flow", flow.as_str()), ("action", "sign_in"), ("email", email.as_str()), ("password", GOOD_PASSWORD)];
    let no_cookie = submit(&app, None, &sign_in_form).await;
    assert_eq!(no_cookie.status, StatusCode::BAD_REQUEST, "no CSRF cookie");
    let other_cookie = submit(&app, Some("waymark_authorize=someone-else"), &sign_in_form).await;
    assert_eq!(other_cookie.status, StatusCode::BAD_REQUEST, "another browser's cookie");
    let tampered = format!("x{flow}");
    let forged = submit(&app, opened.cookie.as_deref(), &[("flow", tampered.as_str()), ("action", "sign_in"), ("email", email.as_str()), ("password", GOOD_PASSWORD)]).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "a changed flow");
    let skipped = submit(&app, opened.cookie.as_deref(), &[("flow", flow.as_str()), ("action", "allow")]).await;
    assert_eq!(skipped.status, StatusCode::BAD_REQUEST, "allowing without signing in");

    let wrong = sign_in(&app, &opened, &email, "not the password at all").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.html.contains("role=\"alert\"") && wrong.html.contains("aria-describedby=\"sign-in-error\""));
    let unknown = sign_in(&app, &opened, "nobody@example.org", "not the password at all").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong.html.replace(wrong.flow.as_deref().unwrap(), ""),
        unknown.html.replace(unknown.flow.as_deref().unwrap(), ""),
        "the same answer for an unknown address and a wrong password"
    );
});

api_test!(async fn a_code_works_only_for_its_client_redirect_uri_and_verifier(app) {
    let (client_id, email) = setting(&app, json!(["goals:read"])).await;
    let (other_client, _) = setting(&app, json!(["goals:read"])).await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        let opened = open(&app, &query(&client_id, &[])).await;
        let next = sign_in(&app, &opened, &email, GOOD_PASSWORD).await;
        let allowed = match next.status {
            StatusCode::OK => submit(&app, opened.cookie.as_deref(), &[("flow", next.flow.as_deref().unwrap()), ("action", "allow")]).await,
            _ => next,
        };
        codes.push(back(allowed.location.as_deref().unwrap())["code"].clone());
    }
    let wrong_verifier = exchange(&app, &client_id, &codes[0], "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").await;
    assert_eq!(wrong_verifier.status(), StatusCode::BAD_REQUEST);
    assert_eq!(wrong_verifier.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let no_verifier = app.token(&[("grant_type", "authorization_code"), ("code", &codes[1]), ("redirect_uri", REDIRECT), ("client_id", &client_id)]).await;
    assert_eq!(no_verifier.status(), StatusCode::BAD_REQUEST);
    let other = exchange(&app, &other_client, &codes[2], VERIFIER).await;
    assert_eq!(other.status(), StatusCode::BAD_REQUEST, "a code from another client");
    let elsewhere = app
        .token(&[("grant_type", "authorization_code"), ("code", &codes[3]), ("redirect_uri", "org.hillside.app:/other"), ("code_verifier", VERIFIER), ("client_id", &client_id)])
        .await;
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST, "another redirect URI");
    let nobody = app.token(&[("grant_type", "authorization_code"), ("code", &codes[3]), ("redirect_uri", REDIRECT), ("code_verifier", VERIFIER)]).await;
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED, "the client must name itself");
});

api_test!(async fn the_pages_cannot_be_framed_or_cached_and_discovery_lists_the_flow(app) {
    let (client_id, _) = setting(&app, json!(["goals:read"])).await;
    let response = no_redirects().get(app.url(&format!("/v1/auth/authorize?{}", query(&client_id, &[])))).send().await.unwrap();
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'none'"), "{policy}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"), "{cookie}");

    let metadata: Value = app.get("/.well-known/oauth-authorization-server").await.json().await.unwrap();
    assert!(metadata["authorization_endpoint"].as_str().unwrap().ends_with("/v1/auth/authorize"));
    assert_eq!(metadata["response_types_supported"], json!(["code"]));
    assert_eq!(metadata["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(metadata["authorization_response_iss_parameter_supported"], true);
    assert!(metadata["grant_types_supported"].as_array().unwrap().contains(&json!("authorization_code")));
});

api_test!(async fn ending_every_session_ends_a_flow_waiting_for_consent(app) {
    let (client_id, email) = setting(&app, json!(["goals:read"])).await;
    let opened = open(&app, &query(&client_id, &[])).await;
    let consent = sign_in(&app, &opened, &email, GOOD_PASSWORD).await;
    assert_eq!(consent.status, StatusCode::OK);
    let tokens = app.sign_in(&email, GOOD_PASSWORD).await;
    let ended = app
        .authorized(Method::POST, "/v1/me/sign-out-everywhere", tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(ended.status().is_success(), "{}", ended.status());
    let allowed = submit(&app, opened.cookie.as_deref(), &[("flow", consent.flow.as_deref().unwrap()), ("action", "allow")]).await;
    assert_eq!(allowed.status, StatusCode::BAD_REQUEST, "no code after the person ended every session");
    assert!(allowed.location.is_none());
});

api_test!(async fn a_code_from_before_the_person_ended_every_session_is_refused(app) {
    let (client_id, email) = setting(&app, json!(["goals:read"])).await;
    let opened = open(&app, &query(&client_id, &[])).await;
    let consent = sign_in(&app, &opened, &email, GOOD_PASSWORD).await;
    let allowed = submit(&app, opened.cookie.as_deref(), &[("flow", consent.flow.as_deref().unwrap()), ("action", "allow")]).await;
    let code = back(allowed.location.as_deref().unwrap())["code"].clone();
    let tokens = app.sign_in(&email, GOOD_PASSWORD).await;
    let ended = app
        .authorized(Method::POST, "/v1/me/sign-out-everywhere", tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(ended.status().is_success(), "{}", ended.status());
    let exchanged = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_eq!(exchanged.status(), StatusCode::BAD_REQUEST, "the code went with every other session");
    assert_eq!(exchanged.json::<Value>().await.unwrap()["error"], "invalid_grant");
});

api_test!(async fn the_crisis_lines_are_a_page_every_flow_page_links_to(app) {
    let response = app.get("/v1/content/crisis.html").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(response.headers().get("ratelimit-limit").is_none(), "never rate limited");
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("style-src 'sha256-"), "{policy}");
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("<h1>Help right now</h1>"));
    assert!(html.contains("href=\"tel:"), "a line to call: {html}");
    let bad = app.get("/v1/content/crisis.html?locale=!!").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
});

/// A public client for `scopes` (named `Hillside <app>`), let in by a new person through
/// the whole flow: its client id, the person's e-mail, and the app's token response.
pub(crate) async fn an_app_let_in(app: &TestApp, scopes: Value) -> (String, String, Value) {
    let (client_id, email) = setting(app, scopes).await;
    let code = a_code_allowed(app, &client_id, &email).await;
    let tokens = exchange(app, &client_id, &code, VERIFIER).await;
    assert_eq!(tokens.status(), StatusCode::OK);
    (client_id, email, tokens.json().await.unwrap())
}

/// The code the person `email` gets for the app `client_id` by signing in and, if
/// asked, allowing it.
async fn a_code_allowed(app: &TestApp, client_id: &str, email: &str) -> String {
    let opened = open(app, &query(client_id, &[])).await;
    let mut answered = sign_in(app, &opened, email, GOOD_PASSWORD).await;
    if answered.status == StatusCode::OK {
        let flow = answered.flow.clone().unwrap();
        answered =
            submit(app, opened.cookie.as_deref(), &[("flow", &flow), ("action", "allow")]).await;
    }
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.html);
    back(answered.location.as_deref().unwrap())["code"].clone()
}

/// The person `email` lets the client `client_id` (registered with this module's
/// redirect URI) have `scope`, on the consent page: the consent is stored, the code
/// is not exchanged.
pub(crate) async fn let_in(app: &TestApp, client_id: &str, email: &str, scope: &str) {
    let opened = open(app, &query(client_id, &[("scope", scope)])).await;
    let mut answered = sign_in(app, &opened, email, GOOD_PASSWORD).await;
    if answered.status == StatusCode::OK {
        let flow = answered.flow.clone().unwrap();
        answered =
            submit(app, opened.cookie.as_deref(), &[("flow", &flow), ("action", "allow")]).await;
    }
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.html);
}

/// The redirect URI the clients of these tests register.
pub(crate) const APP_REDIRECT: &str = REDIRECT;

/// The claims of a signed token, unverified.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let payload =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap();
    serde_json::from_slice(&payload).unwrap()
}

api_test!(async fn a_grant_taken_back_stays_gone_when_the_app_is_let_in_again(app) {
    let (client_id, email, first) = an_app_let_in(&app, json!(["goals:read"])).await;
    let first_token = first["access_token"].as_str().unwrap().to_owned();
    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let own_token = own["access_token"].as_str().unwrap();
    let listed: Value = app.authorized(Method::GET, "/v1/me/grants", own_token).send().await.unwrap().json().await.unwrap();
    let first_grant = listed["items"][0]["grant_id"].clone();
    assert!(first_grant.is_string(), "{listed}");
    assert_eq!(claims_of(&first_token)["grant"], first_grant, "the token names the grant it was issued under");

    let revoked = app.authorized(Method::DELETE, &format!("/v1/me/grants/{client_id}"), own_token).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let code = a_code_allowed(&app, &client_id, &email).await;
    let second: Value = exchange(&app, &client_id, &code, VERIFIER).await.json().await.unwrap();
    let second_token = second["access_token"].as_str().unwrap();
    let relisted: Value = app.authorized(Method::GET, "/v1/me/grants", own_token).send().await.unwrap().json().await.unwrap();
    let second_grant = relisted["items"][0]["grant_id"].clone();
    assert_ne!(second_grant, first_grant, "letting the app in again is a new grant");
    assert_eq!(claims_of(second_token)["grant"], second_grant);

    let old = app.authorized(Method::GET, "/v1/goals", &first_token).send().await.unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED, "a token of the grant taken back never works again");
    let new = app.authorized(Method::GET, "/v1/goals", second_token).send().await.unwrap();
    assert_eq!(new.status(), StatusCode::OK);
});

api_test!(async fn a_code_is_refused_once_the_grant_it_came_from_is_taken_back(app) {
    let (client_id, email) = setting(&app, json!(["goals:read"])).await;
    let code = a_code_allowed(&app, &client_id, &email).await;
    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let revoked = app
        .authorized(Method::DELETE, &format!("/v1/me/grants/{client_id}"), own["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let again = a_code_allowed(&app, &client_id, &email).await;
    let exchanged = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_eq!(exchanged.status(), StatusCode::BAD_REQUEST, "no tokens for a grant the person took back, though they let the app in again since");
    assert_eq!(exchanged.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let new = exchange(&app, &client_id, &again, VERIFIER).await;
    assert_eq!(new.status(), StatusCode::OK, "the new grant's code works");
});

api_test!(async fn a_person_sees_the_apps_they_let_in_and_takes_one_back_at_once(app) {
    let (client_id, email, tokens) = an_app_let_in(&app, json!(["goals:read"])).await;
    let app_token = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.authorized(Method::GET, "/v1/goals", &app_token).send().await.unwrap().status(), StatusCode::OK);

    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let own_token = own["access_token"].as_str().unwrap();
    let listed: Value = app.authorized(Method::GET, "/v1/me/grants", own_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    let item = &listed["items"][0];
    assert_eq!(item["client_id"], client_id.as_str());
    assert_eq!(item["name"], "Hillside <app>");
    assert_eq!(item["scopes"], json!(["goals:read"]));
    assert!(item["last_used_at"].is_string(), "{item}");

    let revoked = app.authorized(Method::DELETE, &format!("/v1/me/grants/{client_id}"), own_token).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let refused = app.authorized(Method::GET, "/v1/goals", &app_token).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "the app's access token stops at once");
    let refresh = app.token(&[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap()), ("client_id", &client_id)]).await;
    assert_eq!(refresh.status(), StatusCode::BAD_REQUEST, "and its refresh token");
    let again = app.authorized(Method::DELETE, &format!("/v1/me/grants/{client_id}"), own_token).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let emptied: Value = app.authorized(Method::GET, "/v1/me/grants", own_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(emptied["items"], json!([]));
});

api_test!(async fn what_a_form_says_of_state_or_redirect_uri_is_ignored(app) {
    // The request's state, redirect URI, scopes and challenge travel in the flow the
    // server sealed; fields a tampering page adds to the forms change nothing.
    let (client_id, email) = setting(&app, json!(["goals:read", "routines:read"])).await;
    let opened = open(&app, &query(&client_id, &[("scope", "goals:read")])).await;
    let flow = opened.flow.clone().unwrap();
    let other_challenge = "A".repeat(43);
    let extra = [("state", "forged"), ("redirect_uri", "https://evil.example/callback"), ("scope", "goals:read routines:read"), ("code_challenge", other_challenge.as_str())];
    let mut form = vec![("flow", flow.as_str()), ("action", "sign_in"), ("email", email.as_str()), ("password", GOOD_PASSWORD)];
    form.extend(extra);
    let consent = submit(&app, opened.cookie.as_deref(), &form).await;
    assert_eq!(consent.status, StatusCode::OK);
    assert!(!consent.html.contains("routines"), "only what the app asked for is shown");
    let consent_flow = consent.flow.clone().unwrap();
    let mut form = vec![("flow", consent_flow.as_str()), ("action", "allow")];
    form.extend(extra);
    let allowed = submit(&app, opened.cookie.as_deref(), &form).await;
    assert_eq!(allowed.status, StatusCode::SEE_OTHER);
    let answer = back(allowed.location.as_deref().unwrap());
    assert_eq!(answer["state"], "s-123", "the app's own state comes back");
    let tokens = exchange(&app, &client_id, &answer["code"], VERIFIER).await;
    assert_eq!(tokens.status(), StatusCode::OK, "bound to the app's own challenge");
    assert_eq!(tokens.json::<Value>().await.unwrap()["scope"], "goals:read");
});
