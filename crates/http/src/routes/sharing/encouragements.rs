//! Encouragement on the person's goals: `/v1/goals/{goal_id}/encouragements`.

use actix_web::{HttpResponse, get, patch, web};
use waymark_application::encouragements;
use waymark_domain::sharing::EncouragementId;
use waymark_domain::time::now;

use super::messages::EncouragementPatch;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody};
use crate::openapi::problems::{BadPage, EncouragementMissing, GoalMissing, Invalid, Stale};
use crate::pagination::{PageRequest, TimeAndId, page_response};
use crate::paths::{EncouragementPath, GoalPath};
use crate::respond::versioned;
use crate::state::AppState;
use crate::wire::shares::EncouragementResponse;

/// A page of encouragement.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct EncouragementPageResponse {
    /// The messages.
    items: Vec<EncouragementResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// Encouragement your supporters sent about a goal.
///
/// Newest first, hidden ones included (`hidden: true`) so an app can let you show
/// them again. Messages are plain text: show them as text.
#[utoipa::path(
    tag = "sharing",
    operation_id = "list_encouragements",
    security(("oauth2" = ["shares:read"])),
    params(GoalPath, PageRequest),
    responses(
        (status = 200, description = "A page of messages; `Link` points to the next.", body = EncouragementPageResponse),
        BadPage,
        GoalMissing,
    ),
)]
#[get("/v1/goals/{goal_id}/encouragements")]
pub(crate) async fn list_encouragements(
    principal: Principal,
    path: web::Path<GoalPath>,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after =
        page.position::<TimeAndId>(&state.cursors)?.map(|last| (last.at, EncouragementId(last.id)));
    let goal = path.goal_id();
    let (messages, more) =
        encouragements::list(&state.ports, principal.acting()?, goal, after, limit).await?;
    let next_cursor = state
        .cursors
        .after_last(more, &messages, |last| TimeAndId { at: last.created_at, id: last.id.0 });
    let items: Vec<EncouragementResponse> =
        messages.iter().map(EncouragementResponse::from).collect();
    Ok(page_response(&format!("/v1/goals/{goal}/encouragements"), limit, items, next_cursor))
}

/// Hides a message of encouragement, or shows it again.
///
/// Only you see whether it is hidden. With `If-Match`, only if it is still at that
/// version.
#[utoipa::path(
    tag = "sharing",
    operation_id = "update_encouragement",
    security(("oauth2" = ["shares:write"])),
    request_body(content((EncouragementPatch = "application/merge-patch+json"), (EncouragementPatch = "application/json"))),
    params(EncouragementPath),
    responses(
        (status = 200, description = "The message.", body = EncouragementResponse, headers(("ETag" = String, description = "Its new version."))),
        EncouragementMissing,
        Stale,
        Invalid,
    ),
)]
#[patch("/v1/goals/{goal_id}/encouragements/{encouragement_id}")]
pub(crate) async fn update_encouragement(
    principal: Principal,
    path: web::Path<EncouragementPath>,
    if_match: IfMatch,
    body: JsonBody<EncouragementPatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let target = (path.goal_id(), path.encouragement_id());
    let hidden = body.into_inner();
    let message = encouragements::set_hidden(
        &state.ports,
        principal.acting()?,
        now(),
        target,
        if_match.seen(),
        hidden,
    )
    .await?;
    Ok(versioned(message.version, EncouragementResponse::from(&message)))
}
