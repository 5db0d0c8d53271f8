//! The storage adapter's answer to the domain's readiness port.

use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use waymark_domain::health::{PoolUsage, StorageHealth, StorageUnavailable};

use crate::database::Backend;

/// Pings the pool and reads its occupancy.
#[derive(Debug, Clone)]
pub(crate) struct PoolHealth {
    pub(crate) connection: DatabaseConnection,
    pub(crate) backend: Backend,
    pub(crate) max_connections: u32,
}

#[async_trait]
impl StorageHealth for PoolHealth {
    async fn ping(&self) -> Result<(), StorageUnavailable> {
        // Reading the schema touches the file, so a SQLite database that has become
        // unreadable is noticed; sqlx's own SQLite ping never leaves the process.
        let statement = match self.backend {
            Backend::Sqlite => "SELECT count(*) FROM sqlite_master",
            Backend::Postgres => "SELECT 1",
        };
        self.connection
            .execute_unprepared(statement)
            .await
            .map(|_| ())
            .map_err(StorageUnavailable::new)
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
        PoolUsage {
            in_use: size.saturating_sub(idle),
            idle,
            max: self.max_connections,
        }
    }
}
