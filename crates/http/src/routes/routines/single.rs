//! Creating, reading, changing and deleting one routine.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use waymark_application::routines;
use waymark_domain::time::now;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, not_modified, version_etag};
use crate::openapi::problems::{Invalid, RoutineMissing, RoutineStale};
use crate::paths::RoutinePath;
use crate::problem::Problem;
use crate::respond::{created, versioned};
use crate::state::AppState;
use crate::wire::routines::{NewRoutineRequest, RoutinePatch, RoutineResponse};

/// Creates a routine.
///
/// The schedule's `time_zone` defaults to your account's and `starts_on` to today
/// there. `goal_id` must be one of your goals. Send `Idempotency-Key` to make retries
/// safe.
#[utoipa::path(
    tag = "routines",
    operation_id = "create_routine",
    security(("oauth2" = ["routines:write"])),
    request_body = NewRoutineRequest,
    responses(
        (status = 201, description = "The routine.", body = RoutineResponse,
            headers(("Location" = String, description = "The routine's address."), ("ETag" = String, description = "Its version."))),
        (status = 409, description = "You have 200 routines already, or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        Invalid,
    ),
)]
#[post("/v1/routines")]
pub(crate) async fn create_routine(
    principal: Principal,
    body: JsonBody<NewRoutineRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let routine =
        routines::create(&state.ports, principal.acting()?, now(), body.into_inner()).await?;
    let location = format!("/v1/routines/{}", routine.id);
    Ok(created(location, routine.version, RoutineResponse::from(&routine)))
}

/// One of your routines.
///
/// Sends `ETag`; with `If-None-Match` naming it, the answer is 304.
#[utoipa::path(
    tag = "routines",
    operation_id = "get_routine",
    security(("oauth2" = ["routines:read"])),
    params(RoutinePath),
    responses(
        (status = 200, description = "The routine.", body = RoutineResponse, headers(("ETag" = String, description = "Its version."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        RoutineMissing,
    ),
)]
#[get("/v1/routines/{routine_id}")]
pub(crate) async fn get_routine(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<RoutinePath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let routine = routines::get(&state.ports, principal.acting()?, path.routine_id()).await?;
    if let Some(unchanged) = not_modified(&request, &version_etag(routine.version)) {
        return Ok(unchanged);
    }
    Ok(versioned(routine.version, RoutineResponse::from(&routine)))
}

/// Changes one of your routines.
///
/// A JSON merge patch: absent fields stay as they are; `null` clears `notes`,
/// `goal_id` and `reminder_minutes_before`; a `schedule` replaces the whole schedule
/// (its check-ins stay). Set `active` to `false` to pause it. With `If-Match`, only if
/// the routine is still at that version (else 412).
#[utoipa::path(
    tag = "routines",
    operation_id = "update_routine",
    security(("oauth2" = ["routines:write"])),
    request_body(content((RoutinePatch = "application/merge-patch+json"), (RoutinePatch = "application/json"))),
    params(RoutinePath),
    responses(
        (status = 200, description = "The changed routine.", body = RoutineResponse, headers(("ETag" = String, description = "Its new version."))),
        RoutineMissing,
        RoutineStale,
        Invalid,
    ),
)]
#[patch("/v1/routines/{routine_id}")]
pub(crate) async fn update_routine(
    principal: Principal,
    path: web::Path<RoutinePath>,
    if_match: IfMatch,
    body: JsonBody<RoutinePatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, patch) = (path.routine_id(), body.into_inner());
    let acting = principal.acting()?;
    let routine = routines::update(&state.ports, acting, now(), id, if_match.seen(), patch).await?;
    Ok(versioned(routine.version, RoutineResponse::from(&routine)))
}

/// Deletes one of your routines.
///
/// Its check-ins go with it. The deletion is recorded in the change journal, so other
/// devices can learn of it. With `If-Match`, only if the routine is still at that
/// version.
#[utoipa::path(
    tag = "routines",
    operation_id = "delete_routine",
    security(("oauth2" = ["routines:write"])),
    params(RoutinePath),
    responses(
        (status = 204, description = "The routine is gone."),
        RoutineMissing,
        RoutineStale,
    ),
)]
#[delete("/v1/routines/{routine_id}")]
pub(crate) async fn delete_routine(
    principal: Principal,
    path: web::Path<RoutinePath>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.routine_id();
    routines::delete(&state.ports, principal.acting()?, now(), id, if_match.seen()).await?;
    Ok(HttpResponse::NoContent().finish())
}
