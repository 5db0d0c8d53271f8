//! What every handler can reach: the ports into storage and the HTTP settings.

use std::sync::Arc;
use std::time::Duration;

use waymark_domain::health::StorageHealth;

use crate::metrics::Metrics;

/// Settings of the HTTP layer, decided by the server's configuration.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest request body accepted, in bytes (413 above it).
    pub max_body_bytes: usize,
    /// Longest a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// Longest the readiness probe waits for the database.
    pub readiness_timeout: Duration,
    /// Browser origins allowed by CORS; empty allows none.
    pub cors_allowed_origins: Vec<String>,
}

/// Shared, cheaply cloned application state. One instance is made at start-up and
/// cloned into every worker, so metrics are counted across all of them.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Readiness and pool occupancy of storage.
    pub storage: Arc<dyn StorageHealth>,
    /// Request counters and latency histograms.
    pub metrics: Arc<Metrics>,
    /// HTTP settings.
    pub settings: Arc<HttpSettings>,
}

impl AppState {
    /// State for `storage` with fresh metrics.
    #[must_use]
    pub fn new(storage: Arc<dyn StorageHealth>, settings: HttpSettings) -> Self {
        Self {
            storage,
            metrics: Arc::new(Metrics::default()),
            settings: Arc::new(settings),
        }
    }
}
