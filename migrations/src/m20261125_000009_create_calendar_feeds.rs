//! Secret calendar feed addresses: at most one per account. Only the SHA-256 digest
//! of the token is stored, so a database leak does not reveal working addresses;
//! `idx_calendar_feeds_digest` (unique) finds the account of a presented token.
//! Rows go with their account (`ON DELETE CASCADE`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CalendarFeeds::Table)
                    .col(ColumnDef::new(CalendarFeeds::AccountId).uuid().not_null().primary_key())
                    .col(ColumnDef::new(CalendarFeeds::TokenDigest).string_len(64).not_null())
                    .col(
                        ColumnDef::new(CalendarFeeds::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_calendar_feeds_account")
                            .from(CalendarFeeds::Table, CalendarFeeds::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_calendar_feeds_digest")
                    .table(CalendarFeeds::Table)
                    .col(CalendarFeeds::TokenDigest)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CalendarFeeds::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    AccountId,
    TokenDigest,
    CreatedAt,
}
