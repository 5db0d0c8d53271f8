//! Without `public_url`, the server names itself by the address it listens on: the
//! discovery document and the `iss` of its tokens follow the port it was given.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::api_test;

api_test!(async fn without_a_public_url_discovery_and_tokens_name_the_bound_address(app) with |settings| {
    settings.public_url = None;
}; {
    // Bound to port 0: the name carries the port the server actually got.
    assert!(!app.address.ends_with(":0"));
    let response = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(response.status(), StatusCode::OK);
    let metadata: Value = response.json().await.unwrap();
    assert_eq!(metadata["issuer"], app.address.as_str());
    assert_eq!(metadata["token_endpoint"], format!("{}/v1/auth/token", app.address));
    assert_eq!(metadata["jwks_uri"], format!("{}/.well-known/jwks.json", app.address));

    let person = app.signed_in_user().await;
    let payload = person.access_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["iss"], app.address.as_str());
    let me = app.authorized(reqwest::Method::GET, "/v1/me", &person.access_token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "its own tokens verify against the derived issuer");
});

api_test!(async fn a_public_url_wins_over_the_bound_address(app) {
    let metadata: Value = app.get("/.well-known/oauth-authorization-server").await.json().await.unwrap();
    assert_eq!(metadata["issuer"], crate::support::app::TEST_ISSUER);
});
