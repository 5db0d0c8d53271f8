//! Webhooks in SQL: subscriptions (`webhook_subscriptions`), the outbox
//! (`webhook_messages`) and the delivery log (`webhook_attempts`).
//!
//! Messages are written by [`enqueue`], inside the transaction of the change they are
//! about (the journal's [`crate::journal::append`] calls it for personal events;
//! publishing an article for content): a committed change always has its messages, a
//! rolled-back one never does. Workers on every instance [`SqlOutbox::claim`] due
//! messages for a lease: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so two instances
//! never claim the same message; on SQLite through the one writer.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef, Statement,
};
use uuid::Uuid;
use waymark_domain::identity::{AccountId, ClientId, Scope, ScopeSet};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;
use waymark_domain::webhooks::ports::{AttemptPage, Outbox, SubscriptionStore, WebhookError};
use waymark_domain::webhooks::{
    Attempt, AttemptOutcome, AttemptRecord, DueMessage, Event, EventType, EventTypes, MessageId,
    MessageStatus, NewSubscription, NextStep, SigningSecret, Standing, Subscription,
    SubscriptionChanges, SubscriptionId, WebhookUrl,
};

use crate::entities::{
    api_clients, consents, webhook_attempts, webhook_messages, webhook_subscriptions,
};
use crate::error::store_error;
use crate::paging::page_of;
use crate::writes::Writes;

/// [`SubscriptionStore`] and [`Outbox`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlWebhooks {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
}

fn corrupt(what: &str, id: Uuid) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("webhook row {id} has an invalid {what}"))
}

fn stored_events(events: &EventTypes) -> String {
    events.iter().map(EventType::as_str).collect::<Vec<_>>().join(" ")
}

fn events_of(row: &webhook_subscriptions::Model) -> Result<EventTypes, StoreError> {
    parse_events(&row.event_types, row.id)
}

/// The event types stored in `subscription`'s row as `stored`.
fn parse_events(stored: &str, subscription: Uuid) -> Result<EventTypes, StoreError> {
    let names: Vec<String> = stored.split(' ').map(str::to_owned).collect();
    EventTypes::parse(&names).map_err(|_| corrupt("event type", subscription))
}

fn to_subscription(row: &webhook_subscriptions::Model) -> Result<Subscription, StoreError> {
    Ok(Subscription {
        id: SubscriptionId(row.id),
        client: ClientId(row.client_id),
        url: WebhookUrl::stored(&row.url).ok_or_else(|| corrupt("url", row.id))?,
        events: events_of(row)?,
        standing: Standing::parse(&row.standing).ok_or_else(|| corrupt("standing", row.id))?,
        failing_since: row.failing_since,
        previous_secret_until: row.previous_secret_until,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn to_attempt(row: &webhook_attempts::Model) -> Result<Attempt, StoreError> {
    Ok(Attempt {
        id: row.id,
        message: MessageId(row.message_id),
        event_type: row.event_type.parse().map_err(|_| corrupt("event type", row.id))?,
        at: row.attempted_at,
        outcome: AttemptOutcome {
            status: row.status_code.and_then(|status| u16::try_from(status).ok()),
            duration: Duration::from_millis(u64::try_from(row.duration_ms).unwrap_or(0)),
            error: row.error.clone(),
        },
    })
}

impl SqlWebhooks {
    async fn owned(
        &self,
        connection: &impl ConnectionTrait,
        client: ClientId,
        id: SubscriptionId,
    ) -> Result<webhook_subscriptions::Model, WebhookError> {
        webhook_subscriptions::Entity::find_by_id(id.0)
            .filter(webhook_subscriptions::Column::ClientId.eq(client.0))
            .one(connection)
            .await
            .map_err(store_error)?
            .ok_or(WebhookError::NotFound)
    }
}

#[async_trait]
impl SubscriptionStore for SqlWebhooks {
    async fn create(
        &self,
        subscription: NewSubscription,
        now: Instant,
    ) -> Result<Subscription, StoreError> {
        let row = webhook_subscriptions::ActiveModel {
            id: Set(Uuid::now_v7()),
            client_id: Set(subscription.client.0),
            url: Set(subscription.url.as_str().to_owned()),
            event_types: Set(stored_events(&subscription.events)),
            standing: Set(Standing::Active.as_str().to_owned()),
            secret: Set(subscription.secret.expose()),
            previous_secret: Set(None),
            previous_secret_until: Set(None),
            failing_since: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        };
        let row = webhook_subscriptions::Entity::insert(row)
            .exec_with_returning(&self.writes)
            .await
            .map_err(store_error)?;
        to_subscription(&row)
    }

    async fn list(
        &self,
        client: ClientId,
        after: Option<SubscriptionId>,
        limit: u64,
    ) -> Result<(Vec<Subscription>, bool), StoreError> {
        let mut select = webhook_subscriptions::Entity::find()
            .filter(webhook_subscriptions::Column::ClientId.eq(client.0));
        if let Some(after) = after {
            select = select.filter(webhook_subscriptions::Column::Id.gt(after.0));
        }
        let rows = select
            .order_by_asc(webhook_subscriptions::Column::Id)
            .limit(limit.saturating_add(1))
            .all(&self.connection)
            .await
            .map_err(store_error)?;
        let (rows, more) = page_of(rows, limit);
        Ok((rows.iter().map(to_subscription).collect::<Result<_, _>>()?, more))
    }

    async fn find(
        &self,
        client: ClientId,
        id: SubscriptionId,
    ) -> Result<Option<Subscription>, StoreError> {
        match self.owned(&self.connection, client, id).await {
            Ok(row) => Ok(Some(to_subscription(&row)?)),
            Err(WebhookError::NotFound | WebhookError::PreconditionFailed) => Ok(None),
            Err(WebhookError::Store(error)) => Err(error),
        }
    }

    async fn update(
        &self,
        client: ClientId,
        id: SubscriptionId,
        changes: SubscriptionChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Subscription, WebhookError> {
        let transaction = self.writes.begin().await?;
        let row = self.owned(&transaction, client, id).await?;
        if expected_version.is_some_and(|expected| expected != row.version) {
            return Err(WebhookError::PreconditionFailed);
        }
        let mut update = webhook_subscriptions::Entity::update_many()
            .col_expr(webhook_subscriptions::Column::Version, Expr::value(row.version + 1))
            .col_expr(webhook_subscriptions::Column::UpdatedAt, Expr::value(now))
            .filter(webhook_subscriptions::Column::Id.eq(row.id))
            .filter(webhook_subscriptions::Column::Version.eq(row.version));
        if let Some(url) = &changes.url {
            update = update.col_expr(webhook_subscriptions::Column::Url, Expr::value(url.as_str()));
        }
        if let Some(events) = &changes.events {
            update = update.col_expr(
                webhook_subscriptions::Column::EventTypes,
                Expr::value(stored_events(events)),
            );
        }
        if let Some(active) = changes.active {
            let standing = if active { Standing::Active } else { Standing::Paused };
            update = update
                .col_expr(webhook_subscriptions::Column::Standing, Expr::value(standing.as_str()))
                // Switched on again, its run of failures starts again.
                .col_expr(
                    webhook_subscriptions::Column::FailingSince,
                    Expr::value(Option::<Instant>::None),
                );
        }
        let changed = update.exec(&transaction).await.map_err(store_error)?.rows_affected;
        if changed == 0 {
            return Err(WebhookError::PreconditionFailed);
        }
        let row = self.owned(&transaction, client, id).await?;
        transaction.commit().await?;
        Ok(to_subscription(&row)?)
    }

    async fn rotate_secret(
        &self,
        client: ClientId,
        id: SubscriptionId,
        secret: SigningSecret,
        previous_until: Instant,
        now: Instant,
    ) -> Result<Subscription, WebhookError> {
        let transaction = self.writes.begin().await?;
        let row = self.owned(&transaction, client, id).await?;
        webhook_subscriptions::Entity::update_many()
            .col_expr(
                webhook_subscriptions::Column::PreviousSecret,
                Expr::value(Some(row.secret.clone())),
            )
            .col_expr(
                webhook_subscriptions::Column::PreviousSecretUntil,
                Expr::value(Some(previous_until)),
            )
            .col_expr(webhook_subscriptions::Column::Secret, Expr::value(secret.expose()))
            .col_expr(webhook_subscriptions::Column::Version, Expr::value(row.version + 1))
            .col_expr(webhook_subscriptions::Column::UpdatedAt, Expr::value(now))
            .filter(webhook_subscriptions::Column::Id.eq(row.id))
            .exec(&transaction)
            .await
            .map_err(store_error)?;
        let row = self.owned(&transaction, client, id).await?;
        transaction.commit().await?;
        Ok(to_subscription(&row)?)
    }

    async fn delete(&self, client: ClientId, id: SubscriptionId) -> Result<(), WebhookError> {
        let deleted = webhook_subscriptions::Entity::delete_many()
            .filter(webhook_subscriptions::Column::Id.eq(id.0))
            .filter(webhook_subscriptions::Column::ClientId.eq(client.0))
            .exec(&self.writes)
            .await
            .map_err(store_error)?
            .rows_affected;
        if deleted == 0 {
            return Err(WebhookError::NotFound);
        }
        Ok(())
    }

    async fn attempts(
        &self,
        client: ClientId,
        id: SubscriptionId,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<AttemptPage, WebhookError> {
        self.owned(&self.connection, client, id).await?;
        let mut select = webhook_attempts::Entity::find()
            .filter(webhook_attempts::Column::SubscriptionId.eq(id.0));
        if let Some(before) = before {
            select = select.filter(webhook_attempts::Column::Id.lt(before));
        }
        let rows = select
            .order_by_desc(webhook_attempts::Column::Id)
            .limit(limit.saturating_add(1))
            .all(&self.connection)
            .await
            .map_err(store_error)?;
        let (rows, more) = page_of(rows, limit);
        Ok((rows.iter().map(to_attempt).collect::<Result<_, _>>()?, more))
    }

    async fn redeliver(
        &self,
        client: ClientId,
        id: SubscriptionId,
        message: MessageId,
        now: Instant,
    ) -> Result<(), WebhookError> {
        let transaction = self.writes.begin().await?;
        self.owned(&transaction, client, id).await?;
        let changed = webhook_messages::Entity::update_many()
            .col_expr(
                webhook_messages::Column::Status,
                Expr::value(MessageStatus::Pending.as_str()),
            )
            .col_expr(webhook_messages::Column::Attempts, Expr::value(0))
            .col_expr(webhook_messages::Column::NextAttemptAt, Expr::value(now))
            .filter(webhook_messages::Column::Id.eq(message.0))
            .filter(webhook_messages::Column::SubscriptionId.eq(id.0))
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        if changed == 0 {
            return Err(WebhookError::NotFound);
        }
        transaction.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl Outbox for SqlWebhooks {
    async fn claim(
        &self,
        now: Instant,
        lease: Duration,
        limit: u64,
    ) -> Result<Vec<DueMessage>, StoreError> {
        let transaction = self.writes.begin().await?;
        let backend = transaction.get_database_backend();
        let (due, count, lock) = match backend {
            DbBackend::Postgres => ("$1", "$2", " FOR UPDATE OF m SKIP LOCKED"),
            _ => ("?", "?", ""),
        };
        let rows = transaction
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT m.id FROM webhook_messages m \
                     JOIN webhook_subscriptions s ON s.id = m.subscription_id \
                     JOIN api_clients c ON c.id = s.client_id \
                     WHERE m.status = 'pending' AND m.next_attempt_at <= {due} \
                       AND s.standing = 'active' AND c.disabled_at IS NULL \
                     ORDER BY m.next_attempt_at LIMIT {count}{lock}"
                ),
                [now.into(), i64::try_from(limit).unwrap_or(i64::MAX).into()],
            ))
            .await
            .map_err(store_error)?;
        let ids: Vec<Uuid> = rows
            .iter()
            .map(|row| row.try_get::<Uuid>("", "id"))
            .collect::<Result<_, _>>()
            .map_err(store_error)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let lease_until = now + lease;
        webhook_messages::Entity::update_many()
            .col_expr(webhook_messages::Column::NextAttemptAt, Expr::value(lease_until))
            .filter(webhook_messages::Column::Id.is_in(ids.clone()))
            .exec(&transaction)
            .await
            .map_err(store_error)?;
        let messages = webhook_messages::Entity::find()
            .filter(webhook_messages::Column::Id.is_in(ids))
            .all(&transaction)
            .await
            .map_err(store_error)?;
        let subscription_ids: Vec<Uuid> =
            messages.iter().map(|message| message.subscription_id).collect();
        let subscriptions: HashMap<Uuid, webhook_subscriptions::Model> =
            webhook_subscriptions::Entity::find()
                .filter(webhook_subscriptions::Column::Id.is_in(subscription_ids))
                .all(&transaction)
                .await
                .map_err(store_error)?
                .into_iter()
                .map(|row| (row.id, row))
                .collect();
        transaction.commit().await?;
        messages
            .into_iter()
            .filter_map(|message| {
                let subscription = subscriptions.get(&message.subscription_id)?;
                Some(due_message(message, subscription))
            })
            .collect()
    }

    async fn record(
        &self,
        attempts: Vec<AttemptRecord>,
        disable_after: Duration,
    ) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let transaction = self.writes.begin().await?;
        let messages: HashMap<Uuid, webhook_messages::Model> = webhook_messages::Entity::find()
            .filter(
                webhook_messages::Column::Id
                    .is_in(attempts.iter().map(|attempt| attempt.message.0).collect::<Vec<_>>()),
            )
            .all(&transaction)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        // A message deleted meanwhile (its subscription, or its person, gone) has no log.
        let logged: Vec<&AttemptRecord> =
            attempts.iter().filter(|attempt| messages.contains_key(&attempt.message.0)).collect();
        let rows = logged.iter().map(|attempt| webhook_attempts::ActiveModel {
            id: Set(Uuid::now_v7()),
            message_id: Set(attempt.message.0),
            subscription_id: Set(attempt.subscription.0),
            event_type: Set(messages[&attempt.message.0].event_type.clone()),
            attempted_at: Set(attempt.at),
            status_code: Set(attempt.outcome.status.map(i32::from)),
            duration_ms: Set(
                i64::try_from(attempt.outcome.duration.as_millis()).unwrap_or(i64::MAX)
            ),
            error: Set(attempt.outcome.error.clone()),
        });
        if !logged.is_empty() {
            webhook_attempts::Entity::insert_many(rows)
                .exec_without_returning(&transaction)
                .await
                .map_err(store_error)?;
        }
        // Delivered and failed messages in one statement each; a retry has a time of
        // its own (spread), so one each.
        let (mut delivered, mut failed) = (Vec::new(), Vec::new());
        for attempt in &logged {
            match attempt.next {
                NextStep::Done => delivered.push(attempt.message.0),
                NextStep::GiveUp => failed.push(attempt.message.0),
                NextStep::RetryAt(at) => {
                    settle_messages(
                        &transaction,
                        vec![attempt.message.0],
                        MessageStatus::Pending,
                        at,
                    )
                    .await?;
                }
            }
        }
        let latest = logged.iter().map(|attempt| attempt.at).max().unwrap_or_default();
        settle_messages(&transaction, delivered, MessageStatus::Delivered, latest).await?;
        settle_messages(&transaction, failed, MessageStatus::Failed, latest).await?;

        // A subscription that answered 2xx in this batch is not failing; one that only
        // failed is failing since its first failure, and disabled once that is
        // `disable_after` ago.
        let answering: BTreeSet<Uuid> = logged
            .iter()
            .filter(|attempt| attempt.outcome.delivered())
            .map(|attempt| attempt.subscription.0)
            .collect();
        let failing: BTreeSet<Uuid> = logged
            .iter()
            .map(|attempt| attempt.subscription.0)
            .filter(|subscription| !answering.contains(subscription))
            .collect();
        let earliest_failure = logged
            .iter()
            .filter(|attempt| failing.contains(&attempt.subscription.0))
            .map(|attempt| attempt.at)
            .min()
            .unwrap_or(latest);
        let subscriptions = |ids: &BTreeSet<Uuid>| {
            webhook_subscriptions::Entity::update_many().filter(
                webhook_subscriptions::Column::Id.is_in(ids.iter().copied().collect::<Vec<_>>()),
            )
        };
        if !answering.is_empty() {
            subscriptions(&answering)
                .col_expr(
                    webhook_subscriptions::Column::FailingSince,
                    Expr::value(Option::<Instant>::None),
                )
                .filter(webhook_subscriptions::Column::FailingSince.is_not_null())
                .exec(&transaction)
                .await
                .map_err(store_error)?;
        }
        if !failing.is_empty() {
            subscriptions(&failing)
                .col_expr(
                    webhook_subscriptions::Column::FailingSince,
                    Expr::value(Some(earliest_failure)),
                )
                .filter(webhook_subscriptions::Column::FailingSince.is_null())
                .exec(&transaction)
                .await
                .map_err(store_error)?;
            let disable_after = chrono::Duration::from_std(disable_after)
                .map_err(|error| StoreError::Unexpected(error.into()))?;
            subscriptions(&failing)
                .col_expr(
                    webhook_subscriptions::Column::Standing,
                    Expr::value(Standing::DisabledAfterFailures.as_str()),
                )
                .col_expr(
                    webhook_subscriptions::Column::Version,
                    Expr::col(webhook_subscriptions::Column::Version).add(1),
                )
                .col_expr(webhook_subscriptions::Column::UpdatedAt, Expr::value(latest))
                .filter(webhook_subscriptions::Column::Standing.eq(Standing::Active.as_str()))
                .filter(webhook_subscriptions::Column::FailingSince.lte(latest - disable_after))
                .exec(&transaction)
                .await
                .map_err(store_error)?;
        }
        transaction.commit().await
    }
}

/// Marks `messages` as `status`, one attempt more, next looked at `next`.
async fn settle_messages(
    connection: &impl ConnectionTrait,
    messages: Vec<Uuid>,
    status: MessageStatus,
    next: Instant,
) -> Result<(), StoreError> {
    if messages.is_empty() {
        return Ok(());
    }
    webhook_messages::Entity::update_many()
        .col_expr(webhook_messages::Column::Status, Expr::value(status.as_str()))
        .col_expr(
            webhook_messages::Column::Attempts,
            Expr::col(webhook_messages::Column::Attempts).add(1),
        )
        .col_expr(webhook_messages::Column::NextAttemptAt, Expr::value(next))
        .filter(webhook_messages::Column::Id.is_in(messages))
        .exec(connection)
        .await
        .map(|_| ())
        .map_err(store_error)
}

fn due_message(
    message: webhook_messages::Model,
    subscription: &webhook_subscriptions::Model,
) -> Result<DueMessage, StoreError> {
    Ok(DueMessage {
        id: MessageId(message.id),
        subscription: SubscriptionId(subscription.id),
        url: WebhookUrl::stored(&subscription.url)
            .ok_or_else(|| corrupt("url", subscription.id))?,
        payload: message.payload,
        secret: SigningSecret::parse(&subscription.secret)
            .ok_or_else(|| corrupt("secret", subscription.id))?,
        previous_secret: subscription
            .previous_secret
            .as_deref()
            .and_then(SigningSecret::parse)
            .zip(subscription.previous_secret_until),
        attempts: u32::try_from(message.attempts).unwrap_or(0),
        created_at: message.created_at,
    })
}

/// A join of subscriptions to the rows of `E` whose `client_column` holds the
/// subscription's client (`belongs_to` only builds the `ON`).
fn on_client<E: EntityTrait>(client_column: E::Column) -> RelationDef {
    webhook_subscriptions::Entity::belongs_to(E::default())
        .from(webhook_subscriptions::Column::ClientId)
        .to(client_column)
        .into()
}

/// Writes the messages of `events`, inside the transaction that made the changes they
/// are about: one per event per active subscription that may have it. A personal
/// event (`person` is `Some`) goes to subscriptions of clients the person granted the
/// event's scope; a content event to clients an administrator gave `content:events`.
///
/// # Errors
/// [`StoreError`] when storage fails; the caller's transaction then rolls back.
pub(crate) async fn enqueue(
    connection: &impl ConnectionTrait,
    person: Option<AccountId>,
    events: &[Event],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    // Each active subscription of an enabled client that may have events of this kind,
    // with the scopes the client holds: what the person granted it, or what an
    // administrator gave it. One query: it runs inside every journaled write.
    let subscriptions = webhook_subscriptions::Entity::find()
        .select_only()
        .column(webhook_subscriptions::Column::Id)
        .column(webhook_subscriptions::Column::EventTypes)
        .join(JoinType::InnerJoin, on_client::<api_clients::Entity>(api_clients::Column::Id))
        .filter(webhook_subscriptions::Column::Standing.eq(Standing::Active.as_str()))
        .filter(api_clients::Column::DisabledAt.is_null());
    let subscriptions: Vec<(Uuid, String, String)> = match person {
        Some(person) => subscriptions
            .column(consents::Column::Scopes)
            .join(JoinType::InnerJoin, on_client::<consents::Entity>(consents::Column::ClientId))
            .filter(consents::Column::AccountId.eq(person.0)),
        None => subscriptions
            .column(api_clients::Column::Scopes)
            .filter(api_clients::Column::Scopes.contains(Scope::ContentEvents.as_str())),
    }
    .into_tuple()
    .all(connection)
    .await
    .map_err(store_error)?;
    let mut rows = Vec::new();
    for (subscription, event_types, scopes) in &subscriptions {
        let events_wanted = parse_events(event_types, *subscription)?;
        let scopes = ScopeSet::parse(scopes).unwrap_or_default();
        for event in events {
            if events_wanted.contains(event.event_type) && scopes.contains(event.event_type.needs())
            {
                rows.push(webhook_messages::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    subscription_id: Set(*subscription),
                    account_id: Set(person.map(|person| person.0)),
                    event_type: Set(event.event_type.as_str().to_owned()),
                    payload: Set(event.payload()),
                    status: Set(MessageStatus::Pending.as_str().to_owned()),
                    attempts: Set(0),
                    next_attempt_at: Set(event.at),
                    created_at: Set(event.at),
                });
            }
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    webhook_messages::Entity::insert_many(rows)
        .exec_without_returning(connection)
        .await
        .map(|_| ())
        .map_err(store_error)
}
