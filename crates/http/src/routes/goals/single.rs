//! Creating, reading, changing and deleting one goal, and its status history.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use waymark_domain::goals::{
    GoalChanges, GoalId, GoalStatus, GoalTitle, GoalWhy, NewGoal, SupportNotes,
};
use waymark_domain::identity::AccountId;

use super::representation::{
    GoalHistoryResponse, GoalPatch, GoalResponse, NewGoalRequest, StatusChangeResponse, area,
    status,
};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch, not_modified, version_etag};
use crate::problem::{FieldError, Problem};
use crate::state::AppState;

fn goal_response(
    status: actix_web::http::StatusCode,
    goal: &waymark_domain::goals::Goal,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, version_etag(goal.version)))
        .json(GoalResponse::from(goal))
}

/// The calendar date in the person's own time zone on which `instant` falls.
async fn local_date(
    state: &AppState,
    owner: AccountId,
    instant: waymark_domain::time::Instant,
) -> Result<NaiveDate, ApiError> {
    let account = state
        .ports
        .accounts
        .get(owner)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(instant
        .with_timezone(&account.time_zone.zone())
        .date_naive())
}

fn not_before(date: Option<NaiveDate>, earliest: NaiveDate, errors: &mut Vec<FieldError>) {
    if date.is_some_and(|date| date < earliest) {
        errors.push(FieldError::invalid(
            "/target_date",
            format!("must not be before {earliest}, the day the goal was set"),
        ));
    }
}

/// Sets a new goal.
///
/// `status` is `active` unless given. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "goals",
    operation_id = "create_goal",
    security(("oauth2" = ["goals:write"])),
    request_body = NewGoalRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the first answer is replayed for 24 hours.")),
    responses(
        (status = 201, description = "The goal.", body = GoalResponse,
            headers(("Location" = String, description = "The goal's address."), ("ETag" = String, description = "Its version."))),
        (status = 409, description = "The `Idempotency-Key` was used for another request, or that request is still running.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` lists each one.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/goals")]
pub(crate) async fn create_goal(
    principal: Principal,
    body: JsonBody<NewGoalRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let request = body.into_inner();
    let now = waymark_domain::time::now();
    let mut errors = Vec::new();
    let title = GoalTitle::parse(&request.title)
        .map_err(|error| errors.push(FieldError::invalid("/title", error)))
        .ok();
    let why = GoalWhy::parse(&request.why)
        .map_err(|error| errors.push(FieldError::invalid("/why", error)))
        .ok();
    let goal_area = area(&request.area, "/area", &mut errors);
    let goal_status = match &request.status {
        Some(name) => status(name, "/status", &mut errors),
        None => Some(GoalStatus::Active),
    };
    let support_notes = SupportNotes::parse(&request.support_notes)
        .map_err(|error| errors.push(FieldError::invalid("/support_notes", error)))
        .ok();
    not_before(
        request.target_date,
        local_date(&state, owner, now).await?,
        &mut errors,
    );
    let (Some(title), Some(why), Some(area), Some(status), Some(support_notes), true) = (
        title,
        why,
        goal_area,
        goal_status,
        support_notes,
        errors.is_empty(),
    ) else {
        return Err(ApiError::Validation(errors));
    };
    let goal = state
        .ports
        .goals
        .create(
            owner,
            NewGoal {
                title,
                why,
                area,
                target_date: request.target_date,
                status,
                needs_support: request.needs_support,
                support_notes,
            },
            now,
        )
        .await?;
    let mut response = goal_response(actix_web::http::StatusCode::CREATED, &goal);
    if let Ok(location) = header::HeaderValue::from_str(&format!("/v1/goals/{}", goal.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// One of your goals.
///
/// Sends `ETag`; with `If-None-Match` naming it, the answer is 304.
#[utoipa::path(
    tag = "goals",
    operation_id = "get_goal",
    security(("oauth2" = ["goals:read"])),
    params(("goal_id" = uuid::Uuid, Path, description = "The goal's id.")),
    responses(
        (status = 200, description = "The goal.", body = GoalResponse, headers(("ETag" = String, description = "Its version."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        (status = 404, description = "No such goal of yours.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/goals/{goal_id}")]
pub(crate) async fn get_goal(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let goal = state
        .ports
        .goals
        .get(owner, GoalId(path.into_inner()))
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(unchanged) = not_modified(&request, &version_etag(goal.version)) {
        return Ok(unchanged);
    }
    Ok(goal_response(actix_web::http::StatusCode::OK, &goal))
}

/// Changes one of your goals.
///
/// A JSON merge patch: absent fields stay as they are, `null` clears `why`,
/// `support_notes` and `target_date`. A new `status` is added to the history. With
/// `If-Match`, only if the goal is still at that version (else 412).
#[utoipa::path(
    tag = "goals",
    operation_id = "update_goal",
    security(("oauth2" = ["goals:write"])),
    request_body(content((GoalPatch = "application/merge-patch+json"), (GoalPatch = "application/json"))),
    params(
        ("goal_id" = uuid::Uuid, Path, description = "The goal's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` you last saw."),
    ),
    responses(
        (status = 200, description = "The changed goal.", body = GoalResponse, headers(("ETag" = String, description = "Its new version."))),
        (status = 404, description = "No such goal of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The goal changed since the `ETag` in `If-Match`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/v1/goals/{goal_id}")]
pub(crate) async fn update_goal(
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<GoalPatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let id = GoalId(path.into_inner());
    let current = state
        .ports
        .goals
        .get(owner, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let expected = if_match.resolve(current.version)?;
    let patch = body.into_inner();
    let mut errors = Vec::new();
    let mut changes = GoalChanges::default();
    if let Some(title) = patch.title.required("/title", &mut errors) {
        changes.title = GoalTitle::parse(&title)
            .map_err(|error| errors.push(FieldError::invalid("/title", error)))
            .ok();
    }
    match patch.why {
        Patch::Absent => {}
        Patch::Null => changes.why = GoalWhy::parse("").ok(),
        Patch::Value(why) => {
            changes.why = GoalWhy::parse(&why)
                .map_err(|error| errors.push(FieldError::invalid("/why", error)))
                .ok()
        }
    }
    if let Some(name) = patch.area.required("/area", &mut errors) {
        changes.area = area(&name, "/area", &mut errors);
    }
    match patch.target_date {
        Patch::Absent => {}
        Patch::Null => changes.target_date = Some(None),
        Patch::Value(date) => {
            not_before(
                Some(date),
                local_date(&state, owner, current.created_at).await?,
                &mut errors,
            );
            changes.target_date = Some(Some(date));
        }
    }
    if let Some(name) = patch.status.required("/status", &mut errors) {
        changes.status = status(&name, "/status", &mut errors);
    }
    changes.needs_support = patch.needs_support.required("/needs_support", &mut errors);
    match patch.support_notes {
        Patch::Absent => {}
        Patch::Null => changes.support_notes = SupportNotes::parse("").ok(),
        Patch::Value(notes) => {
            changes.support_notes = SupportNotes::parse(&notes)
                .map_err(|error| errors.push(FieldError::invalid("/support_notes", error)))
                .ok();
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if changes.is_empty() {
        return Ok(goal_response(actix_web::http::StatusCode::OK, &current));
    }
    let goal = state
        .ports
        .goals
        .update(owner, id, changes, expected, waymark_domain::time::now())
        .await?;
    Ok(goal_response(actix_web::http::StatusCode::OK, &goal))
}

/// Deletes one of your goals.
///
/// Its steps, check-ins and history go with it, and its routines are unlinked from it
/// (each gets a new version). The deletion is recorded in the change journal, so other
/// devices can learn of it. With `If-Match`, only if the goal is still at that version.
#[utoipa::path(
    tag = "goals",
    operation_id = "delete_goal",
    security(("oauth2" = ["goals:write"])),
    params(
        ("goal_id" = uuid::Uuid, Path, description = "The goal's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` you last saw."),
    ),
    responses(
        (status = 204, description = "The goal is gone."),
        (status = 404, description = "No such goal of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The goal changed since the `ETag` in `If-Match`.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/v1/goals/{goal_id}")]
pub(crate) async fn delete_goal(
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let id = GoalId(path.into_inner());
    let expected = if if_match.is_conditional() {
        let current = state
            .ports
            .goals
            .get(owner, id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if_match.resolve(current.version)?
    } else {
        None
    };
    state
        .ports
        .goals
        .delete(owner, id, expected, waymark_domain::time::now())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How a goal's status has changed.
///
/// Oldest first, starting with the status it was set with. People change their goals
/// as they go; this is part of their story, not a record of failure.
#[utoipa::path(
    tag = "goals",
    operation_id = "goal_history",
    security(("oauth2" = ["goals:read"])),
    params(("goal_id" = uuid::Uuid, Path, description = "The goal's id.")),
    responses(
        (status = 200, description = "The history.", body = GoalHistoryResponse),
        (status = 404, description = "No such goal of yours.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/goals/{goal_id}/history")]
pub(crate) async fn goal_history(
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let changes = state
        .ports
        .goals
        .history(owner, GoalId(path.into_inner()))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(GoalHistoryResponse {
        items: changes.iter().map(StatusChangeResponse::from).collect(),
    }))
}
