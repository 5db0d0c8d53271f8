//! Prometheus metrics for this instance.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use crate::state::AppState;

/// Metrics for this instance, in the Prometheus text format.
///
/// Request counts and latency histograms by method, route template and status, and
/// database pool occupancy, in the Prometheus text exposition format (version 0.0.4).
#[utoipa::path(
    tag = "operations",
    operation_id = "metrics",
    responses(
        (status = 200, description = "Metrics in the Prometheus text format.", body = String, content_type = "text/plain"),
    ),
)]
#[get("/metrics")]
pub(crate) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let text = state.metrics.render(state.ports.health.pool_usage());
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(text)
}
