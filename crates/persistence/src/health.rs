//! The storage adapter's answer to the domain's readiness port: can the database
//! commit a write right now, and how busy is the pool.

use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use waymark_domain::health::{PoolUsage, StorageHealth, StorageUnavailable};
use waymark_domain::ports::StoreError;

use crate::database::Backend;
use crate::error::store_error;
use crate::writes::Writes;

/// Probes the database with a write and reads the pool's occupancy.
#[derive(Debug, Clone)]
pub(crate) struct PoolHealth {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
    pub(crate) backend: Backend,
    pub(crate) max_connections: u32,
}

/// Rewrites the one row of `health_checks` and commits, like any other write, so a
/// database that answers but cannot commit (a full disk, a read-only replica) is
/// noticed. On SQLite the row carries 16 KiB of random padding, a write of a few
/// pages as large as a goal's: a disk with room left for a one-page write but not
/// for real ones still counts as full. Every replica rewrites the same row, so the
/// table never grows.
fn write_probe(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "INSERT INTO health_checks (id, checked_at, padding) VALUES (1, CURRENT_TIMESTAMP, randomblob(16384)) \
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at, padding = excluded.padding"
        }
        Backend::Postgres => {
            "INSERT INTO health_checks (id, checked_at) VALUES (1, CURRENT_TIMESTAMP) \
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at"
        }
    }
}

#[async_trait]
impl StorageHealth for PoolHealth {
    async fn check(&self) -> Result<(), StorageUnavailable> {
        // A transaction rather than a statement on `Writes`, so the commit's own error
        // (on SQLite, its batch's: a full disk, say) keeps its reason.
        let probed = async {
            let transaction = self.writes.begin().await?;
            transaction.execute_unprepared(write_probe(self.backend)).await.map_err(store_error)?;
            transaction.commit().await
        };
        probed.await.map_err(|error| match error {
            StoreError::Unavailable(unavailable) => unavailable,
            StoreError::Unexpected(cause) => StorageUnavailable::new(cause),
        })
    }

    fn pool_usage(&self) -> PoolUsage {
        let (size, idle) = match self.backend {
            Backend::Postgres => {
                let pool = self.connection.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            Backend::Sqlite => {
                let pool = self.connection.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        PoolUsage { in_use: size.saturating_sub(idle), idle, max: self.max_connections }
    }
}
