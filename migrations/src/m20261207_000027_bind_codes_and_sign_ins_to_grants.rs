//! `authorization_codes.grant_id` and `refresh_tokens.grant_id`: the grant a code, and
//! a sign-in through the authorization code flow, were issued under. A code is good,
//! and a sign-in refreshes, only while that grant is the person's current grant to the
//! app, so neither comes back to life when the person takes the grant back and later
//! lets the app in again. Codes from before have none and are refused (they live a
//! minute); sign-ins from before have none, and an app's sign-in without one is
//! refused at its next refresh, so the app asks the person again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuthorizationCodes::Table)
                    .add_column(ColumnDef::new(AuthorizationCodes::GrantId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .add_column(ColumnDef::new(RefreshTokens::GrantId).uuid().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .drop_column(RefreshTokens::GrantId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuthorizationCodes::Table)
                    .drop_column(AuthorizationCodes::GrantId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum AuthorizationCodes {
    Table,
    GrantId,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    GrantId,
}
