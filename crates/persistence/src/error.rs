//! Turning `DbErr` into domain errors. `DbErr` never leaves this crate.

use sea_orm::{DbErr, RuntimeErr, SqlErr};
use waymark_domain::health::{StorageUnavailable, Unavailability};
use waymark_domain::ports::StoreError;

/// Classifies a database error: unreachable, overloaded, timed out, out of disk or
/// read-only is [`StoreError::Unavailable`] (a 503 the client may retry, with the
/// reason); anything else is [`StoreError::Unexpected`].
pub(crate) fn store_error(error: DbErr) -> StoreError {
    match unavailability(&error) {
        Some(reason) => StoreError::Unavailable(StorageUnavailable::because(reason, error)),
        None => StoreError::Unexpected(error.into()),
    }
}

/// Whether `error` is a unique-constraint violation.
pub(crate) fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Whether `error` is a foreign-key violation: the row referred to is gone, usually
/// deleted by a transaction that committed first.
pub(crate) fn is_foreign_key_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_)))
}

/// Why storage could not do it, when the reason is one that passes by itself.
fn unavailability(error: &DbErr) -> Option<Unavailability> {
    use sea_orm::sqlx::Error as Sqlx;
    let runtime = match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return Some(Unavailability::Unreachable),
        DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return None,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return None;
    };
    match sqlx.as_ref() {
        Sqlx::Io(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_) => Some(Unavailability::Unreachable),
        Sqlx::Database(database) => {
            let code = database.code().unwrap_or_default();
            if database.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>().is_some() {
                postgres_unavailability(&code)
            } else {
                sqlite_unavailability(&code)
            }
        }
        _ => None,
    }
}

/// The reason behind a SQLite result code, when it passes by itself. SQLite reports
/// extended result codes; the low byte is the primary code.
fn sqlite_unavailability(code: &str) -> Option<Unavailability> {
    let extended = code.parse::<u32>().ok()?;
    match (extended & 0xff, extended) {
        // 517 (SQLITE_BUSY_SNAPSHOT) is a stale snapshot: a conflict to retry.
        (_, 517) => None,
        // SQLITE_BUSY, SQLITE_LOCKED beyond busy_timeout; SQLITE_IOERR and
        // SQLITE_CANTOPEN: the file cannot be read or written right now.
        (5 | 6 | 10 | 14, _) => Some(Unavailability::Unreachable),
        (13, _) => Some(Unavailability::DiskFull),
        (8, _) => Some(Unavailability::ReadOnly),
        _ => None,
    }
}

/// The reason behind a PostgreSQL SQLSTATE, when it passes by itself.
fn postgres_unavailability(code: &str) -> Option<Unavailability> {
    match code {
        // 53100: disk_full.
        "53100" => Some(Unavailability::DiskFull),
        // 25006: a read-only transaction (a replica, say just after a failover).
        "25006" => Some(Unavailability::ReadOnly),
        // 57014: statement_timeout; 57P01-57P03: shutting down or not accepting
        // connections; 53xxx: out of memory or connections; 58030: an I/O error.
        "57014" | "57P01" | "57P02" | "57P03" | "58030" => Some(Unavailability::Unreachable),
        other if other.starts_with("53") => Some(Unavailability::Unreachable),
        _ => None,
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
