//! Supporters of goals: `/v1/goals/{goal_id}/supporters` and
//! `/v1/contacts/{contact_id}/goals`. A link changes the goal's representation
//! (`supporter_ids`) and so gives the goal a new version.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::{Input, supporters};
use waymark_domain::contacts::ports::{SupportedGoal, SupporterPosition};
use waymark_domain::contacts::{Problems, SupporterRole};
use waymark_domain::time::now;
use waymark_domain::validation::Problem as FieldProblem;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::problems::{BadPage, ContactMissing, GoalMissing};
use crate::pagination::{PageRequest, TimeAndId, page_response};
use crate::paths::{ContactPath, GoalPath, SupporterPath};
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::contacts::SupporterResponse;

/// What a contact does for one goal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SupporterRequest {
    /// A note on their part, up to 200 characters (send `{}` for none).
    #[serde(default)]
    #[schema(example = "Comes with me to the first class", max_length = 200)]
    role: String,
}

/// A page of supporters, in the order they were added.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SupporterPageResponse {
    /// The supporters.
    items: Vec<SupporterResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// A goal a contact supports.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SupportedGoalResponse {
    /// The goal's id.
    goal_id: uuid::Uuid,
    /// Its title.
    title: String,
    /// Its status.
    #[schema(value_type = crate::wire::names::StatusName)]
    status: &'static str,
    /// What the contact does for it.
    role: String,
    /// When they became a supporter.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
}

impl From<&SupportedGoal> for SupportedGoalResponse {
    fn from(goal: &SupportedGoal) -> Self {
        Self {
            goal_id: goal.supporter.goal_id.0,
            title: goal.title.as_str().to_owned(),
            status: goal.status.as_str(),
            role: goal.supporter.role.as_str().to_owned(),
            created_at: goal.supporter.created_at,
        }
    }
}

/// A page of the goals a contact supports.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SupportedGoalPageResponse {
    /// The goals, in the order the contact became a supporter.
    items: Vec<SupportedGoalResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

fn position(state: &AppState, page: &PageRequest) -> Result<Option<SupporterPosition>, ApiError> {
    Ok((page.position::<TimeAndId>(&state.cursors)?)
        .map(|position| SupporterPosition { created_at: position.at, id: position.id }))
}

/// Makes one of your contacts a supporter of one of your goals, or changes their role.
///
/// 201 when the contact becomes a supporter, 200 when only the role changed. The
/// goal's `supporter_ids` lists them and the goal gets a new version.
#[utoipa::path(
    tag = "contacts",
    operation_id = "put_goal_supporter",
    security(("oauth2" = ["goals:write", "contacts:read"])),
    request_body = SupporterRequest,
    params(SupporterPath),
    responses(
        (status = 200, description = "The role changed.", body = SupporterResponse),
        (status = 201, description = "The contact is now a supporter.", body = SupporterResponse),
        (status = 404, description = "No such goal or contact of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The goal has 50 supporters already.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`role` is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/v1/goals/{goal_id}/supporters/{contact_id}")]
pub(crate) async fn put_goal_supporter(
    principal: Principal,
    path: web::Path<SupporterPath>,
    body: JsonBody<SupporterRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let link = (path.goal_id(), path.contact_id());
    let (supporter, created) =
        supporters::set(&state.ports, principal.acting()?, now(), link, body.into_inner()).await?;
    let mut response = if created {
        let mut response = HttpResponse::Created();
        response.insert_header((
            header::LOCATION,
            format!("/v1/goals/{}/supporters/{}", link.0, link.1),
        ));
        response
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(SupporterResponse::new(&supporter, None)))
}

impl Input<SupporterRole> for SupporterRequest {
    fn parse(self) -> Result<SupporterRole, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let role = problems.check("/role", SupporterRole::parse(&self.role));
        problems.or(|| role)
    }
}

/// Removes a contact from a goal's supporters.
///
/// The contact stays in your network; the goal gets a new version.
#[utoipa::path(
    tag = "contacts",
    operation_id = "delete_goal_supporter",
    security(("oauth2" = ["goals:write", "contacts:read"])),
    params(SupporterPath),
    responses(
        (status = 204, description = "They no longer support the goal."),
        (status = 404, description = "No such goal, contact or supporter of yours.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/v1/goals/{goal_id}/supporters/{contact_id}")]
pub(crate) async fn delete_goal_supporter(
    principal: Principal,
    path: web::Path<SupporterPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let link = (path.goal_id(), path.contact_id());
    supporters::remove(&state.ports, principal.acting()?, now(), link).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The contacts supporting one of your goals.
///
/// In the order they were added, in pages of `limit` (1 to 100, default 20).
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_goal_supporters",
    security(("oauth2" = ["goals:read", "contacts:read"])),
    params(GoalPath, PageRequest),
    responses(
        (status = 200, description = "A page of supporters; `Link` points to the next.", body = SupporterPageResponse),
        BadPage,
        GoalMissing,
    ),
)]
#[get("/v1/goals/{goal_id}/supporters")]
pub(crate) async fn list_goal_supporters(
    principal: Principal,
    path: web::Path<GoalPath>,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (goal_id, acting) = (path.goal_id(), principal.acting()?);
    let limit = page.limit()?;
    let after = position(&state, &page)?;
    let (supporters, has_more) =
        supporters::of_goal(&state.ports, acting, goal_id, after, limit).await?;
    let next_cursor = state.cursors.after_last(has_more, &supporters, |(last, _)| TimeAndId {
        at: last.created_at,
        id: last.contact_id.0,
    });
    let items = (supporters.iter())
        .map(|(supporter, contact)| SupporterResponse::new(supporter, Some(contact)))
        .collect();
    let path = format!("/v1/goals/{goal_id}/supporters");
    Ok(page_response(&path, limit, items, next_cursor))
}

/// The goals one of your contacts supports.
///
/// In the order they became a supporter, in pages of `limit` (1 to 100, default 20).
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_contact_goals",
    security(("oauth2" = ["contacts:read", "goals:read"])),
    params(ContactPath, PageRequest),
    responses(
        (status = 200, description = "A page of goals; `Link` points to the next.", body = SupportedGoalPageResponse),
        BadPage,
        ContactMissing,
    ),
)]
#[get("/v1/contacts/{contact_id}/goals")]
pub(crate) async fn list_contact_goals(
    principal: Principal,
    path: web::Path<ContactPath>,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (contact_id, acting) = (path.contact_id(), principal.acting()?);
    let limit = page.limit()?;
    let after = position(&state, &page)?;
    let (goals, has_more) =
        supporters::goals_of(&state.ports, acting, contact_id, after, limit).await?;
    let next_cursor = state.cursors.after_last(has_more, &goals, |last| TimeAndId {
        at: last.supporter.created_at,
        id: last.supporter.goal_id.0,
    });
    let items = goals.iter().map(SupportedGoalResponse::from).collect();
    let path = format!("/v1/contacts/{contact_id}/goals");
    Ok(page_response(&path, limit, items, next_cursor))
}
