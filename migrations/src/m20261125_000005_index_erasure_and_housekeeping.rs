//! Indexes for the deletes that are not list queries, so they never scan a table:
//!
//! - `idx_goal_steps_account`, `idx_goal_check_ins_account`,
//!   `idx_goal_status_changes_account`: erasing an account (`ON DELETE CASCADE`
//!   finds the rows by `account_id`).
//! - `idx_tombstones_deleted`: the housekeeping purge of tombstones older than 30 days.
//! - `idx_refresh_tokens_expires`: the housekeeping purge of expired refresh tokens.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str, &str); 5] = [
    ("idx_goal_steps_account", "goal_steps", "account_id"),
    ("idx_goal_check_ins_account", "goal_check_ins", "account_id"),
    ("idx_goal_status_changes_account", "goal_status_changes", "account_id"),
    ("idx_tombstones_deleted", "tombstones", "deleted_at"),
    ("idx_refresh_tokens_expires", "refresh_tokens", "expires_at"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new(table))
                        .col(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
