//! The one error type of the HTTP layer. Every failure, including actix's own, becomes
//! an [`ApiError`], and this file alone decides its status and problem+json body.
//! 5xx causes are logged in full and never shown to the client.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use waymark_domain::health::StorageUnavailable;

use crate::problem::{FieldError, PROBLEM_JSON, Problem};

/// Seconds a client is asked to wait before retrying a 503.
const RETRY_AFTER_SECONDS: &str = "5";

/// Everything an endpoint can answer instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No such resource, or one that belongs to someone else.
    #[error("not found")]
    NotFound,
    /// The path exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// Methods the path does accept, for the `Allow` header.
        allow: Vec<String>,
    },
    /// A bad query parameter, header or cursor.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The body is not JSON, or is too deeply nested.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// Well-formed JSON that breaks a rule; one entry per field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The body's `Content-Type` is not one this endpoint reads.
    #[error("unsupported media type")]
    UnsupportedMediaType {
        /// What the endpoint accepts.
        expected: &'static str,
    },
    /// The body is larger than allowed.
    #[error("payload too large")]
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Storage did not answer; the client should retry later.
    #[error("storage unavailable")]
    StorageUnavailable(#[source] StorageUnavailable),
    /// The request took longer than the configured limit.
    #[error("request timed out")]
    Timeout,
    /// A bug. The cause is logged with the request id; the client sees generic text.
    #[error("unexpected error")]
    Internal(#[source] anyhow::Error),
}

impl From<StorageUnavailable> for ApiError {
    fn from(error: StorageUnavailable) -> Self {
        Self::StorageUnavailable(error)
    }
}

impl ApiError {
    /// The problem body this error is answered with (without `instance` and
    /// `request_id`, which the problem middleware adds).
    #[must_use]
    pub fn problem(&self) -> Problem {
        let status = self.status_code().as_u16();
        match self {
            Self::NotFound => Problem::new("not-found", "Not found", status)
                .with_detail("There is nothing at this address, or it is not yours to see."),
            Self::MethodNotAllowed { allow } => {
                Problem::new("method-not-allowed", "Method not allowed", status).with_detail(
                    format!("This address accepts {}.", allow.join(", ")),
                )
            }
            Self::BadRequest(detail) => {
                Problem::new("bad-request", "Bad request", status).with_detail(detail.clone())
            }
            Self::MalformedJson(detail) => {
                Problem::new("malformed-json", "Request body is not valid JSON", status)
                    .with_detail(detail.clone())
            }
            Self::Validation(errors) => {
                let detail = match errors.len() {
                    1 => "1 field is invalid".to_owned(),
                    count => format!("{count} fields are invalid"),
                };
                let mut problem =
                    Problem::new("validation-failed", "Request body failed validation", status)
                        .with_detail(detail);
                problem.errors.clone_from(errors);
                problem
            }
            Self::UnsupportedMediaType { expected } => Problem::new(
                "unsupported-media-type",
                "Unsupported media type",
                status,
            )
            .with_detail(format!("Send the body as {expected}.")),
            Self::PayloadTooLarge { limit } => {
                Problem::new("payload-too-large", "Request body is too large", status)
                    .with_detail(format!("The body may be at most {limit} bytes."))
            }
            Self::StorageUnavailable(_) => Problem::new(
                "service-unavailable",
                "Service temporarily unavailable",
                status,
            )
            .with_detail("Waymark cannot reach its database right now. Please try again shortly."),
            Self::Timeout => Problem::new("timeout", "Request took too long", status)
                .with_detail("The request did not finish in time. Please try again shortly."),
            Self::Internal(_) => Problem::new("internal-error", "Something went wrong", status)
                .with_detail("An unexpected error occurred. It has been logged; quote the request id if you report it."),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadRequest(_) | Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::StorageUnavailable(_) | Self::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "unexpected error"),
            Self::StorageUnavailable(cause) => {
                tracing::warn!(error = %CauseChain(cause), "storage unavailable");
            }
            Self::Timeout => tracing::warn!("request timed out"),
            _ => {}
        }
        let problem = self.problem();
        let mut response = problem_response(problem);
        let headers = response.headers_mut();
        match self {
            Self::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, value);
                }
            }
            Self::StorageUnavailable(_) | Self::Timeout => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECONDS),
                );
            }
            _ => {}
        }
        response
    }
}

/// Builds the response for `problem`, keeping the problem in the response's
/// extensions so the problem middleware can add `instance` and `request_id`.
#[must_use]
pub fn problem_response(problem: Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .body(body);
    response.extensions_mut().insert(problem);
    response
}

/// Displays an error with its whole `source` chain, for logs.
#[derive(Debug)]
struct CauseChain<'a>(&'a StorageUnavailable);

impl std::fmt::Display for CauseChain<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut current: Option<&dyn std::error::Error> = Some(self.0);
        let mut first = true;
        while let Some(error) = current {
            if !first {
                formatter.write_str(": ")?;
            }
            write!(formatter, "{error}")?;
            first = false;
            current = error.source();
        }
        Ok(())
    }
}
