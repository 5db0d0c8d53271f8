//! `GET /v1/routines/{id}/stats`: kind streaks and completion rates.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::routines;
use waymark_domain::routines::stats::{StreakUnit, Tally};
use waymark_domain::time::now;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::RoutineMissing;
use crate::paths::RoutinePath;
use crate::problem::Problem;
use crate::state::AppState;

/// `?days=7|30|90`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatsWindow {
    /// The window for rates, in days up to today: 7, 30 or 90 (default 30).
    #[param(minimum = 7, maximum = 90, default = 30)]
    days: Option<u32>,
}

/// Counts over a set of occurrences.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TallyResponse {
    /// Occurrences expected (paused days and today's unrecorded ones left out; for
    /// `times_per_week`, `count` per seven active days).
    expected: u32,
    /// Done.
    done: u32,
    /// Partly done (half in the rate).
    partly: u32,
    /// Skipped by choice.
    skipped: u32,
    /// Past, unpaused and unrecorded (always 0 for `times_per_week`).
    missed: u32,
    /// (`done` + `partly` / 2) / `expected`, 0 to 1; `null` when nothing was expected.
    rate: Option<f64>,
}

impl From<&Tally> for TallyResponse {
    fn from(tally: &Tally) -> Self {
        Self {
            expected: tally.expected,
            done: tally.done,
            partly: tally.partly,
            skipped: tally.skipped,
            missed: tally.missed,
            rate: tally.rate(),
        }
    }
}

/// A routine's streaks and rates.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoutineStatsResponse {
    /// The routine.
    routine_id: uuid::Uuid,
    /// The window's days.
    days: u32,
    /// What streaks count: `occurrences`, or `weeks` for `times_per_week`.
    #[schema(example = "occurrences")]
    streak_unit: &'static str,
    /// The streak up to today.
    current_streak: u32,
    /// The longest streak in the last 400 days.
    longest_streak: u32,
    /// Counts and the completion rate over the window.
    window: TallyResponse,
    /// The same per weekday, Monday first (`mon` .. `sun`).
    per_weekday: Vec<WeekdayTally>,
}

/// Counts for one weekday.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WeekdayTally {
    /// `mon` .. `sun`.
    weekday: &'static str,
    /// Its counts.
    #[serde(flatten)]
    tally: TallyResponse,
}

/// The windows statistics are kept for, in days.
pub(crate) const STATS_WINDOWS: [u32; 3] = [7, 30, 90];

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Streaks and completion rates of one of your routines.
///
/// Kind by design. An occurrence is missed only once its local day is over without a
/// check-in; today's are never missed yet. `done` and `partly` extend a streak;
/// `skipped` neither extends nor breaks it (skipping is a choice); days the routine was
/// paused do not count at all. Only a missed occurrence breaks a streak. For
/// `times_per_week` routines the streak counts ISO weeks: a week with `count` `done`
/// or `partly` check-ins extends it, a week that reached `count` only with skips leaves
/// it as it is, a week that ended short breaks it (unless it had paused days), and the
/// current week never breaks it. A check-in at a time the routine no longer has (its
/// times were changed since) counts for that day's earliest unrecorded occurrence. The
/// rate is (`done` + half of `partly`) / expected.
#[utoipa::path(
    tag = "routines",
    operation_id = "routine_stats",
    security(("oauth2" = ["routines:read"])),
    params(RoutinePath, StatsWindow),
    responses(
        (status = 200, description = "The statistics.", body = RoutineStatsResponse),
        (status = 400, description = "`days` is not 7, 30 or 90.", body = Problem, content_type = "application/problem+json"),
        RoutineMissing,
    ),
)]
#[get("/v1/routines/{routine_id}/stats")]
pub(crate) async fn routine_stats(
    principal: Principal,
    path: web::Path<RoutinePath>,
    window: web::Query<StatsWindow>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let days = window.days.unwrap_or(30);
    if !STATS_WINDOWS.contains(&days) {
        return Err(ApiError::BadRequest("days must be 7, 30 or 90".to_owned()));
    }
    let id = path.routine_id();
    let (routine, computed) =
        routines::stats(&state.ports, principal.acting()?, now(), id, days).await?;
    Ok(HttpResponse::Ok().json(RoutineStatsResponse {
        routine_id: routine.id.0,
        days,
        streak_unit: match computed.unit {
            StreakUnit::Occurrences => "occurrences",
            StreakUnit::Weeks => "weeks",
        },
        current_streak: computed.current_streak,
        longest_streak: computed.longest_streak,
        window: TallyResponse::from(&computed.window),
        per_weekday: WEEKDAYS
            .iter()
            .zip(&computed.per_weekday)
            .map(|(weekday, tally)| WeekdayTally { weekday, tally: TallyResponse::from(tally) })
            .collect(),
    }))
}
