//! PostgreSQL only: a trigger that sends an empty notice on the
//! `waymark_client_changes` channel whenever API clients are inserted, updated or
//! deleted. Every replica listens and forgets its cached clients, so a client disabled
//! on one replica is refused by every other from its next request. PostgreSQL delivers
//! the notice when the writing transaction commits.
//!
//! SQLite is one process: its cache hears every change directly, so this migration
//! does nothing there.

use sea_orm_migration::prelude::*;

use crate::postgres_only::{drop_notify_every_write, notify_every_write};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        notify_every_write(
            manager,
            "api_clients",
            "waymark_client_changes",
            "waymark_notify_client_change",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_notify_every_write(manager, "api_clients", "waymark_notify_client_change").await
    }
}
