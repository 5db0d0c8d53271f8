//! The readiness port: how the HTTP layer asks "can I reach my storage right now?"
//! without knowing what the storage is.

use std::time::Duration;

use async_trait::async_trait;

/// The storage could not be reached in time. Callers answer "try again later";
/// the adapter is expected to recover by itself once storage is back.
#[derive(Debug, thiserror::Error)]
#[error("storage is unavailable")]
pub struct StorageUnavailable {
    #[source]
    cause: anyhow::Error,
}

impl StorageUnavailable {
    /// Wraps the adapter-specific reason, which is logged but never shown to clients.
    pub fn new(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: cause.into(),
        }
    }

    /// A check that did not answer within `limit`.
    pub fn timed_out(limit: Duration) -> Self {
        Self::new(anyhow::anyhow!(
            "storage did not answer within {} ms",
            limit.as_millis()
        ))
    }
}

/// Connections held by the storage adapter's pool at one moment, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolUsage {
    /// Connections currently lent out to requests.
    pub in_use: u32,
    /// Connections open and waiting for work.
    pub idle: u32,
    /// The most connections the pool will open.
    pub max: u32,
}

/// Reports whether storage is reachable, and how busy its connection pool is.
#[async_trait]
pub trait StorageHealth: Send + Sync + std::fmt::Debug {
    /// Runs the cheapest possible round trip to storage.
    ///
    /// # Errors
    /// [`StorageUnavailable`] when storage does not answer or refuses the connection.
    /// The caller bounds the wait with its own timeout.
    async fn ping(&self) -> Result<(), StorageUnavailable>;

    /// A snapshot of the connection pool.
    fn pool_usage(&self) -> PoolUsage;
}
