//! Discovery: the public keys tokens are signed with (`/.well-known/jwks.json`) and
//! the authorization server metadata (RFC 8414).

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use waymark_domain::identity::Scope;

use crate::state::AppState;

/// Keys may be cached for this long; a rotation adds the new key well before use.
const KEYS_CACHE: &str = "public, max-age=300";

/// A JSON Web Key Set (RFC 7517).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct JwkSetResponse {
    /// The public keys; each has `kid`, `kty: OKP`, `crv: Ed25519`, `x`, `alg: EdDSA`
    /// and `use: sig`.
    #[schema(value_type = Vec<Object>)]
    keys: Vec<serde_json::Value>,
}

/// The public keys that verify Waymark's access tokens.
///
/// Pick the key whose `kid` matches the token header. Every configured key is listed,
/// so tokens signed before a key rotation keep verifying until they expire.
#[utoipa::path(
    tag = "auth",
    operation_id = "jwks",
    responses((status = 200, description = "The JWK set.", body = JwkSetResponse)),
)]
#[get("/.well-known/jwks.json")]
pub(crate) async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, KEYS_CACHE))
        .json(state.tokens.keys().jwks())
}

/// Authorization server metadata (RFC 8414).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServerMetadata {
    /// The `iss` of every token.
    issuer: String,
    /// Where an app sends a person to sign in and consent (authorization code flow).
    authorization_endpoint: String,
    /// Where to get tokens.
    token_endpoint: String,
    /// Where to revoke refresh tokens.
    revocation_endpoint: String,
    /// Where confidential clients introspect tokens (RFC 7662).
    introspection_endpoint: String,
    /// Where the public keys are.
    jwks_uri: String,
    /// `authorization_code`, `refresh_token`, `client_credentials`, `password`.
    grant_types_supported: Vec<&'static str>,
    /// Every scope.
    scopes_supported: Vec<&'static str>,
    /// `client_secret_basic`, `client_secret_post`, `none`.
    token_endpoint_auth_methods_supported: Vec<&'static str>,
    /// `client_secret_basic`, `client_secret_post`, `none`.
    revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    /// `code`.
    response_types_supported: Vec<&'static str>,
    /// `S256`: PKCE is required of every client.
    code_challenge_methods_supported: Vec<&'static str>,
    /// The authorization response carries `iss` (RFC 9207).
    authorization_response_iss_parameter_supported: bool,
}

/// Authorization server metadata (RFC 8414).
///
/// Where to get and revoke tokens, where the keys are, and which grants and scopes
/// this server supports, for OAuth client libraries that discover them.
#[utoipa::path(
    tag = "auth",
    operation_id = "authorization_server_metadata",
    responses((status = 200, description = "The metadata.", body = ServerMetadata)),
)]
#[get("/.well-known/oauth-authorization-server")]
pub(crate) async fn authorization_server_metadata(state: web::Data<AppState>) -> HttpResponse {
    let issuer = state.tokens.settings().issuer.trim_end_matches('/').to_owned();
    let client_auth = vec!["client_secret_basic", "client_secret_post", "none"];
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, KEYS_CACHE)).json(ServerMetadata {
        authorization_endpoint: format!("{issuer}/v1/auth/authorize"),
        token_endpoint: format!("{issuer}/v1/auth/token"),
        revocation_endpoint: format!("{issuer}/v1/auth/revoke"),
        introspection_endpoint: format!("{issuer}/v1/auth/introspect"),
        jwks_uri: format!("{issuer}/.well-known/jwks.json"),
        issuer,
        grant_types_supported: vec![
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "password",
        ],
        scopes_supported: Scope::ALL.iter().map(|scope| scope.as_str()).collect(),
        token_endpoint_auth_methods_supported: client_auth.clone(),
        revocation_endpoint_auth_methods_supported: client_auth,
        response_types_supported: vec!["code"],
        code_challenge_methods_supported: vec!["S256"],
        authorization_response_iss_parameter_supported: true,
    })
}
