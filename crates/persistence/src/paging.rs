//! Keyset paging: a list ordered by a key, then the id, read one page at a time from
//! where the previous page ended. One more row than asked is read, to know whether
//! another page is waiting.

use sea_orm::sea_query::{IntoCondition, Value};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use waymark_domain::ports::StoreError;

use crate::error::store_error;

/// The order of a keyset list: by key, then id, both the same way.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Direction {
    /// Smallest key first.
    Ascending,
    /// Largest key (newest) first.
    Descending,
}

/// Where the previous page ended: its last row's key and id.
pub(crate) type After = (Value, Value);

/// The rows that come after `(key, id)` in a list ordered by `key_column`, then
/// `id_column`, in `direction`. The key column must hold no NULL (a NULL compares as
/// unknown and would drop rows; goals by target date add their own NULL branch).
pub(crate) fn beyond<C: ColumnTrait>(
    direction: Direction,
    (key_column, id_column): (C, C),
    (key, id): After,
) -> Condition {
    let (past_key, past_id) = match direction {
        Direction::Ascending => (key_column.gt(key.clone()), id_column.gt(id)),
        Direction::Descending => (key_column.lt(key.clone()), id_column.lt(id)),
    };
    Condition::any().add(past_key).add(Condition::all().add(key_column.eq(key)).add(past_id))
}

/// One page of `select`: ordered by `columns` (key, then id) in `direction`, after
/// `after`, at most `limit` rows, and whether more are waiting.
pub(crate) async fn keyset_page<E: EntityTrait>(
    connection: &impl ConnectionTrait,
    select: Select<E>,
    direction: Direction,
    columns: (E::Column, E::Column),
    after: Option<After>,
    limit: u64,
) -> Result<(Vec<E::Model>, bool), StoreError> {
    let order = match direction {
        Direction::Ascending => Order::Asc,
        Direction::Descending => Order::Desc,
    };
    let select = match after {
        Some(after) => select.filter(beyond(direction, columns, after).into_condition()),
        None => select,
    };
    let rows = select
        .order_by(columns.0, order.clone())
        .order_by(columns.1, order)
        .limit(limit.saturating_add(1))
        .all(connection)
        .await
        .map_err(store_error)?;
    Ok(page_of(rows, limit))
}

/// The first `limit` of `items` (read with one extra), and whether there were more.
pub(crate) fn page_of<T>(mut items: Vec<T>, limit: u64) -> (Vec<T>, bool) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let has_more = items.len() > limit;
    items.truncate(limit);
    (items, has_more)
}
