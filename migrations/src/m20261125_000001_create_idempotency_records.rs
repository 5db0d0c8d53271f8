//! Stored first responses for `Idempotency-Key` retries (API guide, "Writes"). They live
//! in the database, not in memory, so a retry that lands on another replica still
//! replays the original answer. Rows expire after 24 hours; `expires_at` is indexed so
//! the sweep stays cheap.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyRecords::Table)
                    .col(ColumnDef::new(IdempotencyRecords::Caller).string_len(255).not_null())
                    .col(ColumnDef::new(IdempotencyRecords::Key).string_len(255).not_null())
                    .col(ColumnDef::new(IdempotencyRecords::Method).string_len(16).not_null())
                    .col(ColumnDef::new(IdempotencyRecords::Path).string_len(2048).not_null())
                    .col(ColumnDef::new(IdempotencyRecords::RequestHash).string_len(64).not_null())
                    .col(ColumnDef::new(IdempotencyRecords::ResponseStatus).small_integer().null())
                    .col(ColumnDef::new(IdempotencyRecords::ResponseHeaders).json().null())
                    .col(ColumnDef::new(IdempotencyRecords::ResponseBody).binary().null())
                    .col(
                        ColumnDef::new(IdempotencyRecords::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyRecords::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IdempotencyRecords::Caller)
                            .col(IdempotencyRecords::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_records_expires_at")
                    .table(IdempotencyRecords::Table)
                    .col(IdempotencyRecords::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IdempotencyRecords::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum IdempotencyRecords {
    Table,
    Caller,
    Key,
    Method,
    Path,
    RequestHash,
    ResponseStatus,
    ResponseHeaders,
    ResponseBody,
    CreatedAt,
    ExpiresAt,
}
