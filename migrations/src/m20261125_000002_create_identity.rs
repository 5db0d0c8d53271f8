//! Identity: accounts, API clients, refresh tokens and failed sign-ins.
//!
//! Every table holding a person's data refers to `accounts` with `ON DELETE
//! CASCADE`, so deleting an account erases everything that belongs to it in one
//! statement. Later migrations must keep that true for the tables they add.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(ColumnDef::new(Accounts::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Accounts::Email).string_len(254).not_null().unique_key())
                    .col(ColumnDef::new(Accounts::PasswordHash).string_len(255).not_null())
                    .col(ColumnDef::new(Accounts::DisplayName).string_len(100).not_null())
                    .col(ColumnDef::new(Accounts::TimeZone).string_len(64).not_null())
                    .col(ColumnDef::new(Accounts::Locale).string_len(35).not_null())
                    .col(ColumnDef::new(Accounts::Role).string_len(16).not_null())
                    .col(ColumnDef::new(Accounts::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Accounts::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Accounts::Version).big_integer().not_null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiClients::Table)
                    .col(ColumnDef::new(ApiClients::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ApiClients::Name).string_len(100).not_null())
                    .col(ColumnDef::new(ApiClients::Scopes).string_len(512).not_null())
                    .col(ColumnDef::new(ApiClients::SecretDigest).string_len(64).not_null())
                    .col(
                        ColumnDef::new(ApiClients::CreatedAt).timestamp_with_time_zone().not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(ColumnDef::new(RefreshTokens::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(RefreshTokens::FamilyId).uuid().not_null())
                    .col(ColumnDef::new(RefreshTokens::AccountId).uuid().not_null())
                    .col(ColumnDef::new(RefreshTokens::ClientId).uuid().null())
                    .col(
                        ColumnDef::new(RefreshTokens::Digest)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(RefreshTokens::Scopes).string_len(512).not_null())
                    .col(
                        ColumnDef::new(RefreshTokens::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RefreshTokens::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(RefreshTokens::SpentAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(RefreshTokens::RevokedAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_tokens_account")
                            .from(RefreshTokens::Table, RefreshTokens::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_tokens_client")
                            .from(RefreshTokens::Table, RefreshTokens::ClientId)
                            .to(ApiClients::Table, ApiClients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_refresh_tokens_family", RefreshTokens::FamilyId),
            ("idx_refresh_tokens_account", RefreshTokens::AccountId),
            ("idx_refresh_tokens_client", RefreshTokens::ClientId),
        ] {
            manager
                .create_index(
                    Index::create().name(name).table(RefreshTokens::Table).col(column).to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(SignInFailures::Table)
                    .col(
                        ColumnDef::new(SignInFailures::EmailDigest)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(SignInFailures::Failures).integer().not_null())
                    .col(ColumnDef::new(SignInFailures::WindowStartedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SignInFailures::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            ApiClients::Table.into_iden(),
            Accounts::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Email,
    PasswordHash,
    DisplayName,
    TimeZone,
    Locale,
    Role,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
    Name,
    Scopes,
    SecretDigest,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    FamilyId,
    AccountId,
    ClientId,
    Digest,
    Scopes,
    CreatedAt,
    ExpiresAt,
    SpentAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    EmailDigest,
    Failures,
    WindowStartedAt,
}
