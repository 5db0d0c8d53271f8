//! Drops the access log's foreign key to `accounts`. PostgreSQL checked it for every
//! row written, with a query and a row lock of its own, which was half of what writing
//! an entry cost. The log's writer instead locks the owners of a whole batch at once
//! (`FOR KEY SHARE`, what the key's check took for each row), and erasing an account
//! deletes its entries itself, after the account (see `persistence/src/access_log.rs`).
//! SQLite cannot drop a constraint: there the table is made again without it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns as migration 22 made them, for SQLite's copy.
const COLUMNS: &str = "id, account_id, occurred_at, accessor_kind, client_id, \
    accessor_account_id, operation, resource_type, resource_id, status";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too (sea-orm-migration uses one only on
    /// PostgreSQL by default): a stop between dropping the log and renaming its copy
    /// would otherwise leave no `access_log`.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            return manager
                .alter_table(
                    Table::alter()
                        .table(AccessLog::Table)
                        .drop_foreign_key(Alias::new("fk_access_log_account"))
                        .to_owned(),
                )
                .await;
        }
        manager.create_table(table(AccessLog::Rebuilt, None)).await?;
        copy_and_swap(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // Entries whose account went while no key held them cannot be kept under one.
        execute(
            manager,
            "DELETE FROM access_log WHERE account_id NOT IN (SELECT id FROM accounts)",
        )
        .await?;
        if backend == DatabaseBackend::Postgres {
            return manager.create_foreign_key(key(AccessLog::Table)).await;
        }
        manager.create_table(table(AccessLog::Rebuilt, Some(key(AccessLog::Rebuilt)))).await?;
        copy_and_swap(manager).await
    }
}

/// The key migration 22 made, on table `from`.
fn key(from: AccessLog) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name("fk_access_log_account")
        .from(from, AccessLog::AccountId)
        .to(Accounts::Table, Accounts::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// The access log's table as migration 22 made it, named `name`, with `key` if any.
fn table(name: AccessLog, key: Option<ForeignKeyCreateStatement>) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(name)
        .col(ColumnDef::new(AccessLog::Id).uuid().not_null().primary_key())
        .col(ColumnDef::new(AccessLog::AccountId).uuid().not_null())
        .col(ColumnDef::new(AccessLog::OccurredAt).timestamp_with_time_zone().not_null())
        .col(ColumnDef::new(AccessLog::AccessorKind).string_len(16).not_null())
        .col(ColumnDef::new(AccessLog::ClientId).uuid().null())
        .col(ColumnDef::new(AccessLog::AccessorAccountId).uuid().null())
        .col(ColumnDef::new(AccessLog::Operation).string_len(64).not_null())
        .col(ColumnDef::new(AccessLog::ResourceType).string_len(64).not_null())
        .col(ColumnDef::new(AccessLog::ResourceId).string_len(100).null())
        .col(ColumnDef::new(AccessLog::Status).integer().not_null());
    if let Some(mut key) = key {
        table.foreign_key(&mut key);
    }
    table.to_owned()
}

/// SQLite: the entries copied into the rebuilt table, which then takes the log's name
/// and its index.
async fn copy_and_swap(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    execute(
        manager,
        &format!("INSERT INTO access_log_rebuilt ({COLUMNS}) SELECT {COLUMNS} FROM access_log"),
    )
    .await?;
    manager.drop_table(Table::drop().table(AccessLog::Table).to_owned()).await?;
    manager
        .rename_table(Table::rename().table(AccessLog::Rebuilt, AccessLog::Table).to_owned())
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
        .await
}

async fn execute(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    manager.get_connection().execute_raw(Statement::from_string(backend, sql.to_owned())).await?;
    Ok(())
}

#[derive(DeriveIden, Clone, Copy)]
enum AccessLog {
    Table,
    #[sea_orm(iden = "access_log_rebuilt")]
    Rebuilt,
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
