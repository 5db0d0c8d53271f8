//! `GET /v1/goals`: a person's goals, filtered, in pages.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::goals;
use waymark_domain::goals::ports::{GoalOrder, GoalPosition, GoalQuery};
use waymark_domain::goals::{Area, GoalId, GoalStatus};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::BadQuery;
use crate::pagination::{
    DEFAULT_LIMIT, bad_query, documented_query, documented_query_types, next_page_base,
    parse_limit, serialized_page_response,
};
use crate::state::AppState;
use crate::wire::goals::GoalResponse;

/// The order of the list.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum GoalSort {
    /// Newest first (the default).
    CreatedAt,
    /// Soonest target date first, goals without a date last.
    TargetDate,
}

/// Filters, order and page of `GET /v1/goals`, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct GoalListParameters {
    /// Only goals with these statuses; repeat for several (`status=active&status=paused`).
    #[param(value_type = Option<Vec<crate::wire::names::StatusName>>, style = Form, explode)]
    status: Option<Vec<String>>,
    /// Only goals in this area.
    #[param(value_type = Option<crate::wire::goals::AreaName>)]
    area: Option<String>,
    /// Only goals with a target date before this date (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    due_before: Option<String>,
    /// Only goals whose title contains this text, ignoring case.
    #[param(max_length = 200)]
    q: Option<String>,
    /// `created_at` (newest first, the default) or `target_date`.
    #[param(inline, value_type = Option<GoalSort>)]
    sort: Option<String>,
    /// Goals per page, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

documented_query_types!(GoalListParameters);

/// A page of goals.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GoalPageResponse {
    /// The goals, in the requested order.
    items: Vec<GoalResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// The position a cursor carries (signed by the server).
#[derive(Debug, Serialize, Deserialize)]
enum CursorPosition {
    #[serde(rename = "c")]
    CreatedAt { at: DateTime<Utc>, id: uuid::Uuid },
    #[serde(rename = "t")]
    TargetDate { date: Option<NaiveDate>, id: uuid::Uuid },
}

/// Reads the query string: `status` may repeat (or list several, comma-separated);
/// every other parameter at most once; unknown parameters are refused so a typo
/// never silently does nothing.
fn parse(request: &HttpRequest, state: &AppState) -> Result<(GoalQuery, GoalSort), ApiError> {
    let sent: GoalListParameters = documented_query(request.query_string())?;
    let mut query = GoalQuery {
        ids: None,
        statuses: Vec::new(),
        area: None,
        due_before: None,
        title_contains: None,
        updated_from: None,
        updated_before: None,
        order: GoalOrder::Newest,
        after: None,
        limit: DEFAULT_LIMIT,
    };
    let named: Vec<&str> = sent
        .status
        .iter()
        .flatten()
        .flat_map(|value| value.split(','))
        .filter(|part| !part.is_empty())
        .collect();
    if named.len() > GoalStatus::ALL.len() {
        return Err(bad_query(format!(
            "status may name at most the {} statuses there are",
            GoalStatus::ALL.len()
        )));
    }
    for part in named {
        let status =
            part.parse::<GoalStatus>().map_err(|error| bad_query(format!("status {error}")))?;
        if !query.statuses.contains(&status) {
            query.statuses.push(status);
        }
    }
    if let Some(area) = sent.area {
        query.area =
            Some(area.parse::<Area>().map_err(|error| bad_query(format!("area {error}")))?);
    }
    if let Some(date) = sent.due_before {
        query.due_before = Some(
            NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|_| bad_query("due_before must be a date such as 2027-03-31"))?,
        );
    }
    if let Some(text) = sent.q {
        let text = text.trim();
        if text.chars().count() > 200 {
            return Err(bad_query("q may be at most 200 characters"));
        }
        query.title_contains = (!text.is_empty()).then(|| text.to_owned());
    }
    let sort = match sent.sort.as_deref() {
        None | Some("created_at") => GoalSort::CreatedAt,
        Some("target_date") => GoalSort::TargetDate,
        Some(_) => return Err(bad_query("sort must be created_at or target_date")),
    };
    if let Some(limit) = sent.limit {
        query.limit = parse_limit(&limit)?;
    }
    let cursor = sent.cursor;
    query.order = match sort {
        GoalSort::CreatedAt => GoalOrder::Newest,
        GoalSort::TargetDate => GoalOrder::TargetDate,
    };
    if let Some(cursor) = cursor {
        let position: CursorPosition = state.cursors.decode(&cursor)?;
        query.after = Some(match (position, sort) {
            (CursorPosition::CreatedAt { at, id }, GoalSort::CreatedAt) => {
                GoalPosition::Newest { created_at: at, id: GoalId(id) }
            }
            (CursorPosition::TargetDate { date, id }, GoalSort::TargetDate) => {
                GoalPosition::TargetDate { target_date: date, id: GoalId(id) }
            }
            _ => {
                return Err(bad_query(
                    "this cursor belongs to a list in another order; start again from the first page",
                ));
            }
        });
    }
    Ok((query, sort))
}

/// Your goals.
///
/// Newest first by default (`created_at`, then `id`), or soonest target date first
/// with `sort=target_date` (goals without a date last). Filter by `status` (repeat
/// for several), `area`, `due_before` and `q` (title contains, ignoring case). Pages
/// of `limit` (1 to 100, default 20); follow `next_cursor` or the `Link` header.
#[utoipa::path(
    tag = "goals",
    operation_id = "list_goals",
    security(("oauth2" = ["goals:read"])),
    params(GoalListParameters),
    responses(
        (status = 200, description = "A page of goals; `Link` points to the next.", body = GoalPageResponse),
        BadQuery,
    ),
)]
#[get("/v1/goals")]
pub(crate) async fn list_goals(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let (query, sort) = parse(&request, &state)?;
    let limit = query.limit;
    let page = goals::list(&state.ports, acting, query).await?;
    let next_cursor = state.cursors.after_last(page.has_more, &page.goals, |last| match sort {
        GoalSort::CreatedAt => CursorPosition::CreatedAt { at: last.created_at, id: last.id.0 },
        GoalSort::TargetDate => {
            CursorPosition::TargetDate { date: last.target_date, id: last.id.0 }
        }
    });
    let key = page.goals.iter().map(|goal| (goal.id.0, goal.version)).collect();
    let items = state
        .goal_pages
        .items(key, || page.goals.iter().map(GoalResponse::from).collect())
        .map_err(|error| ApiError::Internal(error.into()))?;
    serialized_page_response(
        &next_page_base("/v1/goals", request.query_string()),
        limit,
        &items,
        next_cursor.as_deref(),
    )
    .map_err(|error| ApiError::Internal(error.into()))
}
