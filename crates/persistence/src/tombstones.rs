//! Tombstones: what was deleted, whose it was and when, kept 30 days so other devices
//! can learn of deletions (a later sync feed reads them). Every resource's delete
//! records one with [`record`], in the deleting transaction.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use waymark_domain::identity::AccountId;
use waymark_domain::identity::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::tombstones;
use crate::error::store_error;

/// Records that the `kind` resource `id` of `owner` was deleted at `now`.
///
/// # Errors
/// [`StoreError`] when storage fails (the caller's transaction then rolls back).
pub(crate) async fn record(
    connection: &impl ConnectionTrait,
    id: uuid::Uuid,
    kind: &str,
    owner: AccountId,
    now: Instant,
) -> Result<(), StoreError> {
    tombstones::Entity::insert(tombstones::ActiveModel {
        id: Set(id),
        kind: Set(kind.to_owned()),
        account_id: Set(owner.0),
        deleted_at: Set(now),
    })
    .exec(connection)
    .await
    .map(|_| ())
    .map_err(store_error)
}
