//! One tracing span and one log line per request (method, route template, status,
//! latency, request id), the failure behind an error answer at the level it deserves
//! (see [`ApiError::log`]), and the same facts into the metrics. Never bodies, tokens
//! or query strings, which can carry personal data.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use tracing::Instrument;

use super::request_id::RequestId;
use crate::error::ApiError;
use crate::route_table::RouteTable;
use crate::state::AppState;

/// The route label for requests that matched no route, so unknown paths cannot
/// create unbounded metric series.
const UNMATCHED: &str = "unmatched";

pub(crate) async fn log_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = method_label(request.method());
    let path = request.path().to_owned();
    let request_id =
        request.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let routes = request.app_data::<web::Data<RouteTable>>().cloned();
    let span = tracing::info_span!(
        "request",
        method = %method,
        route = tracing::field::Empty,
        request_id = %request_id,
    );
    let outcome = next.call(request).instrument(span.clone()).await;
    let (status, route) = match &outcome {
        Ok(response) => (response.status().as_u16(), response.request().match_pattern()),
        // The request is gone with the error (a timeout), so name its route from the
        // spec's templates instead.
        Err(error) => (
            error.as_response_error().status_code().as_u16(),
            routes.and_then(|routes| routes.template_for(&path)),
        ),
    };
    let route = route.unwrap_or_else(|| UNMATCHED.to_owned());
    let failure = match &outcome {
        Ok(response) => response.response().error(),
        Err(error) => Some(error),
    };
    if let Some(failure) = failure.and_then(Error::as_error::<ApiError>) {
        failure.log(&request_id, &route);
    }
    let latency = started.elapsed();
    span.record("route", route.as_str());
    span.in_scope(|| {
        tracing::info!(
            status,
            latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            "request finished"
        );
    });
    if let Some(state) = state {
        state.metrics.observe(method, &route, status, latency);
    }
    outcome
}

/// The method as a metrics label. Clients may send any token as a method; mapping the
/// unusual ones to `OTHER` keeps them from creating unbounded metric series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}
