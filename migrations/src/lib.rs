//! Waymark's schema, as an ordered list of migrations. Each file is one change with a
//! real `down`, and runs unchanged on SQLite and PostgreSQL, except where a file says
//! it is for PostgreSQL only.

pub use sea_orm_migration::MigrationStatus;
pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_idempotency_records;
mod m20261125_000002_create_identity;
mod m20261125_000003_create_goals;
mod m20261125_000004_create_goal_steps_and_check_ins;
mod m20261125_000005_index_erasure_and_housekeeping;
mod m20261125_000006_notify_goal_changes;
mod m20261125_000007_create_routines;
mod m20261125_000008_create_routine_pauses;
mod m20261125_000009_create_calendar_feeds;
mod m20261125_000010_create_contacts;
mod m20261125_000011_create_content;
mod m20261125_000012_create_content_services;
mod m20261126_000013_notify_content_changes;
mod m20261126_000014_notify_personal_changes;
mod m20261206_000015_create_health_checks;
mod m20261206_000016_add_token_epochs;
mod m20261206_000017_fold_account_emails;
mod m20261206_000018_create_change_journal;
mod m20261206_000019_notify_journal_entries;
mod m20261206_000020_add_client_kinds;
mod m20261206_000021_create_authorization_codes;
mod m20261207_000022_create_access_log;
mod m20261207_000023_add_revoked_access_tokens;
mod m20261207_000024_add_code_token_epochs;
mod m20261207_000025_add_grant_ids;
mod m20261207_000026_notify_client_changes;
mod m20261207_000027_bind_codes_and_sign_ins_to_grants;
mod m20261207_000028_add_idempotency_accounts;
mod m20261207_000029_create_shares;
mod m20261207_000030_index_sync;
mod m20261207_000031_drop_access_log_time_index;
mod m20261207_000032_index_export;
mod m20261207_000033_create_webhooks;
mod m20261208_000034_add_contacts_shared_with_services;
mod m20261208_000035_unlink_access_log_from_accounts;
mod postgres_only;

/// Applies, reverts and reports Waymark's migrations.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_idempotency_records::Migration),
            Box::new(m20261125_000002_create_identity::Migration),
            Box::new(m20261125_000003_create_goals::Migration),
            Box::new(m20261125_000004_create_goal_steps_and_check_ins::Migration),
            Box::new(m20261125_000005_index_erasure_and_housekeeping::Migration),
            Box::new(m20261125_000006_notify_goal_changes::Migration),
            Box::new(m20261125_000007_create_routines::Migration),
            Box::new(m20261125_000008_create_routine_pauses::Migration),
            Box::new(m20261125_000009_create_calendar_feeds::Migration),
            Box::new(m20261125_000010_create_contacts::Migration),
            Box::new(m20261125_000011_create_content::Migration),
            Box::new(m20261125_000012_create_content_services::Migration),
            Box::new(m20261126_000013_notify_content_changes::Migration),
            Box::new(m20261126_000014_notify_personal_changes::Migration),
            Box::new(m20261206_000015_create_health_checks::Migration),
            Box::new(m20261206_000016_add_token_epochs::Migration),
            Box::new(m20261206_000017_fold_account_emails::Migration),
            Box::new(m20261206_000018_create_change_journal::Migration),
            Box::new(m20261206_000019_notify_journal_entries::Migration),
            Box::new(m20261206_000020_add_client_kinds::Migration),
            Box::new(m20261206_000021_create_authorization_codes::Migration),
            Box::new(m20261207_000022_create_access_log::Migration),
            Box::new(m20261207_000023_add_revoked_access_tokens::Migration),
            Box::new(m20261207_000024_add_code_token_epochs::Migration),
            Box::new(m20261207_000025_add_grant_ids::Migration),
            Box::new(m20261207_000026_notify_client_changes::Migration),
            Box::new(m20261207_000027_bind_codes_and_sign_ins_to_grants::Migration),
            Box::new(m20261207_000028_add_idempotency_accounts::Migration),
            Box::new(m20261207_000029_create_shares::Migration),
            Box::new(m20261207_000030_index_sync::Migration),
            Box::new(m20261207_000031_drop_access_log_time_index::Migration),
            Box::new(m20261207_000032_index_export::Migration),
            Box::new(m20261207_000033_create_webhooks::Migration),
            Box::new(m20261208_000034_add_contacts_shared_with_services::Migration),
            Box::new(m20261208_000035_unlink_access_log_from_accounts::Migration),
        ]
    }
}
