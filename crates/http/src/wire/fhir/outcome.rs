//! `OperationOutcome`: how `/fhir/r4` answers an error, with the same status the
//! rest of the API would give (404 for anything not the person's, 401, 403, 429, 503).

use serde::Serialize;
use utoipa::ToSchema;

/// A FHIR `OperationOutcome`: what went wrong.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OperationOutcome {
    /// `OperationOutcome`.
    #[schema(max_length = 16, example = "OperationOutcome")]
    pub(crate) resource_type: &'static str,
    /// The one issue.
    #[schema(max_items = 1)]
    pub(crate) issue: [OutcomeIssue; 1],
}

/// `OperationOutcome.issue`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct OutcomeIssue {
    /// `error`, or `fatal` for a failure of the server's own.
    #[schema(max_length = 5, example = "error")]
    pub(crate) severity: &'static str,
    /// The FHIR issue type (`not-found`, `login`, `forbidden`, `invalid`, …).
    #[schema(max_length = 16, example = "not-found")]
    pub(crate) code: &'static str,
    /// Which problem it is, as the rest of the API names it: system
    /// `urn:waymark:problem`, code the problem type's last segment
    /// (`/problems/insufficient-scope` is `insufficient-scope`), and its title.
    pub(crate) details: OutcomeDetails,
    /// What went wrong, for the developer, with the request id to quote.
    #[schema(max_length = 2200)]
    pub(crate) diagnostics: String,
}

/// `OperationOutcome.issue.details`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct OutcomeDetails {
    /// The problem type.
    #[schema(max_items = 1)]
    pub(crate) coding: [ProblemCoding; 1],
    /// Its title.
    #[schema(max_length = 200)]
    pub(crate) text: String,
}

/// A problem type as a `Coding`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ProblemCoding {
    /// `urn:waymark:problem`.
    #[schema(max_length = 19)]
    pub(crate) system: &'static str,
    /// The problem type's last segment, such as `insufficient-scope`.
    #[schema(max_length = 64)]
    pub(crate) code: String,
}

/// The code system of Waymark's problem types.
const PROBLEM_SYSTEM: &str = "urn:waymark:problem";

impl OperationOutcome {
    /// The outcome of an error answered with `status`: the problem of type
    /// `problem_type` titled `title`, said in `diagnostics`.
    pub(crate) fn of(status: u16, problem_type: &str, title: &str, diagnostics: String) -> Self {
        let severity = if status >= 500 { "fatal" } else { "error" };
        let code = problem_type.rsplit('/').next().unwrap_or(problem_type).to_owned();
        let details = OutcomeDetails {
            coding: [ProblemCoding { system: PROBLEM_SYSTEM, code }],
            text: title.to_owned(),
        };
        Self {
            resource_type: "OperationOutcome",
            issue: [OutcomeIssue { severity, code: issue_code_of(status), details, diagnostics }],
        }
    }
}

/// The FHIR issue type (`http://hl7.org/fhir/issue-type`) of an error status.
const fn issue_code_of(status: u16) -> &'static str {
    match status {
        401 => "login",
        403 => "forbidden",
        404 | 410 => "not-found",
        405 | 406 | 415 => "not-supported",
        409 | 412 => "conflict",
        413 => "too-costly",
        429 => "throttled",
        400..=499 => "invalid",
        503 | 504 => "transient",
        _ => "exception",
    }
}
