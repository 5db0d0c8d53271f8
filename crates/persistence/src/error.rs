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
            // SQLite 5/6: the database is busy or locked beyond busy_timeout.
            let code = database.code().unwrap_or_default();
            matches!(
                code.as_ref(),
                "57014" | "57P01" | "57P02" | "57P03" | "5" | "6" | "517"
            )
        }
        _ => false,
    }
}
