//! `POST /v1/auth/introspect`: token introspection (RFC 7662), for a confidential
//! client asking whether a token it holds, or was sent, still works and what it may do.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use waymark_application::grants;

use super::client_authentication::{ClientCredentials, presented_credentials};
use super::oauth_error::{OAuthError, OAuthErrorCode, invalid_client, oauth_error};
use super::token_request::{
    TokenParameters, UnreadableParameters, nul_character, present, read_parameters,
};
use crate::auth::sessions;
use crate::error::ApiError;
use crate::state::AppState;

/// What a token is (RFC 7662 section 2.2). An inactive token is `{"active": false}`
/// and nothing more.
#[derive(Debug, Default, Serialize, ToSchema)]
pub(crate) struct IntrospectionResponse {
    /// Whether the token works now.
    active: bool,
    /// Its scopes, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    /// The client it was issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    /// Whom it speaks for: an account's id, or the client's for its own token.
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    /// `access_token` or `refresh_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'static str>,
    /// When it expires (Unix seconds; access tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
    /// When it was issued (Unix seconds; access tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
    /// Who issued it (access tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<String>,
}

/// Whether a token works, and what it may do.
///
/// For confidential clients, which authenticate (HTTP Basic, or `client_id` and
/// `client_secret` in the body). Send `token`: an access token or a refresh token. A
/// token issued to another client, or one that is expired, revoked, spent, or whose
/// person ended their sessions or took back their consent, is `{"active": false}`, so
/// a client learns nothing about anyone else's tokens.
#[utoipa::path(
    tag = "auth",
    operation_id = "introspect_token",
    request_body(content(
        (TokenParameters = "application/x-www-form-urlencoded"),
        (TokenParameters = "application/json"),
    )),
    responses(
        (status = 200, description = "What the token is.", body = IntrospectionResponse),
        (status = 400, description = "`invalid_request`: no token was sent.", body = OAuthError),
        (status = 401, description = "`invalid_client`: the client did not authenticate, or not rightly.", body = OAuthError),
    ),
)]
#[post("/v1/auth/introspect")]
pub(crate) async fn introspect(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parameters = match read_parameters(&request, &body) {
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
    let ClientCredentials::Presented { id, secret, via_header } =
        presented_credentials(&request, &parameters)
    else {
        return Ok(invalid_client(
            "Introspection is for confidential clients: authenticate with the client's id and secret.",
            false,
        ));
    };
    let Some(client) = grants::authenticate_client(&state.ports, &id, &secret).await? else {
        return Ok(invalid_client("The client credentials are not right.", via_header));
    };
    let Some(token) = present(parameters.token.as_ref()) else {
        return Ok(oauth_error(OAuthErrorCode::InvalidRequest, "token is required."));
    };
    let own = client.id.to_string();
    let mut answer = IntrospectionResponse::default();
    if let Ok(claims) = state.tokens.verify(token) {
        let live = match claims.client_id.as_deref() == Some(own.as_str()) {
            true => sessions::live_scopes(&state, &claims).await?,
            false => None,
        };
        if let Some(scopes) = live {
            answer = IntrospectionResponse {
                active: true,
                scope: Some(scopes.to_string()),
                client_id: Some(own),
                sub: Some(claims.sub.clone()),
                token_type: Some("access_token"),
                exp: Some(claims.exp),
                iat: Some(claims.iat),
                iss: Some(claims.iss.clone()),
            };
        }
    } else if let Some(grant) = grants::introspect_refresh_token(&state.ports, token).await?
        && grant.client_id == Some(client.id)
    {
        answer = IntrospectionResponse {
            active: true,
            scope: Some(grant.scopes.to_string()),
            client_id: Some(own),
            sub: Some(grant.account_id.to_string()),
            token_type: Some("refresh_token"),
            ..IntrospectionResponse::default()
        };
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(answer))
}
