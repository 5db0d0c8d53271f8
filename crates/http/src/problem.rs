//! RFC 9457 problem details: the one shape every error response takes.

use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer (RFC 9457). `instance` and `request_id` are filled in for every
/// response by the problem middleware, so handlers never have to.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Problem {
    /// A relative URI naming the kind of problem, stable across releases.
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation-failed")]
    pub problem_type: String,
    /// A short, human-readable summary of the kind of problem.
    #[schema(example = "Request body failed validation")]
    pub title: String,
    /// The HTTP status code, repeated for convenience.
    #[schema(example = 422, minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong with this particular request.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2 fields are invalid")]
    pub detail: Option<String>,
    /// The request path the problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/v1/goals")]
    pub instance: Option<String>,
    /// The request id, also sent as `X-Request-Id` and written to the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "0193a5e4-7d1c-7b4e-9b2a-3f0c5d6e7f80")]
    pub request_id: Option<String>,
    /// One entry per invalid field, for validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field in a request body.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// A JSON Pointer (RFC 6901) to the field within the request body.
    #[schema(example = "/title")]
    pub pointer: String,
    /// A machine-readable reason, such as `length`, `required` or `unknown_field`.
    #[schema(example = "length")]
    pub code: String,
    /// A human-readable explanation.
    #[schema(example = "must be 1 to 200 characters")]
    pub message: String,
}

impl FieldError {
    /// A field whose value breaks a rule (`code: invalid`).
    #[must_use]
    pub fn invalid(pointer: &str, message: impl ToString) -> Self {
        Self {
            pointer: pointer.to_owned(),
            code: "invalid".to_owned(),
            message: message.to_string(),
        }
    }

    /// A field that must have a value but was sent as `null` in a merge patch
    /// (`code: required`).
    #[must_use]
    pub fn cannot_be_cleared(pointer: &str) -> Self {
        Self {
            pointer: pointer.to_owned(),
            code: "required".to_owned(),
            message: "cannot be cleared".to_owned(),
        }
    }
}

impl Problem {
    /// A problem of kind `slug` (the last segment of its `type`).
    #[must_use]
    pub fn new(slug: &str, title: &str, status: u16) -> Self {
        Self {
            problem_type: format!("/problems/{slug}"),
            title: title.to_owned(),
            status,
            detail: None,
            instance: None,
            request_id: None,
            errors: Vec::new(),
        }
    }

    /// Adds the request-specific explanation.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}
