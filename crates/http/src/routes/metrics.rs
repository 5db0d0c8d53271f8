//! Prometheus metrics for this instance, on the main listener or on one of its own,
//! behind a bearer token when one is configured.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use secrecy::ExposeSecret;
use waymark_domain::identity::secret::SecretDigest;

use crate::auth::bearer::bearer_token;
use crate::error::ApiError;
use crate::problem::Problem;
use crate::state::AppState;

/// Metrics for this instance, in the Prometheus text format.
///
/// Request counts and latency histograms by method, route template and status, and
/// database pool occupancy, in the Prometheus text exposition format (version 0.0.4).
/// Open by default; an operator may require a bearer token (`--metrics-token`) or
/// serve it on another address only (`--metrics-bind`).
#[utoipa::path(
    tag = "operations",
    operation_id = "metrics",
    responses(
        (status = 200, description = "Metrics in the Prometheus text format.", body = String, content_type = "text/plain"),
        (status = 401, description = "The server requires a metrics token (`--metrics-token`) and `Authorization: Bearer` did not carry it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The server serves metrics on another address (`--metrics-bind`), not here.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/metrics")]
pub(crate) async fn metrics(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state.settings.metrics_on_main_listener {
        return Err(ApiError::NoRoute);
    }
    render(&request, &state)
}

/// `/metrics` on its own listener (`--metrics-bind`).
pub(crate) async fn metrics_on_own_listener(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    render(&request, &state)
}

fn render(request: &HttpRequest, state: &AppState) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &state.settings.metrics_token {
        let presented = bearer_token(request).unwrap_or_default();
        // Digests have one length, so comparing them in constant time reveals
        // neither the token nor its length. The answer does not say whether a token
        // was sent: it is not an access token, and /v1/auth/token cannot renew it.
        if !SecretDigest::of(presented).matches(&SecretDigest::of(expected.expose_secret())) {
            return Err(ApiError::Unauthorized { invalid_token: false });
        }
    }
    let text = state.metrics.render(state.ports.health.pool_usage());
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"))
        .body(text))
}
