//! What the storage adapter needs to know to open its pool.

use std::time::Duration;

use secrecy::SecretString;

/// Connection settings for SQLite or PostgreSQL; the URL's scheme picks the backend.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` or `postgres://user:password@host/db`. Secret because it
    /// may carry a password.
    pub url: SecretString,
    /// Upper bound on pooled connections (per server instance).
    pub max_connections: u32,
    /// Connections kept open even when idle.
    pub min_connections: u32,
    /// How long opening one connection may take.
    pub connect_timeout: Duration,
    /// How long a request may wait for a free pooled connection before it gets a 503.
    pub acquire_timeout: Duration,
    /// PostgreSQL `statement_timeout`: the server aborts any longer statement. `None`
    /// for migrations, which may legitimately run long.
    pub statement_timeout: Option<Duration>,
    /// SQLite `busy_timeout`: how long a writer waits for the write lock.
    pub sqlite_busy_timeout: Duration,
    /// How much memory each cache may take.
    pub caches: CacheBudgets,
}

/// About how much memory each cache in memory may take, in bytes; 0 turns one off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheBudgets {
    /// Pages of people's goal lists.
    pub goal_lists: usize,
    /// Published articles.
    pub articles: usize,
    /// What every agenda and every person's request needs: the account, active
    /// routines, their pauses and check-ins, the grants they gave apps; and, in a
    /// sixteenth of it, the API clients apps' tokens are checked against.
    pub personal: usize,
}

impl CacheBudgets {
    /// Every cache off: everything is read from the database.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }
}
