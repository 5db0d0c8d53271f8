//! `POST /v1/auth/revoke`: token revocation (RFC 7009).

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::DateTime;
use waymark_application::grants::{self, AccessTokenRevocation};
use waymark_domain::identity::ClientId;
use waymark_domain::identity::ports::Revocation;

use super::client_authentication::requesting_client;
use super::oauth_error::{OAuthError, OAuthErrorCode, oauth_error};
use super::token_request::{
    TokenParameters, UnreadableParameters, nul_character, present, read_parameters,
};
use crate::auth::TokenIssuer;
use crate::auth::tokens::TokenSubject;
use crate::error::ApiError;

use crate::state::AppState;

/// Revokes a token.
///
/// Send `token` (form-encoded or JSON). A refresh token ends its sign-in: it stops
/// working with every refresh token descended from the same sign-in, and the access
/// tokens issued from them (their `sid` claim) are refused from their next request, on
/// every server instance. A person's access token (their own, or one an app
/// holds for them) stops working from its next request, on every server instance. As
/// RFC 7009 asks, the answer is 200 whether or not the token was known. A client may
/// revoke only the tokens issued to it. An API client's own access token (client
/// credentials) cannot be revoked: it expires within minutes, and disabling the client
/// stops it at once.
#[utoipa::path(
    tag = "auth",
    operation_id = "revoke_token",
    request_body(content(
        (TokenParameters = "application/x-www-form-urlencoded"),
        (TokenParameters = "application/json"),
    )),
    responses(
        (status = 200, description = "The token, if it was one of ours, no longer works."),
        (status = 400, description = "`invalid_request`: no token was sent; `unauthorized_client`: the token belongs to another client; `unsupported_token_type`: an API client's own access token.", body = OAuthError),
        (status = 401, description = "`invalid_client`: client credentials were sent but are wrong.", body = OAuthError),
    ),
)]
#[post("/v1/auth/revoke")]
pub(crate) async fn revoke(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parameters: TokenParameters = match read_parameters(&request, &body) {
        Ok(parameters) => parameters,
        Err(UnreadableParameters::ContentType | UnreadableParameters::Malformed) => {
            return Ok(oauth_error(
                OAuthErrorCode::InvalidRequest,
                "Send `token` form-encoded or as JSON.",
            ));
        }
        Err(UnreadableParameters::NulCharacter) => {
            return Ok(oauth_error(OAuthErrorCode::InvalidRequest, nul_character()));
        }
    };
    let client =
        match requesting_client(&state, &request, &parameters, "Authenticate the client once.")
            .await?
        {
            Ok(client) => client.map(|client| client.id),
            Err(refused) => return Ok(refused),
        };
    let Some(token) = present(parameters.token.as_ref()) else {
        return Ok(oauth_error(OAuthErrorCode::InvalidRequest, "token is required."));
    };
    let revoked = match state.tokens.verify(token) {
        Ok(claims) => {
            let Ok(TokenSubject::Account(account)) = TokenIssuer::subject_of(&claims) else {
                return Ok(oauth_error(
                    OAuthErrorCode::UnsupportedTokenType,
                    "An API client's own access token cannot be revoked; it expires within minutes.",
                ));
            };
            let access_token = AccessTokenRevocation {
                account,
                token_id: &claims.jti,
                expires_at: DateTime::from_timestamp(claims.exp, 0)
                    .unwrap_or(DateTime::<chrono::Utc>::MAX_UTC),
                issued_to: claims.client_id.as_deref().and_then(ClientId::parse),
            };
            grants::revoke_access_token(&state.ports, access_token, client).await?
        }
        Err(_) => {
            let now = waymark_domain::time::now();
            let lifetime = state.tokens.access_token_lifetime();
            grants::revoke(&state.ports, token, client, (now, lifetime)).await?
        }
    };
    match revoked {
        Revocation::Revoked | Revocation::Unknown => Ok(HttpResponse::Ok().finish()),
        // RFC 7009 2.1: a client may revoke only its own tokens.
        Revocation::OtherClient => Ok(oauth_error(
            OAuthErrorCode::UnauthorizedClient,
            "This token was issued to another client; that client must revoke it.",
        )),
    }
}
