//! PostgreSQL only: a trigger that sends an empty notice on the
//! `waymark_content_changes` channel whenever articles are inserted, updated or
//! deleted. Every replica listens and forgets its cached articles. PostgreSQL delivers
//! the notice when the writing transaction commits, and sends identical ones from one
//! transaction once.
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
            "content_articles",
            "waymark_content_changes",
            "waymark_notify_content_change",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_notify_every_write(manager, "content_articles", "waymark_notify_content_change").await
    }
}
