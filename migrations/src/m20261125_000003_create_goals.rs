//! Goals, their status history, and tombstones of deleted resources.
//!
//! Indexes, and the query each serves:
//! - `idx_goals_owner_created (account_id, created_at, id)`: `GET /v1/goals` in the
//!   default newest-first order, filtered by owner, keyset on `(created_at, id)`.
//! - `idx_goals_owner_target (account_id, target_date, id)`: `GET /v1/goals?sort=target_date`
//!   and `due_before`, keyset on `(target_date, id)`.
//! - `idx_goal_status_changes_goal (goal_id, at)`: `GET /v1/goals/{id}/history`.
//! - `idx_tombstones_owner_deleted (account_id, deleted_at)`: the later sync feed
//!   (a person's deletions since a time). The purge has its own index (migration 5).
//!
//! Every table refers to `accounts` with `ON DELETE CASCADE`, so erasing an account
//! erases its goals, history and tombstones.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Goals::Table)
                    .col(ColumnDef::new(Goals::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Goals::AccountId).uuid().not_null())
                    .col(ColumnDef::new(Goals::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Goals::TitleSearch).string_len(800).not_null())
                    .col(ColumnDef::new(Goals::Why).text().not_null())
                    .col(ColumnDef::new(Goals::Area).string_len(20).not_null())
                    .col(ColumnDef::new(Goals::TargetDate).date().null())
                    .col(ColumnDef::new(Goals::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Goals::StatusChangedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Goals::NeedsSupport).boolean().not_null())
                    .col(ColumnDef::new(Goals::SupportNotes).text().not_null())
                    .col(ColumnDef::new(Goals::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Goals::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Goals::Version).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goals_account")
                            .from(Goals::Table, Goals::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goals_owner_created")
                    .table(Goals::Table)
                    .col(Goals::AccountId)
                    .col(Goals::CreatedAt)
                    .col(Goals::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goals_owner_target")
                    .table(Goals::Table)
                    .col(Goals::AccountId)
                    .col(Goals::TargetDate)
                    .col(Goals::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GoalStatusChanges::Table)
                    .col(ColumnDef::new(GoalStatusChanges::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(GoalStatusChanges::GoalId).uuid().not_null())
                    .col(ColumnDef::new(GoalStatusChanges::AccountId).uuid().not_null())
                    .col(ColumnDef::new(GoalStatusChanges::FromStatus).string_len(16).null())
                    .col(ColumnDef::new(GoalStatusChanges::ToStatus).string_len(16).not_null())
                    .col(
                        ColumnDef::new(GoalStatusChanges::At).timestamp_with_time_zone().not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goal_status_changes_goal")
                            .from(GoalStatusChanges::Table, GoalStatusChanges::GoalId)
                            .to(Goals::Table, Goals::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goal_status_changes_account")
                            .from(GoalStatusChanges::Table, GoalStatusChanges::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goal_status_changes_goal")
                    .table(GoalStatusChanges::Table)
                    .col(GoalStatusChanges::GoalId)
                    .col(GoalStatusChanges::At)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tombstones::Table)
                    .col(ColumnDef::new(Tombstones::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Tombstones::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Tombstones::AccountId).uuid().not_null())
                    .col(
                        ColumnDef::new(Tombstones::DeletedAt).timestamp_with_time_zone().not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tombstones_account")
                            .from(Tombstones::Table, Tombstones::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tombstones_owner_deleted")
                    .table(Tombstones::Table)
                    .col(Tombstones::AccountId)
                    .col(Tombstones::DeletedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Tombstones::Table.into_iden(),
            GoalStatusChanges::Table.into_iden(),
            Goals::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Goals {
    Table,
    Id,
    AccountId,
    Title,
    TitleSearch,
    Why,
    Area,
    TargetDate,
    Status,
    StatusChangedAt,
    NeedsSupport,
    SupportNotes,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum GoalStatusChanges {
    Table,
    Id,
    GoalId,
    AccountId,
    FromStatus,
    ToStatus,
    At,
}

#[derive(DeriveIden)]
enum Tombstones {
    Table,
    Id,
    Kind,
    AccountId,
    DeletedAt,
}
