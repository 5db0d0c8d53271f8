//! `POST /v1/auth/revoke`: token revocation (RFC 7009).

use actix_web::{HttpRequest, HttpResponse, post, web};
use waymark_application::grants;
use waymark_domain::identity::ports::Revocation;

use super::client_authentication::requesting_client;
use super::oauth_error::{OAuthError, OAuthErrorCode, oauth_error};
use super::token_request::{
    TokenParameters, UnreadableParameters, nul_character, present, read_parameters,
};
use crate::error::ApiError;

use crate::state::AppState;

/// Revokes a refresh token, and every token descended from the same sign-in.
///
/// Send `token` (form-encoded or JSON). As RFC 7009 asks, the answer is 200 whether
/// or not the token was known. Access tokens cannot be revoked: they expire within
/// minutes.
#[utoipa::path(
    tag = "auth",
    operation_id = "revoke_token",
    request_body(content(
        (TokenParameters = "application/x-www-form-urlencoded"),
        (TokenParameters = "application/json"),
    )),
    responses(
        (status = 200, description = "The token, if it was a refresh token, no longer works."),
        (status = 400, description = "`invalid_request`: no token was sent; `unauthorized_client`: the token belongs to another client.", body = OAuthError),
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
    match grants::revoke(&state.ports, token, client).await? {
        Revocation::Revoked | Revocation::Unknown => Ok(HttpResponse::Ok().finish()),
        // RFC 7009 2.1: a client may revoke only its own tokens.
        Revocation::OtherClient => Ok(oauth_error(
            OAuthErrorCode::UnauthorizedClient,
            "This token was issued to another client; that client must revoke it.",
        )),
    }
}
