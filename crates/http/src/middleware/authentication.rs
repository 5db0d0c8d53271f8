//! Authentication, before any extractor runs: for an operation that declares security,
//! the caller's token is checked (signature, live session, scopes) and the `Principal`
//! it names is left in the request's extensions for the handler; a refusal is answered
//! here. Doing it here, not in the extractor, makes the answer the same on every run:
//! actix answers the first extractor to *fail*, so a body that fails to parse at once
//! would otherwise win over a token still being checked against the database.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use super::access_log::AccessWitness;
use crate::auth::Principal;
use crate::auth::principal::authenticate;

/// Authenticates the caller of a secured operation before any extractor runs, and
/// answers a refusal here; leaves the `Principal` in the request's extensions.
pub(crate) async fn authenticate_caller(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let witness = request.extensions().get::<AccessWitness>().cloned();
    let seen = |principal: &Principal| {
        if let Some(witness) = witness {
            witness.saw(principal);
        }
    };
    match authenticate(request.request(), seen).await {
        Ok(caller) => {
            if let Some(principal) = caller {
                request.extensions_mut().insert(principal);
            }
            next.call(request).await.map(ServiceResponse::map_into_left_body)
        }
        Err(refusal) => Ok(request.error_response(refusal).map_into_right_body()),
    }
}
