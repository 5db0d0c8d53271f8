//! RFC 9457 problem details: the one shape every error response takes.

use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The most characters of `detail` a problem carries; longer ones are cut.
pub const MAX_DETAIL_CHARS: usize = 1000;
/// The most characters of `instance` (the request path) a problem carries.
pub const MAX_INSTANCE_CHARS: usize = 2048;
/// The most characters of a field error's `pointer`: a pointer naming a field the
/// request invented can be as long as the body, so it is cut.
pub const MAX_POINTER_CHARS: usize = 512;
/// The most characters of a field error's `message`.
pub const MAX_MESSAGE_CHARS: usize = 500;
/// The most field errors a problem lists: enough to fix a request, and no more than
/// one request can make the server write.
pub const MAX_FIELD_ERRORS: usize = 100;

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

impl From<waymark_domain::validation::Problem> for FieldError {
    fn from(problem: waymark_domain::validation::Problem) -> Self {
        Self { pointer: problem.pointer, code: problem.code.to_owned(), message: problem.message }
    }
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

    /// This problem within the limits the contract states ([`MAX_DETAIL_CHARS`] and
    /// the rest): longer text is cut, and errors past the first [`MAX_FIELD_ERRORS`]
    /// are left out.
    #[must_use]
    pub fn within_limits(mut self) -> Self {
        if let Some(detail) = self.detail.as_mut() {
            cut(detail, MAX_DETAIL_CHARS);
        }
        if let Some(instance) = self.instance.as_mut() {
            cut(instance, MAX_INSTANCE_CHARS);
        }
        self.errors.truncate(MAX_FIELD_ERRORS);
        for error in &mut self.errors {
            cut(&mut error.pointer, MAX_POINTER_CHARS);
            cut(&mut error.message, MAX_MESSAGE_CHARS);
        }
        self
    }

    /// Adds the request-specific explanation.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Cuts `text` to its first `most` characters.
fn cut(text: &mut String, most: usize) {
    if let Some((end, _)) = text.char_indices().nth(most) {
        text.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_cut_to_the_limits_the_contract_states() {
        let mut problem = Problem::new("validation-failed", "Request body failed validation", 422)
            .with_detail("é".repeat(MAX_DETAIL_CHARS + 5));
        problem.instance = Some(format!("/v1/{}", "a".repeat(MAX_INSTANCE_CHARS)));
        problem.errors = (0..MAX_FIELD_ERRORS + 3)
            .map(|_| {
                FieldError::invalid(
                    &format!("/{}", "x".repeat(MAX_POINTER_CHARS)),
                    "ü".repeat(MAX_MESSAGE_CHARS * 2),
                )
            })
            .collect();
        let bounded = problem.within_limits();
        assert_eq!(bounded.detail.map(|detail| detail.chars().count()), Some(MAX_DETAIL_CHARS));
        assert_eq!(bounded.instance.map(|path| path.chars().count()), Some(MAX_INSTANCE_CHARS));
        assert_eq!(bounded.errors.len(), MAX_FIELD_ERRORS);
        assert!(
            bounded.errors.iter().all(|error| error.pointer.chars().count() == MAX_POINTER_CHARS
                && error.message.chars().count() == MAX_MESSAGE_CHARS)
        );
    }
}
