//! Where a token request says which client it comes from: HTTP Basic or body
//! parameters (RFC 6749 section 2.3.1), or `client_id` alone for a public client.
//! Checking what was presented is `grants::authenticate_client`.

use actix_web::HttpRequest;
use actix_web::http::header;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use actix_web::HttpResponse;
use waymark_application::grants;
use waymark_domain::identity::ApiClient;

use super::oauth_error::{OAuthErrorCode, invalid_client, oauth_error};
use super::token_request::{TokenParameters, present};
use crate::error::ApiError;
use crate::state::AppState;

/// What the request says about client authentication.
pub(crate) enum ClientCredentials {
    /// No client authenticated (a public client, such as a mobile app).
    None,
    /// A client id and secret, from one place only.
    Presented {
        id: String,
        secret: String,
        /// Sent with HTTP Basic, so a refusal must carry `WWW-Authenticate`.
        via_header: bool,
    },
    /// A client named by `client_id` alone, as a public client (which has no secret)
    /// names itself.
    Named { id: String },
    /// Malformed, or sent both ways at once.
    Malformed,
}

/// Finds the client credentials in the `Authorization` header or the body.
pub(crate) fn presented_credentials(
    request: &HttpRequest,
    parameters: &TokenParameters,
) -> ClientCredentials {
    let basic = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, encoded)| encoded.trim().to_owned());
    let in_body = present(parameters.client_secret.as_ref()).is_some();
    match (basic, in_body) {
        (Some(_), true) => ClientCredentials::Malformed,
        // Swagger UI sends `Basic Og==` (an empty id and secret) when no client is
        // configured; that is a public client, not a failed client login.
        (Some(encoded), false) => match decode_basic(&encoded) {
            Some((id, secret)) if id.is_empty() && secret.is_empty() => ClientCredentials::None,
            Some((id, secret)) => ClientCredentials::Presented { id, secret, via_header: true },
            None => ClientCredentials::Malformed,
        },
        (None, true) => match present(parameters.client_id.as_ref()) {
            Some(id) => ClientCredentials::Presented {
                id: id.to_owned(),
                secret: parameters.client_secret.clone().unwrap_or_default(),
                via_header: false,
            },
            None => ClientCredentials::Malformed,
        },
        (None, false) => match present(parameters.client_id.as_ref()) {
            Some(id) => ClientCredentials::Named { id: id.to_owned() },
            None => ClientCredentials::None,
        },
    }
}

/// `base64(urlencode(id) ":" urlencode(secret))`.
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let decoded = STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |part: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={part}"))
            .ok()
            .and_then(|mut pairs| pairs.pop())
            .map(|(_, value)| value)
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// The answer to a `client_id` without a secret that names no enabled public client.
const UNKNOWN_PUBLIC_CLIENT: &str =
    "No such public client; a confidential client must send its secret.";

/// The client a token or revocation request comes from, checked: `Ok(None)` when it
/// names none, `Err(answer)` with the OAuth refusal (RFC 6749 section 5.2) when what
/// it presented is malformed (worded by `malformed`), wrong, or names no enabled
/// client.
pub(crate) async fn requesting_client(
    state: &AppState,
    request: &HttpRequest,
    parameters: &TokenParameters,
    malformed: &'static str,
) -> Result<Result<Option<ApiClient>, HttpResponse>, ApiError> {
    Ok(match presented_credentials(request, parameters) {
        ClientCredentials::None => Ok(None),
        ClientCredentials::Malformed => Err(oauth_error(OAuthErrorCode::InvalidRequest, malformed)),
        ClientCredentials::Presented { id, secret, via_header } => {
            grants::authenticate_client(&state.ports, &id, &secret)
                .await?
                .map(Some)
                .ok_or_else(|| invalid_client("The client credentials are not right.", via_header))
        }
        // A `client_id` alone must name an enabled public client: a confidential one
        // must send its secret, and a disabled or unknown one is refused.
        ClientCredentials::Named { id } => grants::identify_public_client(&state.ports, &id)
            .await?
            .map(Some)
            .ok_or_else(|| invalid_client(UNKNOWN_PUBLIC_CLIENT, false)),
    })
}

crate::redacted::redacted_debug!(ClientCredentials);
