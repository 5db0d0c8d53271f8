//! When routines were paused, so that streaks and rates leave paused days out: a
//! row per pause, `paused_on` (the local date it was paused, included) to
//! `resumed_on` (the local date it was active again, excluded; `NULL` while paused).
//!
//! Indexes: `idx_routine_pauses_routine (routine_id, paused_on)` for a routine's
//! statistics; `idx_routine_pauses_account (account_id)` for erasing an account. Rows
//! go with their routine and account (`ON DELETE CASCADE`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoutinePauses::Table)
                    .col(ColumnDef::new(RoutinePauses::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(RoutinePauses::RoutineId).uuid().not_null())
                    .col(ColumnDef::new(RoutinePauses::AccountId).uuid().not_null())
                    .col(ColumnDef::new(RoutinePauses::PausedOn).date().not_null())
                    .col(ColumnDef::new(RoutinePauses::ResumedOn).date().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_routine_pauses_routine")
                            .from(RoutinePauses::Table, RoutinePauses::RoutineId)
                            .to(Routines::Table, Routines::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_routine_pauses_account")
                            .from(RoutinePauses::Table, RoutinePauses::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_routine_pauses_routine", RoutinePauses::RoutineId),
            ("idx_routine_pauses_account", RoutinePauses::AccountId),
        ] {
            let mut index = Index::create();
            index.name(name).table(RoutinePauses::Table).col(column);
            if name == "idx_routine_pauses_routine" {
                index.col(RoutinePauses::PausedOn);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoutinePauses::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Routines {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum RoutinePauses {
    Table,
    Id,
    RoutineId,
    AccountId,
    PausedOn,
    ResumedOn,
}
