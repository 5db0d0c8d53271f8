//! Routines and their check-ins.
//!
//! A schedule is stored in columns: `schedule_kind` (`daily`, `weekly`,
//! `every_n_days`, `times_per_week`), `weekdays` (one bit per day, Monday lowest; 0
//! unless weekly), `schedule_number` (the interval of `every_n_days`, the count of
//! `times_per_week`, else 0), `times` (`HH:MM` comma-separated, earliest first; empty
//! for `times_per_week`), `starts_on`, `ends_on`, `time_zone` (IANA).
//!
//! A check-in names its occurrence by `occurrence_date` and `occurrence_time` (`HH:MM`,
//! or empty for `times_per_week`); the unique index makes a second check-in for the
//! same occurrence impossible, also when two requests race.
//!
//! Indexes, and the query each serves:
//! - `idx_routines_account_created (account_id, created_at, id)`: `GET /v1/routines`,
//!   newest first, keyset on `(created_at, id)`; also the agenda's active routines.
//! - `idx_routine_check_ins_occurrence (routine_id, occurrence_date, occurrence_time)`,
//!   unique: one check-in per occurrence, and check-ins of a routine by date range.
//! - `idx_routine_check_ins_account (account_id)`: erasing an account.
//!
//! Both tables refer to `accounts` with `ON DELETE CASCADE`; check-ins go with their
//! routine; a routine's goal link is cleared when the goal is deleted.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().not_null().to_owned()
}

fn cascade_to(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Routines::Table)
                    .col(ColumnDef::new(Routines::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Routines::AccountId).uuid().not_null())
                    .col(ColumnDef::new(Routines::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Routines::Category).string_len(32).not_null())
                    .col(ColumnDef::new(Routines::Notes).text().not_null())
                    .col(ColumnDef::new(Routines::GoalId).uuid().null())
                    .col(ColumnDef::new(Routines::Active).boolean().not_null())
                    .col(ColumnDef::new(Routines::ReminderMinutesBefore).integer().null())
                    .col(ColumnDef::new(Routines::ScheduleKind).string_len(16).not_null())
                    .col(ColumnDef::new(Routines::Weekdays).integer().not_null())
                    .col(ColumnDef::new(Routines::ScheduleNumber).integer().not_null())
                    .col(ColumnDef::new(Routines::Times).string_len(80).not_null())
                    .col(ColumnDef::new(Routines::StartsOn).date().not_null())
                    .col(ColumnDef::new(Routines::EndsOn).date().null())
                    .col(ColumnDef::new(Routines::TimeZone).string_len(64).not_null())
                    .col(timestamp(Routines::CreatedAt))
                    .col(timestamp(Routines::UpdatedAt))
                    .col(ColumnDef::new(Routines::Version).big_integer().not_null())
                    .foreign_key(&mut cascade_to(
                        "fk_routines_account",
                        (Routines::Table, Routines::AccountId),
                        (Accounts::Table, Accounts::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut cascade_to(
                        "fk_routines_goal",
                        (Routines::Table, Routines::GoalId),
                        (Goals::Table, Goals::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_routines_account_created")
                    .table(Routines::Table)
                    .col(Routines::AccountId)
                    .col(Routines::CreatedAt)
                    .col(Routines::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoutineCheckIns::Table)
                    .col(ColumnDef::new(RoutineCheckIns::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(RoutineCheckIns::RoutineId).uuid().not_null())
                    .col(ColumnDef::new(RoutineCheckIns::AccountId).uuid().not_null())
                    .col(ColumnDef::new(RoutineCheckIns::OccurrenceDate).date().not_null())
                    .col(ColumnDef::new(RoutineCheckIns::OccurrenceTime).string_len(5).not_null())
                    .col(ColumnDef::new(RoutineCheckIns::Status).string_len(16).not_null())
                    .col(ColumnDef::new(RoutineCheckIns::Note).text().not_null())
                    .col(ColumnDef::new(RoutineCheckIns::Feeling).string_len(16).null())
                    .col(timestamp(RoutineCheckIns::CreatedAt))
                    .col(timestamp(RoutineCheckIns::UpdatedAt))
                    .col(ColumnDef::new(RoutineCheckIns::Version).big_integer().not_null())
                    .foreign_key(&mut cascade_to(
                        "fk_routine_check_ins_routine",
                        (RoutineCheckIns::Table, RoutineCheckIns::RoutineId),
                        (Routines::Table, Routines::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut cascade_to(
                        "fk_routine_check_ins_account",
                        (RoutineCheckIns::Table, RoutineCheckIns::AccountId),
                        (Accounts::Table, Accounts::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_routine_check_ins_occurrence")
                    .table(RoutineCheckIns::Table)
                    .col(RoutineCheckIns::RoutineId)
                    .col(RoutineCheckIns::OccurrenceDate)
                    .col(RoutineCheckIns::OccurrenceTime)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_routine_check_ins_account")
                    .table(RoutineCheckIns::Table)
                    .col(RoutineCheckIns::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoutineCheckIns::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Routines::Table).to_owned()).await
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
}

#[derive(DeriveIden)]
enum Routines {
    Table,
    Id,
    AccountId,
    Title,
    Category,
    Notes,
    GoalId,
    Active,
    ReminderMinutesBefore,
    ScheduleKind,
    Weekdays,
    ScheduleNumber,
    Times,
    StartsOn,
    EndsOn,
    TimeZone,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum RoutineCheckIns {
    Table,
    Id,
    RoutineId,
    AccountId,
    OccurrenceDate,
    OccurrenceTime,
    Status,
    Note,
    Feeling,
    CreatedAt,
    UpdatedAt,
    Version,
}
