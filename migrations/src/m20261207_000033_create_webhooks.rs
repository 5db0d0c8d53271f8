//! Webhooks (issue 19): `webhook_subscriptions` (a confidential client's address, event
//! types and signing secrets), `webhook_messages` (the outbox: one row per event per
//! subscription, written in the transaction that made the change) and
//! `webhook_attempts` (each subscription's delivery log).
//!
//! Subscriptions go with their client. Messages go with their subscription, and with
//! the person they are about (nothing outlives an erasure); attempts with their message.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .col(ColumnDef::new(Subscriptions::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Subscriptions::ClientId).uuid().not_null())
                    .col(ColumnDef::new(Subscriptions::Url).text().not_null())
                    .col(ColumnDef::new(Subscriptions::EventTypes).text().not_null())
                    .col(ColumnDef::new(Subscriptions::Standing).string_len(32).not_null())
                    .col(ColumnDef::new(Subscriptions::Secret).text().not_null())
                    .col(ColumnDef::new(Subscriptions::PreviousSecret).text().null())
                    .col(
                        ColumnDef::new(Subscriptions::PreviousSecretUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Subscriptions::FailingSince)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Subscriptions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Subscriptions::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Subscriptions::Version).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_subscriptions_client")
                            .from(Subscriptions::Table, Subscriptions::ClientId)
                            .to(ApiClients::Table, ApiClients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_subscriptions_client")
                    .table(Subscriptions::Table)
                    .col(Subscriptions::ClientId)
                    .col(Subscriptions::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(ColumnDef::new(Messages::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Messages::SubscriptionId).uuid().not_null())
                    .col(ColumnDef::new(Messages::AccountId).uuid().null())
                    .col(ColumnDef::new(Messages::EventType).string_len(64).not_null())
                    .col(ColumnDef::new(Messages::Payload).text().not_null())
                    .col(ColumnDef::new(Messages::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Messages::Attempts).integer().not_null())
                    .col(
                        ColumnDef::new(Messages::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Messages::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_messages_subscription")
                            .from(Messages::Table, Messages::SubscriptionId)
                            .to(Subscriptions::Table, Subscriptions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_messages_account")
                            .from(Messages::Table, Messages::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_webhook_messages_due", vec![Messages::Status, Messages::NextAttemptAt]),
            ("idx_webhook_messages_subscription", vec![Messages::SubscriptionId]),
            ("idx_webhook_messages_account", vec![Messages::AccountId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Messages::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Attempts::Table)
                    .col(ColumnDef::new(Attempts::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Attempts::MessageId).uuid().not_null())
                    .col(ColumnDef::new(Attempts::SubscriptionId).uuid().not_null())
                    .col(ColumnDef::new(Attempts::EventType).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Attempts::AttemptedAt).timestamp_with_time_zone().not_null(),
                    )
                    .col(ColumnDef::new(Attempts::StatusCode).integer().null())
                    .col(ColumnDef::new(Attempts::DurationMs).big_integer().not_null())
                    .col(ColumnDef::new(Attempts::Error).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempts_message")
                            .from(Attempts::Table, Attempts::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_webhook_attempts_subscription", vec![Attempts::SubscriptionId, Attempts::Id]),
            ("idx_webhook_attempts_message", vec![Attempts::MessageId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Attempts::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Attempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Messages::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Subscriptions::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Subscriptions {
    #[sea_orm(iden = "webhook_subscriptions")]
    Table,
    Id,
    ClientId,
    Url,
    EventTypes,
    Standing,
    Secret,
    PreviousSecret,
    PreviousSecretUntil,
    FailingSince,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Messages {
    #[sea_orm(iden = "webhook_messages")]
    Table,
    Id,
    SubscriptionId,
    AccountId,
    EventType,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Attempts {
    #[sea_orm(iden = "webhook_attempts")]
    Table,
    Id,
    MessageId,
    SubscriptionId,
    EventType,
    AttemptedAt,
    StatusCode,
    DurationMs,
    Error,
}

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}
