//! Drops `idx_access_log_time`: housekeeping finds the access log's old entries by
//! their primary key instead (ids are UUIDv7, made as the access is, so they order by
//! time), and every logged request no longer keeps up an index used by that sweep
//! alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_access_log_time")
                    .table(Alias::new("access_log"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_access_log_time")
                    .table(Alias::new("access_log"))
                    .col(Alias::new("occurred_at"))
                    .to_owned(),
            )
            .await
    }
}
