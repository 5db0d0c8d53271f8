//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{HttpResponse, get, head, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::problem::Problem;
use crate::state::AppState;
use waymark_domain::health::StorageUnavailable;

/// The body of a successful probe.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HealthStatus {
    /// `ok` for liveness, `ready` for readiness.
    #[schema(example = "ok")]
    status: &'static str,
}

/// Liveness: is the process running?
///
/// Never touches the database, so a database outage does not make an orchestrator
/// restart healthy replicas.
#[utoipa::path(
    tag = "operations",
    operation_id = "health_live",
    responses(
        (status = 200, description = "The process is running.", body = HealthStatus),
    ),
)]
#[get("/health/live")]
pub(crate) async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "ok" })
}

/// Readiness: can this instance serve traffic?
///
/// Ready when the database commits a small write within the readiness timeout (1 s
/// by default). While it cannot (it is unreachable, its disk is full, or it is
/// read-only), the answer is 503 with the reason in `detail`, and load balancers
/// should send traffic elsewhere; it recovers by itself when the database does.
#[utoipa::path(
    tag = "operations",
    operation_id = "health_ready",
    responses(
        (status = 200, description = "The database committed a write; this instance can serve traffic.", body = HealthStatus),
        (status = 503, description = "The database did not answer in time, or cannot commit writes (its disk is full, or it is read-only); `detail` says which. `Retry-After` is set.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying."))),
    ),
)]
#[get("/health/ready")]
pub(crate) async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    check_storage(&state).await?;
    Ok(HttpResponse::Ok().json(HealthStatus { status: "ready" }))
}

/// Checks storage within the readiness timeout.
async fn check_storage(state: &AppState) -> Result<(), ApiError> {
    let limit = state.settings.readiness_timeout;
    tokio::time::timeout(limit, state.ports.health.check())
        .await
        .map_err(|_| StorageUnavailable::timed_out(limit))
        .and_then(|checked| checked)
        .map_err(ApiError::Unready)
}

/// Liveness, for `HEAD` probes.
///
/// The same answer as `GET /health/live`, without a body, for load balancers that
/// probe with `HEAD`.
#[utoipa::path(
    tag = "operations",
    operation_id = "health_live_head",
    responses((status = 200, description = "The process is running.")),
)]
#[head("/health/live")]
pub(crate) async fn live_head() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// Readiness, for `HEAD` probes.
///
/// The same answer as `GET /health/ready`, without a body, for load balancers that
/// probe with `HEAD`.
#[utoipa::path(
    tag = "operations",
    operation_id = "health_ready_head",
    responses(
        (status = 200, description = "The database committed a write; this instance can serve traffic."),
        (status = 503, description = "The database did not answer in time, or cannot commit writes. `Retry-After` is set.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[head("/health/ready")]
pub(crate) async fn ready_head(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    check_storage(&state).await?;
    Ok(HttpResponse::Ok().finish())
}
