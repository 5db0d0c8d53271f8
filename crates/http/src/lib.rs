//! Waymark's HTTP adapter: the actix-web application, its middleware, extractors,
//! problem+json errors and the OpenAPI contract generated from the registered routes.
//! It depends on the domain only; storage reaches it through domain ports in
//! [`AppState`].

// Unit tests may fail loudly; production code may not (see [workspace.lints]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod app;
pub mod auth;
pub mod crisis_board;
pub mod error;
pub mod extract;
pub mod metrics;
mod middleware;
pub mod openapi;
mod pages;
pub mod pagination;
pub mod password_work;
mod paths;
pub mod problem;
mod public_cache;
pub mod rate_limiter;
mod redacted;
mod respond;
mod route_table;
mod routes;
mod serialized_pages;
pub mod state;
mod sync_answers;
mod wire;

pub use app::{build_app, build_metrics_app};
pub use error::ApiError;
pub use middleware::drain::Drain;
pub use openapi::openapi;
pub use routes::routines::rendered_agendas::{AgendaStamp, AgendaStamps};
pub use state::{AppState, HttpSettings};
