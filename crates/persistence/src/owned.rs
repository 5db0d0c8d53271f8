//! Reading or locking one row of a person's by its id, with the owner check every
//! store makes.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
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

/// Takes the lock on `owner`'s row `id` of `E` (in `id_column` and `owner_column`)
/// for the rest of `transaction`, by a write that changes nothing (`touched` set to
/// itself): the row lock on PostgreSQL, the write lock on SQLite. Answers whether
/// there was such a row.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn lock_owned<E: EntityTrait>(
    transaction: &impl ConnectionTrait,
    (id_column, id): (E::Column, Uuid),
    (owner_column, owner): (E::Column, AccountId),
    touched: E::Column,
) -> Result<bool, StoreError> {
    Ok(E::update_many()
        .col_expr(touched, Expr::col(touched))
        .filter(id_column.eq(id))
        .filter(owner_column.eq(owner.0))
        .exec(transaction)
        .await
        .map_err(store_error)?
        .rows_affected
        > 0)
}

/// [`lock_owned`], then the row as it is now; `None` when there is no such row.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn locked_owned_row<E>(
    transaction: &impl ConnectionTrait,
    (id_column, id): (E::Column, Uuid),
    (owner_column, owner): (E::Column, AccountId),
    touched: E::Column,
) -> Result<Option<E::Model>, StoreError>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    if !lock_owned::<E>(transaction, (id_column, id), (owner_column, owner), touched).await? {
        return Ok(None);
    }
    owned_row::<E>(transaction, id, owner_column, owner).await
}

/// `owner`'s rows of `E` among `ids` (in `id_column`), by the id `id_of` reads from
/// each; ids of rows that are gone, or are not the owner's, are not in it.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn owned_rows_by_id<E: EntityTrait>(
    connection: &impl ConnectionTrait,
    (id_column, ids): (E::Column, impl IntoIterator<Item = Uuid>),
    (owner_column, owner): (E::Column, AccountId),
    id_of: fn(&E::Model) -> Uuid,
) -> Result<HashMap<Uuid, E::Model>, StoreError> {
    Ok(E::find()
        .filter(owner_column.eq(owner.0))
        .filter(id_column.is_in(ids))
        .all(connection)
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|row| (id_of(&row), row))
        .collect())
}
