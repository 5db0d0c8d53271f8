//! `authorization_codes.token_epoch`: the person's token epoch when they consented, so
//! a code issued before they ended every session (a password change, "sign out
//! everywhere") is refused at the exchange like every token from before.

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
                    .add_column(
                        ColumnDef::new(AuthorizationCodes::TokenEpoch)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuthorizationCodes::Table)
                    .drop_column(AuthorizationCodes::TokenEpoch)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum AuthorizationCodes {
    Table,
    TokenEpoch,
}
