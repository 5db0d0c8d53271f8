//! Makes every error response a complete problem+json document: fills in `instance`
//! and `request_id`, and turns any error response that did not come from [`ApiError`]
//! (one of actix's own, say) into a problem of the same status.
//!
//! An inner middleware may also fail with an `Err` (the timeout does, since the
//! request it timed out is gone). Such an error is turned into a [`CompletedProblem`]
//! that renders the same complete response, headers included, wherever actix turns it
//! into a response.
//!
//! [`ApiError`]: crate::ApiError

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError, web};

use super::request_id::{REQUEST_ID, RequestId};
use super::security_headers::apply_security_headers;
use crate::problem::{PROBLEM_JSON, Problem};
use crate::state::AppState;
use crate::wire::fhir::{FHIR_JSON, OperationOutcome};

/// Headers of the original error response worth keeping on the problem.
const KEPT_HEADERS: [header::HeaderName; 3] =
    [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE];

pub(crate) async fn complete_problems(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let path = request.path().to_owned();
    let request_id = request.extensions().get::<RequestId>().map(|id| id.0.clone());
    let cors_origin = allowed_origin(&request);
    let response = match next.call(request).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            let mut completed = CompletedProblem::from_error(&error, path, request_id);
            completed.cors_origin = cors_origin;
            return Err(completed.into());
        }
    };
    let status = response.status();
    let deliberately_not_a_problem = response.response().extensions().contains::<NotAProblem>();
    if (!status.is_client_error() && !status.is_server_error()) || deliberately_not_a_problem {
        return Ok(response);
    }
    let problem = complete(
        response.response().extensions().get::<Problem>().cloned(),
        status,
        path,
        request_id,
    );
    let (media_type, body) = written(&problem);
    Ok(response.map_body(|head, _old_body| {
        head.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
        head.headers_mut().remove(header::CONTENT_LENGTH);
        BoxBody::new(body)
    }))
}

/// The request's `Origin` when CORS allows it. The CORS middleware cannot add its
/// headers to an error that bypassed it, so a [`CompletedProblem`] adds them itself.
fn allowed_origin(request: &ServiceRequest) -> Option<HeaderValue> {
    let origin = request.headers().get(header::ORIGIN)?;
    let state = request.app_data::<web::Data<AppState>>()?;
    let allowed = state
        .settings
        .cors_allowed_origins
        .iter()
        .any(|allowed| allowed.as_bytes() == origin.as_bytes());
    allowed.then(|| origin.clone())
}

/// Marks an error response whose body follows another standard on purpose (the OAuth
/// token endpoint's RFC 6749 errors), so it is left as it is.
#[derive(Debug, Clone, Copy)]
pub struct NotAProblem;

fn complete(
    existing: Option<Problem>,
    status: StatusCode,
    path: String,
    request_id: Option<String>,
) -> Problem {
    let mut problem = existing.unwrap_or_else(|| {
        let title = status.canonical_reason().unwrap_or("Error");
        let slug = title.to_ascii_lowercase().replace(' ', "-");
        Problem::new(&slug, title, status.as_u16())
    });
    problem.instance = Some(path);
    problem.request_id = request_id;
    problem.within_limits()
}

/// The problem's body and media type: an `OperationOutcome` under `/fhir/`, where
/// FHIR clients read errors that way, problem+json everywhere else.
fn written(problem: &Problem) -> (&'static str, Vec<u8>) {
    if !problem.instance.as_deref().is_some_and(|path| path.starts_with("/fhir/")) {
        return (PROBLEM_JSON, serde_json::to_vec(problem).unwrap_or_default());
    }
    let mut diagnostics = problem.detail.clone().unwrap_or_else(|| problem.title.clone());
    if let Some(request_id) = &problem.request_id {
        diagnostics.push_str(&format!(" (request id {request_id})"));
    }
    let outcome =
        OperationOutcome::of(problem.status, &problem.problem_type, &problem.title, diagnostics);
    (FHIR_JSON, serde_json::to_vec(&outcome).unwrap_or_default())
}

/// An error that already knows its complete problem response.
#[derive(Debug)]
pub(crate) struct CompletedProblem {
    problem: Problem,
    kept_headers: HeaderMap,
    cors_origin: Option<HeaderValue>,
}

impl CompletedProblem {
    fn from_error(error: &Error, path: String, request_id: Option<String>) -> Self {
        let original = error.error_response();
        let mut kept_headers = HeaderMap::new();
        for name in KEPT_HEADERS {
            if let Some(value) = original.headers().get(&name) {
                kept_headers.insert(name, value.clone());
            }
        }
        let problem = complete(
            original.extensions().get::<Problem>().cloned(),
            original.status(),
            path,
            request_id,
        );
        Self { problem, kept_headers, cors_origin: None }
    }
}

impl std::fmt::Display for CompletedProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.problem.title)
    }
}

impl ResponseError for CompletedProblem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let (media_type, body) = written(&self.problem);
        let mut response = HttpResponse::build(self.status_code())
            .insert_header((header::CONTENT_TYPE, media_type))
            .body(body);
        let is_docs = self
            .problem
            .instance
            .as_deref()
            .is_some_and(|path| path.starts_with(super::security_headers::DOCS_PREFIX));
        let headers = response.headers_mut();
        for (name, value) in &self.kept_headers {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(value) =
            self.problem.request_id.as_deref().and_then(|id| HeaderValue::from_str(id).ok())
        {
            headers.insert(REQUEST_ID, value);
        }
        if let Some(origin) = &self.cors_origin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.insert(header::VARY, HeaderValue::from_static("Origin"));
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("x-request-id, retry-after"),
            );
        }
        apply_security_headers(headers, is_docs);
        response.extensions_mut().insert(self.problem.clone());
        response
    }
}
