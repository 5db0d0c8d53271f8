//! PostgreSQL only: a trigger that sends an empty notice on the
//! `waymark_content_changes` channel whenever articles are inserted, updated or
//! deleted. Every replica listens and forgets its cached articles. PostgreSQL delivers
//! the notice when the writing transaction commits, and sends identical ones from one
//! transaction once.
//!
//! SQLite is one process: its cache hears every change directly, so this migration
//! does nothing there.

use sea_orm_migration::prelude::*;

use crate::postgres_only::run_on_postgres;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE FUNCTION waymark_notify_content_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('waymark_content_changes', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER content_articles_notify_change
    AFTER INSERT OR UPDATE OR DELETE ON content_articles
    FOR EACH STATEMENT EXECUTE FUNCTION waymark_notify_content_change();
";

const DOWN: &str = r"
DROP TRIGGER IF EXISTS content_articles_notify_change ON content_articles;
DROP FUNCTION IF EXISTS waymark_notify_content_change();
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
