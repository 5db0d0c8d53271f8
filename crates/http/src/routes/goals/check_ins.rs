//! `/v1/goals/{goal_id}/check-ins`: how a goal is going, setbacks included.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::{Input, goal_check_ins};
use waymark_domain::goals::{CheckInId, CheckInNote, Feeling, NewCheckIn, Progress};
use waymark_domain::time::now;
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::problems::{BadPage, CheckInMissing, GoalMissing, Invalid};
use crate::pagination::{PageRequest, TimeAndId, page_response};
use crate::paths::{GoalCheckInPath, GoalPath};
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::goals::CheckInResponse;
use crate::wire::names::FeelingName;

/// A page of check-ins, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CheckInPageResponse {
    /// The check-ins.
    items: Vec<CheckInResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// A new check-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCheckInRequest {
    /// How it is going, in your words (up to 4000 characters).
    #[serde(default)]
    #[schema(max_length = 4000)]
    note: String,
    /// Progress as you see it, 0 to 100. It changes nothing else: the goal's status
    /// stays your choice.
    #[schema(minimum = 0, maximum = 100)]
    progress: Option<i64>,
    /// How you feel.
    #[schema(value_type = Option<FeelingName>)]
    feeling: Option<String>,
    /// Whether this is a setback (default `false`).
    #[serde(default)]
    setback: bool,
}

/// Records a check-in on one of your goals.
///
/// Setbacks are expected and worth recording. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "goals",
    operation_id = "create_check_in",
    security(("oauth2" = ["goals:write"])),
    params(GoalPath),
    request_body = NewCheckInRequest,
    responses(
        (status = 201, description = "The check-in.", body = CheckInResponse,
            headers(("Location" = String, description = "The check-in's address."))),
        GoalMissing,
        (status = 409, description = "The `Idempotency-Key` conflicts.", body = Problem, content_type = "application/problem+json"),
        Invalid,
    ),
)]
#[post("/v1/goals/{goal_id}/check-ins")]
pub(crate) async fn create_check_in(
    principal: Principal,
    path: web::Path<GoalPath>,
    body: JsonBody<NewCheckInRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let goal = path.goal_id();
    let draft = body.into_inner();
    let check_in =
        goal_check_ins::create(&state.ports, principal.acting()?, now(), goal, draft).await?;
    let location = format!("/v1/goals/{goal}/check-ins/{}", check_in.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(CheckInResponse::from(&check_in)))
}

impl Input<NewCheckIn> for NewCheckInRequest {
    fn parse(self) -> Result<NewCheckIn, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let note = problems.check("/note", CheckInNote::parse(&self.note));
        let progress = match self.progress {
            None => Some(None),
            Some(value) => problems.check("/progress", Progress::new(value)).map(Some),
        };
        let feeling = match self.feeling.as_deref() {
            None => Some(None),
            Some(name) => problems.check("/feeling", name.parse::<Feeling>()).map(Some),
        };
        problems.or(|| {
            Some(NewCheckIn {
                note: note?,
                progress: progress?,
                feeling: feeling?,
                setback: self.setback,
            })
        })
    }
}

/// Check-ins on one of your goals.
///
/// Newest first (`created_at`, then `id`), in pages of `limit` (1 to 100, default 20);
/// follow `next_cursor` or the `Link` header.
#[utoipa::path(
    tag = "goals",
    operation_id = "list_check_ins",
    security(("oauth2" = ["goals:read"])),
    params(GoalPath, PageRequest),
    responses(
        (status = 200, description = "A page of check-ins; `Link` points to the next.", body = CheckInPageResponse),
        BadPage,
        GoalMissing,
    ),
)]
#[get("/v1/goals/{goal_id}/check-ins")]
pub(crate) async fn list_check_ins(
    principal: Principal,
    path: web::Path<GoalPath>,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let goal = path.goal_id();
    let limit = page.limit()?;
    let after = (page.position::<TimeAndId>(&state.cursors)?)
        .map(|position| (position.at, CheckInId(position.id)));
    let acting = principal.acting()?;
    let listed = goal_check_ins::list(&state.ports, acting, goal, after, limit).await?;
    let next_cursor = state.cursors.after_last(listed.has_more, &listed.check_ins, |last| {
        TimeAndId { at: last.created_at, id: last.id.0 }
    });
    let items = listed.check_ins.iter().map(CheckInResponse::from).collect();
    let path = format!("/v1/goals/{goal}/check-ins");
    Ok(page_response(&path, limit, items, next_cursor))
}

/// One check-in.
///
/// Check-ins do not change once made; delete one and record another instead.
#[utoipa::path(
    tag = "goals",
    operation_id = "get_check_in",
    security(("oauth2" = ["goals:read"])),
    params(GoalCheckInPath),
    responses(
        (status = 200, description = "The check-in.", body = CheckInResponse),
        CheckInMissing,
    ),
)]
#[get("/v1/goals/{goal_id}/check-ins/{check_in_id}")]
pub(crate) async fn get_check_in(
    principal: Principal,
    path: web::Path<GoalCheckInPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let check_in = goal_check_ins::get(
        &state.ports,
        principal.acting()?,
        (path.goal_id(), path.check_in_id()),
    )
    .await?;
    Ok(HttpResponse::Ok().json(CheckInResponse::from(&check_in)))
}

/// Deletes a check-in.
///
/// The goal's `last_check_in_at` then falls back to the newest check-in left.
#[utoipa::path(
    tag = "goals",
    operation_id = "delete_check_in",
    security(("oauth2" = ["goals:write"])),
    params(GoalCheckInPath),
    responses(
        (status = 204, description = "The check-in is gone."),
        CheckInMissing,
    ),
)]
#[delete("/v1/goals/{goal_id}/check-ins/{check_in_id}")]
pub(crate) async fn delete_check_in(
    principal: Principal,
    path: web::Path<GoalCheckInPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    goal_check_ins::delete(
        &state.ports,
        principal.acting()?,
        now(),
        (path.goal_id(), path.check_in_id()),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
