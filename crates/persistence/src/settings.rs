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
    /// PostgreSQL `statement_timeout`: the server aborts any longer statement.
    pub statement_timeout: Duration,
    /// SQLite `busy_timeout`: how long a writer waits for the write lock.
    pub sqlite_busy_timeout: Duration,
}

impl DatabaseSettings {
    /// Settings for `url` with the defaults the server uses.
    #[must_use]
    pub fn with_defaults(url: SecretString) -> Self {
        Self {
            url,
            max_connections: 10,
            min_connections: 0,
            connect_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(3),
            statement_timeout: Duration::from_secs(5),
            sqlite_busy_timeout: Duration::from_secs(5),
        }
    }
}
