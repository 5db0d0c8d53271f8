//! The access log's recording: after a request an app made through a person's grant,
//! an administrator made on another person's account, or a supporter made through a
//! share, what it reached and how it
//! was answered is recorded for that person. Recording only puts it in memory (see
//! `waymark_application::access_log`), so no request waits on it.

use std::cell::RefCell;
use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use waymark_domain::access_log::AccessRecord;

use crate::auth::Principal;
use crate::state::AppState;

/// Where authentication leaves the request's `Principal` for this middleware, which
/// cannot look into the request once it has passed it on (actix needs the request to
/// itself while routing, so it cannot be kept).
#[derive(Debug, Clone, Default)]
pub(crate) struct AccessWitness(Rc<RefCell<Option<Principal>>>);

impl AccessWitness {
    /// Notes the request's caller.
    pub(crate) fn saw(&self, principal: &Principal) {
        *self.0.borrow_mut() = Some(principal.clone());
    }
}

/// Records, after it is answered, a request that reached a person's data as someone
/// other than the person (see [`Principal::access`]), with how it was answered:
/// refusals, timeouts and idempotent replays included, since this wraps them all.
pub(crate) async fn record_access(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let witness = AccessWitness::default();
    request.extensions_mut().insert(witness.clone());
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let answered = next.call(request).await;
    let seen = witness.0.borrow().clone();
    let Some(principal) = seen else {
        return answered;
    };
    let reached = principal.access();
    let (false, Some(state)) = (reached.is_empty(), state) else {
        return answered;
    };
    let status = match &answered {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    let (operation, resource) = principal.operation();
    for (owner, accessor) in reached {
        state.access_recorder.record(AccessRecord::new(
            owner,
            accessor,
            operation,
            resource.clone(),
            status.as_u16(),
        ));
    }
    answered
}
