//! Every route Waymark serves, registered through utoipa-actix-web so the OpenAPI
//! document is generated from the same registrations and cannot drift from them.

mod fallback;
mod health;
mod metrics;

pub(crate) use fallback::not_found_or_not_allowed;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route.
pub(crate) fn configure(config: &mut ServiceConfig<'_>) {
    config
        .service(health::live)
        .service(health::ready)
        .service(metrics::metrics);
}
