//! Reading one row of a person's by its id, with the owner check every store makes.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PrimaryKeyTrait, QueryFilter};
use uuid::Uuid;
use waymark_domain::identity::AccountId;
use waymark_domain::ports::StoreError;

use crate::error::store_error;

/// The row `id` of `E` if `owner` (in `owner_column`) owns it, read on `connection`:
/// the read pool, or inside a write its transaction (the read pool does not see the
/// writes released earlier in the same SQLite batch).
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn owned_row<E>(
    connection: &impl ConnectionTrait,
    id: Uuid,
    owner_column: E::Column,
    owner: AccountId,
) -> Result<Option<E::Model>, StoreError>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id).filter(owner_column.eq(owner.0)).one(connection).await.map_err(store_error)
}
