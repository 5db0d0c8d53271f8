//! Removing rows whose purpose has passed: expired idempotency records, expired
//! refresh tokens, sign-in attempt counts whose window closed long ago, and
//! tombstones older than 30 days. Safe to
//! run on every replica at once: each is one idempotent `DELETE`.

use chrono::TimeDelta;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use waymark_domain::identity::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{idempotency_records, refresh_tokens, sign_in_failures, tombstones};

/// How long a deletion's tombstone is kept for clients to sync.
const TOMBSTONE_DAYS: i64 = 30;
use crate::error::store_error;

/// How many rows one sweep removed, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Idempotency records past their replay window.
    pub idempotency_records: u64,
    /// Refresh tokens past their expiry (spent or not; reuse of an expired token
    /// is refused anyway).
    pub refresh_tokens: u64,
    /// Sign-in attempt counts whose window ended more than a day ago.
    pub sign_in_attempts: u64,
    /// Tombstones older than 30 days (long enough for clients to sync deletions).
    pub tombstones: u64,
}

/// Deletes what has expired by `now`.
///
/// # Errors
/// [`StoreError`] when storage fails; rows deleted before the failure stay deleted.
pub(crate) async fn sweep(
    connection: &DatabaseConnection,
    now: Instant,
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
    // Lockout windows are minutes long; a day-old window can no longer matter.
    let stale = (now - TimeDelta::days(1)).timestamp();
    let attempts = sign_in_failures::Entity::delete_many()
        .filter(sign_in_failures::Column::WindowStartedAt.lt(stale))
        .exec(connection)
        .await
        .map_err(store_error)?
        .rows_affected;
    let tombstones = tombstones::Entity::delete_many()
        .filter(tombstones::Column::DeletedAt.lt(now - TimeDelta::days(TOMBSTONE_DAYS)))
        .exec(connection)
        .await
        .map_err(store_error)?
        .rows_affected;
    Ok(Swept {
        idempotency_records: idempotency,
        refresh_tokens: refresh,
        sign_in_attempts: attempts,
        tombstones,
    })
}
