//! `GET /v1/me/access-log`: what apps, administrators and supporters did with your data.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::access_log;
use waymark_domain::access_log::{AccessLogPosition, AccessLogQuery};
use waymark_domain::identity::{AccountId, ClientId};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::BadQuery;
use crate::pagination::{
    DEFAULT_LIMIT, TimeAndId, bad_query, documented_query, documented_query_types, next_page_base,
    page_response, parse_limit,
};
use crate::state::AppState;
use crate::wire::access_log::AccessLogEntryResponse;

/// Filters and page of `GET /v1/me/access-log`, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AccessLogParameters {
    /// Only what this app did (its client id).
    #[param(value_type = Option<uuid::Uuid>)]
    client_id: Option<String>,
    /// Only what this person did (an administrator's or a supporter's account id).
    #[param(value_type = Option<uuid::Uuid>)]
    person_id: Option<String>,
    /// Entries per page, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

documented_query_types!(AccessLogParameters);

/// Where a page of the log ended, and the filters it was read with: a cursor is good
/// only for the list it came from.
#[derive(Debug, Serialize, Deserialize)]
struct LogPosition {
    #[serde(rename = "l")]
    last: TimeAndId,
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    client: Option<uuid::Uuid>,
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    person: Option<uuid::Uuid>,
}

/// A page of your access log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccessLogPageResponse {
    /// The entries.
    items: Vec<AccessLogEntryResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// Who else accessed your data.
///
/// Every request an app you let in made with your grant, and every change an
/// administrator made to your account, and everything a supporter read of what you
/// share with them or sent you: when, who, what it did, on what, and how it
/// was answered. Reads are included. Your own requests, and Waymark's own app, are
/// not. Newest first, in pages of `limit` (1 to 100, default 20); filter by
/// `client_id` or `person_id`. Entries appear within a second or two, and are kept for
/// two years by default. They are written in batches, every second by default: if a
/// server is killed outright (a crash, `kill -9`), the entries of its last interval
/// can be missing, never older ones. Only you can read it: an app acting with your grant gets 403.
#[utoipa::path(
    tag = "me",
    operation_id = "list_access_log",
    security(("oauth2" = ["profile"])),
    params(AccessLogParameters),
    responses(
        (status = 200, description = "A page of the log; `Link` points to the next.", body = AccessLogPageResponse),
        BadQuery,
    ),
)]
#[get("/v1/me/access-log")]
pub(crate) async fn list_access_log(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.own_account()?;
    let sent: AccessLogParameters = documented_query(request.query_string())?;
    let id = |name: &str, value: Option<String>| {
        value
            .map(|value| {
                uuid::Uuid::parse_str(&value)
                    .map_err(|_| bad_query(format!("{name} must be an id")))
            })
            .transpose()
    };
    let mut query = AccessLogQuery {
        owner,
        client: id("client_id", sent.client_id)?.map(ClientId),
        person: id("person_id", sent.person_id)?.map(AccountId),
        after: None,
        limit: sent.limit.as_deref().map_or(Ok(DEFAULT_LIMIT), parse_limit)?,
    };
    query.after = match sent.cursor {
        Some(cursor) => {
            let position: LogPosition = state.cursors.decode(&cursor)?;
            let filtered_by =
                (query.client.map(|client| client.0), query.person.map(|person| person.0));
            if (position.client, position.person) != filtered_by {
                return Err(bad_query(
                    "this cursor belongs to a list with other filters; start again from the first page",
                ));
            }
            Some(AccessLogPosition { at: position.last.at, id: position.last.id })
        }
        None => None,
    };
    let (entries, has_more) = access_log::page(&state.ports, &query).await?;
    let next_cursor = state.cursors.after_last(has_more, &entries, |last| LogPosition {
        last: TimeAndId { at: last.record.at, id: last.record.id },
        client: query.client.map(|client| client.0),
        person: query.person.map(|person| person.0),
    });
    let items = entries.iter().map(AccessLogEntryResponse::from).collect();
    Ok(page_response(
        &next_page_base("/v1/me/access-log", request.query_string()),
        query.limit,
        items,
        next_cursor,
    ))
}
