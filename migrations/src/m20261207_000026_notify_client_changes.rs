//! PostgreSQL only: a trigger that sends an empty notice on the
//! `waymark_client_changes` channel whenever API clients are inserted, updated or
//! deleted. Every replica listens and forgets its cached clients, so a client disabled
//! on one replica is refused by every other from its next request. PostgreSQL delivers
//! the notice when the writing transaction commits.
//!
//! SQLite is one process: its cache hears every change directly, so this migration
//! does nothing there.

use sea_orm_migration::prelude::*;

use crate::postgres_only::run_on_postgres;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE FUNCTION waymark_notify_client_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('waymark_client_changes', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER api_clients_notify_change
    AFTER INSERT OR UPDATE OR DELETE ON api_clients
    FOR EACH STATEMENT EXECUTE FUNCTION waymark_notify_client_change();
";

const DOWN: &str = r"
DROP TRIGGER IF EXISTS api_clients_notify_change ON api_clients;
DROP FUNCTION IF EXISTS waymark_notify_client_change();
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_postgres(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_postgres(manager, DOWN).await
    }
}
