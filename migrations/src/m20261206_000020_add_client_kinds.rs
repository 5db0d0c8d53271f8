//! What an API client is and where it may be sent back to (issue 17): `kind`
//! (`public` apps have no secret, `confidential` backends do), `redirect_uris` (one per
//! line, matched exactly), `first_party` (only such a client may use the password
//! grant), `disabled_at` (a disabled client authenticates no more and its tokens stop
//! working), and `updated_at` and `version`, since a client can now change. Clients
//! registered before are confidential, third-party, with no redirect URI.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        let columns = [
            ColumnDef::new(ApiClients::Kind)
                .string_len(16)
                .not_null()
                .default("confidential")
                .to_owned(),
            ColumnDef::new(ApiClients::RedirectUris).text().not_null().default("").to_owned(),
            ColumnDef::new(ApiClients::FirstParty).boolean().not_null().default(false).to_owned(),
            ColumnDef::new(ApiClients::DisabledAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(ApiClients::UpdatedAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(ApiClients::Version).big_integer().not_null().default(1).to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter().table(ApiClients::Table).add_column(&mut column).to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ApiClients::Version,
            ApiClients::UpdatedAt,
            ApiClients::DisabledAt,
            ApiClients::FirstParty,
            ApiClients::RedirectUris,
            ApiClients::Kind,
        ] {
            manager
                .alter_table(Table::alter().table(ApiClients::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiClients {
    Table,
    Kind,
    RedirectUris,
    FirstParty,
    DisabledAt,
    UpdatedAt,
    Version,
}
