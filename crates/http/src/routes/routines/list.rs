//! `GET /v1/routines`: a person's routines, newest first, in keyset pages.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_domain::goals::GoalId;
use waymark_domain::routines::Category;
use waymark_domain::routines::RoutineId;
use waymark_domain::routines::ports::{RoutinePosition, RoutineQuery};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::BadQuery;
use crate::pagination::{
    DEFAULT_LIMIT, TimeAndId, bad_query, documented_query, documented_query_types, next_page_base,
    page_response, parse_bool, parse_limit,
};
use crate::state::AppState;
use crate::wire::routines::{CategoryName, RoutineResponse};

/// The query parameters of `GET /v1/routines`, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RoutineListParameters {
    /// Only routines in this category.
    #[param(value_type = Option<CategoryName>)]
    category: Option<String>,
    /// Only active (`true`) or paused (`false`) routines.
    #[param(value_type = Option<bool>)]
    active: Option<String>,
    /// Only routines serving this goal.
    #[param(value_type = Option<uuid::Uuid>)]
    goal_id: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

documented_query_types!(RoutineListParameters);

/// A page of routines.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoutinePageResponse {
    /// The routines, newest first.
    items: Vec<RoutineResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

fn parse(request: &HttpRequest, state: &AppState) -> Result<RoutineQuery, ApiError> {
    let mut query = RoutineQuery {
        category: None,
        active: None,
        goal_id: None,
        after: None,
        limit: DEFAULT_LIMIT,
    };
    let sent: RoutineListParameters = documented_query(request.query_string())?;
    if let Some(category) = sent.category {
        query.category = Some(
            category.parse::<Category>().map_err(|error| bad_query(format!("category {error}")))?,
        );
    }
    if let Some(active) = sent.active {
        query.active = Some(parse_bool("active", &active)?);
    }
    if let Some(goal) = sent.goal_id {
        query.goal_id = Some(GoalId(
            uuid::Uuid::parse_str(&goal).map_err(|_| bad_query("goal_id must be a goal's id"))?,
        ));
    }
    if let Some(limit) = sent.limit {
        query.limit = parse_limit(&limit)?;
    }
    let position = state.cursors.decode_sent::<TimeAndId>(sent.cursor.as_deref())?;
    query.after = position
        .map(|position| RoutinePosition { created_at: position.at, id: RoutineId(position.id) });
    Ok(query)
}

/// Your routines.
///
/// Newest first. Filter by `category`, `active` and `goal_id`. Pages of `limit` (1 to
/// 100, default 20); follow `next_cursor` or the `Link` header.
#[utoipa::path(
    tag = "routines",
    operation_id = "list_routines",
    security(("oauth2" = ["routines:read"])),
    params(RoutineListParameters),
    responses(
        (status = 200, description = "A page of routines; `Link` points to the next.", body = RoutinePageResponse),
        BadQuery,
    ),
)]
#[get("/v1/routines")]
pub(crate) async fn list_routines(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let query = parse(&request, &state)?;
    let limit = query.limit;
    let page = waymark_application::routines::list(&state.ports, acting, query).await?;
    let next_cursor = state.cursors.after_last(page.has_more, &page.routines, |last| TimeAndId {
        at: last.created_at,
        id: last.id.0,
    });
    let items = page.routines.iter().map(RoutineResponse::from).collect();
    let path = next_page_base("/v1/routines", request.query_string());
    Ok(page_response(&path, limit, items, next_cursor))
}
