//! Calendar feeds of routines: an authenticated `.ics`, and a secret address to
//! subscribe to from a calendar app (which cannot send a bearer token).

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpResponse, delete, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::middleware::idempotency::ShownOnce;
use crate::problem::Problem;
use crate::state::AppState;
use waymark_application::calendar_feeds;
use waymark_application::formats::icalendar::{Notes, calendar};
use waymark_domain::acting::Acting;
use waymark_domain::routines::Routine;

use waymark_domain::time::now;

const TEXT_CALENDAR: &str = "text/calendar; charset=utf-8";

fn calendar_of(routines: &[Routine], notes: Notes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(TEXT_CALENDAR)
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .body(calendar(routines, waymark_domain::time::now(), notes))
}

/// Your routines as a calendar.
///
/// An RFC 5545 iCalendar document: one `VEVENT` with an `RRULE` (and `VTIMEZONE`) per
/// time of day of each active routine with fixed days, with a `VALARM` for its
/// reminder. `times_per_week` routines have no fixed days and are left out.
#[utoipa::path(
    tag = "routines",
    operation_id = "routines_calendar",
    security(("oauth2" = ["routines:read"])),
    responses(
        (status = 200, description = "The calendar.", content_type = "text/calendar", body = String),
    ),
)]
#[get("/v1/routines/calendar.ics")]
pub(crate) async fn routines_calendar(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let routines = calendar_feeds::routines(&state.ports, principal.acting()?).await?;
    Ok(calendar_of(&routines, Notes::Included))
}

/// A new secret calendar address.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CalendarFeedResponse {
    /// The secret; shown only now. Anyone with it can read your routines' titles,
    /// categories and times (not their notes), so keep it like a password.
    #[schema(example = "wmc_3q2-7wEXAMPLEexampleEXAMPLEexample012345678")]
    token: String,
    /// The address to subscribe to, relative to this server.
    #[schema(example = "/v1/calendar/wmc_3q2-7wEXAMPLEexampleEXAMPLEexample012345678.ics")]
    url: String,
}

/// Creates (or replaces) your secret calendar address.
///
/// Calendar apps subscribe by address and cannot send a token, so the address itself
/// is the secret: it is shown once, and only its digest is stored. Calling this again
/// rotates it: the old address stops working at once. A retry with the same
/// `Idempotency-Key` is 409, never the address again: call it without the key to
/// rotate. Only you can do this: an app acting with your grant gets 403 (an address
/// would outlive the grant).
#[utoipa::path(
    tag = "routines",
    operation_id = "create_calendar_feed",
    security(("oauth2" = ["routines:write"])),
    responses(
        (status = 201, description = "The new address.", body = CalendarFeedResponse),
    ),
)]
#[post("/v1/me/calendar-feed")]
pub(crate) async fn create_calendar_feed(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // An address an app opened would outlive its grant, and be read by no one's log.
    let owner = principal.own_account()?;
    let secret = calendar_feeds::open_address(&state.ports, Acting::person(owner), now()).await?;
    // The created resource is the feed itself, revoked with `DELETE` there; never the
    // secret address, which proxies would log.
    let mut response = HttpResponse::Created()
        .insert_header((header::LOCATION, "/v1/me/calendar-feed"))
        .json(CalendarFeedResponse {
            url: format!("/v1/calendar/{}.ics", secret.expose()),
            token: secret.expose().to_owned(),
        });
    // The address is a secret shown once: never kept for, nor shown by, a replay.
    response.extensions_mut().insert(ShownOnce);
    Ok(response)
}

/// Revokes your secret calendar address.
///
/// Calendar apps subscribed to it get 404 from then on; create a new one to subscribe
/// again. Only you can do this: an app acting with your grant gets 403.
#[utoipa::path(
    tag = "routines",
    operation_id = "delete_calendar_feed",
    security(("oauth2" = ["routines:write"])),
    responses(
        (status = 204, description = "The address no longer works."),
        (status = 404, description = "You have no calendar address.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/v1/me/calendar-feed")]
pub(crate) async fn delete_calendar_feed(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    calendar_feeds::close_address(&state.ports, Acting::person(principal.own_account()?)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A secret calendar address's routines.
///
/// The same document as `GET /v1/routines/calendar.ics` without routines' notes, for
/// calendar apps to subscribe to. No bearer token: the address is the secret. An unknown, rotated or
/// revoked address is 404.
#[utoipa::path(
    tag = "routines",
    operation_id = "calendar_feed",
    params(("feed_token" = String, Path, description = "The secret from `POST /v1/me/calendar-feed`.")),
    responses(
        (status = 200, description = "The calendar.", content_type = "text/calendar", body = String),
        (status = 404, description = "No such calendar address.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/calendar/{feed_token}.ics")]
pub(crate) async fn calendar_feed(
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let routines = calendar_feeds::routines_at_address(&state.ports, &path.into_inner()).await?;
    Ok(calendar_of(&routines, Notes::Left))
}
