//! The readiness port: how the HTTP layer asks "can I reach my storage right now?"
//! without knowing what the storage is.

use std::time::Duration;

use async_trait::async_trait;

/// What storage cannot do right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailability {
    /// It does not answer in time: down, unreachable, overloaded or locked.
    Unreachable,
    /// It answers, but cannot commit writes because its disk is full.
    DiskFull,
    /// It answers, but refuses writes: a read-only database or file.
    ReadOnly,
}

/// Storage could not do what was asked, for a reason that passes by itself. Callers
/// answer "try again later"; the adapter is expected to recover by itself once
/// storage is back (or has room again).
#[derive(Debug, thiserror::Error)]
#[error("storage is unavailable")]
pub struct StorageUnavailable {
    reason: Unavailability,
    #[source]
    cause: anyhow::Error,
}

impl StorageUnavailable {
    /// Storage did not answer; `cause` is logged but never shown to clients.
    pub fn new(cause: impl Into<anyhow::Error>) -> Self {
        Self::because(Unavailability::Unreachable, cause)
    }

    /// Storage could not do it for `reason`; `cause` is logged but never shown to
    /// clients.
    pub fn because(reason: Unavailability, cause: impl Into<anyhow::Error>) -> Self {
        Self { reason, cause: cause.into() }
    }

    /// What storage cannot do.
    #[must_use]
    pub fn reason(&self) -> Unavailability {
        self.reason
    }

    /// A check that did not answer within `limit`.
    pub fn timed_out(limit: Duration) -> Self {
        Self::new(anyhow::anyhow!("storage did not answer within {} ms", limit.as_millis()))
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
    /// Checks that storage can serve: it answers, and it commits a small write (so a
    /// full disk or a read-only database is noticed, not only an unreachable one).
    ///
    /// # Errors
    /// [`StorageUnavailable`] when storage does not answer, refuses the connection or
    /// cannot commit; its [`StorageUnavailable::reason`] says which. The caller bounds
    /// the wait with its own timeout.
    async fn check(&self) -> Result<(), StorageUnavailable>;

    /// A snapshot of the connection pool.
    fn pool_usage(&self) -> PoolUsage;
}
