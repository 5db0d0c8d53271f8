//! Attacks on bearer tokens, against `GET /v1/me`: forged, re-signed, tampered,
//! stale and misaddressed tokens are all refused with the same 401 problem, and a real
//! token verifies with a JWT library other than the one the server uses.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::api_test;
use crate::support::app::{TEST_ISSUER, shared_signing_key};
use crate::support::identity::GOOD_PASSWORD;

/// The `aud` of every token test servers issue.
pub(crate) const AUDIENCE: &str = "waymark";

/// How a crafted token is signed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Signer<'a> {
    /// No signature at all: `header.payload.`
    Unsigned,
    /// HS256 with these bytes as the HMAC secret.
    Hmac(&'a [u8]),
    /// EdDSA with this PKCS#8 PEM private key.
    Ed25519(&'a str),
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text)
        .unwrap_or_else(|error| panic!("{text:?} is not base64url: {error}"))
}

/// A compact JWS with exactly this header and these claims.
pub(crate) fn craft(header: &Value, claims: &Value, signer: Signer<'_>) -> String {
    let message =
        format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let sign = |key: &EncodingKey, algorithm| {
        jsonwebtoken::crypto::sign(message.as_bytes(), key, algorithm).unwrap()
    };
    let signature = match signer {
        Signer::Unsigned => String::new(),
        Signer::Hmac(secret) => sign(&EncodingKey::from_secret(secret), Algorithm::HS256),
        Signer::Ed25519(pem) => {
            sign(&EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(), Algorithm::EdDSA)
        }
    };
    format!("{message}.{signature}")
}

/// The private key every test server signs with.
pub(crate) fn server_pem() -> String {
    std::fs::read_to_string(shared_signing_key()).unwrap()
}

/// The RFC 7638 thumbprint of the public half of `pem`, the way keys are named.
pub(crate) fn kid_of(pem: &str) -> String {
    let key = EncodingKey::from_ed_pem(pem.as_bytes()).unwrap();
    Jwk::from_encoding_key(&key, Algorithm::EdDSA)
        .unwrap()
        .thumbprint(ThumbprintHash::SHA256)
        .unwrap()
}

pub(crate) fn now() -> i64 {
    let elapsed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    i64::try_from(elapsed.as_secs()).unwrap()
}

/// An access token header as the server writes it.
pub(crate) fn header(kid: &str) -> Value {
    json!({ "alg": "EdDSA", "typ": "at+jwt", "kid": kid })
}

/// Claims the server would accept for `sub`, good for 15 minutes from now.
pub(crate) fn claims(sub: &str) -> Value {
    let now = now();
    json!({
        "iss": TEST_ISSUER,
        "aud": AUDIENCE,
        "sub": sub,
        "exp": now + 900,
        "iat": now,
        "nbf": now,
        "jti": uuid::Uuid::now_v7().to_string(),
        "scope": "profile",
    })
}

/// `claims` with `changes` merged over it.
pub(crate) fn with(mut claims: Value, changes: &Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        claims[name] = value.clone();
    }
    claims
}

/// The JWKS, which must hold exactly the one configured key.
async fn published_key(app: &TestApp) -> Value {
    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let jwks: Value = response.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{jwks}");
    keys[0].clone()
}

async fn published_kid(app: &TestApp) -> String {
    published_key(app).await["kid"].as_str().unwrap().to_owned()
}

/// `GET /v1/me` with `Authorization: <authorization>`, or without the header.
async fn get_me(app: &TestApp, authorization: Option<&str>) -> reqwest::Response {
    let mut request = app.request(Method::GET, "/v1/me");
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value);
    }
    request.send().await.unwrap()
}

async fn me_with_token(app: &TestApp, token: &str) -> reqwest::Response {
    get_me(app, Some(&format!("Bearer {token}"))).await
}

/// Words that would betray why a token was refused, or what checks it.
const INTERNALS: [&str; 16] = [
    "signature",
    "algorithm",
    "eddsa",
    "hs256",
    "kid",
    "issuer",
    "audience",
    "nbf",
    "iat",
    "jwt",
    "jsonwebtoken",
    "invalidtoken",
    "base64",
    "utf-8",
    "json",
    "panicked",
];

/// Asserts the uniform 401 problem, and that it says nothing about why.
async fn assert_unauthorized(response: reqwest::Response, case: &str, token: Option<&str>) {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {text}");
    assert_eq!(headers[CONTENT_TYPE], "application/problem+json", "{case}");
    let challenge = headers
        .get(WWW_AUTHENTICATE)
        .unwrap_or_else(|| panic!("{case}: no WWW-Authenticate"))
        .to_str()
        .unwrap();
    assert!(challenge.starts_with("Bearer"), "{case}: {challenge}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["type"], "/problems/unauthorized", "{case}: {body}");
    assert_eq!(body["status"], 401, "{case}: {body}");
    for member in body.as_object().unwrap().keys() {
        assert!(
            ["type", "title", "status", "detail", "instance", "request_id"]
                .contains(&member.as_str()),
            "{case}: unexpected member {member} in {body}"
        );
    }
    let lowered = text.to_lowercase();
    for word in INTERNALS {
        assert!(!lowered.contains(word), "{case}: {word:?} leaked in {text}");
    }
    if let Some(token) = token {
        for segment in token.split('.').filter(|segment| segment.len() > 8) {
            assert!(!text.contains(segment), "{case}: the token is echoed in {text}");
        }
    }
}

/// Asserts that `token` is refused by `GET /v1/me` with a clean 401 problem.
pub(crate) async fn assert_token_refused(app: &TestApp, token: &str, case: &str) {
    assert_unauthorized(me_with_token(app, token).await, case, Some(token)).await;
}

/// The header, claims and signature segments of a compact JWS.
fn segments(token: &str) -> (String, String, String) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    (parts[0].to_owned(), parts[1].to_owned(), parts[2].to_owned())
}

fn decode_segment(segment: &str) -> Value {
    serde_json::from_slice(&unb64(segment)).unwrap()
}

api_test!(async fn a_real_token_reads_me(app) {
    let user = app.signed_in_user().await;
    let response = me_with_token(&app, &user.access_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["id"], user.account_id.as_str());
});

// The control for every forgery below: a token this file crafts with the server's own
// key and right claims is accepted, so each refusal is down to the one thing changed.
api_test!(async fn a_token_crafted_here_with_the_server_key_and_right_claims_is_accepted(app) {
    let user = app.signed_in_user().await;
    let kid = published_kid(&app).await;
    assert_eq!(kid, kid_of(&server_pem()), "kids are RFC 7638 thumbprints");
    let token = craft(&header(&kid), &claims(&user.account_id), Signer::Ed25519(&server_pem()));
    let response = me_with_token(&app, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
});

api_test!(async fn a_missing_or_non_bearer_authorization_is_401(app) {
    let user = app.signed_in_user().await;
    assert_unauthorized(get_me(&app, None).await, "no Authorization", None).await;
    assert_unauthorized(get_me(&app, Some("Bearer garbage")).await, "Bearer garbage", None).await;
    assert_unauthorized(get_me(&app, Some("Bearer")).await, "Bearer without a token", None).await;
    assert_unauthorized(get_me(&app, Some("Bearer a.b.c")).await, "Bearer a.b.c", None).await;
    let basic = format!("Basic {}", STANDARD.encode(format!("{}:{}", user.email, GOOD_PASSWORD)));
    assert_unauthorized(get_me(&app, Some(&basic)).await, "Basic with the right password", None).await;
    let token_as_basic = format!("Basic {}", user.access_token);
    assert_unauthorized(get_me(&app, Some(&token_as_basic)).await, "a real token under Basic", None).await;
});

api_test!(async fn alg_none_tokens_are_401(app) {
    let user = app.signed_in_user().await;
    let kid = published_kid(&app).await;
    let claims = claims(&user.account_id);
    let unsigned = [
        ("alg none", json!({ "alg": "none", "typ": "JWT" })),
        ("alg none with the real kid", json!({ "alg": "none", "typ": "JWT", "kid": kid })),
        ("alg None with the real kid", json!({ "alg": "None", "typ": "at+jwt", "kid": kid })),
    ];
    for (case, header) in unsigned {
        assert_token_refused(&app, &craft(&header, &claims, Signer::Unsigned), case).await;
    }
    // The real header with its signature stripped.
    let stripped = craft(&header(&kid), &claims, Signer::Unsigned);
    assert_token_refused(&app, &stripped, "EdDSA header without a signature").await;
});

api_test!(async fn hs256_signed_with_the_public_key_is_401(app) {
    let user = app.signed_in_user().await;
    let jwk = published_key(&app).await;
    let kid = jwk["kid"].as_str().unwrap().to_owned();
    let x_text = jwk["x"].as_str().unwrap().to_owned();
    let x = unb64(&x_text);
    assert_eq!(x.len(), 32);
    // The SubjectPublicKeyInfo of an Ed25519 key is this prefix and the 32 bytes.
    let mut spki = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
    spki.extend_from_slice(&x);
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", STANDARD.encode(&spki));
    let jwk_text = jwk.to_string();
    let secrets: [(&str, &[u8]); 6] = [
        ("raw public key bytes", &x),
        ("public key PEM", pem.as_bytes()),
        ("public key PEM without the final newline", pem.trim_end().as_bytes()),
        ("public key DER", &spki),
        ("published JWK text", jwk_text.as_bytes()),
        ("x as text", x_text.as_bytes()),
    ];
    let claims = claims(&user.account_id);
    for (case, secret) in secrets {
        for typ in ["JWT", "at+jwt"] {
            let header = json!({ "alg": "HS256", "typ": typ, "kid": kid });
            let token = craft(&header, &claims, Signer::Hmac(secret));
            assert_token_refused(&app, &token, &format!("HS256 with the {case}, typ {typ}")).await;
        }
    }
});

api_test!(async fn a_token_signed_by_another_ed25519_key_is_401(app) {
    let user = app.signed_in_user().await;
    let kid = published_kid(&app).await;
    let stranger = waymark_http::auth::generate_ed25519_pem().unwrap();
    let stranger_kid = kid_of(&stranger);
    assert_ne!(stranger_kid, kid);
    let claims = claims(&user.account_id);
    let with_real_kid = craft(&header(&kid), &claims, Signer::Ed25519(&stranger));
    assert_token_refused(&app, &with_real_kid, "another key, the real kid").await;
    let with_own_kid = craft(&header(&stranger_kid), &claims, Signer::Ed25519(&stranger));
    assert_token_refused(&app, &with_own_kid, "another key, its own kid").await;
});

api_test!(async fn an_expired_token_is_401(app) {
    let user = app.signed_in_user().await;
    let kid = published_kid(&app).await;
    let now = now();
    let expired = with(claims(&user.account_id), &json!({ "iat": now - 1500, "nbf": now - 1500, "exp": now - 600 }));
    let token = craft(&header(&kid), &expired, Signer::Ed25519(&server_pem()));
    assert_token_refused(&app, &token, "exp 10 minutes ago").await;
});

api_test!(async fn a_token_not_yet_valid_is_401(app) {
    let user = app.signed_in_user().await;
    let kid = published_kid(&app).await;
    let now = now();
    let early = with(claims(&user.account_id), &json!({ "nbf": now + 600, "exp": now + 1500 }));
    let token = craft(&header(&kid), &early, Signer::Ed25519(&server_pem()));
    assert_token_refused(&app, &token, "nbf in 10 minutes").await;
});

api_test!(async fn a_token_issued_in_the_future_is_401(app) {
    let user = app.signed_in_user().await;
    let kid = published_kid(&app).await;
    let now = now();
    for (case, iat) in [("iat in a day", now + 86_400), ("iat in 10 minutes", now + 600)] {
        let future = with(claims(&user.account_id), &json!({ "iat": iat, "exp": iat + 900 }));
        let token = craft(&header(&kid), &future, Signer::Ed25519(&server_pem()));
        assert_token_refused(&app, &token, case).await;
    }
});

api_test!(async fn a_token_from_another_issuer_is_401(app) {
    let user = app.signed_in_user().await;
    let kid = published_kid(&app).await;
    for iss in ["http://evil.test", "https://waymark.test", "http://waymark.test.evil.test", ""] {
        let foreign = with(claims(&user.account_id), &json!({ "iss": iss }));
        let token = craft(&header(&kid), &foreign, Signer::Ed25519(&server_pem()));
        assert_token_refused(&app, &token, &format!("iss {iss:?}")).await;
    }
    let mut missing = claims(&user.account_id);
    missing.as_object_mut().unwrap().remove("iss");
    let token = craft(&header(&kid), &missing, Signer::Ed25519(&server_pem()));
    assert_token_refused(&app, &token, "no iss").await;
});

api_test!(async fn a_token_for_another_audience_is_401(app) {
    let user = app.signed_in_user().await;
    let kid = published_kid(&app).await;
    for aud in [json!("another-api"), json!("Waymark"), json!(["another-api"]), json!("")] {
        let foreign = with(claims(&user.account_id), &json!({ "aud": aud }));
        let token = craft(&header(&kid), &foreign, Signer::Ed25519(&server_pem()));
        assert_token_refused(&app, &token, &format!("aud {aud}")).await;
    }
    let mut missing = claims(&user.account_id);
    missing.as_object_mut().unwrap().remove("aud");
    let token = craft(&header(&kid), &missing, Signer::Ed25519(&server_pem()));
    assert_token_refused(&app, &token, "no aud").await;
});

api_test!(async fn a_token_with_an_unknown_or_missing_kid_is_401(app) {
    let user = app.signed_in_user().await;
    let claims = claims(&user.account_id);
    let signer = Signer::Ed25519(&server_pem());
    let unknown = craft(&header("not-a-published-kid"), &claims, signer);
    assert_token_refused(&app, &unknown, "unknown kid, signed with the real key").await;
    let missing = craft(&json!({ "alg": "EdDSA", "typ": "at+jwt" }), &claims, signer);
    assert_token_refused(&app, &missing, "no kid, signed with the real key").await;
});

api_test!(async fn a_real_token_with_a_tampered_payload_is_401(app) {
    let user = app.signed_in_user().await;
    let other = app.signed_in_user().await;

    // Widen a narrow token's scope.
    let narrow = app
        .token(&[("grant_type", "password"), ("username", &user.email), ("password", GOOD_PASSWORD), ("scope", "goals:read")])
        .await;
    assert_eq!(narrow.status(), StatusCode::OK);
    let narrow: Value = narrow.json().await.unwrap();
    let narrow = narrow["access_token"].as_str().unwrap().to_owned();
    let (header, payload, signature) = segments(&narrow);
    let widened = with(decode_segment(&payload), &json!({ "scope": "profile" }));
    let token = format!("{header}.{}.{signature}", b64(widened.to_string().as_bytes()));
    assert_token_refused(&app, &token, "scope widened to profile").await;

    // Point a full token at someone else's account.
    let (header, payload, signature) = segments(&user.access_token);
    let claims = decode_segment(&payload);
    assert_eq!(claims["sub"], user.account_id.as_str());
    let hijacked = with(claims, &json!({ "sub": other.account_id }));
    let token = format!("{header}.{}.{signature}", b64(hijacked.to_string().as_bytes()));
    assert_token_refused(&app, &token, "sub changed to another account").await;

    // The untouched tokens still work, so the refusals are down to the tampering.
    assert_eq!(me_with_token(&app, &user.access_token).await.status(), StatusCode::OK);
    assert_eq!(me_with_token(&app, &narrow).await.status(), StatusCode::FORBIDDEN);
});

api_test!(async fn a_real_token_with_a_flipped_signature_byte_is_401(app) {
    let user = app.signed_in_user().await;
    let (header, payload, signature) = segments(&user.access_token);
    let original = unb64(&signature);
    assert_eq!(original.len(), 64);
    for position in [0, 31, 63] {
        let mut flipped = original.clone();
        flipped[position] ^= 0x01;
        let token = format!("{header}.{payload}.{}", b64(&flipped));
        assert_token_refused(&app, &token, &format!("signature byte {position} flipped")).await;
    }
});

api_test!(async fn a_token_without_the_profile_scope_is_403_insufficient_scope(app) {
    let user = app.signed_in_user().await;
    let response = app
        .token(&[("grant_type", "password"), ("username", &user.email), ("password", GOOD_PASSWORD), ("scope", "goals:read")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["scope"], "goals:read");
    let response = me_with_token(&app, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(challenge.contains(r#"error="insufficient_scope""#), "{challenge}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "/problems/insufficient-scope", "{body}");
    assert_eq!(body["status"], 403);
});

api_test!(async fn a_token_for_an_account_deleted_since_is_401(app) {
    let user = app.signed_in_user().await;
    let deleted = app
        .authorized(Method::DELETE, "/v1/me", &user.access_token)
        .json(&json!({ "password": GOOD_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let response = me_with_token(&app, &user.access_token).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
    assert!(response.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "/problems/unauthorized", "{body}");
});

api_test!(async fn a_real_token_verifies_independently_against_the_published_jwks(app) {
    let user = app.signed_in_user().await;
    let (header_segment, payload_segment, signature_segment) = segments(&user.access_token);
    let header = decode_segment(&header_segment);
    assert_eq!(header["alg"], "EdDSA", "{header}");
    assert_eq!(header["typ"], "at+jwt", "{header}");
    let kid = header["kid"].as_str().unwrap();

    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let jwks: Value = response.json().await.unwrap();
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == kid)
        .unwrap_or_else(|| panic!("no key {kid} in {jwks}"));
    assert_eq!(jwk["kty"], "OKP");
    assert_eq!(jwk["crv"], "Ed25519");
    assert_eq!(jwk["alg"], "EdDSA");
    assert_eq!(jwk["use"], "sig");
    assert!(jwk.get("d").is_none(), "the private key is published: {jwk}");

    let x: [u8; 32] = unb64(jwk["x"].as_str().unwrap()).try_into().unwrap();
    let key = VerifyingKey::from_bytes(&x).unwrap();
    let signature = Signature::from_slice(&unb64(&signature_segment)).unwrap();
    let message = format!("{header_segment}.{payload_segment}");
    key.verify_strict(message.as_bytes(), &signature)
        .unwrap_or_else(|error| panic!("the signature does not verify: {error}"));
    key.verify(message.as_bytes(), &signature).unwrap();
    let altered = format!("{header_segment}.{payload_segment}x");
    assert!(key.verify_strict(altered.as_bytes(), &signature).is_err());

    let claims = decode_segment(&payload_segment);
    assert_eq!(claims["iss"], TEST_ISSUER, "{claims}");
    assert_eq!(claims["aud"], AUDIENCE, "{claims}");
    assert_eq!(claims["sub"], user.account_id.as_str(), "{claims}");
    let (exp, iat) = (claims["exp"].as_i64().unwrap(), claims["iat"].as_i64().unwrap());
    assert_eq!(exp - iat, 900, "{claims}");
    assert!((iat - now()).abs() < 60, "{claims}");
    uuid::Uuid::parse_str(claims["jti"].as_str().unwrap())
        .unwrap_or_else(|error| panic!("jti is not a UUID: {error}"));
});

api_test!(async fn the_metadata_document_points_at_the_token_endpoint_and_jwks(app) {
    let response = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(response.status(), StatusCode::OK);
    let metadata: Value = response.json().await.unwrap();
    assert_eq!(metadata["issuer"], TEST_ISSUER, "{metadata}");
    assert_eq!(metadata["token_endpoint"], format!("{TEST_ISSUER}/v1/auth/token"), "{metadata}");
    assert_eq!(metadata["jwks_uri"], format!("{TEST_ISSUER}/.well-known/jwks.json"), "{metadata}");
    let grants: Vec<&str> = metadata["grant_types_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|grant| grant.as_str().unwrap())
        .collect();
    for grant in ["authorization_code", "password", "refresh_token", "client_credentials"] {
        assert!(grants.contains(&grant), "{grant} missing from {grants:?}");
    }
    assert!(!grants.contains(&"implicit"), "implicit offered in {grants:?}");
    // The paths the metadata names are the ones this server answers on.
    let jwks_path = metadata["jwks_uri"].as_str().unwrap().trim_start_matches(TEST_ISSUER);
    assert_eq!(app.get(jwks_path).await.status(), StatusCode::OK);
});
