//! RFC 6749 section 5.2 error bodies, which OAuth client libraries expect from the
//! token endpoint instead of problem+json.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use serde::Serialize;
use utoipa::ToSchema;

use crate::middleware::problem_completion::NotAProblem;

/// An OAuth 2.0 error answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OAuthError {
    /// The RFC 6749 error code.
    #[schema(example = "invalid_grant")]
    error: &'static str,
    /// What went wrong, for the developer.
    #[schema(example = "The e-mail address or password is not right.")]
    error_description: String,
}

/// The error codes Waymark uses, with their status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedTokenType,
}

impl OAuthErrorCode {
    fn name(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidScope => "invalid_scope",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedTokenType => "unsupported_token_type",
        }
    }
}

/// The response for `code`, left untouched by the problem middleware.
pub(crate) fn oauth_error(code: OAuthErrorCode, description: impl Into<String>) -> HttpResponse {
    build(code, description.into(), false)
}

/// `invalid_client`. When the client authenticated with HTTP Basic, RFC 6749 asks for
/// a `WWW-Authenticate: Basic` challenge; otherwise none is sent, so browsers do not
/// pop up their own sign-in prompt.
pub(crate) fn invalid_client(description: impl Into<String>, challenge: bool) -> HttpResponse {
    build(OAuthErrorCode::InvalidClient, description.into(), challenge)
}

fn build(code: OAuthErrorCode, description: String, challenge: bool) -> HttpResponse {
    let status = if code == OAuthErrorCode::InvalidClient {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if challenge {
        response.insert_header((
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Basic realm="waymark""#),
        ));
    }
    let mut response =
        response.json(OAuthError { error: code.name(), error_description: description });
    response.extensions_mut().insert(NotAProblem);
    response
}
