//! `/v1/goals/{goal_id}/steps`: concrete steps towards a goal, in the person's order.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::{Input, steps};
use waymark_domain::goals::{NewStep, Step, StepChanges, StepId, StepTitle};
use waymark_domain::time::now;
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch, not_modified, version_etag};
use crate::openapi::problems::{GoalMissing, Invalid, StepMissing, StepStale};
use crate::paths::{GoalPath, StepPath};
use crate::problem::Problem;
use crate::respond::{created, versioned};
use crate::state::AppState;
use crate::wire::goals::StepResponse;

/// A goal's steps, in order (at most 100, so always one page).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StepListResponse {
    /// The steps, by `position`.
    items: Vec<StepResponse>,
    /// Always `null`: a goal has at most 100 steps.
    next_cursor: Option<String>,
}

/// A new step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewStepRequest {
    /// What it is: 1 to 200 characters.
    #[schema(
        example = "Ask at the library about the walking group",
        min_length = 1,
        max_length = 200
    )]
    title: String,
    /// Whether it is already done (default `false`).
    #[serde(default)]
    done: bool,
}

/// Changes to a step (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepPatch {
    /// A new title.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    title: Patch<String>,
    /// Done or not; `done_at` is set or cleared by the server.
    #[serde(default)]
    #[schema(value_type = bool)]
    done: Patch<bool>,
}

/// A new order of a goal's steps.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepOrder {
    /// Every step id of the goal, once each, in the new order.
    #[schema(max_items = 100)]
    step_ids: Vec<uuid::Uuid>,
}

impl Input<NewStep> for NewStepRequest {
    fn parse(self) -> Result<NewStep, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let title = problems.check("/title", StepTitle::parse(&self.title));
        problems.or(|| Some(NewStep { title: title?, done: self.done }))
    }
}

impl Input<StepChanges> for StepPatch {
    fn parse(self) -> Result<StepChanges, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let changes = StepChanges {
            title: self
                .title
                .kept("/title", &mut problems)
                .and_then(|title| problems.check("/title", StepTitle::parse(&title))),
            done: self.done.kept("/done", &mut problems),
        };
        problems.or(|| Some(changes))
    }
}

/// A goal's steps, in order.
///
/// By `position` from 0. A goal has at most 100 steps, so this is always one page.
#[utoipa::path(
    tag = "goals",
    operation_id = "list_steps",
    security(("oauth2" = ["goals:read"])),
    params(GoalPath),
    responses(
        (status = 200, description = "The steps.", body = StepListResponse),
        GoalMissing,
    ),
)]
#[get("/v1/goals/{goal_id}/steps")]
pub(crate) async fn list_steps(
    principal: Principal,
    path: web::Path<GoalPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let steps = steps::list(&state.ports, principal.acting()?, path.goal_id()).await?;
    Ok(step_list_response(&steps))
}

/// One step of a goal.
///
/// Sends `ETag`; with `If-None-Match` naming it, the answer is 304.
#[utoipa::path(
    tag = "goals",
    operation_id = "get_step",
    security(("oauth2" = ["goals:read"])),
    params(StepPath),
    responses(
        (status = 200, description = "The step.", body = StepResponse, headers(("ETag" = String, description = "Its version."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        StepMissing,
    ),
)]
#[get("/v1/goals/{goal_id}/steps/{step_id}")]
pub(crate) async fn get_step(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<StepPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let step =
        steps::get(&state.ports, principal.acting()?, (path.goal_id(), path.step_id())).await?;
    if let Some(unchanged) = not_modified(&request, &version_etag(step.version)) {
        return Ok(unchanged);
    }
    Ok(versioned(step.version, StepResponse::from(&step)))
}

/// Adds a step at the end of a goal's steps.
///
/// A goal has at most 100 steps (409 beyond). Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "goals",
    operation_id = "add_step",
    security(("oauth2" = ["goals:write"])),
    params(GoalPath),
    request_body = NewStepRequest,
    responses(
        (status = 201, description = "The step.", body = StepResponse,
            headers(("Location" = String, description = "The step's address."), ("ETag" = String, description = "Its version."))),
        GoalMissing,
        (status = 409, description = "The goal already has 100 steps, or the `Idempotency-Key` conflicts.", body = Problem, content_type = "application/problem+json"),
        Invalid,
    ),
)]
#[post("/v1/goals/{goal_id}/steps")]
pub(crate) async fn add_step(
    principal: Principal,
    path: web::Path<GoalPath>,
    body: JsonBody<NewStepRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let goal = path.goal_id();
    let step =
        steps::add(&state.ports, principal.acting()?, now(), goal, body.into_inner()).await?;
    let location = format!("/v1/goals/{goal}/steps/{}", step.id);
    Ok(created(location, step.version, StepResponse::from(&step)))
}

/// Changes a step: its title, or whether it is done.
///
/// A JSON merge patch; with `If-Match`, only if the step is still at that version.
#[utoipa::path(
    tag = "goals",
    operation_id = "update_step",
    security(("oauth2" = ["goals:write"])),
    params(StepPath),
    request_body(content((StepPatch = "application/merge-patch+json"), (StepPatch = "application/json"))),
    responses(
        (status = 200, description = "The changed step.", body = StepResponse, headers(("ETag" = String, description = "Its new version."))),
        StepMissing,
        StepStale,
        Invalid,
    ),
)]
#[patch("/v1/goals/{goal_id}/steps/{step_id}")]
pub(crate) async fn update_step(
    principal: Principal,
    path: web::Path<StepPath>,
    if_match: IfMatch,
    body: JsonBody<StepPatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (acting, patch) = (principal.acting()?, body.into_inner());
    let step = steps::update(
        &state.ports,
        acting,
        now(),
        (path.goal_id(), path.step_id()),
        if_match.seen(),
        patch,
    )
    .await?;
    Ok(versioned(step.version, StepResponse::from(&step)))
}

/// Removes a step.
///
/// The steps after it move up one place. With `If-Match`, only if the step is still
/// at that version.
#[utoipa::path(
    tag = "goals",
    operation_id = "delete_step",
    security(("oauth2" = ["goals:write"])),
    params(StepPath),
    responses(
        (status = 204, description = "The step is gone."),
        StepMissing,
        StepStale,
    ),
)]
#[delete("/v1/goals/{goal_id}/steps/{step_id}")]
pub(crate) async fn delete_step(
    principal: Principal,
    path: web::Path<StepPath>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    steps::remove(
        &state.ports,
        principal.acting()?,
        now(),
        (path.goal_id(), path.step_id()),
        if_match.seen(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Puts a goal's steps in a new order.
///
/// `step_ids` must name every step of the goal exactly once (409 otherwise, for
/// example when a step was added or removed meanwhile). Answers the steps in order.
#[utoipa::path(
    tag = "goals",
    operation_id = "reorder_steps",
    security(("oauth2" = ["goals:write"])),
    params(GoalPath),
    request_body = StepOrder,
    responses(
        (status = 200, description = "The steps in their new order.", body = StepListResponse),
        GoalMissing,
        (status = 409, description = "The ids are not exactly the goal's steps.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/goals/{goal_id}/steps/reorder")]
pub(crate) async fn reorder_steps(
    principal: Principal,
    path: web::Path<GoalPath>,
    body: JsonBody<StepOrder>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let order: Vec<StepId> = body.into_inner().step_ids.into_iter().map(StepId).collect();
    let goal = path.goal_id();
    let steps = steps::reorder(&state.ports, principal.acting()?, now(), goal, order).await?;
    Ok(step_list_response(&steps))
}

fn step_list_response(steps: &[Step]) -> HttpResponse {
    HttpResponse::Ok().json(StepListResponse {
        items: steps.iter().map(StepResponse::from).collect(),
        next_cursor: None,
    })
}
