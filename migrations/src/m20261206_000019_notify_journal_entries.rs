//! PostgreSQL only: one trigger on `change_journal` sends every journal entry, as it is
//! written, on the `waymark_journal` channel as `account resource_type resource_id
//! kind version`. Every replica listens and forgets what the entry makes stale, by the
//! same table it uses for its own writes. This replaces the per-table triggers on
//! `goals`, `routines`, `routine_check_ins`, `routine_pauses` and `accounts`
//! (migrations `000006` and `000014`): every change to those rows is journalled,
//! including erasing an account, whose entry is written before its rows go.
//! PostgreSQL delivers the notifications when the writing transaction commits.
//!
//! SQLite is one process: its caches hear every change directly, so this migration
//! does nothing there.

use sea_orm_migration::prelude::*;

use crate::postgres_only::run_on_postgres;
use crate::{m20261125_000006_notify_goal_changes, m20261126_000014_notify_personal_changes};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r"
CREATE FUNCTION waymark_notify_journal_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(
        'waymark_journal',
        NEW.account_id::text || ' ' || NEW.resource_type || ' ' || NEW.resource_id::text
            || ' ' || NEW.kind || ' ' || coalesce(NEW.version::text, '')
    );
    RETURN NULL;
END
$$;
CREATE TRIGGER change_journal_notify
    AFTER INSERT ON change_journal
    FOR EACH ROW EXECUTE FUNCTION waymark_notify_journal_entry();
";

const DOWN: &str = r"
DROP TRIGGER IF EXISTS change_journal_notify ON change_journal;
DROP FUNCTION IF EXISTS waymark_notify_journal_entry();
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_postgres(manager, m20261126_000014_notify_personal_changes::DOWN).await?;
        run_on_postgres(manager, m20261125_000006_notify_goal_changes::DOWN).await?;
        run_on_postgres(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_on_postgres(manager, DOWN).await?;
        run_on_postgres(manager, m20261125_000006_notify_goal_changes::UP).await?;
        run_on_postgres(manager, m20261126_000014_notify_personal_changes::UP).await
    }
}
