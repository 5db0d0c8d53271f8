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

/// Creates, on PostgreSQL, the trigger `{table}_notify_change` and its function
/// `function`, which send an empty notice on `channel` after any statement that
/// inserts, updates or deletes rows of `table` (delivered when the writing
/// transaction commits, identical notices of one transaction once): every replica
/// listening forgets what it keeps of that table.
pub(crate) async fn notify_every_write(
    manager: &SchemaManager<'_>,
    table: &str,
    channel: &str,
    function: &str,
) -> Result<(), DbErr> {
    let sql = format!(
        r"
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{channel}', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER {table}_notify_change
    AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"
    );
    run_on_postgres(manager, &sql).await
}

/// Drops what [`notify_every_write`] created for `table`.
pub(crate) async fn drop_notify_every_write(
    manager: &SchemaManager<'_>,
    table: &str,
    function: &str,
) -> Result<(), DbErr> {
    let sql = format!(
        "DROP TRIGGER IF EXISTS {table}_notify_change ON {table};\nDROP FUNCTION IF EXISTS {function}();\n"
    );
    run_on_postgres(manager, &sql).await
}
