//! The `idempotency_records` table (first migration). Records are keyed by caller;
//! erasing an account removes the records it made.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use waymark_domain::identity::ports::StoreError;

use crate::error::store_error;

/// Deletes every stored response of `caller`.
pub(crate) async fn delete_for_caller(
    connection: &impl ConnectionTrait,
    caller: &str,
) -> Result<(), StoreError> {
    let statement = Query::delete()
        .from_table(Alias::new("idempotency_records"))
        .and_where(Expr::col(Alias::new("caller")).eq(caller))
        .to_owned();
    connection
        .execute(&statement)
        .await
        .map(|_| ())
        .map_err(store_error)
}
