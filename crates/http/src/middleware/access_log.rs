//! The access log's recording: after a request an app made through a person's grant,
//! or an administrator made on another person's account, what it reached and how it
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
use crate::auth::security_table::SecurityTable;
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

pub(crate) async fn record_access(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let witness = AccessWitness::default();
    request.extensions_mut().insert(witness.clone());
    let method = request.method().clone();
    let uri = request.uri().clone();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let table = request.app_data::<web::Data<SecurityTable>>().cloned();
    let answered = next.call(request).await;
    let access = witness.0.borrow().as_ref().and_then(Principal::access);
    let (Some((owner, accessor)), Some(state), Some(table)) = (access, state, table) else {
        return answered;
    };
    let Some(operation) = table.operation_at(method.as_str(), uri.path()) else {
        return answered;
    };
    let status = match &answered {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    state.access_recorder.record(AccessRecord::new(
        owner,
        accessor,
        operation.id(),
        operation.resource_in(uri.path()),
        status.as_u16(),
    ));
    answered
}
