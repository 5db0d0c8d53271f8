//! The one error type of the HTTP layer. Every failure, including actix's own, becomes
//! an [`ApiError`], and this file alone decides its status and problem+json body.
//! 5xx causes are logged in full and never shown to the client.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use waymark_application::Failure;
use waymark_application::calendar_feeds::CalendarFeedError;
use waymark_application::credentials::CredentialError;
use waymark_application::fhir::FhirReadError;
use waymark_application::routine_check_ins::CheckInListError;
use waymark_application::supporting::SupportError;
use waymark_application::sync::SyncError;
use waymark_domain::contacts::ports::{
    ContactWriteError, InteractionWriteError, MAX_CONTACTS_PER_PERSON,
    MAX_INTERACTIONS_PER_CONTACT, MAX_SUPPORTERS_PER_GOAL, SupporterWriteError,
};
use waymark_domain::content::ports::{ArticleWriteError, ServiceWriteError};
use waymark_domain::goals::MAX_STEPS_PER_GOAL;
use waymark_domain::goals::ports::{GoalWriteError, StepWriteError};
use waymark_domain::health::{StorageUnavailable, Unavailability};
use waymark_domain::identity::ports::{ClientError, CreateAccountError, UpdateAccountError};
use waymark_domain::ports::StoreError;
use waymark_domain::routines::ports::{
    CheckInWriteError, MAX_ROUTINES_PER_PERSON, RoutineWriteError,
};
use waymark_domain::routines::schedule::MAX_RANGE_DAYS;
use waymark_domain::sharing::ports::{EncouragementWriteError, ShareWriteError};
use waymark_domain::webhooks::ports::WebhookError;

use crate::problem::{FieldError, PROBLEM_JSON, Problem};

/// Seconds a client is asked to wait before retrying a 503.
const RETRY_AFTER_SECONDS: &str = "5";

/// Everything an endpoint can answer instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No such resource, or one that belongs to someone else.
    #[error("not found")]
    NotFound,
    /// No route serves this path at all.
    #[error("no route")]
    NoRoute,
    /// The path exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// Methods the path does accept, for the `Allow` header.
        allow: Vec<String>,
    },
    /// No bearer token, or one that is not valid.
    #[error("unauthorized")]
    Unauthorized {
        /// Whether a token was sent but refused (`error="invalid_token"`).
        invalid_token: bool,
    },
    /// A valid token without the scopes the operation needs.
    #[error("insufficient scope")]
    InsufficientScope {
        /// The scopes the operation needs, space-separated.
        required: String,
    },
    /// Authenticated, but this caller may not do this.
    #[error("forbidden: {detail}")]
    Forbidden {
        /// Why, in words for the developer.
        detail: String,
    },
    /// The request conflicts with the current state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` does not match the current version.
    #[error("precondition failed")]
    PreconditionFailed,
    /// Too many requests; retry after the given seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds to wait.
        retry_after_seconds: u64,
    },
    /// A bad query parameter, header or cursor.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A sync cannot go on from where the app stands; it must start again.
    #[error("sync expired: {0}")]
    SyncExpired(String),
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
    /// Storage did not answer or cannot commit; the client should retry later.
    #[error("storage unavailable")]
    StorageUnavailable(#[source] StorageUnavailable),
    /// The readiness probe failed: this instance cannot serve traffic now, for the
    /// reason its problem names (for operators, not clients of the API).
    #[error("not ready")]
    Unready(#[source] StorageUnavailable),
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

// The one table from domain errors to HTTP answers.

impl From<UpdateAccountError> for ApiError {
    fn from(error: UpdateAccountError) -> Self {
        match error {
            UpdateAccountError::NotFound => Self::NotFound,
            UpdateAccountError::PreconditionFailed => Self::PreconditionFailed,
            UpdateAccountError::Store(store) => store.into(),
        }
    }
}

impl From<CalendarFeedError> for ApiError {
    fn from(error: CalendarFeedError) -> Self {
        match error {
            CalendarFeedError::NotFound => Self::NotFound,
            CalendarFeedError::Store(store) => store.into(),
        }
    }
}

impl From<CheckInListError> for ApiError {
    fn from(error: CheckInListError) -> Self {
        match error {
            CheckInListError::NotFound => Self::NotFound,
            CheckInListError::BadRange => Self::BadRequest(format!(
                "from must not be after to, and they may span at most {MAX_RANGE_DAYS} days"
            )),
            CheckInListError::Store(store) => store.into(),
        }
    }
}

impl From<CredentialError> for ApiError {
    fn from(error: CredentialError) -> Self {
        match error {
            CredentialError::NotFound => Self::NotFound,
            CredentialError::TooManyAttempts { wait } => {
                Self::TooManyRequests { retry_after_seconds: wait.as_secs().max(1) }
            }
            CredentialError::Store(store) => store.into(),
        }
    }
}

impl From<CreateAccountError> for ApiError {
    fn from(error: CreateAccountError) -> Self {
        match error {
            CreateAccountError::EmailTaken => Self::Conflict(
                "An account with this e-mail address exists. Sign in instead.".to_owned(),
            ),
            CreateAccountError::Store(store) => store.into(),
        }
    }
}

impl From<ClientError> for ApiError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::NotFound => Self::NotFound,
            ClientError::PreconditionFailed => Self::PreconditionFailed,
            ClientError::Store(store) => store.into(),
        }
    }
}

impl From<WebhookError> for ApiError {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::NotFound => Self::NotFound,
            WebhookError::PreconditionFailed => Self::PreconditionFailed,
            WebhookError::Store(store) => store.into(),
        }
    }
}

impl From<GoalWriteError> for ApiError {
    fn from(error: GoalWriteError) -> Self {
        match error {
            GoalWriteError::NotFound => Self::NotFound,
            GoalWriteError::PreconditionFailed => Self::PreconditionFailed,
            GoalWriteError::Busy => Self::Conflict(
                "The goal is being changed by other requests; please try again.".to_owned(),
            ),
            GoalWriteError::Store(store) => store.into(),
        }
    }
}

impl<E> From<Failure<E>> for ApiError
where
    ApiError: From<E>,
{
    fn from(failure: Failure<E>) -> Self {
        match failure {
            Failure::Invalid(problems) => {
                Self::Validation(problems.into_iter().map(FieldError::from).collect())
            }
            Failure::Refused(error) => error.into(),
        }
    }
}

impl From<StepWriteError> for ApiError {
    fn from(error: StepWriteError) -> Self {
        match error {
            StepWriteError::NotFound => Self::NotFound,
            StepWriteError::PreconditionFailed => Self::PreconditionFailed,
            StepWriteError::TooManySteps => Self::Conflict(format!(
                "A goal can have at most {MAX_STEPS_PER_GOAL} steps."
            )),
            StepWriteError::OrderMismatch => Self::Conflict(
                "The order must name every step of the goal exactly once; fetch the steps and try again."
                    .to_owned(),
            ),
            StepWriteError::Busy => Self::Conflict(
                "The step is being changed by other requests; please try again.".to_owned(),
            ),
            StepWriteError::Store(store) => store.into(),
        }
    }
}

impl From<RoutineWriteError> for ApiError {
    fn from(error: RoutineWriteError) -> Self {
        match error {
            RoutineWriteError::NotFound => Self::NotFound,
            RoutineWriteError::PreconditionFailed => Self::PreconditionFailed,
            // Another person's goal is as unknown as one that never existed.
            RoutineWriteError::UnknownGoal => {
                Self::Validation(vec![FieldError::invalid("/goal_id", "is not one of your goals")])
            }
            RoutineWriteError::TooMany => Self::Conflict(format!(
                "You have {MAX_ROUTINES_PER_PERSON} routines, the most one person may have; delete one first."
            )),
            RoutineWriteError::Store(store) => store.into(),
        }
    }
}

impl From<ContactWriteError> for ApiError {
    fn from(error: ContactWriteError) -> Self {
        match error {
            ContactWriteError::NotFound => Self::NotFound,
            ContactWriteError::PreconditionFailed => Self::PreconditionFailed,
            ContactWriteError::Busy => Self::Conflict(
                "The contact is being changed by other requests; please try again.".to_owned(),
            ),
            ContactWriteError::TooMany => Self::Conflict(format!(
                "You would have more than {MAX_CONTACTS_PER_PERSON} contacts, the most one person may have; nothing was added."
            )),
            ContactWriteError::Store(store) => store.into(),
        }
    }
}

impl From<InteractionWriteError> for ApiError {
    fn from(error: InteractionWriteError) -> Self {
        match error {
            InteractionWriteError::NotFound => Self::NotFound,
            InteractionWriteError::TooMany => Self::Conflict(format!(
                "This contact has {MAX_INTERACTIONS_PER_CONTACT} interactions, the most one may have; delete an old one first."
            )),
            InteractionWriteError::Store(store) => store.into(),
        }
    }
}

impl From<SupporterWriteError> for ApiError {
    fn from(error: SupporterWriteError) -> Self {
        match error {
            // Another person's goal or contact is as unknown as one that never existed.
            SupporterWriteError::NotFound => Self::NotFound,
            SupporterWriteError::TooMany => Self::Conflict(format!(
                "This goal has {MAX_SUPPORTERS_PER_GOAL} supporters, the most one may have."
            )),
            SupporterWriteError::Store(store) => store.into(),
        }
    }
}

impl From<ShareWriteError> for ApiError {
    fn from(error: ShareWriteError) -> Self {
        match error {
            ShareWriteError::NotFound => Self::NotFound,
            ShareWriteError::PreconditionFailed => Self::PreconditionFailed,
            ShareWriteError::AlreadyAccepted => Self::Conflict(
                "This invitation was accepted already, so the share needs no new one.".to_owned(),
            ),
            ShareWriteError::Over => Self::Conflict(
                "This share is over (it expired, or your supporter ended it), so it no longer \
                 changes. To share with them again, share again: they accept a new invitation."
                    .to_owned(),
            ),
            ShareWriteError::Store(store) => store.into(),
        }
    }
}

impl From<EncouragementWriteError> for ApiError {
    fn from(error: EncouragementWriteError) -> Self {
        match error {
            EncouragementWriteError::NotFound => Self::NotFound,
            EncouragementWriteError::PreconditionFailed => Self::PreconditionFailed,
            EncouragementWriteError::TooMany { until } => SupportError::TooMany { until }.into(),
            EncouragementWriteError::TurnedOff => SupportError::EncouragementOff.into(),
            EncouragementWriteError::Store(store) => store.into(),
        }
    }
}

impl From<SupportError> for ApiError {
    fn from(error: SupportError) -> Self {
        match error {
            // A share that ended, was paused or never was the caller's is as unknown
            // as one that never existed.
            SupportError::NotFound => Self::NotFound,
            SupportError::EncouragementOff => Self::Conflict(
                "They have turned encouragement off for what they share with you. You can \
                 still follow how their goals are going."
                    .to_owned(),
            ),
            SupportError::TooMany { until } => Self::TooManyRequests {
                retry_after_seconds: u64::try_from(
                    (until - waymark_domain::time::now()).num_seconds(),
                )
                .unwrap_or(0)
                .max(1),
            },
            SupportError::Store(store) => store.into(),
        }
    }
}

impl From<SyncError> for ApiError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::NothingReadable => Self::Forbidden {
                detail: "Sync needs at least one of goals:read, routines:read, contacts:read \
                         and shares:read."
                    .to_owned(),
            },
            SyncError::OtherScopes => Self::SyncExpired(
                "This sync began with other scopes than your token has now: start again \
                 without since."
                    .to_owned(),
            ),
            SyncError::Expired => Self::SyncExpired(
                "The changes since this token are no longer kept (they are kept for the \
                 journal's retention, 90 days by default): start again without since."
                    .to_owned(),
            ),
            SyncError::Store(store) => store.into(),
        }
    }
}

impl From<ArticleWriteError> for ApiError {
    fn from(error: ArticleWriteError) -> Self {
        match error {
            ArticleWriteError::NotFound => Self::NotFound,
            ArticleWriteError::PreconditionFailed => Self::PreconditionFailed,
            ArticleWriteError::SlugTaken => Self::Conflict(
                "This locale has an article with that slug already.".to_owned(),
            ),
            ArticleWriteError::WrongStatus => Self::Conflict(
                "That is not possible from the article's status: publish a draft or archived article, archive a published one.".to_owned(),
            ),
            ArticleWriteError::Store(store) => store.into(),
        }
    }
}

impl From<ServiceWriteError> for ApiError {
    fn from(error: ServiceWriteError) -> Self {
        match error {
            ServiceWriteError::NotFound => Self::NotFound,
            ServiceWriteError::PreconditionFailed => Self::PreconditionFailed,
            ServiceWriteError::ChangedMeanwhile => Self::Conflict(
                "The service was changed by another request at the same time; send the change again."
                    .to_owned(),
            ),
            ServiceWriteError::SlugTaken => {
                Self::Conflict("Another service has that slug already.".to_owned())
            }
            ServiceWriteError::Store(store) => store.into(),
        }
    }
}

impl From<CheckInWriteError> for ApiError {
    fn from(error: CheckInWriteError) -> Self {
        match error {
            CheckInWriteError::NotFound => Self::NotFound,
            CheckInWriteError::PreconditionFailed => Self::PreconditionFailed,
            CheckInWriteError::AlreadyCheckedIn => Self::Conflict(
                "That occurrence has a check-in already; change it with PATCH.".to_owned(),
            ),
            CheckInWriteError::WeekComplete => Self::Conflict(
                "This week has as many check-ins as the routine asks for.".to_owned(),
            ),
            CheckInWriteError::Store(store) => store.into(),
        }
    }
}

impl From<FhirReadError> for ApiError {
    fn from(error: FhirReadError) -> Self {
        match error {
            FhirReadError::NotFound => Self::NotFound,
            FhirReadError::Store(store) => store.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(unavailable) => Self::StorageUnavailable(unavailable),
            StoreError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

impl ApiError {
    /// The problem body this error is answered with (without `instance` and
    /// `request_id`, which the problem middleware adds).
    #[must_use]
    pub fn problem(&self) -> Problem {
        let status = self.status_code().as_u16();
        match self {
            Self::Unauthorized { invalid_token } => {
                let detail = if *invalid_token {
                    "The access token is not valid: it may have expired. Get a new one from /v1/auth/token."
                } else {
                    "This operation needs an access token: send `Authorization: Bearer <token>`."
                };
                Problem::new("unauthorized", "Authentication required", status).with_detail(detail)
            }
            Self::InsufficientScope { required } => Problem::new("insufficient-scope", "Insufficient scope", status)
                .with_detail(format!("This operation needs a token with the scope(s): {required}.")),
            Self::Forbidden { detail } => Problem::new("forbidden", "Forbidden", status).with_detail(detail.clone()),
            Self::Conflict(detail) => Problem::new("conflict", "Conflict", status).with_detail(detail.clone()),
            Self::PreconditionFailed => Problem::new("precondition-failed", "Precondition failed", status)
                .with_detail("The resource has changed since you read it: fetch it again and retry with its new ETag."),
            Self::TooManyRequests { retry_after_seconds } => Problem::new("too-many-requests", "Too many requests", status)
                .with_detail(format!("Please wait {retry_after_seconds} seconds before trying again.")),
            Self::NotFound => Problem::new("not-found", "Not found", status)
                .with_detail("There is nothing at this address, or it is not yours to see."),
            Self::NoRoute => Problem::new("not-found", "Not found", status)
                .with_detail("Nothing is served at this address."),
            Self::MethodNotAllowed { allow } => {
                Problem::new("method-not-allowed", "Method not allowed", status).with_detail(
                    format!("This address accepts {}.", allow.join(", ")),
                )
            }
            Self::BadRequest(detail) => {
                Problem::new("bad-request", "Bad request", status).with_detail(detail.clone())
            }
            Self::SyncExpired(detail) => {
                Problem::new("sync-expired", "Start the sync again", status).with_detail(detail.clone())
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
            Self::StorageUnavailable(unavailable) => {
                Problem::new("service-unavailable", "Service temporarily unavailable", status)
                    .with_detail(match unavailable.reason() {
                        Unavailability::Unreachable => "Waymark cannot reach its database right now. Please try again shortly.",
                        Unavailability::DiskFull | Unavailability::ReadOnly => "Waymark cannot save changes right now, so nothing was changed. Please try again shortly.",
                    })
            }
            // The readiness probe's answer is for operators: it names the reason.
            Self::Unready(unavailable) => {
                Problem::new("service-unavailable", "Service temporarily unavailable", status)
                    .with_detail(match unavailable.reason() {
                        Unavailability::Unreachable => "Not ready: the database does not answer in time, or refused the check (the log says why).",
                        Unavailability::DiskFull => "Not ready: the database answers but cannot commit writes, because its disk is full.",
                        Unavailability::ReadOnly => "Not ready: the database answers but cannot commit writes, because it is read-only.",
                    })
            }
            Self::Timeout => Problem::new("timeout", "Request took too long", status)
                .with_detail("The request did not finish in time. Please try again shortly."),
            Self::Internal(_) => Problem::new("internal-error", "Something went wrong", status)
                .with_detail("An unexpected error occurred. It has been logged; quote the request id if you report it."),
        }
    }
}

impl ApiError {
    /// Logs what an operator must know of this answer to request `request_id` on
    /// `route`: a bug (500) at ERROR with its whole cause; storage trouble and
    /// timeouts at WARN with theirs; a client's mistake (any 4xx) not at all, since the
    /// request's own line says what it was answered. Called once per request, by the
    /// request log.
    pub(crate) fn log(&self, request_id: &str, route: &str) {
        match self {
            Self::Internal(cause) => {
                tracing::error!(request_id, route, error = ?cause, "unexpected error");
            }
            Self::StorageUnavailable(cause) => {
                tracing::warn!(request_id, route, error = %CauseChain(cause), "storage unavailable");
            }
            Self::Unready(cause) => {
                tracing::warn!(request_id, route, error = %CauseChain(cause), "not ready");
            }
            Self::Timeout => tracing::warn!(request_id, route, "request timed out"),
            _ => {}
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope { .. } | Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound | Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadRequest(_) | Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::SyncExpired(_) => StatusCode::GONE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::StorageUnavailable(_) | Self::Unready(_) | Self::Timeout => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        let mut response = problem_response(problem);
        let headers = response.headers_mut();
        match self {
            Self::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, value);
                }
            }
            Self::StorageUnavailable(_) | Self::Unready(_) | Self::Timeout => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
            }
            Self::TooManyRequests { retry_after_seconds } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_seconds));
            }
            Self::Unauthorized { invalid_token } => {
                let challenge = if *invalid_token {
                    r#"Bearer realm="waymark", error="invalid_token""#
                } else {
                    r#"Bearer realm="waymark""#
                };
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
            }
            Self::InsufficientScope { required } => {
                let challenge = format!(
                    r#"Bearer realm="waymark", error="insufficient_scope", scope="{required}""#
                );
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    headers.insert(header::WWW_AUTHENTICATE, value);
                }
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
    let mut response =
        HttpResponse::build(status).insert_header((header::CONTENT_TYPE, PROBLEM_JSON)).body(body);
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
