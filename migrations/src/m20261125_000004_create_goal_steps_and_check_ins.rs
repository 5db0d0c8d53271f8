//! Steps and check-ins of goals, and the goal's derived counts.
//!
//! `goals.steps_total`, `goals.steps_done` and `goals.last_check_in_at` are kept up
//! to date in the same transaction as every step or check-in change, so lists never
//! count rows per goal.
//!
//! Indexes, and the query each serves:
//! - `idx_goal_steps_goal_position (goal_id, position)`: `GET /v1/goals/{id}/steps`.
//! - `idx_goal_check_ins_goal_created (goal_id, created_at, id)`:
//!   `GET /v1/goals/{id}/check-ins`, newest first, keyset on `(created_at, id)`.
//!
//! Both tables refer to `accounts` (and `goals`) with `ON DELETE CASCADE`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(Goals::StepsTotal).integer().not_null().default(0).to_owned(),
            ColumnDef::new(Goals::StepsDone).integer().not_null().default(0).to_owned(),
            ColumnDef::new(Goals::LastCheckInAt).timestamp_with_time_zone().null().to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(Goals::Table).add_column(column).to_owned())
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(GoalSteps::Table)
                    .col(ColumnDef::new(GoalSteps::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(GoalSteps::GoalId).uuid().not_null())
                    .col(ColumnDef::new(GoalSteps::AccountId).uuid().not_null())
                    .col(ColumnDef::new(GoalSteps::Title).string_len(200).not_null())
                    .col(ColumnDef::new(GoalSteps::Done).boolean().not_null())
                    .col(ColumnDef::new(GoalSteps::DoneAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(GoalSteps::Position).integer().not_null())
                    .col(ColumnDef::new(GoalSteps::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(GoalSteps::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(GoalSteps::Version).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goal_steps_goal")
                            .from(GoalSteps::Table, GoalSteps::GoalId)
                            .to(Goals::Table, Goals::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goal_steps_account")
                            .from(GoalSteps::Table, GoalSteps::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goal_steps_goal_position")
                    .table(GoalSteps::Table)
                    .col(GoalSteps::GoalId)
                    .col(GoalSteps::Position)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GoalCheckIns::Table)
                    .col(ColumnDef::new(GoalCheckIns::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(GoalCheckIns::GoalId).uuid().not_null())
                    .col(ColumnDef::new(GoalCheckIns::AccountId).uuid().not_null())
                    .col(ColumnDef::new(GoalCheckIns::Note).text().not_null())
                    .col(ColumnDef::new(GoalCheckIns::Progress).small_integer().null())
                    .col(ColumnDef::new(GoalCheckIns::Feeling).string_len(16).null())
                    .col(ColumnDef::new(GoalCheckIns::Setback).boolean().not_null())
                    .col(
                        ColumnDef::new(GoalCheckIns::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goal_check_ins_goal")
                            .from(GoalCheckIns::Table, GoalCheckIns::GoalId)
                            .to(Goals::Table, Goals::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_goal_check_ins_account")
                            .from(GoalCheckIns::Table, GoalCheckIns::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_goal_check_ins_goal_created")
                    .table(GoalCheckIns::Table)
                    .col(GoalCheckIns::GoalId)
                    .col(GoalCheckIns::CreatedAt)
                    .col(GoalCheckIns::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(GoalCheckIns::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(GoalSteps::Table).to_owned()).await?;
        // One column per statement: SQLite cannot drop several at once.
        for column in [Goals::LastCheckInAt, Goals::StepsDone, Goals::StepsTotal] {
            manager
                .alter_table(Table::alter().table(Goals::Table).drop_column(column).to_owned())
                .await?;
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
    StepsTotal,
    StepsDone,
    LastCheckInAt,
}

#[derive(DeriveIden)]
enum GoalSteps {
    Table,
    Id,
    GoalId,
    AccountId,
    Title,
    Done,
    DoneAt,
    Position,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum GoalCheckIns {
    Table,
    Id,
    GoalId,
    AccountId,
    Note,
    Progress,
    Feeling,
    Setback,
    CreatedAt,
}
