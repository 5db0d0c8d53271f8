//! The parameters of a token or revocation request, read from a form body (what OAuth
//! clients send) or a JSON body (accepted too).

use actix_web::HttpRequest;
use actix_web::http::header;
use serde::Deserialize;
use utoipa::ToSchema;

/// Parameters of `POST /v1/auth/token` (RFC 6749). Parameters a grant does not use
/// are ignored, as the RFC asks.
#[derive(Default, Deserialize, ToSchema)]
pub(crate) struct TokenParameters {
    /// `authorization_code`, `refresh_token`, `client_credentials`, or `password`
    /// (first-party clients only).
    #[schema(example = "authorization_code")]
    pub grant_type: Option<String>,
    /// The code from the authorization endpoint (authorization_code grant).
    pub code: Option<String>,
    /// The redirect URI the code was sent to (authorization_code grant).
    pub redirect_uri: Option<String>,
    /// The PKCE verifier whose challenge started the flow (authorization_code grant).
    pub code_verifier: Option<String>,
    /// The e-mail address (password grant).
    #[schema(example = "sam@example.org")]
    pub username: Option<String>,
    /// The password (password grant).
    #[schema(format = Password)]
    pub password: Option<String>,
    /// The refresh token (refresh_token grant).
    pub refresh_token: Option<String>,
    /// Space-separated scopes to narrow the grant to.
    #[schema(example = "goals:read goals:write profile")]
    pub scope: Option<String>,
    /// The client's id, when it authenticates in the body instead of HTTP Basic.
    pub client_id: Option<String>,
    /// The client's secret, when it authenticates in the body.
    #[schema(format = Password)]
    pub client_secret: Option<String>,
    /// The token to revoke or introspect (revocation and introspection only). A `token_type_hint` may be sent too;
    /// it is not needed.
    pub token: Option<String>,
}

/// What a client sending NUL in a parameter is told.
pub(crate) fn nul_character() -> String {
    format!("A parameter {}.", crate::middleware::nul_characters::NUL_REFUSED)
}

/// Why the body could not be read.
#[derive(Debug)]
pub(crate) enum UnreadableParameters {
    /// Neither a form nor JSON.
    ContentType,
    /// Not a valid form or JSON object.
    Malformed,
    /// A parameter holds the NUL character, which Waymark accepts in no text.
    NulCharacter,
}

/// Reads the parameters from `body` according to the request's content type.
pub(crate) fn read_parameters(
    request: &HttpRequest,
    body: &[u8],
) -> Result<TokenParameters, UnreadableParameters> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let parameters: TokenParameters = match content_type.as_str() {
        "application/x-www-form-urlencoded" => {
            serde_urlencoded::from_bytes(body).map_err(|_| UnreadableParameters::Malformed)
        }
        "application/json" => {
            serde_json::from_slice(body).map_err(|_| UnreadableParameters::Malformed)
        }
        _ => Err(UnreadableParameters::ContentType),
    }?;
    if parameters.values().any(|value| value.contains('\0')) {
        return Err(UnreadableParameters::NulCharacter);
    }
    Ok(parameters)
}

impl TokenParameters {
    /// Every parameter that was sent.
    fn values(&self) -> impl Iterator<Item = &String> {
        [
            &self.grant_type,
            &self.code,
            &self.redirect_uri,
            &self.code_verifier,
            &self.username,
            &self.password,
            &self.refresh_token,
            &self.scope,
            &self.client_id,
            &self.client_secret,
            &self.token,
        ]
        .into_iter()
        .flatten()
    }
}

/// Treats empty parameters as absent, as form-encoding clients often send them.
pub(crate) fn present(value: Option<&String>) -> Option<&str> {
    value.map(String::as_str).filter(|value| !value.is_empty())
}

crate::redacted::redacted_debug!(TokenParameters);
