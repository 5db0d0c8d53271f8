//! The access log (issue 17): every request on a person's data made by anyone but the
//! person themself, newest first per person. It goes with the account; an app's or an
//! administrator's entries stay when the app is disabled or the administrator's own
//! account is erased (the person's record of who looked is theirs), so neither id is
//! a foreign key.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessLog::Table)
                    .col(ColumnDef::new(AccessLog::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(AccessLog::AccountId).uuid().not_null())
                    .col(
                        ColumnDef::new(AccessLog::OccurredAt).timestamp_with_time_zone().not_null(),
                    )
                    .col(ColumnDef::new(AccessLog::AccessorKind).string_len(16).not_null())
                    .col(ColumnDef::new(AccessLog::ClientId).uuid().null())
                    .col(ColumnDef::new(AccessLog::AccessorAccountId).uuid().null())
                    .col(ColumnDef::new(AccessLog::Operation).string_len(64).not_null())
                    .col(ColumnDef::new(AccessLog::ResourceType).string_len(64).not_null())
                    .col(ColumnDef::new(AccessLog::ResourceId).string_len(100).null())
                    .col(ColumnDef::new(AccessLog::Status).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_log_account")
                            .from(AccessLog::Table, AccessLog::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_log_account_time")
                    .table(AccessLog::Table)
                    .col(AccessLog::AccountId)
                    .col(AccessLog::OccurredAt)
                    .col(AccessLog::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_log_time")
                    .table(AccessLog::Table)
                    .col(AccessLog::OccurredAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AccessLog::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AccessLog {
    Table,
    Id,
    AccountId,
    OccurredAt,
    AccessorKind,
    ClientId,
    AccessorAccountId,
    Operation,
    ResourceType,
    ResourceId,
    Status,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}
