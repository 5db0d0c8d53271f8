//! When routines happen: one routine's occurrences over a range of dates, and the
//! agenda of every active routine for a day (what a mobile home screen shows).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::planning::{self, Planned};
use waymark_application::{accounts, routines};
use waymark_domain::routines::schedule::MAX_RANGE_DAYS;
use waymark_domain::time::now;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::{BadRange, RoutineMissing};
use crate::paths::RoutinePath;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::routines::{CategoryName, RoutineCheckInResponse, supported_date, time_text};

/// The longest agenda, in days.
pub(crate) const MAX_AGENDA_DAYS: i64 = 14;

/// `?from=&to=` (local dates, both included).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DateRange {
    /// The first local date (default: today in the routine's time zone).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<NaiveDate>,
    /// The last local date (default: six days after `from`); the range may hold at
    /// most 366 days.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<NaiveDate>,
}

/// One time a routine happens, with its check-in if there is one.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OccurrenceResponse {
    /// The local date.
    #[schema(value_type = String, format = Date)]
    date: NaiveDate,
    /// The scheduled local time (`HH:MM`); `null` for `times_per_week`, which may be
    /// done at any time on any day.
    time: Option<String>,
    /// The instant it happens. A time the clocks skip that day happens as far after
    /// the change as it was meant to be into the skipped hour (RFC 5545); a time that
    /// happens twice happens the first time.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    at: Option<DateTime<Utc>>,
    /// The local wall-clock time at `at`, with its offset.
    #[schema(value_type = Option<String>, format = DateTime)]
    local_at: Option<DateTime<FixedOffset>>,
    /// Its check-in, if any.
    check_in: Option<RoutineCheckInResponse>,
}

/// A routine's occurrences over a range of dates.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OccurrencesResponse {
    /// The routine.
    routine_id: uuid::Uuid,
    /// The zone its dates and times are in.
    time_zone: String,
    /// In time order. Empty while the routine is paused, and none on days it was
    /// paused.
    items: Vec<OccurrenceResponse>,
}

impl From<&Planned> for OccurrenceResponse {
    fn from(planned: &Planned) -> Self {
        let occurrence = &planned.occurrence;
        Self {
            date: occurrence.date,
            time: occurrence.time.map(time_text),
            at: occurrence.at,
            local_at: occurrence.local_at,
            check_in: planned.check_in.as_ref().map(RoutineCheckInResponse::from),
        }
    }
}

fn checked_range(
    from: NaiveDate,
    to: NaiveDate,
    longest: i64,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    if to < from {
        return Err(ApiError::BadRequest("to must not be before from".to_owned()));
    }
    if (to - from).num_days() >= longest {
        return Err(ApiError::BadRequest(format!("from and to may span at most {longest} days")));
    }
    Ok((from, to))
}

/// When one of your routines happens.
///
/// Each occurrence between `from` and `to` (local dates, both included, at most 366
/// days; default: the seven days from today), in time order, with its local date,
/// scheduled time, UTC instant and check-in. Computed in the routine's time zone and
/// correct across daylight-saving changes. A paused routine has none.
#[utoipa::path(
    tag = "routines",
    operation_id = "routine_occurrences",
    security(("oauth2" = ["routines:read"])),
    params(RoutinePath, DateRange),
    responses(
        (status = 200, description = "The occurrences.", body = OccurrencesResponse),
        BadRange,
        RoutineMissing,
    ),
)]
#[get("/v1/routines/{routine_id}/occurrences")]
pub(crate) async fn routine_occurrences(
    principal: Principal,
    path: web::Path<RoutinePath>,
    range: web::Query<DateRange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let routine = routines::get(&state.ports, acting, path.routine_id()).await?;
    let from = supported_date(range.from, "from")?
        .unwrap_or_else(|| routine.schedule.time_zone().date_at(now()));
    let to = supported_date(range.to, "to")?.unwrap_or(from + Duration::days(6));
    let (from, to) = checked_range(from, to, MAX_RANGE_DAYS)?;
    let planned = planning::occurrences(&state.ports, acting, &routine, from, to).await?;
    Ok(HttpResponse::Ok().json(OccurrencesResponse {
        routine_id: routine.id.0,
        time_zone: routine.schedule.time_zone().name().to_owned(),
        items: planned.iter().map(OccurrenceResponse::from).collect(),
    }))
}

/// `?date=` or `?from=&to=` for the agenda.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgendaRange {
    /// One local date (default: today in your account's time zone).
    #[param(value_type = Option<String>, format = Date)]
    date: Option<NaiveDate>,
    /// Instead of `date`: the first date of up to 14.
    #[param(value_type = Option<String>, format = Date)]
    from: Option<NaiveDate>,
    /// With `from`: the last date (at most 13 days after it).
    #[param(value_type = Option<String>, format = Date)]
    to: Option<NaiveDate>,
}

/// How far a `times_per_week` routine is through an ISO week.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WeekProgress {
    /// How many check-ins the routine asks for each week.
    target: u8,
    /// How many the week has (done, partly or skipped).
    checked_in: u32,
}

/// One entry of the agenda.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AgendaItem {
    /// The routine.
    routine_id: uuid::Uuid,
    /// Its title.
    title: String,
    /// Its category.
    #[schema(value_type = CategoryName)]
    category: &'static str,
    /// The occurrence.
    #[serde(flatten)]
    occurrence: OccurrenceResponse,
    /// For `times_per_week` routines (which have no fixed days or times): that
    /// week's progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    week: Option<WeekProgress>,
}

/// Every active routine's occurrences over one or more days.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AgendaResponse {
    /// The first date.
    #[schema(value_type = String, format = Date)]
    from: NaiveDate,
    /// The last date.
    #[schema(value_type = String, format = Date)]
    to: NaiveDate,
    /// By date, then in time order; `times_per_week` routines (any time that day)
    /// after the timed ones.
    items: Vec<AgendaItem>,
}

/// Your agenda.
///
/// Every active routine's occurrences on `date` (default: today in your account's
/// time zone), or on the days `from` to `to` (at most 14), by date and then in time
/// order, each with its check-in. This is what a home screen shows.
#[utoipa::path(
    tag = "routines",
    operation_id = "agenda",
    security(("oauth2" = ["routines:read"])),
    params(AgendaRange),
    responses(
        (status = 200, description = "The agenda.", body = AgendaResponse),
        (status = 400, description = "The dates are not valid or span more than 14 days.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/agenda")]
pub(crate) async fn agenda(
    principal: Principal,
    range: web::Query<AgendaRange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let owner = acting.owner;
    let (from, to) = match (
        supported_date(range.date, "date")?,
        supported_date(range.from, "from")?,
        supported_date(range.to, "to")?,
    ) {
        (Some(date), None, None) => (date, date),
        (None, Some(from), to) => checked_range(from, to.unwrap_or(from), MAX_AGENDA_DAYS)?,
        (None, None, None) => {
            let today = accounts::get(&state.ports, acting).await?.time_zone.date_at(now());
            (today, today)
        }
        _ => {
            return Err(ApiError::BadRequest("give either date, or from (and to)".to_owned()));
        }
    };
    let stamp = state.rendered_agendas.stamp(owner);
    if let Some(json) = stamp.and_then(|stamp| state.rendered_agendas.get(owner, from, to, stamp)) {
        return Ok(HttpResponse::Ok().content_type("application/json").body(json));
    }
    let agenda = planning::agenda(&state.ports, acting, from, to).await?;
    let items: Vec<AgendaItem> = agenda
        .entries
        .iter()
        .map(|entry| {
            let routine = &agenda.routines[entry.routine];
            AgendaItem {
                routine_id: routine.id.0,
                title: routine.title.as_str().to_owned(),
                category: routine.category.as_str(),
                occurrence: OccurrenceResponse::from(&entry.planned),
                week: entry.week.map(|(target, checked_in)| WeekProgress {
                    target,
                    checked_in: u32::try_from(checked_in).unwrap_or(u32::MAX),
                }),
            }
        })
        .collect();
    let json = actix_web::web::Bytes::from(
        serde_json::to_vec(&AgendaResponse { from, to, items })
            .map_err(|error| ApiError::Internal(error.into()))?,
    );
    if let Some(stamp) = stamp {
        state.rendered_agendas.keep(owner, from, to, stamp, json.clone());
    }
    Ok(HttpResponse::Ok().content_type("application/json").body(json))
}
