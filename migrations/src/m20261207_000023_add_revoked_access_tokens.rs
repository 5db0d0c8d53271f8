//! `accounts.revoked_access_tokens`: the ids of the account's access tokens revoked
//! before they expire (`POST /v1/auth/revoke`), each with its expiry, so that the
//! account every request checks its token against (remembered by every replica, and
//! forgotten by each through `accounts_notify_personal_change` when this changes)
//! says which tokens to refuse. Expired ids are dropped whenever one is added.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(
                        ColumnDef::new(Accounts::RevokedAccessTokens).text().not_null().default(""),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::RevokedAccessTokens)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    RevokedAccessTokens,
}
