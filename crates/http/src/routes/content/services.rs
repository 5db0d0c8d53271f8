//! `/v1/content/services`: the support-service directory. Reading is public
//! (published services only, cacheable); editors also see drafts, and write.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::services::{self, ServiceListing, ServicePosition};
use waymark_domain::content::ports::ServiceQuery;
use waymark_domain::content::service::{Location, MAX_WITHIN_KM, ServiceId, ServiceKind};
use waymark_domain::content::{ArticleStatus, Slug};
use waymark_domain::time::now;

use super::access::is_editor;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody};
use crate::openapi::problems::{BadQuery, Invalid, ServiceMissing, Stale};
use crate::pagination::{
    DEFAULT_LIMIT, bad_query, documented_query, documented_query_types, next_page_base,
    next_page_link, parse_bool, parse_limit,
};
use crate::problem::Problem;
use crate::public_cache::{ModifiedSince, cached_json};
use crate::respond::{created, versioned};
use crate::state::AppState;
use crate::wire::services::{NewServiceRequest, ServiceKindName, ServicePatch, ServiceResponse};

/// The longest `near` (`lat,lon`), in characters: ample for full `f64` precision.
pub(crate) const MAX_NEAR_LENGTH: usize = 64;

/// The query parameters of `GET /v1/content/services`, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ServiceListParameters {
    /// Only services of this kind.
    #[param(value_type = Option<ServiceKindName>)]
    kind: Option<String>,
    /// Only services whose name, description or area contains this (any letter case),
    /// 1 to 100 characters.
    #[param(min_length = 1, max_length = 100)]
    q: Option<String>,
    /// `true`: only services open now, judged in each service's own time zone.
    #[param(value_type = Option<bool>)]
    open_now: Option<String>,
    /// `lat,lon`: only services within `within_km`, nearest first, each with
    /// `distance_km`.
    #[param(example = "53.7997,-1.5492")]
    near: Option<String>,
    /// With `near` only: the radius, 1 to 200 km; 25 when omitted. Without `near`
    /// it is refused (400), so it has no default of its own.
    #[param(value_type = Option<f64>, minimum = 1, maximum = 200)]
    within_km: Option<String>,
    /// Editors only: `draft`, `published` or `archived` (default `published`).
    #[param(value_type = Option<crate::wire::names::ArticleStatusName>)]
    status: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

documented_query_types!(ServiceListParameters);

/// A page of services.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServicePageResponse {
    /// By name, or nearest first with `near`.
    items: Vec<ServiceResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// A cursor: the place in the ordered list (distance or name) and the id after which
/// the next page starts.
#[derive(Debug, Serialize, Deserialize)]
struct CursorPosition {
    distance: Option<f64>,
    name: String,
    id: uuid::Uuid,
}

impl From<CursorPosition> for ServicePosition {
    fn from(cursor: CursorPosition) -> Self {
        Self { distance: cursor.distance, name: cursor.name, id: ServiceId(cursor.id) }
    }
}

impl From<ServicePosition> for CursorPosition {
    fn from(position: ServicePosition) -> Self {
        Self { distance: position.distance, name: position.name, id: position.id.0 }
    }
}

/// `near`'s `lat,lon`.
fn point_of(value: &str) -> Result<Location, ApiError> {
    if value.len() > MAX_NEAR_LENGTH {
        return Err(bad_query(format!("near may be at most {MAX_NEAR_LENGTH} characters")));
    }
    value
        .split_once(',')
        .and_then(|(lat, lon)| {
            Some((lat.trim().parse::<f64>().ok()?, lon.trim().parse::<f64>().ok()?))
        })
        .and_then(|(lat, lon)| Location::new(lat, lon))
        .ok_or_else(|| bad_query("near must be lat,lon such as 53.7997,-1.5492"))
}

fn parse_list(
    request: &HttpRequest,
    state: &AppState,
    editor: bool,
) -> Result<ServiceListing, ApiError> {
    let mut list = ServiceListing {
        query: ServiceQuery {
            statuses: vec![ArticleStatus::Published],
            kind: None,
            text: None,
            crisis_only: false,
            within: None,
        },
        open_now: false,
        near: None,
        limit: DEFAULT_LIMIT,
        after: None,
    };
    let sent: ServiceListParameters = documented_query(request.query_string())?;
    if let Some(kind) = sent.kind {
        list.query.kind =
            Some(kind.parse::<ServiceKind>().map_err(|error| bad_query(format!("kind {error}")))?);
    }
    if let Some(text) = sent.q {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 100 {
            return Err(bad_query("q must be 1 to 100 characters"));
        }
        list.query.text = Some(text.to_owned());
    }
    if let Some(open_now) = sent.open_now {
        list.open_now = parse_bool("open_now", &open_now)?;
    }
    let near = sent.near.map(|near| point_of(&near)).transpose()?;
    let within_km = sent
        .within_km
        .map(|km| {
            km.parse::<f64>()
                .ok()
                .filter(|km| (1.0..=MAX_WITHIN_KM).contains(km))
                .ok_or_else(|| bad_query("within_km must be 1 to 200"))
        })
        .transpose()?;
    if let Some(status) = sent.status {
        if !editor {
            return Err(ApiError::Forbidden {
                detail: "Listing by status is for editors (scope content:write).".to_owned(),
            });
        }
        list.query.statuses = vec![
            status
                .parse::<ArticleStatus>()
                .map_err(|error| bad_query(format!("status {error}")))?,
        ];
    }
    if let Some(limit) = sent.limit {
        list.limit = parse_limit(&limit)?;
    }
    if let Some(cursor) = sent.cursor {
        list.after = Some(state.cursors.decode::<CursorPosition>(&cursor)?.into());
    }
    match (near, within_km) {
        (Some(point), km) => {
            let km = km.unwrap_or(25.0);
            list.query.within = Some(point.bounding_box(km));
            list.near = Some((point, km));
        }
        (None, Some(_)) => return Err(bad_query("within_km needs near")),
        (None, None) => {}
    }
    if list.after.as_ref().is_some_and(|after| after.distance.is_some() != list.near.is_some()) {
        return Err(bad_query("cursor belongs to another list; start again from the first page"));
    }
    Ok(list)
}

/// The support-service directory.
///
/// Public: no token needed. By name; with `near=lat,lon` (and `within_km`, 1 to 200,
/// default 25) only services within that distance, nearest first, each with
/// `distance_km` (a bounding box on an index first, then the exact great-circle
/// distance). `open_now=true` keeps those open now in their own time zone. Filter by
/// `kind` and `q`. Cacheable like articles.
#[utoipa::path(
    tag = "content",
    operation_id = "list_services",
    // Anyone may read; an editor's token (`content:write`) also shows drafts.
    security((), ("oauth2" = ["content:write"])),
    params(ServiceListParameters),
    responses(
        (status = 200, description = "A page of services.", body = ServicePageResponse,
            headers(("ETag" = String, description = "A digest of the page."), ("Last-Modified" = String, description = "The newest change on the page."), ("Cache-Control" = String, description = "How long it may be cached."))),
        (status = 304, description = "Unchanged since the validators sent."),
        BadQuery,
        (status = 403, description = "`status` without an editor's token.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/content/services")]
pub(crate) async fn list_services(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let editor = is_editor(&request, &state).await?;
    let list = parse_list(&request, &state, editor)?;
    let public = list.query.statuses == [ArticleStatus::Published];
    let now = Utc::now();
    let page = services::list(&state.ports, &list, now).await?;
    let next_cursor =
        page.next().map(|position| state.cursors.encode(&CursorPosition::from(position)));
    let ranked = page.services;
    let last_modified =
        ranked.iter().map(|(_, service)| service.updated_at).max().unwrap_or(DateTime::UNIX_EPOCH);
    let link = next_cursor.as_deref().map(|cursor| {
        let base = next_page_base("/v1/content/services", request.query_string());
        next_page_link(&base, list.limit, cursor)
    });
    let body = ServicePageResponse {
        items: ranked
            .iter()
            .map(|(distance, service)| ServiceResponse::new(service, now, *distance))
            .collect(),
        next_cursor,
    };
    // `open_now` is part of every item, so a cached list may be at most five minutes
    // behind a service opening or closing.
    let mut response =
        cached_json(&request, &body, last_modified, ModifiedSince::Unreliable, public && !editor);
    if let Some(link) = link.and_then(|link| HeaderValue::from_str(&link).ok()) {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

fn slug_of(text: &str) -> Result<Slug, ApiError> {
    Slug::parse(text).map_err(|_| ApiError::NotFound)
}

/// One published service.
///
/// Public and cacheable. Drafts and archived services are 404 unless the caller is
/// an editor.
#[utoipa::path(
    tag = "content",
    operation_id = "get_service",
    // Anyone may read; an editor's token (`content:write`) also shows drafts.
    security((), ("oauth2" = ["content:write"])),
    params(("slug" = String, Path, description = "The service's slug.")),
    responses(
        (status = 200, description = "The service.", body = ServiceResponse,
            headers(("ETag" = String, description = "A digest of the answer."), ("Last-Modified" = String, description = "When it last changed."), ("Cache-Control" = String, description = "How long it may be cached."))),
        (status = 304, description = "Unchanged since the validators sent."),
        (status = 404, description = "No such published service.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/content/services/{slug}")]
pub(crate) async fn get_service(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug_of(&path.into_inner())?;
    let editor = is_editor(&request, &state).await?;
    let service = services::read(&state.ports, &slug, editor).await?;
    let public = service.status == ArticleStatus::Published;
    Ok(cached_json(
        &request,
        &ServiceResponse::new(&service, Utc::now(), None),
        service.updated_at,
        // `open_now` changes with the clock, not with `updated_at`.
        ModifiedSince::Unreliable,
        public && !editor,
    ))
}

/// Adds a service to the directory.
///
/// Editors only. `status` defaults to `draft`.
#[utoipa::path(
    tag = "content",
    operation_id = "create_service",
    security(("oauth2" = ["content:write"])),
    request_body = NewServiceRequest,
    responses(
        (status = 201, description = "The service.", body = ServiceResponse,
            headers(("Location" = String, description = "Its address."), ("ETag" = String, description = "Its version."))),
        (status = 409, description = "Another service has that slug, or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        Invalid,
    ),
)]
#[post("/v1/content/services")]
pub(crate) async fn create_service(
    _editor: Principal,
    body: JsonBody<NewServiceRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let service = services::create(&state.ports, now(), body.into_inner()).await?;
    state.crisis.forget();
    let location = format!("/v1/content/services/{}", service.slug.as_str());
    Ok(created(location, service.version, ServiceResponse::new(&service, Utc::now(), None)))
}

/// Changes a service.
///
/// Editors only. A JSON merge patch (the slug cannot change); the result is checked
/// whole. With `If-Match`, only if it is still at that version (else 412).
#[utoipa::path(
    tag = "content",
    operation_id = "update_service",
    security(("oauth2" = ["content:write"])),
    request_body(content((ServicePatch = "application/merge-patch+json"), (ServicePatch = "application/json"))),
    params(("slug" = String, Path, description = "The service's slug.")),
    responses(
        (status = 200, description = "The changed service.", body = ServiceResponse, headers(("ETag" = String, description = "Its new version."))),
        ServiceMissing,
        Stale,
        Invalid,
    ),
)]
#[patch("/v1/content/services/{slug}")]
pub(crate) async fn update_service(
    _editor: Principal,
    path: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<ServicePatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug_of(&path.into_inner())?;
    let patch = body.into_inner();
    let service = services::update(&state.ports, now(), &slug, if_match.seen(), patch).await?;
    state.crisis.forget();
    Ok(versioned(service.version, ServiceResponse::new(&service, Utc::now(), None)))
}

/// Deletes a service.
///
/// Editors only. With `If-Match`, only if it is still at that version.
#[utoipa::path(
    tag = "content",
    operation_id = "delete_service",
    security(("oauth2" = ["content:write"])),
    params(("slug" = String, Path, description = "The service's slug.")),
    responses(
        (status = 204, description = "It is gone."),
        ServiceMissing,
        Stale,
    ),
)]
#[delete("/v1/content/services/{slug}")]
pub(crate) async fn delete_service(
    _editor: Principal,
    path: web::Path<String>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug_of(&path.into_inner())?;
    services::delete(&state.ports, &slug, if_match.seen()).await?;
    state.crisis.forget();
    Ok(HttpResponse::NoContent().finish())
}
