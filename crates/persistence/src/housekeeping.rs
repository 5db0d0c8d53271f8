//! Removing rows whose purpose has passed: expired idempotency records, expired
//! refresh tokens, sign-in attempt counts whose window closed long ago, and change
//! journal and access log entries older than their retention settings, and webhook
//! messages done with for a month (their delivery log goes with them). Safe to run on every replica at
//! once: each is one idempotent `DELETE`.

use std::time::Duration;

use chrono::TimeDelta;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::writes::Writes;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use waymark_domain::webhooks::{LOG_KEPT, MessageStatus};

use crate::entities::{
    authorization_codes, idempotency_records, refresh_tokens, sign_in_failures, webhook_messages,
};
use crate::error::store_error;

/// How many rows one sweep removed, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Idempotency records past their replay window.
    pub idempotency_records: u64,
    /// Refresh tokens past their expiry (spent or not; reuse of an expired token
    /// is refused anyway).
    pub refresh_tokens: u64,
    /// Authorization codes that expired more than a day ago (kept that long so a code
    /// replayed late is still known, and refused with its tokens revoked).
    pub authorization_codes: u64,
    /// Sign-in attempt counts whose window ended more than a day ago.
    pub sign_in_attempts: u64,
    /// Change journal entries older than the retention setting.
    pub journal_entries: u64,
    /// Access log entries older than the retention setting.
    pub access_log_entries: u64,
    /// Webhook messages delivered or failed more than [`LOG_KEPT`] ago, with their
    /// attempts.
    pub webhook_messages: u64,
}

/// How long what is kept for a while is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Change journal entries.
    pub journal: Duration,
    /// Access log entries.
    pub access_log: Duration,
}

/// Deletes what has expired by `now`, and journal and access log entries older than
/// their `retention`.
///
/// # Errors
/// [`StoreError`] when storage fails; rows deleted before the failure stay deleted.
pub(crate) async fn sweep(
    connection: &Writes,
    now: Instant,
    retention: Retention,
) -> Result<Swept, StoreError> {
    let idempotency = idempotency_records::Entity::delete_many()
        .filter(idempotency_records::Column::ExpiresAt.lte(now))
        .exec(connection)
        .await
        .map_err(store_error)?
        .rows_affected;
    let refresh = refresh_tokens::Entity::delete_many()
        .filter(refresh_tokens::Column::ExpiresAt.lte(now))
        .exec(connection)
        .await
        .map_err(store_error)?
        .rows_affected;
    let codes = authorization_codes::Entity::delete_many()
        .filter(authorization_codes::Column::ExpiresAt.lte(now - TimeDelta::days(1)))
        .exec(connection)
        .await
        .map_err(store_error)?
        .rows_affected;
    // Lockout windows are minutes long; a day-old window can no longer matter.
    let stale = (now - TimeDelta::days(1)).timestamp();
    let attempts = sign_in_failures::Entity::delete_many()
        .filter(sign_in_failures::Column::WindowStartedAt.lt(stale))
        .exec(connection)
        .await
        .map_err(store_error)?
        .rows_affected;
    let journal_entries =
        crate::journal::forget_before(connection, before(now, retention.journal)).await?;
    let access_log_entries =
        crate::access_log::forget_before(connection, before(now, retention.access_log)).await?;
    let webhook_messages = webhook_messages::Entity::delete_many()
        .filter(webhook_messages::Column::Status.ne(MessageStatus::Pending.as_str()))
        .filter(webhook_messages::Column::CreatedAt.lt(before(now, LOG_KEPT)))
        .exec(connection)
        .await
        .map_err(store_error)?
        .rows_affected;
    Ok(Swept {
        idempotency_records: idempotency,
        refresh_tokens: refresh,
        authorization_codes: codes,
        sign_in_attempts: attempts,
        journal_entries,
        access_log_entries,
        webhook_messages,
    })
}

/// `now` less `kept`, or the earliest time there is when that is further back.
fn before(now: Instant, kept: Duration) -> Instant {
    let kept = TimeDelta::from_std(kept).unwrap_or(TimeDelta::MAX);
    now.checked_sub_signed(kept).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
}
