//! Creating, reading, changing and deleting one goal, and its status history.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use waymark_application::goals;
use waymark_domain::time::now;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, not_modified, version_etag};
use crate::openapi::problems::{GoalMissing, GoalStale, IdempotencyConflict, Invalid};
use crate::paths::GoalPath;
use crate::respond::{created, versioned};
use crate::state::AppState;
use crate::wire::goals::{
    GoalHistoryResponse, GoalPatch, GoalResponse, NewGoalRequest, StatusChangeResponse,
};

/// Sets a new goal.
///
/// `status` is `active` unless given. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "goals",
    operation_id = "create_goal",
    security(("oauth2" = ["goals:write"])),
    request_body = NewGoalRequest,
    responses(
        (status = 201, description = "The goal.", body = GoalResponse,
            headers(("Location" = String, description = "The goal's address."), ("ETag" = String, description = "Its version."))),
        IdempotencyConflict,
        Invalid,
    ),
)]
#[post("/v1/goals")]
pub(crate) async fn create_goal(
    principal: Principal,
    body: JsonBody<NewGoalRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let goal = goals::create(&state.ports, principal.acting()?, now(), body.into_inner()).await?;
    Ok(created(format!("/v1/goals/{}", goal.id), goal.version, GoalResponse::from(&goal)))
}

/// One of your goals.
///
/// Sends `ETag`; with `If-None-Match` naming it, the answer is 304.
#[utoipa::path(
    tag = "goals",
    operation_id = "get_goal",
    security(("oauth2" = ["goals:read"])),
    params(GoalPath),
    responses(
        (status = 200, description = "The goal.", body = GoalResponse, headers(("ETag" = String, description = "Its version."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        GoalMissing,
    ),
)]
#[get("/v1/goals/{goal_id}")]
pub(crate) async fn get_goal(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<GoalPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let goal = goals::get(&state.ports, principal.acting()?, path.goal_id()).await?;
    if let Some(unchanged) = not_modified(&request, &version_etag(goal.version)) {
        return Ok(unchanged);
    }
    Ok(versioned(goal.version, GoalResponse::from(&goal)))
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
    params(GoalPath),
    responses(
        (status = 200, description = "The changed goal.", body = GoalResponse, headers(("ETag" = String, description = "Its new version."))),
        GoalMissing,
        GoalStale,
        Invalid,
    ),
)]
#[patch("/v1/goals/{goal_id}")]
pub(crate) async fn update_goal(
    principal: Principal,
    path: web::Path<GoalPath>,
    if_match: IfMatch,
    body: JsonBody<GoalPatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.goal_id();
    let patch = body.into_inner();
    let goal =
        goals::update(&state.ports, principal.acting()?, now(), id, if_match.seen(), patch).await?;
    Ok(versioned(goal.version, GoalResponse::from(&goal)))
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
    params(GoalPath),
    responses(
        (status = 204, description = "The goal is gone."),
        GoalMissing,
        GoalStale,
    ),
)]
#[delete("/v1/goals/{goal_id}")]
pub(crate) async fn delete_goal(
    principal: Principal,
    path: web::Path<GoalPath>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.goal_id();
    goals::delete(&state.ports, principal.acting()?, now(), id, if_match.seen()).await?;
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
    params(GoalPath),
    responses(
        (status = 200, description = "The history.", body = GoalHistoryResponse),
        GoalMissing,
    ),
)]
#[get("/v1/goals/{goal_id}/history")]
pub(crate) async fn goal_history(
    principal: Principal,
    path: web::Path<GoalPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let changes = goals::history(&state.ports, principal.acting()?, path.goal_id()).await?;
    Ok(HttpResponse::Ok().json(GoalHistoryResponse {
        items: changes.iter().map(StatusChangeResponse::from).collect(),
    }))
}
