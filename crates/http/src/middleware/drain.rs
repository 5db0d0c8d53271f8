//! What a graceful stop waits for: the requests being handled right now.
//!
//! Each HTTP worker runs its own async runtime, and a pooled PostgreSQL connection
//! belongs to the runtime of the worker that opened it. When a stop lets a worker
//! with nothing left to do end its runtime while another worker is still using one
//! of its connections, that request fails. So the server first stops accepting,
//! waits here until no request is in flight (answering `Connection: close` so
//! kept-alive connections end), and only then stops the workers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::state::AppState;

/// Requests in flight, and whether the server is draining.
#[derive(Debug, Default)]
pub struct Drain {
    draining: AtomicBool,
    in_flight: AtomicUsize,
}

impl Drain {
    /// From now on every answer closes its connection.
    pub fn begin(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// How many requests are being handled right now.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}

/// Counts work a request left running after its handler answered (an export still
/// being written) as in flight, until it is dropped.
#[derive(Debug)]
pub(crate) struct StillWriting(Arc<Drain>);

impl StillWriting {
    /// Counts one more in flight, until the answer is dropped.
    pub(crate) fn enter(drain: &Arc<Drain>) -> Self {
        drain.in_flight.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(drain))
    }
}

impl Drop for StillWriting {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a request while it is handled, even when it is abandoned.
struct InFlight<'a>(&'a Drain);

impl<'a> InFlight<'a> {
    fn enter(drain: &'a Drain) -> Self {
        drain.in_flight.fetch_add(1, Ordering::SeqCst);
        Self(drain)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(crate) async fn count_in_flight(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(request).await;
    };
    let drain = &state.drain;
    let _counted = InFlight::enter(drain);
    let mut response = next.call(request).await?;
    if drain.is_draining() {
        response.response_mut().head_mut().set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}
