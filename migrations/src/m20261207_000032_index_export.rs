//! Indexes for the person's export, which reads these parts of a person's records in
//! key order (`WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?`):
//! - `idx_<table>_account_id (account_id, id)` on `goal_status_changes`,
//!   `routine_pauses` and `encouragements`;
//! - `idx_goal_supporters_account_goal (account_id, goal_id, contact_id)`;
//! - `idx_encouragements_supporter_id (supporter_account_id, id)`: what the person
//!   sent as someone's supporter.
//!
//! The first four replace an index on the same leading column alone (for erasing an
//! account), which the new one serves too, so no write maintains more indexes on those
//! tables than before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each new index: its name, table and columns, and the index it replaces, if any.
const INDEXES: [(&str, &str, &[&str], Option<&str>); 5] = [
    (
        "idx_goal_status_changes_account_id",
        "goal_status_changes",
        &["account_id", "id"],
        Some("idx_goal_status_changes_account"),
    ),
    (
        "idx_routine_pauses_account_id",
        "routine_pauses",
        &["account_id", "id"],
        Some("idx_routine_pauses_account"),
    ),
    (
        "idx_encouragements_account_id",
        "encouragements",
        &["account_id", "id"],
        Some("idx_encouragements_account"),
    ),
    (
        "idx_goal_supporters_account_goal",
        "goal_supporters",
        &["account_id", "goal_id", "contact_id"],
        Some("idx_goal_supporters_account"),
    ),
    ("idx_encouragements_supporter_id", "encouragements", &["supporter_account_id", "id"], None),
];

fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns, replaced) in INDEXES {
            manager.create_index(index(name, table, columns)).await?;
            if let Some(replaced) = replaced {
                manager
                    .drop_index(Index::drop().name(replaced).table(Alias::new(table)).to_owned())
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns, replaced) in INDEXES {
            if let Some(replaced) = replaced {
                manager.create_index(index(replaced, table, &columns[..1])).await?;
            }
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
