//! The per-request deadline: a request still running after the configured timeout is
//! dropped (its database transaction rolls back) and answered 503 with `Retry-After`,
//! so a slow dependency cannot hold a worker indefinitely.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) async fn enforce_timeout(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let limit =
        request.app_data::<web::Data<AppState>>().map(|state| state.settings.request_timeout);
    match limit {
        Some(limit) => tokio::time::timeout(limit, next.call(request))
            .await
            .unwrap_or_else(|_| Err(ApiError::Timeout.into())),
        None => next.call(request).await,
    }
}
