//! Token epochs. `accounts.token_epoch` is carried in every access token issued to
//! the account and moves on when every session must end (a password or role change,
//! "sign out everywhere"), so tokens issued before are refused on their next request.
//! `refresh_tokens.token_epoch` is the epoch its sign-in began in: a refresh token
//! stored after its account's sessions were ended (a sign-in racing a password change)
//! is refused when presented. On PostgreSQL the existing
//! `accounts_notify_personal_change` trigger tells every replica, which forgets the
//! account it remembers.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Epochs::Accounts, Epochs::RefreshTokens] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(
                            ColumnDef::new(Epochs::TokenEpoch).big_integer().not_null().default(0),
                        )
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Epochs::RefreshTokens, Epochs::Accounts] {
            manager
                .alter_table(Table::alter().table(table).drop_column(Epochs::TokenEpoch).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Epochs {
    Accounts,
    RefreshTokens,
    TokenEpoch,
}
