//! `consents.grant_id`: which grant a consent is, from the moment the person said yes
//! until they take it back. Every token issued under it names it, so a token from a
//! grant taken back stays refused when the person lets the same app in again. Consents
//! already there get an id each.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Consents::Table)
                    .add_column(ColumnDef::new(Consents::GrantId).uuid().null())
                    .to_owned(),
            )
            .await?;
        // SQLite keeps UUIDs as 16-byte blobs.
        let backend = manager.get_database_backend();
        let random_id = match backend {
            DatabaseBackend::Postgres => "gen_random_uuid()",
            _ => "randomblob(16)",
        };
        manager
            .get_connection()
            .execute_raw(Statement::from_string(
                backend,
                format!("UPDATE consents SET grant_id = {random_id} WHERE grant_id IS NULL"),
            ))
            .await?;
        if backend == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_raw(Statement::from_string(
                    backend,
                    "ALTER TABLE consents ALTER COLUMN grant_id SET NOT NULL".to_owned(),
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Consents::Table).drop_column(Consents::GrantId).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    GrantId,
}
