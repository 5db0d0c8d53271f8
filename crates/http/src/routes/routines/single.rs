//! Creating, reading, changing and deleting one routine.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use waymark_domain::goals::GoalId;
use waymark_domain::identity::{AccountId, TimeZoneName};
use waymark_domain::routines::{
    NewRoutine, Routine, RoutineChanges, RoutineId, RoutineNotes, RoutineTitle,
};

use super::representation::{
    NewRoutineRequest, RoutinePatch, RoutineResponse, category, reminder, schedule,
};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch, not_modified, version_etag};
use crate::problem::{FieldError, Problem};
use crate::state::AppState;

fn routine_response(status: StatusCode, routine: &Routine) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, version_etag(routine.version)))
        .json(RoutineResponse::from(routine))
}

/// The account's time zone: the default for a routine that names none.
pub(super) async fn account_zone(
    state: &AppState,
    owner: AccountId,
) -> Result<TimeZoneName, ApiError> {
    Ok(state
        .ports
        .accounts
        .get(owner)
        .await?
        .ok_or(ApiError::NotFound)?
        .time_zone)
}

/// Today's date in `zone`.
pub(super) fn today_in(zone: TimeZoneName) -> NaiveDate {
    waymark_domain::time::now()
        .with_timezone(&zone.zone())
        .date_naive()
}

/// The owner's routine `id`, or 404.
pub(super) async fn routine_of(
    state: &AppState,
    owner: AccountId,
    id: RoutineId,
) -> Result<Routine, ApiError> {
    state
        .ports
        .routines
        .get(owner, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Creates a routine.
///
/// The schedule's `time_zone` defaults to your account's and `starts_on` to today
/// there. `goal_id` must be one of your goals. Send `Idempotency-Key` to make retries
/// safe.
#[utoipa::path(
    tag = "routines",
    operation_id = "create_routine",
    security(("oauth2" = ["routines:write"])),
    request_body = NewRoutineRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the first answer is replayed for 24 hours.")),
    responses(
        (status = 201, description = "The routine.", body = RoutineResponse,
            headers(("Location" = String, description = "The routine's address."), ("ETag" = String, description = "Its version."))),
        (status = 409, description = "You have 200 routines already, or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` lists each one.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/routines")]
pub(crate) async fn create_routine(
    principal: Principal,
    body: JsonBody<NewRoutineRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let request = body.into_inner();
    let zone = account_zone(&state, owner).await?;
    let mut errors = Vec::new();
    let title = RoutineTitle::parse(&request.title)
        .map_err(|error| errors.push(FieldError::invalid("/title", error)))
        .ok();
    let routine_category = category(&request.category, &mut errors);
    let notes = RoutineNotes::parse(&request.notes)
        .map_err(|error| errors.push(FieldError::invalid("/notes", error)))
        .ok();
    let reminder_minutes_before = match request.reminder_minutes_before {
        None => Some(None),
        Some(minutes) => reminder(minutes, &mut errors).map(Some),
    };
    let routine_schedule = schedule(&request.schedule, "/schedule", zone, today_in, &mut errors);
    let (
        Some(title),
        Some(category),
        Some(notes),
        Some(reminder_minutes_before),
        Some(schedule),
        true,
    ) = (
        title,
        routine_category,
        notes,
        reminder_minutes_before,
        routine_schedule,
        errors.is_empty(),
    )
    else {
        return Err(ApiError::Validation(errors));
    };
    let routine = state
        .ports
        .routines
        .create(
            owner,
            NewRoutine {
                title,
                category,
                notes,
                goal_id: request.goal_id.map(GoalId),
                active: request.active,
                reminder_minutes_before,
                schedule,
            },
            waymark_domain::time::now(),
        )
        .await?;
    let mut response = routine_response(StatusCode::CREATED, &routine);
    if let Ok(location) = header::HeaderValue::from_str(&format!("/v1/routines/{}", routine.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// One of your routines.
///
/// Sends `ETag`; with `If-None-Match` naming it, the answer is 304.
#[utoipa::path(
    tag = "routines",
    operation_id = "get_routine",
    security(("oauth2" = ["routines:read"])),
    params(("routine_id" = uuid::Uuid, Path, description = "The routine's id.")),
    responses(
        (status = 200, description = "The routine.", body = RoutineResponse, headers(("ETag" = String, description = "Its version."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        (status = 404, description = "No such routine of yours.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/routines/{routine_id}")]
pub(crate) async fn get_routine(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let routine = routine_of(&state, owner, RoutineId(path.into_inner())).await?;
    if let Some(unchanged) = not_modified(&request, &version_etag(routine.version)) {
        return Ok(unchanged);
    }
    Ok(routine_response(StatusCode::OK, &routine))
}

/// Changes one of your routines.
///
/// A JSON merge patch: absent fields stay as they are; `null` clears `notes`,
/// `goal_id` and `reminder_minutes_before`; a `schedule` replaces the whole schedule
/// (its check-ins stay). Set `active` to `false` to pause it. With `If-Match`, only if
/// the routine is still at that version (else 412).
#[utoipa::path(
    tag = "routines",
    operation_id = "update_routine",
    security(("oauth2" = ["routines:write"])),
    request_body(content((RoutinePatch = "application/merge-patch+json"), (RoutinePatch = "application/json"))),
    params(
        ("routine_id" = uuid::Uuid, Path, description = "The routine's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` you last saw."),
    ),
    responses(
        (status = 200, description = "The changed routine.", body = RoutineResponse, headers(("ETag" = String, description = "Its new version."))),
        (status = 404, description = "No such routine of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The routine changed since the `ETag` in `If-Match`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/v1/routines/{routine_id}")]
pub(crate) async fn update_routine(
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<RoutinePatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let id = RoutineId(path.into_inner());
    let current = routine_of(&state, owner, id).await?;
    let expected = if_match.resolve(current.version)?;
    let patch = body.into_inner();
    let mut errors = Vec::new();
    let mut changes = RoutineChanges::default();
    if let Some(title) = patch.title.required("/title", &mut errors) {
        changes.title = RoutineTitle::parse(&title)
            .map_err(|error| errors.push(FieldError::invalid("/title", error)))
            .ok();
    }
    if let Some(name) = patch.category.required("/category", &mut errors) {
        changes.category = category(&name, &mut errors);
    }
    match patch.notes {
        Patch::Absent => {}
        Patch::Null => changes.notes = RoutineNotes::parse("").ok(),
        Patch::Value(notes) => {
            changes.notes = RoutineNotes::parse(&notes)
                .map_err(|error| errors.push(FieldError::invalid("/notes", error)))
                .ok();
        }
    }
    match patch.goal_id {
        Patch::Absent => {}
        Patch::Null => changes.goal_id = Some(None),
        Patch::Value(goal) => changes.goal_id = Some(Some(GoalId(goal))),
    }
    changes.active = patch.active.required("/active", &mut errors);
    match patch.reminder_minutes_before {
        Patch::Absent => {}
        Patch::Null => changes.reminder_minutes_before = Some(None),
        Patch::Value(minutes) => {
            changes.reminder_minutes_before = reminder(minutes, &mut errors).map(Some);
        }
    }
    if let Some(requested) = patch.schedule.required("/schedule", &mut errors) {
        let zone = current.schedule.time_zone();
        changes.schedule = schedule(&requested, "/schedule", zone, today_in, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let routine = state
        .ports
        .routines
        .update(owner, id, changes, expected, waymark_domain::time::now())
        .await?;
    Ok(routine_response(StatusCode::OK, &routine))
}

/// Deletes one of your routines.
///
/// Its check-ins go with it. The deletion is recorded in the change journal, so other
/// devices can learn of it. With `If-Match`, only if the routine is still at that
/// version.
#[utoipa::path(
    tag = "routines",
    operation_id = "delete_routine",
    security(("oauth2" = ["routines:write"])),
    params(
        ("routine_id" = uuid::Uuid, Path, description = "The routine's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` you last saw."),
    ),
    responses(
        (status = 204, description = "The routine is gone."),
        (status = 404, description = "No such routine of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The routine changed since the `ETag` in `If-Match`.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/v1/routines/{routine_id}")]
pub(crate) async fn delete_routine(
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let id = RoutineId(path.into_inner());
    let expected = if if_match.is_conditional() {
        let current = routine_of(&state, owner, id).await?;
        if_match.resolve(current.version)?
    } else {
        None
    };
    state
        .ports
        .routines
        .delete(owner, id, expected, waymark_domain::time::now())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
