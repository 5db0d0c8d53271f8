//! `POST /v1/auth/token`: the OAuth 2.0 token endpoint (RFC 6749), for the
//! `password`, `refresh_token` and `client_credentials` grants.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::TimeDelta;
use serde::Serialize;
use utoipa::ToSchema;
use waymark_application::grants::{self, GrantError, GrantPolicy, Granted};
use waymark_domain::identity::{Scope, ScopeSet};

use super::client_authentication::requesting_client;
use super::oauth_error::{OAuthError, OAuthErrorCode, invalid_client, oauth_error};
use super::token_request::{
    TokenParameters, UnreadableParameters, nul_character, present, read_parameters,
};
use crate::auth::IssuedUnder;
use crate::error::ApiError;
use crate::problem::Problem;
use crate::state::AppState;

/// A successful token response (RFC 6749 section 5.1).
#[derive(Serialize, ToSchema)]
pub(crate) struct TokenResponse {
    /// The access token, a JWT to send as `Authorization: Bearer <token>`.
    access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    expires_in: u64,
    /// A refresh token for the next access token (not for `client_credentials`).
    /// It can be used once: each use returns a new one.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    /// The scopes granted, space-separated.
    #[schema(example = "goals:read goals:write profile")]
    scope: String,
    /// SMART App Launch: the person whose record the app opens (their id, the FHIR
    /// `Patient` id), when the token carries `launch/patient`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 36, format = Uuid)]
    patient: Option<String>,
}

/// Exchanges credentials for tokens.
///
/// Takes a form-encoded body (`application/x-www-form-urlencoded`, as OAuth client
/// libraries send) or JSON. Grants:
///
/// - `password`: `username` (the e-mail address) and `password`. A wrong password and
///   an unknown address get the same answer in the same time. After repeated failures
///   an address must wait (429 with `Retry-After`), on every server instance.
/// - `refresh_token`: `refresh_token`. Each refresh token works once and the answer
///   carries its replacement; presenting a spent one revokes every token descended
///   from the same sign-in.
/// - `client_credentials`: for registered API clients, authenticated with HTTP Basic
///   (`client_id:client_secret`) or `client_id` and `client_secret` in the body.
///
/// `scope` narrows what is granted; it may not widen it. Errors follow RFC 6749
/// section 5.2 (`{"error": "invalid_grant", "error_description": "..."}`), not
/// problem+json, except 429 and 503.
#[utoipa::path(
    tag = "auth",
    operation_id = "issue_token",
    request_body(content(
        (TokenParameters = "application/x-www-form-urlencoded"),
        (TokenParameters = "application/json"),
    )),
    responses(
        (status = 200, description = "Tokens issued.", body = TokenResponse,
            headers(("Cache-Control" = String, description = "Always `no-store`."))),
        (status = 400, description = "`invalid_request`, `invalid_grant`, `invalid_scope` or `unsupported_grant_type`.", body = OAuthError),
        (status = 401, description = "`invalid_client`: the client credentials are wrong.", body = OAuthError),
        (status = 429, description = "Too many attempts; `Retry-After` says when to try again.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/auth/token")]
pub(crate) async fn token(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parameters = match read_parameters(&request, &body) {
        Ok(parameters) => parameters,
        Err(UnreadableParameters::ContentType) => {
            return Ok(oauth_error(
                OAuthErrorCode::InvalidRequest,
                "Send the parameters as application/x-www-form-urlencoded (or application/json).",
            ));
        }
        Err(UnreadableParameters::Malformed) => {
            return Ok(oauth_error(
                OAuthErrorCode::InvalidRequest,
                "The request body could not be read.",
            ));
        }
        Err(UnreadableParameters::NulCharacter) => {
            return Ok(oauth_error(OAuthErrorCode::InvalidRequest, nul_character()));
        }
    };
    let malformed = "Authenticate the client once: with HTTP Basic or with client_id and client_secret in the body.";
    let client = match requesting_client(&state, &request, &parameters, malformed).await? {
        Ok(client) => client,
        Err(refused) => return Ok(refused),
    };
    let requested = match present(parameters.scope.as_ref()).map(ScopeSet::parse).transpose() {
        Ok(requested) => requested,
        Err(unknown) => {
            return Ok(oauth_error(OAuthErrorCode::InvalidScope, unknown.to_string()));
        }
    };
    let policy = GrantPolicy {
        refresh_token_lifetime: TimeDelta::from_std(state.tokens.settings().refresh_token_lifetime)
            .unwrap_or(TimeDelta::days(30)),
        access_token_lifetime: state.tokens.access_token_lifetime(),
        lockout: state.settings.sign_in_lockout,
        now: waymark_domain::time::now(),
        password_grant: state.settings.password_grant,
    };
    let client = client.as_ref();
    let granted = match present(parameters.grant_type.as_ref()) {
        Some("password") => {
            let (Some(username), Some(password)) =
                (present(parameters.username.as_ref()), present(parameters.password.as_ref()))
            else {
                return Ok(required("username and password are required."));
            };
            let credentials = (username, password.to_owned());
            let passwords = &*state.password_work;
            grants::password(&state.ports, passwords, policy, client, credentials, requested).await
        }
        Some("refresh_token") => {
            let Some(presented) = present(parameters.refresh_token.as_ref()) else {
                return Ok(required("refresh_token is required."));
            };
            grants::refresh(&state.ports, policy, client, presented, requested).await
        }
        Some("client_credentials") => grants::client_credentials(client, requested),
        Some("authorization_code") => {
            let Some(code) = present(parameters.code.as_ref()) else {
                return Ok(required("code is required."));
            };
            let redirect_uri = present(parameters.redirect_uri.as_ref());
            let verifier = present(parameters.code_verifier.as_ref());
            grants::authorization_code(&state.ports, policy, client, (code, redirect_uri, verifier))
                .await
        }
        Some(_) => {
            return Ok(oauth_error(
                OAuthErrorCode::UnsupportedGrantType,
                "Supported grants: authorization_code, refresh_token, client_credentials, password.",
            ));
        }
        None => return Ok(required("grant_type is required.")),
    };
    match granted {
        Ok(granted) => token_response(&state, granted),
        Err(refused) => refusal(refused),
    }
}

fn required(description: &'static str) -> HttpResponse {
    oauth_error(OAuthErrorCode::InvalidRequest, description)
}

/// The OAuth error (RFC 6749 section 5.2) for a refused grant.
fn refusal(refused: GrantError) -> Result<HttpResponse, ApiError> {
    match refused {
        GrantError::InvalidGrant(description) => {
            Ok(oauth_error(OAuthErrorCode::InvalidGrant, description))
        }
        GrantError::ScopeTooWide { allowed } => Ok(oauth_error(
            OAuthErrorCode::InvalidScope,
            format!("The scopes you may ask for are: {allowed}."),
        )),
        GrantError::ClientRequired(description) => Ok(invalid_client(description, false)),
        GrantError::UnauthorizedClient(description) => {
            Ok(oauth_error(OAuthErrorCode::UnauthorizedClient, description))
        }
        GrantError::GrantSwitchedOff(description) => {
            Ok(oauth_error(OAuthErrorCode::UnsupportedGrantType, description))
        }
        GrantError::TooManyAttempts { wait } => {
            Err(ApiError::TooManyRequests { retry_after_seconds: wait.as_secs().max(1) })
        }
        GrantError::SpentTokenReused { account } => {
            tracing::warn!(
                target: "security",
                account_id = %account,
                "a spent refresh token was presented again; every token of its sign-in is revoked"
            );
            Ok(oauth_error(
                OAuthErrorCode::InvalidGrant,
                "The refresh token is not valid. Please sign in again.",
            ))
        }
        GrantError::Store(error) => Err(error.into()),
    }
}

/// The tokens for what was granted: an access token signed here, and the refresh
/// token the grant made, shown this once.
fn token_response(state: &AppState, granted: Granted) -> Result<HttpResponse, ApiError> {
    let (access_token, refresh_token, scopes, patient) = match granted {
        Granted::Person { account, client, scopes, grant, sign_in, refresh_token } => {
            let under = IssuedUnder { client, grant, sign_in: Some(sign_in) };
            let access = state.tokens.issue_for_account(&account, &scopes, under);
            let patient = scopes.contains(Scope::LaunchPatient).then(|| account.id.to_string());
            (access, Some(refresh_token.expose().to_owned()), scopes, patient)
        }
        Granted::Client { client, scopes } => {
            (state.tokens.issue_for_client(client, &scopes), None, scopes, None)
        }
    };
    let access_token = access_token.map_err(|error| ApiError::Internal(error.into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: state.tokens.settings().access_token_lifetime.as_secs(),
            refresh_token,
            scope: scopes.to_string(),
            patient,
        }))
}

crate::redacted::redacted_debug!(TokenResponse);
