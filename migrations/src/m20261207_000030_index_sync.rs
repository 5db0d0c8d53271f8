//! Indexes for delta sync's first pass, which reads each kind of a person's resources
//! in id order (`WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?`), and finds the
//! resources journal entries name by id: `idx_<table>_account_id (account_id, id)` on
//! each of the eight tables sync reads.
//!
//! Four of the tables had an index on `account_id` alone, for erasing an account; the
//! new index leads with `account_id` and serves that too, so those four are dropped
//! and no write maintains one more index than before on them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each table sync reads, and the index on `account_id` alone it replaces, if any.
const TABLES: [(&str, Option<&str>); 8] = [
    ("goals", None),
    ("goal_steps", Some("idx_goal_steps_account")),
    ("goal_check_ins", Some("idx_goal_check_ins_account")),
    ("routines", None),
    ("routine_check_ins", Some("idx_routine_check_ins_account")),
    ("contacts", None),
    ("contact_interactions", Some("idx_contact_interactions_account")),
    ("shares", None),
];

fn name(table: &str) -> String {
    format!("idx_{table}_account_id")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, replaced) in TABLES {
            manager
                .create_index(
                    Index::create()
                        .name(name(table))
                        .table(Alias::new(table))
                        .col(Alias::new("account_id"))
                        .col(Alias::new("id"))
                        .to_owned(),
                )
                .await?;
            if let Some(replaced) = replaced {
                manager
                    .drop_index(Index::drop().name(replaced).table(Alias::new(table)).to_owned())
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, replaced) in TABLES {
            if let Some(replaced) = replaced {
                manager
                    .create_index(
                        Index::create()
                            .name(replaced)
                            .table(Alias::new(table))
                            .col(Alias::new("account_id"))
                            .to_owned(),
                    )
                    .await?;
            }
            manager
                .drop_index(Index::drop().name(name(table)).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
