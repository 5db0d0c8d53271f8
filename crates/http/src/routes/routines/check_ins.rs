//! Check-ins of a routine: how each occurrence went. One per occurrence; `PATCH`
//! changes it.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::Input;
use waymark_application::routine_check_ins::{self, CheckInDraft};
use waymark_domain::goals::Feeling;
use waymark_domain::routines::stats::Paused;
use waymark_domain::routines::{
    CheckInStatus, NewRoutineCheckIn, Routine, RoutineCheckInChanges, RoutineCheckInNote,
};
use waymark_domain::time::now;
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch};
use crate::openapi::problems::{BadRange, CheckInMissing, Invalid, RoutineMissing, Stale};
use crate::paths::{RoutineCheckInPath, RoutinePath};
use crate::problem::Problem;
use crate::respond::{created, versioned};
use crate::state::AppState;
use crate::wire::names::FeelingName;
use crate::wire::routines::{
    CheckInStatusName, OccurrenceRef, RoutineCheckInResponse, supported_date,
};

/// A check-in for one occurrence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRoutineCheckInRequest {
    /// The occurrence: a date the routine is due on (not in the future), and for
    /// routines with times of day, one of those times.
    pub(crate) occurrence: OccurrenceRef,
    /// How it went.
    #[schema(value_type = CheckInStatusName, example = "done")]
    pub(crate) status: String,
    /// A note (up to 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub(crate) note: String,
    /// How you felt.
    #[serde(default)]
    #[schema(value_type = Option<FeelingName>, example = "good")]
    pub(crate) feeling: Option<String>,
}

/// Changes to a check-in (JSON merge patch); `null` clears `note` and `feeling`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoutineCheckInPatch {
    /// How it went.
    #[serde(default)]
    #[schema(value_type = CheckInStatusName)]
    pub(crate) status: Patch<String>,
    /// A new note, or `null`.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub(crate) note: Patch<String>,
    /// A new feeling, or `null`.
    #[serde(default)]
    #[schema(value_type = Option<FeelingName>)]
    pub(crate) feeling: Patch<String>,
}

/// Check-ins of a routine, by date.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoutineCheckInsResponse {
    /// Oldest occurrence first.
    items: Vec<RoutineCheckInResponse>,
}

/// `?from=&to=` for check-ins.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckInRange {
    /// The first occurrence date (default: 29 days before `to`).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<NaiveDate>,
    /// The last occurrence date (default: today in the routine's time zone); the range
    /// may hold at most 366 days.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<NaiveDate>,
}

impl CheckInDraft for NewRoutineCheckInRequest {
    fn parse(
        self,
        routine: &Routine,
        today: NaiveDate,
        pauses: &[Paused],
    ) -> Result<NewRoutineCheckIn, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let requested = &self.occurrence;
        let occurrence = routine.occurrence(
            requested.date,
            requested.time.as_deref(),
            today,
            pauses,
            &mut problems,
        );
        let status = problems.check("/status", self.status.parse::<CheckInStatus>());
        let note = problems.check("/note", RoutineCheckInNote::parse(&self.note));
        let feeling = match &self.feeling {
            None => Some(None),
            Some(name) => problems.check("/feeling", name.parse::<Feeling>()).map(Some),
        };
        problems.or(|| {
            Some(NewRoutineCheckIn {
                occurrence: occurrence?,
                status: status?,
                note: note?,
                feeling: feeling?,
            })
        })
    }
}

impl Input<RoutineCheckInChanges> for RoutineCheckInPatch {
    fn parse(self) -> Result<RoutineCheckInChanges, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let changes = RoutineCheckInChanges {
            status: self
                .status
                .kept("/status", &mut problems)
                .and_then(|name| problems.check("/status", name.parse::<CheckInStatus>())),
            note: match self.note {
                Patch::Absent => None,
                Patch::Null => RoutineCheckInNote::parse("").ok(),
                Patch::Value(note) => problems.check("/note", RoutineCheckInNote::parse(&note)),
            },
            feeling: match self.feeling {
                Patch::Absent => None,
                Patch::Null => Some(None),
                Patch::Value(name) => problems.check("/feeling", name.parse::<Feeling>()).map(Some),
            },
        };
        problems.or(|| Some(changes))
    }
}

/// Records how an occurrence went.
///
/// One check-in per occurrence (a second is 409; change it with `PATCH`). The
/// occurrence must be a real one: a date the routine is due on, not in the future,
/// and for routines with times of day one of those times. A `times_per_week` routine
/// takes at most `count` check-ins in each ISO week (409 beyond). Send
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "routines",
    operation_id = "create_routine_check_in",
    security(("oauth2" = ["routines:write"])),
    request_body = NewRoutineCheckInRequest,
    params(RoutinePath),
    responses(
        (status = 201, description = "The check-in.", body = RoutineCheckInResponse,
            headers(("Location" = String, description = "The check-in's address."), ("ETag" = String, description = "Its version."))),
        RoutineMissing,
        (status = 409, description = "That occurrence has a check-in, or the week has all its check-ins.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the occurrence is not one of the routine's.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/routines/{routine_id}/check-ins")]
pub(crate) async fn create_routine_check_in(
    principal: Principal,
    path: web::Path<RoutinePath>,
    body: JsonBody<NewRoutineCheckInRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let routine = path.routine_id();
    let (routine, check_in) = routine_check_ins::check_in(
        &state.ports,
        principal.acting()?,
        now(),
        routine,
        body.into_inner(),
    )
    .await?;
    let location = format!("/v1/routines/{}/check-ins/{}", routine.id, check_in.id);
    Ok(created(location, check_in.version, RoutineCheckInResponse::from(&check_in)))
}

/// A routine's check-ins.
///
/// Those whose occurrence falls between `from` and `to` (default: the 30 days up to
/// today in the routine's time zone; at most 366 days), oldest first.
#[utoipa::path(
    tag = "routines",
    operation_id = "list_routine_check_ins",
    security(("oauth2" = ["routines:read"])),
    params(RoutinePath, CheckInRange),
    responses(
        (status = 200, description = "The check-ins.", body = RoutineCheckInsResponse),
        BadRange,
        RoutineMissing,
    ),
)]
#[get("/v1/routines/{routine_id}/check-ins")]
pub(crate) async fn list_routine_check_ins(
    principal: Principal,
    path: web::Path<RoutinePath>,
    range: web::Query<CheckInRange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // As before the use case: the token's kind first, then `to`, then `from`.
    let acting = principal.acting()?;
    let to = supported_date(range.to, "to")?;
    let from = supported_date(range.from, "from")?;
    let routine = path.routine_id();
    let check_ins = routine_check_ins::list(&state.ports, acting, routine, from, to, now()).await?;
    Ok(HttpResponse::Ok().json(RoutineCheckInsResponse {
        items: check_ins.iter().map(RoutineCheckInResponse::from).collect(),
    }))
}

/// Changes a check-in.
///
/// A JSON merge patch of `status`, `note` and `feeling`; the occurrence cannot
/// change. With `If-Match`, only if the check-in is still at that version.
#[utoipa::path(
    tag = "routines",
    operation_id = "update_routine_check_in",
    security(("oauth2" = ["routines:write"])),
    request_body(content((RoutineCheckInPatch = "application/merge-patch+json"), (RoutineCheckInPatch = "application/json"))),
    params(RoutineCheckInPath),
    responses(
        (status = 200, description = "The changed check-in.", body = RoutineCheckInResponse, headers(("ETag" = String, description = "Its new version."))),
        CheckInMissing,
        Stale,
        Invalid,
    ),
)]
#[patch("/v1/routines/{routine_id}/check-ins/{check_in_id}")]
pub(crate) async fn update_routine_check_in(
    principal: Principal,
    path: web::Path<RoutineCheckInPath>,
    if_match: IfMatch,
    body: JsonBody<RoutineCheckInPatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = (path.routine_id(), path.check_in_id());
    let patch = body.into_inner();
    let acting = principal.acting()?;
    let updated =
        routine_check_ins::update_check_in(&state.ports, acting, now(), id, if_match.seen(), patch)
            .await?;
    Ok(versioned(updated.version, RoutineCheckInResponse::from(&updated)))
}

/// Deletes a check-in.
///
/// The occurrence has no check-in again, so it can be checked in anew.
#[utoipa::path(
    tag = "routines",
    operation_id = "delete_routine_check_in",
    security(("oauth2" = ["routines:write"])),
    params(RoutineCheckInPath),
    responses(
        (status = 204, description = "The check-in is gone."),
        CheckInMissing,
    ),
)]
#[delete("/v1/routines/{routine_id}/check-ins/{check_in_id}")]
pub(crate) async fn delete_routine_check_in(
    principal: Principal,
    path: web::Path<RoutineCheckInPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = (path.routine_id(), path.check_in_id());
    routine_check_ins::delete_check_in(&state.ports, principal.acting()?, now(), id).await?;
    Ok(HttpResponse::NoContent().finish())
}
