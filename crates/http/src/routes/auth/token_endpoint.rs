//! `POST /v1/auth/token`: the OAuth 2.0 token endpoint (RFC 6749), for the
//! `password`, `refresh_token` and `client_credentials` grants.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::TimeDelta;
use serde::Serialize;
use utoipa::ToSchema;
use waymark_domain::identity::ports::{NewRefreshToken, RefreshGrant, Rotation};
use waymark_domain::identity::secret::{OpaqueSecret, SecretDigest};
use waymark_domain::identity::{Account, ApiClient, ClientId, Email, PasswordHash, ScopeSet};

use super::client_authentication::{ClientCredentials, presented_credentials, verify_client};
use super::oauth_error::{OAuthError, OAuthErrorCode, invalid_client, oauth_error};
use super::token_request::{
    TokenParameters, UnreadableParameters, nul_character, present, read_parameters,
};
use crate::error::ApiError;
use crate::problem::Problem;
use crate::state::AppState;

/// Prefix of refresh tokens, so a leaked one is recognisable.
const REFRESH_TOKEN_PREFIX: &str = "wmr_";

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
    let client = match presented_credentials(&request, &parameters) {
        ClientCredentials::None => None,
        ClientCredentials::Malformed => {
            return Ok(oauth_error(
                OAuthErrorCode::InvalidRequest,
                "Authenticate the client once: with HTTP Basic or with client_id and client_secret in the body.",
            ));
        }
        ClientCredentials::Presented { id, secret, via_header } => {
            match verify_client(&state, &id, &secret).await? {
                Some(client) => Some(client),
                None => {
                    return Ok(invalid_client("The client credentials are not right.", via_header));
                }
            }
        }
    };
    let requested = match present(parameters.scope.as_ref()).map(ScopeSet::parse).transpose() {
        Ok(requested) => requested,
        Err(unknown) => {
            return Ok(oauth_error(OAuthErrorCode::InvalidScope, unknown.to_string()));
        }
    };
    match present(parameters.grant_type.as_ref()) {
        Some("password") => password_grant(&state, &parameters, client, requested).await,
        Some("refresh_token") => refresh_grant(&state, &parameters, client, requested).await,
        Some("client_credentials") => client_credentials_grant(&state, client, requested),
        Some(_) => Ok(oauth_error(
            OAuthErrorCode::UnsupportedGrantType,
            "Supported grants: password, refresh_token, client_credentials.",
        )),
        None => Ok(oauth_error(OAuthErrorCode::InvalidRequest, "grant_type is required.")),
    }
}

/// The scopes to grant: what was asked for, which must be within `allowed`, or all
/// of `allowed` when nothing was asked for. `None` when the request asks for more.
fn narrow(requested: Option<ScopeSet>, allowed: &ScopeSet) -> Option<ScopeSet> {
    match requested {
        None => Some(allowed.clone()),
        Some(requested) if requested.is_subset(allowed) && !requested.is_empty() => Some(requested),
        Some(_) => None,
    }
}

fn scope_too_wide(allowed: &ScopeSet) -> HttpResponse {
    oauth_error(OAuthErrorCode::InvalidScope, format!("The scopes you may ask for are: {allowed}."))
}

async fn password_grant(
    state: &AppState,
    parameters: &TokenParameters,
    client: Option<ApiClient>,
    requested: Option<ScopeSet>,
) -> Result<HttpResponse, ApiError> {
    let (Some(username), Some(password)) =
        (present(parameters.username.as_ref()), present(parameters.password.as_ref()))
    else {
        return Ok(oauth_error(
            OAuthErrorCode::InvalidRequest,
            "username and password are required.",
        ));
    };
    let wrong = || {
        oauth_error(OAuthErrorCode::InvalidGrant, "The e-mail address or password is not right.")
    };
    let Ok(email) = Email::parse(username) else {
        return Ok(wrong());
    };
    let policy = state.settings.sign_in_lockout;
    let now = waymark_domain::time::now();
    // Counted before the password is checked, so concurrent guesses are limited too.
    if let Some(wait) = state.ports.sign_in_throttle.count_attempt(&email, policy, now).await? {
        return Err(too_many(wait));
    }

    let found = state.ports.accounts.find_for_sign_in(&email).await?;
    // Verify against a decoy when no account matches, so both cases take as long.
    let (account, hash) = match found {
        Some((account, hash)) => (Some(account), hash),
        None => (None, PasswordHash::decoy().clone()),
    };
    let candidate = password.to_owned();
    let verified = state.password_work.run(move || hash.verify(&candidate)).await?;
    let Some(account) = account.filter(|_| verified) else {
        return Ok(wrong());
    };
    state.ports.sign_in_throttle.clear(&email).await?;

    // Through an API client, never more than that client may hold.
    let allowed = match &client {
        Some(client) => account.role.allowed_scopes().intersection(&client.scopes),
        None => account.role.allowed_scopes(),
    };
    let Some(scopes) = narrow(requested, &allowed) else {
        return Ok(scope_too_wide(&allowed));
    };
    let grant = RefreshGrant {
        account_id: account.id,
        client_id: client.map(|client| client.id),
        scopes,
        token_epoch: account.token_epoch,
    };
    let refresh_token = OpaqueSecret::generate(REFRESH_TOKEN_PREFIX)
        .map_err(|error| ApiError::Internal(error.into()))?;
    state
        .ports
        .refresh_tokens
        .issue(NewRefreshToken {
            digest: refresh_token.digest(),
            grant: grant.clone(),
            expires_at: refresh_expiry(state),
        })
        .await?;
    tokens_for(state, &account, &grant, Some(refresh_token))
}

async fn refresh_grant(
    state: &AppState,
    parameters: &TokenParameters,
    client: Option<ApiClient>,
    requested: Option<ScopeSet>,
) -> Result<HttpResponse, ApiError> {
    let Some(presented) = present(parameters.refresh_token.as_ref()) else {
        return Ok(oauth_error(OAuthErrorCode::InvalidRequest, "refresh_token is required."));
    };
    let invalid = || {
        oauth_error(
            OAuthErrorCode::InvalidGrant,
            "The refresh token is not valid. Please sign in again.",
        )
    };
    let digest = SecretDigest::of(presented);
    let now = waymark_domain::time::now();
    // Check the request against the token before spending it: a refused request
    // (another client, too wide a scope) must leave the token usable (RFC 6749 5.2).
    if let Some(grant) = state.ports.refresh_tokens.find_usable(&digest, now).await?
        && let Err(refusal) =
            refreshed_scopes(state, &grant, client.as_ref(), requested.clone()).await?
    {
        return Ok(refusal);
    }
    let replacement = OpaqueSecret::generate(REFRESH_TOKEN_PREFIX)
        .map_err(|error| ApiError::Internal(error.into()))?;
    let rotation = state
        .ports
        .refresh_tokens
        .rotate(&digest, &replacement.digest(), refresh_expiry(state), now)
        .await?;
    let grant = match rotation {
        Rotation::Rotated(grant) => grant,
        Rotation::Reused { account_id } => {
            tracing::warn!(
                target: "security",
                account_id = %account_id,
                "a spent refresh token was presented again; every token of its sign-in is revoked"
            );
            return Ok(invalid());
        }
        Rotation::Invalid => return Ok(invalid()),
    };
    match refreshed_scopes(state, &grant, client.as_ref(), requested).await? {
        Ok((account, scopes)) => {
            let grant = RefreshGrant { scopes, ..grant };
            tokens_for(state, &account, &grant, Some(replacement))
        }
        Err(refusal) => Ok(refusal),
    }
}

/// The account and scopes a refresh of `grant` yields, or the OAuth refusal: the
/// client must be the one the token was issued to, the account must still exist,
/// and the scopes are what the grant and the account's current role both allow
/// (narrowed to `requested`).
async fn refreshed_scopes(
    state: &AppState,
    grant: &RefreshGrant,
    client: Option<&ApiClient>,
    requested: Option<ScopeSet>,
) -> Result<Result<(Account, ScopeSet), HttpResponse>, ApiError> {
    if client.map(|client| client.id) != grant.client_id {
        return Ok(Err(oauth_error(
            OAuthErrorCode::InvalidGrant,
            "This refresh token belongs to another client, or its client must authenticate.",
        )));
    }
    let Some(account) = state.ports.accounts.get(grant.account_id).await? else {
        return Ok(Err(oauth_error(
            OAuthErrorCode::InvalidGrant,
            "The refresh token is not valid. Please sign in again.",
        )));
    };
    // A role may have shrunk since the sign-in; never grant more than it allows now.
    let still_allowed = grant.scopes.intersection(&account.role.allowed_scopes());
    match narrow(requested, &still_allowed) {
        Some(scopes) => Ok(Ok((account, scopes))),
        None => Ok(Err(scope_too_wide(&still_allowed))),
    }
}

fn client_credentials_grant(
    state: &AppState,
    client: Option<ApiClient>,
    requested: Option<ScopeSet>,
) -> Result<HttpResponse, ApiError> {
    let Some(client) = client else {
        return Ok(invalid_client("client_credentials needs the client's id and secret.", false));
    };
    let Some(scopes) = narrow(requested, &client.scopes) else {
        return Ok(scope_too_wide(&client.scopes));
    };
    let access_token = state
        .tokens
        .issue_for_client(client.id, &scopes)
        .map_err(|error| ApiError::Internal(error.into()))?;
    Ok(token_response(state, access_token, None, &scopes))
}

fn tokens_for(
    state: &AppState,
    account: &Account,
    grant: &RefreshGrant,
    refresh: Option<OpaqueSecret>,
) -> Result<HttpResponse, ApiError> {
    let client: Option<ClientId> = grant.client_id;
    let access_token = state
        .tokens
        .issue_for_account(account, &grant.scopes, client)
        .map_err(|error| ApiError::Internal(error.into()))?;
    Ok(token_response(
        state,
        access_token,
        refresh.map(|secret| secret.expose().to_owned()),
        &grant.scopes,
    ))
}

fn token_response(
    state: &AppState,
    access_token: String,
    refresh_token: Option<String>,
    scopes: &ScopeSet,
) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: state.tokens.settings().access_token_lifetime.as_secs(),
            refresh_token,
            scope: scopes.to_string(),
        })
}

fn refresh_expiry(state: &AppState) -> waymark_domain::time::Instant {
    let lifetime = TimeDelta::from_std(state.tokens.settings().refresh_token_lifetime)
        .unwrap_or(TimeDelta::days(30));
    waymark_domain::time::now() + lifetime
}

fn too_many(wait: Duration) -> ApiError {
    ApiError::TooManyRequests { retry_after_seconds: wait.as_secs().max(1) }
}

crate::redacted::redacted_debug!(TokenResponse);
