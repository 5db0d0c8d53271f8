//! PostgreSQL only: triggers that send the owner's id on the
//! `waymark_personal_changes` channel whenever their account, routines, routine
//! check-ins or routine pauses change (including rows changed by a cascade, such as a
//! routine unlinked from a deleted goal). Every replica listens and forgets what it
//! remembers about that person's agenda. PostgreSQL delivers the notification when the
//! writing transaction commits, and sends identical ones from one transaction once.
//!
//! SQLite is one process: its cache hears every change directly, so this migration
//! does nothing there.

use sea_orm_migration::prelude::*;

use crate::postgres_only::run_on_postgres;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) const UP: &str = r"
CREATE FUNCTION waymark_notify_personal_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('waymark_personal_changes', OLD.account_id::text);
    ELSE
        PERFORM pg_notify('waymark_personal_changes', NEW.account_id::text);
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION waymark_notify_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('waymark_personal_changes', OLD.id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER routines_notify_personal_change
    AFTER INSERT OR UPDATE OR DELETE ON routines
    FOR EACH ROW EXECUTE FUNCTION waymark_notify_personal_change();
CREATE TRIGGER routine_check_ins_notify_personal_change
    AFTER INSERT OR UPDATE OR DELETE ON routine_check_ins
    FOR EACH ROW EXECUTE FUNCTION waymark_notify_personal_change();
CREATE TRIGGER routine_pauses_notify_personal_change
    AFTER INSERT OR UPDATE OR DELETE ON routine_pauses
    FOR EACH ROW EXECUTE FUNCTION waymark_notify_personal_change();
CREATE TRIGGER accounts_notify_personal_change
    AFTER UPDATE OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION waymark_notify_account_change();
";

pub(crate) const DOWN: &str = r"
DROP TRIGGER IF EXISTS accounts_notify_personal_change ON accounts;
DROP TRIGGER IF EXISTS routine_pauses_notify_personal_change ON routine_pauses;
DROP TRIGGER IF EXISTS routine_check_ins_notify_personal_change ON routine_check_ins;
DROP TRIGGER IF EXISTS routines_notify_personal_change ON routines;
DROP FUNCTION IF EXISTS waymark_notify_account_change();
DROP FUNCTION IF EXISTS waymark_notify_personal_change();
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
