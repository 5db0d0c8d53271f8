//! Check-ins of a routine: how each occurrence went. One per occurrence; `PATCH`
//! changes it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;
use waymark_domain::goals::Feeling;
use waymark_domain::routines::schedule::MAX_RANGE_DAYS;
use waymark_domain::routines::stats::Paused;
use waymark_domain::routines::{
    CheckInStatus, NewRoutineCheckIn, OccurrenceKey, Pattern, Routine, RoutineCheckIn,
    RoutineCheckInChanges, RoutineCheckInId, RoutineCheckInNote, RoutineId,
};

use super::representation::{
    CheckInStatusName, OccurrenceRef, RoutineCheckInResponse, parse_time, supported_date,
};
use super::single::{routine_of, today_in};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch, version_etag};
use crate::problem::{FieldError, Problem};
use crate::routes::goals::FeelingName;
use crate::state::AppState;

/// A check-in for one occurrence.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRoutineCheckInRequest {
    /// The occurrence: a date the routine is due on (not in the future), and for
    /// routines with times of day, one of those times.
    pub(crate) occurrence: OccurrenceRef,
    /// How it went.
    #[schema(value_type = CheckInStatusName, example = "done")]
    pub(crate) status: String,
    /// A note (up to 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub(crate) note: String,
    /// How you felt.
    #[serde(default)]
    #[schema(value_type = Option<FeelingName>, example = "good")]
    pub(crate) feeling: Option<String>,
}

/// Changes to a check-in (JSON merge patch); `null` clears `note` and `feeling`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoutineCheckInPatch {
    /// How it went.
    #[serde(default)]
    #[schema(value_type = CheckInStatusName)]
    pub(crate) status: Patch<String>,
    /// A new note, or `null`.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub(crate) note: Patch<String>,
    /// A new feeling, or `null`.
    #[serde(default)]
    #[schema(value_type = Option<FeelingName>)]
    pub(crate) feeling: Patch<String>,
}

/// Check-ins of a routine, by date.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoutineCheckInsResponse {
    /// Oldest occurrence first.
    items: Vec<RoutineCheckInResponse>,
}

/// `?from=&to=` for check-ins.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckInRange {
    /// The first occurrence date (default: 29 days before `to`).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<NaiveDate>,
    /// The last occurrence date (default: today in the routine's time zone); the range
    /// may hold at most 366 days.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<NaiveDate>,
}

fn check_in_response(status: StatusCode, check_in: &RoutineCheckIn) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, version_etag(check_in.version)))
        .json(RoutineCheckInResponse::from(check_in))
}

fn feeling(raw: &str, errors: &mut Vec<FieldError>) -> Option<Feeling> {
    raw.parse::<Feeling>()
        .map_err(|error| errors.push(FieldError::invalid("/feeling", error)))
        .ok()
}

fn status(raw: &str, errors: &mut Vec<FieldError>) -> Option<CheckInStatus> {
    raw.parse::<CheckInStatus>()
        .map_err(|error| errors.push(FieldError::invalid("/status", error)))
        .ok()
}

/// The occurrence `requested` names, if it is a real one of `routine`'s up to today.
fn occurrence_of(
    routine: &Routine,
    requested: &OccurrenceRef,
    errors: &mut Vec<FieldError>,
) -> Option<OccurrenceKey> {
    let date = requested.date;
    if !routine.active {
        errors.push(FieldError::invalid(
            "/occurrence",
            "the routine is paused, so it has no occurrences",
        ));
        return None;
    }
    if date > today_in(routine.schedule.time_zone()) {
        errors.push(FieldError::invalid("/occurrence/date", "is in the future"));
        return None;
    }
    if !routine.schedule.is_due_on(date) {
        errors.push(FieldError::invalid(
            "/occurrence/date",
            "is not a day this routine is due on",
        ));
        return None;
    }
    let timeless = matches!(routine.schedule.pattern(), Pattern::TimesPerWeek(_));
    match (&requested.time, timeless) {
        (None, true) => Some(OccurrenceKey { date, time: None }),
        (Some(_), true) => {
            errors.push(FieldError::invalid(
                "/occurrence/time",
                "must be absent: this routine has no times of day",
            ));
            None
        }
        (None, false) => {
            errors.push(FieldError::invalid(
                "/occurrence/time",
                "is required: name one of the routine's times",
            ));
            None
        }
        (Some(text), false) => match parse_time(text) {
            Some(time) if routine.schedule.times().contains(&time) => Some(OccurrenceKey {
                date,
                time: Some(time),
            }),
            _ => {
                errors.push(FieldError::invalid(
                    "/occurrence/time",
                    "is not one of the routine's times (HH:MM)",
                ));
                None
            }
        },
    }
}

/// Records how an occurrence went.
///
/// One check-in per occurrence (a second is 409; change it with `PATCH`). The
/// occurrence must be a real one: a date the routine is due on, not in the future,
/// and for routines with times of day one of those times. A `times_per_week` routine
/// takes at most `count` check-ins in each ISO week (409 beyond). Send
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "routines",
    operation_id = "create_routine_check_in",
    security(("oauth2" = ["routines:write"])),
    request_body = NewRoutineCheckInRequest,
    params(
        ("routine_id" = uuid::Uuid, Path, description = "The routine's id."),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the first answer is replayed for 24 hours."),
    ),
    responses(
        (status = 201, description = "The check-in.", body = RoutineCheckInResponse,
            headers(("Location" = String, description = "The check-in's address."), ("ETag" = String, description = "Its version."))),
        (status = 404, description = "No such routine of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That occurrence has a check-in, or the week has all its check-ins.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the occurrence is not one of the routine's.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/routines/{routine_id}/check-ins")]
pub(crate) async fn create_routine_check_in(
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    body: JsonBody<NewRoutineCheckInRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let routine = routine_of(&state, owner, RoutineId(path.into_inner())).await?;
    let pauses = paused_days(&state, &routine).await?;
    let check_in = record_check_in(&state, &routine, &pauses, body.into_inner()).await?;
    let mut response = check_in_response(StatusCode::CREATED, &check_in);
    if let Ok(location) = header::HeaderValue::from_str(&format!(
        "/v1/routines/{}/check-ins/{}",
        routine.id, check_in.id
    )) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// When `routine` was paused.
///
/// # Errors
/// Storage failures.
pub(super) async fn paused_days(
    state: &AppState,
    routine: &Routine,
) -> Result<Vec<Paused>, ApiError> {
    Ok(state
        .ports
        .routines
        .pauses(routine.owner, &[routine.id])
        .await?
        .into_iter()
        .map(|(_, paused)| paused)
        .collect())
}

/// Checks `request` against `routine` (paused on `pauses`) and records it.
///
/// # Errors
/// 422 for an invalid field or an occurrence that is not one of the routine's, 409
/// for a second check-in or a full week, and storage failures.
pub(super) async fn record_check_in(
    state: &AppState,
    routine: &Routine,
    pauses: &[Paused],
    request: NewRoutineCheckInRequest,
) -> Result<RoutineCheckIn, ApiError> {
    let owner = routine.owner;
    let mut errors = Vec::new();
    let mut occurrence = occurrence_of(routine, &request.occurrence, &mut errors);
    if occurrence.is_some_and(|key| pauses.iter().any(|paused| paused.covers(key.date))) {
        errors.push(FieldError::invalid(
            "/occurrence/date",
            "the routine was paused that day",
        ));
        occurrence = None;
    }
    let check_in_status = status(&request.status, &mut errors);
    let note = RoutineCheckInNote::parse(&request.note)
        .map_err(|error| errors.push(FieldError::invalid("/note", error)))
        .ok();
    let check_in_feeling = match &request.feeling {
        None => Some(None),
        Some(name) => feeling(name, &mut errors).map(Some),
    };
    let (Some(occurrence), Some(status), Some(note), Some(feeling), true) = (
        occurrence,
        check_in_status,
        note,
        check_in_feeling,
        errors.is_empty(),
    ) else {
        return Err(ApiError::Validation(errors));
    };
    let week_limit = match routine.schedule.pattern() {
        Pattern::TimesPerWeek(count) => Some(count),
        _ => None,
    };
    Ok(state
        .ports
        .routines
        .check_in(
            owner,
            routine.id,
            NewRoutineCheckIn {
                occurrence,
                status,
                note,
                feeling,
            },
            week_limit,
            waymark_domain::time::now(),
        )
        .await?)
}

/// A routine's check-ins.
///
/// Those whose occurrence falls between `from` and `to` (default: the 30 days up to
/// today in the routine's time zone; at most 366 days), oldest first.
#[utoipa::path(
    tag = "routines",
    operation_id = "list_routine_check_ins",
    security(("oauth2" = ["routines:read"])),
    params(("routine_id" = uuid::Uuid, Path, description = "The routine's id."), CheckInRange),
    responses(
        (status = 200, description = "The check-ins.", body = RoutineCheckInsResponse),
        (status = 400, description = "The range is not valid or too long.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such routine of yours.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/routines/{routine_id}/check-ins")]
pub(crate) async fn list_routine_check_ins(
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    range: web::Query<CheckInRange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let routine = routine_of(&state, owner, RoutineId(path.into_inner())).await?;
    let to =
        supported_date(range.to, "to")?.unwrap_or_else(|| today_in(routine.schedule.time_zone()));
    let from = supported_date(range.from, "from")?.unwrap_or(to - Duration::days(29));
    if to < from || (to - from).num_days() >= MAX_RANGE_DAYS {
        return Err(ApiError::BadRequest(
            "from must not be after to, and they may span at most 366 days".to_owned(),
        ));
    }
    let check_ins = state
        .ports
        .routines
        .check_ins(owner, &[routine.id], from, to)
        .await?;
    Ok(HttpResponse::Ok().json(RoutineCheckInsResponse {
        items: check_ins.iter().map(RoutineCheckInResponse::from).collect(),
    }))
}

/// Changes a check-in.
///
/// A JSON merge patch of `status`, `note` and `feeling`; the occurrence cannot
/// change. With `If-Match`, only if the check-in is still at that version.
#[utoipa::path(
    tag = "routines",
    operation_id = "update_routine_check_in",
    security(("oauth2" = ["routines:write"])),
    request_body(content((RoutineCheckInPatch = "application/merge-patch+json"), (RoutineCheckInPatch = "application/json"))),
    params(
        ("routine_id" = uuid::Uuid, Path, description = "The routine's id."),
        ("check_in_id" = uuid::Uuid, Path, description = "The check-in's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` you last saw."),
    ),
    responses(
        (status = 200, description = "The changed check-in.", body = RoutineCheckInResponse, headers(("ETag" = String, description = "Its new version."))),
        (status = 404, description = "No such check-in of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since the `ETag` in `If-Match`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/v1/routines/{routine_id}/check-ins/{check_in_id}")]
pub(crate) async fn update_routine_check_in(
    principal: Principal,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    if_match: IfMatch,
    body: JsonBody<RoutineCheckInPatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let (routine, check_in) = path.into_inner();
    let patch = body.into_inner();
    let mut errors = Vec::new();
    let mut changes = RoutineCheckInChanges::default();
    if let Some(name) = patch.status.required("/status", &mut errors) {
        changes.status = status(&name, &mut errors);
    }
    match patch.note {
        Patch::Absent => {}
        Patch::Null => changes.note = RoutineCheckInNote::parse("").ok(),
        Patch::Value(note) => {
            changes.note = RoutineCheckInNote::parse(&note)
                .map_err(|error| errors.push(FieldError::invalid("/note", error)))
                .ok();
        }
    }
    match patch.feeling {
        Patch::Absent => {}
        Patch::Null => changes.feeling = Some(None),
        Patch::Value(name) => changes.feeling = feeling(&name, &mut errors).map(Some),
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let current = state
        .ports
        .routines
        .get_check_in(owner, RoutineId(routine), RoutineCheckInId(check_in))
        .await?
        .ok_or(ApiError::NotFound)?;
    let expected = if_match.resolve(current.version)?;
    let updated = state
        .ports
        .routines
        .update_check_in(
            owner,
            RoutineId(routine),
            RoutineCheckInId(check_in),
            changes,
            expected,
            waymark_domain::time::now(),
        )
        .await?;
    Ok(check_in_response(StatusCode::OK, &updated))
}

/// Deletes a check-in.
///
/// The occurrence has no check-in again, so it can be checked in anew.
#[utoipa::path(
    tag = "routines",
    operation_id = "delete_routine_check_in",
    security(("oauth2" = ["routines:write"])),
    params(
        ("routine_id" = uuid::Uuid, Path, description = "The routine's id."),
        ("check_in_id" = uuid::Uuid, Path, description = "The check-in's id."),
    ),
    responses(
        (status = 204, description = "The check-in is gone."),
        (status = 404, description = "No such check-in of yours.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/v1/routines/{routine_id}/check-ins/{check_in_id}")]
pub(crate) async fn delete_routine_check_in(
    principal: Principal,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let (routine, check_in) = path.into_inner();
    state
        .ports
        .routines
        .delete_check_in(
            owner,
            RoutineId(routine),
            RoutineCheckInId(check_in),
            waymark_domain::time::now(),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
