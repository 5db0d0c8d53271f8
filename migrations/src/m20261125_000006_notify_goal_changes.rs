//! PostgreSQL only: a trigger that sends the owner's id on the `waymark_goal_changes`
//! channel whenever one of their goal rows is inserted, updated or deleted (step and
//! check-in writes update the goal row; erasing an account deletes its goal rows).
//! Every replica listens and forgets its cached copies of that person's goal lists.
//! PostgreSQL delivers the notification when the writing transaction commits, and
//! sends identical ones from one transaction once.
//!
//! SQLite is one process: its cache hears every change directly, so this migration
//! does nothing there.

use sea_orm_migration::prelude::*;

use crate::postgres_only::run_on_postgres;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) const UP: &str = r"
CREATE FUNCTION waymark_notify_goal_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('waymark_goal_changes', OLD.account_id::text);
    ELSE
        PERFORM pg_notify('waymark_goal_changes', NEW.account_id::text);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER goals_notify_change
    AFTER INSERT OR UPDATE OR DELETE ON goals
    FOR EACH ROW EXECUTE FUNCTION waymark_notify_goal_change();
";

pub(crate) const DOWN: &str = r"
DROP TRIGGER IF EXISTS goals_notify_change ON goals;
DROP FUNCTION IF EXISTS waymark_notify_goal_change();
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
