//! Removing rows whose purpose has passed: expired idempotency records, expired
//! refresh tokens, sign-in attempt counts whose window closed long ago, and change
//! journal entries older than the retention setting. Safe to run on every replica at
//! once: each is one idempotent `DELETE`.

use std::time::Duration;

use chrono::TimeDelta;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::writes::Writes;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{authorization_codes, idempotency_records, refresh_tokens, sign_in_failures};
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
}

/// Deletes what has expired by `now`, and journal entries older than
/// `journal_retention`.
///
/// # Errors
/// [`StoreError`] when storage fails; rows deleted before the failure stay deleted.
pub(crate) async fn sweep(
    connection: &Writes,
    now: Instant,
    journal_retention: Duration,
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
    let retention = TimeDelta::from_std(journal_retention).unwrap_or(TimeDelta::MAX);
    let journal_entries = crate::journal::forget_before(
        connection,
        now.checked_sub_signed(retention).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
    )
    .await?;
    Ok(Swept {
        idempotency_records: idempotency,
        refresh_tokens: refresh,
        authorization_codes: codes,
        sign_in_attempts: attempts,
        journal_entries,
    })
}
