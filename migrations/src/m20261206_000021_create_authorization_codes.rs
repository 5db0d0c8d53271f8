//! The authorization code flow (issue 17): `authorization_codes` holds each code's
//! digest with what it grants (client, person, redirect URI, PKCE challenge, scopes)
//! until it is spent or expires; `consents` remembers what each person let each app
//! have, so they are asked again only when it asks for more. Both go with the account
//! and with the client.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthorizationCodes::Table)
                    .col(
                        ColumnDef::new(AuthorizationCodes::Digest)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AuthorizationCodes::ClientId).uuid().not_null())
                    .col(ColumnDef::new(AuthorizationCodes::AccountId).uuid().not_null())
                    .col(ColumnDef::new(AuthorizationCodes::RedirectUri).string_len(512).not_null())
                    .col(
                        ColumnDef::new(AuthorizationCodes::CodeChallenge).string_len(43).not_null(),
                    )
                    .col(ColumnDef::new(AuthorizationCodes::Scopes).string_len(512).not_null())
                    .col(
                        ColumnDef::new(AuthorizationCodes::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuthorizationCodes::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AuthorizationCodes::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_authorization_codes_account")
                            .from(AuthorizationCodes::Table, AuthorizationCodes::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_authorization_codes_client")
                            .from(AuthorizationCodes::Table, AuthorizationCodes::ClientId)
                            .to(ApiClients::Table, ApiClients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_authorization_codes_account", AuthorizationCodes::AccountId),
            ("idx_authorization_codes_client", AuthorizationCodes::ClientId),
            ("idx_authorization_codes_expiry", AuthorizationCodes::ExpiresAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuthorizationCodes::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Consents::Table)
                    .col(ColumnDef::new(Consents::AccountId).uuid().not_null())
                    .col(ColumnDef::new(Consents::ClientId).uuid().not_null())
                    .col(ColumnDef::new(Consents::Scopes).string_len(512).not_null())
                    .col(ColumnDef::new(Consents::GrantedAt).timestamp_with_time_zone().not_null())
                    .primary_key(Index::create().col(Consents::AccountId).col(Consents::ClientId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consents_account")
                            .from(Consents::Table, Consents::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consents_client")
                            .from(Consents::Table, Consents::ClientId)
                            .to(ApiClients::Table, ApiClients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_consents_client")
                    .table(Consents::Table)
                    .col(Consents::ClientId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Consents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AuthorizationCodes::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AuthorizationCodes {
    Table,
    Digest,
    ClientId,
    AccountId,
    RedirectUri,
    CodeChallenge,
    Scopes,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    AccountId,
    ClientId,
    Scopes,
    GrantedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
}
