//! Turning `DbErr` into domain errors. `DbErr` never leaves this crate.

use sea_orm::{DbErr, RuntimeErr, SqlErr};
use waymark_domain::health::StorageUnavailable;
use waymark_domain::identity::ports::StoreError;

/// Classifies a database error: unreachable, overloaded or timed out is
/// [`StoreError::Unavailable`] (a 503 the client may retry); anything else is
/// [`StoreError::Unexpected`].
pub(crate) fn store_error(error: DbErr) -> StoreError {
    if is_unavailable(&error) {
        StoreError::Unavailable(StorageUnavailable::new(error))
    } else {
        StoreError::Unexpected(error.into())
    }
}

/// Whether `error` is a unique-constraint violation.
pub(crate) fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

fn is_unavailable(error: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    let runtime = match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return false;
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_) => true,
        Sqlx::Database(database) => {
            // 57014: PostgreSQL cancelled the statement (statement_timeout);
            // 57P01-57P03: the server is shutting down or not accepting connections;
            // 25006: a read-only transaction (a replica just after a failover);
            // SQLite 5/6: the database is busy or locked beyond busy_timeout. (SQLite
            // 517, a stale snapshot, is a conflict to retry instead.)
            let code = database.code().unwrap_or_default();
            matches!(
                code.as_ref(),
                "57014" | "57P01" | "57P02" | "57P03" | "25006" | "5" | "6"
            )
        }
        _ => false,
    }
}

/// Whether `error` is a transaction that lost a conflict with another (PostgreSQL
/// deadlock `40P01` or serialization failure `40001`, SQLite stale snapshot 517)
/// and can simply be run again.
pub(crate) fn is_conflict(error: &StoreError) -> bool {
    let StoreError::Unexpected(cause) = error else {
        return false;
    };
    let Some(DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx))) =
        cause.downcast_ref::<DbErr>()
    else {
        return false;
    };
    matches!(
        sqlx.as_ref(),
        sea_orm::sqlx::Error::Database(database)
            if matches!(database.code().unwrap_or_default().as_ref(), "40P01" | "40001" | "517")
    )
}

/// Runs `attempt`, again up to twice more when it loses a conflict with a concurrent
/// transaction. The loser of a deadlock is rolled back whole, so running it again is
/// safe; by then the winner has committed.
pub(crate) async fn retrying_conflicts<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    for _ in 0..2 {
        match attempt().await {
            Err(error) if is_conflict(&error) => {
                tracing::debug!(%error, "retrying a transaction that lost a conflict");
            }
            outcome => return outcome,
        }
    }
    attempt().await
}
