//! `GET /v1/content/changes`: what happened to public articles, in order, so a
//! partner can mirror the catalogue without downloading it again.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::articles;

use super::representation::ChangeResponse;
use crate::error::ApiError;
use crate::openapi::problems::BadPage;
use crate::pagination::{DEFAULT_LIMIT, documented_query, documented_query_types, parse_limit};
use crate::state::AppState;

/// The query parameters of the changes feed, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ChangesParameters {
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page. Keep the last one you got: when you
    /// have caught up, `next_cursor` still names your place, and asking again later
    /// gives only what happened since.
    cursor: Option<String>,
}

documented_query_types!(ChangesParameters);

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
        BadPage,
    ),
)]
#[get("/v1/content/changes")]
pub(crate) async fn list_content_changes(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let sent: ChangesParameters = documented_query(request.query_string())?;
    let limit = sent.limit.map_or(Ok(DEFAULT_LIMIT), |limit| parse_limit(&limit))?;
    let after = match sent.cursor {
        Some(cursor) => state.cursors.decode::<FeedPosition>(&cursor)?.after,
        None => 0,
    };
    let (changes, has_more) = articles::changes(&state.ports, after, limit).await?;
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
