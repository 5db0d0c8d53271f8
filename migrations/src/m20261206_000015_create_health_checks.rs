//! `health_checks`: one row that readiness probes rewrite and commit, so a database
//! that answers reads but cannot commit (a full disk, a read-only replica) reports
//! the instance unready. Every replica rewrites the same row; `padding` makes the
//! write as large as a typical one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HealthChecks::Table)
                    .col(ColumnDef::new(HealthChecks::Id).integer().not_null().primary_key())
                    .col(
                        ColumnDef::new(HealthChecks::CheckedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(HealthChecks::Padding).binary().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(HealthChecks::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum HealthChecks {
    Table,
    Id,
    CheckedAt,
    Padding,
}
