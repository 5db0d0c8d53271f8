//! `GET /v1/content/changes`: what happened to public articles, in order, so a
//! partner can mirror the catalogue without downloading it again.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::representation::ChangeResponse;
use crate::error::ApiError;
use crate::pagination::{DEFAULT_LIMIT, parse_limit, query_parameters, unknown_parameter};
use crate::problem::Problem;
use crate::state::AppState;

/// The query parameters of the changes feed.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct ChangesParameters {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<u64>,
    /// The `next_cursor` of the previous page. Keep the last one you got: when you
    /// have caught up, `next_cursor` still names your place, and asking again later
    /// gives only what happened since.
    cursor: Option<String>,
}

/// A page of the changes feed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ChangePageResponse {
    /// The changes, oldest first.
    items: Vec<ChangeResponse>,
    /// Where to continue from: pass it as `cursor`. Unlike other lists it is never
    /// `null`, so a mirror can come back for what happens later.
    next_cursor: String,
    /// Whether more changes are waiting now (`false` once caught up).
    has_more: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct FeedPosition {
    after: i64,
}

/// The changes feed of public content.
///
/// Public. Every time an article goes public (`published`), its public text changes
/// (`updated`), or it is taken down (`archived`, `deleted`), one entry, oldest first,
/// numbered in the order the changes were committed. Start without a cursor to read
/// from the beginning, then keep following `next_cursor`.
#[utoipa::path(
    tag = "content",
    operation_id = "list_content_changes",
    params(ChangesParameters),
    responses(
        (status = 200, description = "A page of changes.", body = ChangePageResponse),
        (status = 400, description = "`limit` or the cursor is not valid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/content/changes")]
pub(crate) async fn list_content_changes(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut limit = DEFAULT_LIMIT;
    let mut after = 0;
    for (name, value) in query_parameters(request.query_string(), &[])? {
        match name.as_str() {
            "limit" => limit = parse_limit(&value)?,
            "cursor" => after = state.cursors.decode::<FeedPosition>(&value)?.after,
            other => return Err(unknown_parameter(other)),
        }
    }
    let (changes, has_more) = state.ports.content.changes(after, limit).await?;
    let last = changes.last().map_or(after, |change| change.sequence);
    let next_cursor = state.cursors.encode(&FeedPosition { after: last });
    let mut response = HttpResponse::Ok();
    if has_more {
        response.insert_header((
            actix_web::http::header::LINK,
            format!("</v1/content/changes?limit={limit}&cursor={next_cursor}>; rel=\"next\""),
        ));
    }
    Ok(response.json(ChangePageResponse {
        items: changes.iter().map(ChangeResponse::from).collect(),
        next_cursor,
        has_more,
    }))
}
