//! `GET /v1/contacts`: your support network by name, or those due a catch-up, most
//! overdue first, in keyset pages.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_domain::contacts::ports::{ContactPosition, ContactQuery};
use waymark_domain::contacts::{ContactId, ContactKind, Helpfulness};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::BadQuery;
use crate::pagination::{
    DEFAULT_LIMIT, bad_query, documented_query, documented_query_types, next_page_base,
    page_response, parse_bool, parse_limit,
};
use crate::state::AppState;
use crate::wire::contacts::{ContactKindName, ContactResponse, HelpfulnessName};

/// The query parameters of `GET /v1/contacts`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ContactListParameters {
    /// Only contacts of this kind.
    #[param(value_type = Option<ContactKindName>)]
    kind: Option<String>,
    /// Only contacts whose relationship feels like this.
    #[param(value_type = Option<HelpfulnessName>)]
    helpfulness: Option<String>,
    /// Only crisis contacts (`true`) or the others (`false`).
    #[param(value_type = Option<bool>)]
    crisis_contact: Option<String>,
    /// Only contacts you share with services (`true`) or the others (`false`).
    #[param(value_type = Option<bool>)]
    shared_with_services: Option<String>,
    /// Only contacts whose name or organisation contains this (any letter case), 1 to
    /// 100 characters.
    #[param(min_length = 1, max_length = 100)]
    q: Option<String>,
    /// `true`: only contacts whose keep-in-touch interval has passed, most overdue
    /// first (never those marked `unhelpful`). `false` or absent: every contact, by
    /// name.
    #[param(value_type = Option<bool>)]
    due: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

documented_query_types!(ContactListParameters);

/// A page of contacts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ContactPageResponse {
    /// The contacts: by name, or most overdue first with `due=true`.
    items: Vec<ContactResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// The position a cursor carries (signed by the server).
#[derive(Debug, Serialize, Deserialize)]
enum CursorPosition {
    Name { key: String, id: uuid::Uuid },
    Due { at: DateTime<Utc>, id: uuid::Uuid },
}

fn parse(request: &HttpRequest, state: &AppState) -> Result<ContactQuery, ApiError> {
    let mut query = ContactQuery::by_name(DEFAULT_LIMIT);
    let sent: ContactListParameters = documented_query(request.query_string())?;
    if let Some(kind) = sent.kind {
        query.kind =
            Some(kind.parse::<ContactKind>().map_err(|error| bad_query(format!("kind {error}")))?);
    }
    if let Some(helpfulness) = sent.helpfulness {
        query.helpfulness = Some(
            helpfulness
                .parse::<Helpfulness>()
                .map_err(|error| bad_query(format!("helpfulness {error}")))?,
        );
    }
    if let Some(crisis) = sent.crisis_contact {
        query.crisis_contact = Some(parse_bool("crisis_contact", &crisis)?);
    }
    if let Some(shared) = sent.shared_with_services {
        query.shared_with_services = Some(parse_bool("shared_with_services", &shared)?);
    }
    if let Some(text) = sent.q {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 100 {
            return Err(bad_query("q must be 1 to 100 characters"));
        }
        query.text = Some(text.to_owned());
    }
    if let Some(due) = sent.due
        && parse_bool("due", &due)?
    {
        query.due_by = Some(waymark_domain::time::now());
    }
    if let Some(limit) = sent.limit {
        query.limit = parse_limit(&limit)?;
    }
    let cursor = state.cursors.decode_sent(sent.cursor.as_deref())?;
    query.after = match (cursor, query.due_by.is_some()) {
        (None, _) => None,
        (Some(CursorPosition::Name { key, id }), false) => {
            Some(ContactPosition::Name { name_key: key, id: ContactId(id) })
        }
        (Some(CursorPosition::Due { at, id }), true) => {
            Some(ContactPosition::Due { due_since: at, id: ContactId(id) })
        }
        _ => {
            return Err(bad_query(
                "cursor belongs to another list; start again from the first page",
            ));
        }
    };
    Ok(query)
}

/// Your contacts.
///
/// By name (`A` to `Z`, any letter case). With `due=true`, only those whose
/// keep-in-touch interval has passed, most overdue first, each with `due_since`;
/// contacts marked `unhelpful` are never due. Filter by `kind`, `helpfulness`,
/// `crisis_contact`, `shared_with_services` and `q`. Pages of `limit` (1 to 100, default 20); follow
/// `next_cursor` or the `Link` header.
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_contacts",
    security(("oauth2" = ["contacts:read"])),
    params(ContactListParameters),
    responses(
        (status = 200, description = "A page of contacts; `Link` points to the next.", body = ContactPageResponse),
        BadQuery,
    ),
)]
#[get("/v1/contacts")]
pub(crate) async fn list_contacts(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let query = parse(&request, &state)?;
    let limit = query.limit;
    let due = query.due_by.is_some();
    let page = waymark_application::contacts::list(&state.ports, acting, query).await?;
    let next_cursor = state.cursors.after_last(page.has_more, &page.contacts, |last| {
        match (due, last.due_since) {
            (true, Some(at)) => CursorPosition::Due { at, id: last.id.0 },
            _ => CursorPosition::Name {
                key: last.details.name.as_str().to_lowercase(),
                id: last.id.0,
            },
        }
    });
    let items = page.contacts.iter().map(ContactResponse::from).collect();
    let path = next_page_base("/v1/contacts", request.query_string());
    Ok(page_response(&path, limit, items, next_cursor))
}
