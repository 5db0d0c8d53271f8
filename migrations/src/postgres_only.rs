//! For migrations that change PostgreSQL alone (triggers that notify other replicas):
//! SQLite is one process and needs none of it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// Runs `sql` when the database is PostgreSQL, and does nothing otherwise.
pub(crate) async fn run_on_postgres(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() == DatabaseBackend::Postgres {
        manager.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}
