//! Opening the pool with the right settings for each backend, and running migrations.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection};
use secrecy::ExposeSecret;
use waymark_domain::health::StorageHealth;
use waymark_domain::identity::ports::{
    AccountStore, ClientStore, RefreshTokenStore, SignInThrottle,
};
use waymark_domain::ports::StoragePorts;
use waymark_domain::ports::StoreError;
use waymark_migrations::{Migrator, MigratorTrait};

use crate::access_log::SqlAccessLog;
use crate::caches::Caches;
use crate::caches::articles::article_cache;
use crate::caches::cached_articles::CachedArticleStore;
use crate::caches::cached_clients::CachedClientStore;
use crate::caches::cached_goals::CachedGoalStore;
use crate::caches::cached_journal::CachedChangeJournal;
use crate::caches::cached_shares::CachedShareStore;
use crate::caches::clients::client_cache;
use crate::caches::goal_lists::goal_list_cache;
use crate::caches::journal_heads::journal_head_cache;
use crate::caches::personal::{PersonalStamps, personal_cache};
use crate::caches::shares::share_cache;
use crate::caches::stores::{CachedAccountStore, CachedConsentStore, CachedRoutineStore};
use crate::contacts::SqlContactStore;
use crate::content::SqlContentStore;
use crate::export::SqlPersonalRecords;
use crate::goal_parts::SqlGoalPartsStore;
use crate::goals::SqlGoalStore;
use crate::health::PoolHealth;
use crate::housekeeping::{Retention, Swept};
use crate::idempotency::SqlIdempotencyStore;
use crate::identity::accounts::SqlAccountStore;
use crate::identity::authorizations::SqlAuthorizationStore;
use crate::identity::clients::SqlClientStore;
use crate::identity::refresh_tokens::SqlRefreshTokenStore;
use crate::identity::sign_in_throttle::SqlSignInThrottle;
use crate::journal::{Journal, SqlChangeJournal};
use crate::routines::SqlRoutineStore;
use crate::settings::DatabaseSettings;
use crate::sharing::{SqlEncouragementStore, SqlShareStore};
use crate::sqlite_path::sqlite_file;
use crate::sync::SqlCurrentState;
use crate::webhooks::SqlWebhooks;
use crate::writes::Writes;

/// A pooled connection is checked with a ping before use only when it has been idle at
/// least this long. Checking every time doubled the round trips of every request; a
/// connection in steady use proves itself, and one that breaks mid-request fails that
/// request with 503 and is discarded.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// Which database engine a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one file, no server.
    Sqlite,
    /// Production: many stateless replicas share one PostgreSQL.
    Postgres,
}

/// Why the database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The URL names no supported backend or cannot be used as given.
    #[error("DATABASE_URL {0}")]
    InvalidUrl(String),
    /// The directory for the SQLite file could not be created.
    #[error("could not create the directory for the SQLite database: {0}")]
    CreateDirectory(#[source] std::io::Error),
    /// Connecting or running a statement failed.
    #[error("the database could not be reached or refused the operation")]
    Unavailable(#[source] anyhow::Error),
    /// A migration failed; the database keeps the migrations applied before it.
    #[error("a migration failed")]
    Migration(#[source] anyhow::Error),
}

/// One migration and whether this database has applied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    /// The migration's name, which orders it.
    pub name: String,
    /// Whether it has been applied.
    pub applied: bool,
}

/// An open connection pool to Waymark's database.
#[derive(Debug, Clone)]
pub struct Database {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go: on SQLite a pool of one connection (see [`Database::connect`]),
    /// on PostgreSQL the same pool as reads.
    pub(crate) writes: Writes,
    backend: Backend,
    max_connections: u32,
    caches: Caches,
    /// Set once the server is stopping; see [`Database::begin_draining`].
    draining: Arc<AtomicBool>,
}

impl Database {
    /// Opens a pool lazily: no connection is made until the first query, so the server
    /// can start, answer `/health/live`, and report "not ready" while the database is
    /// down, then recover by itself when it comes back.
    ///
    /// On SQLite the file's directory is created, and every connection runs in WAL mode
    /// with foreign keys on, a busy timeout, and `synchronous = FULL` (a commit is on
    /// disk before it is acknowledged).
    ///
    /// # Errors
    /// [`DatabaseError::InvalidUrl`] for an unsupported scheme, and
    /// [`DatabaseError::CreateDirectory`] when the SQLite directory cannot be made.
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, DatabaseError> {
        let url = settings.url.expose_secret();
        let backend = backend_of(url)?;
        if let Some(file) = sqlite_file(url)
            && let Some(directory) = file.parent().filter(|dir| !dir.as_os_str().is_empty())
        {
            std::fs::create_dir_all(directory).map_err(DatabaseError::CreateDirectory)?;
        }

        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(settings.max_connections)
            .min_connections(settings.min_connections)
            .connect_timeout(settings.connect_timeout)
            .acquire_timeout(settings.acquire_timeout)
            .connect_lazy(true)
            .test_before_acquire_if_idle_for(PING_IF_IDLE_FOR)
            .sqlx_logging(false);
        let draining = Arc::new(AtomicBool::new(false));
        let checking = Arc::clone(&draining);
        // While draining, no idle connection is lent again: it may belong to a worker
        // whose runtime is about to end. The borrower opens a fresh one on its own.
        options.map_sqlx_postgres_before_acquire(move |_, _| {
            let draining = checking.load(Ordering::SeqCst);
            Box::pin(async move { Ok(!draining) })
        });
        if let Some(limit) = settings.statement_timeout {
            options.statement_timeout(limit);
        }
        options.map_sqlx_sqlite_pool_opts(|pool| {
            pool.after_release(|connection, _| {
                Box::pin(discard_if_inside_a_transaction(connection))
            })
        });
        let busy_timeout = settings.sqlite_busy_timeout;
        options.map_sqlx_sqlite_opts(move |sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(busy_timeout)
        });

        // SQLite commits one transaction at a time. Every write goes through one
        // connection of its own, whose writers take turns first come, first served
        // and commit in groups (see `writes.rs`): writers queue in arrival order
        // instead of spinning in SQLite's busy handler, and a reader never waits for
        // a writer (WAL). PostgreSQL writes through the shared pool.
        let connection = open(options.clone(), backend).await?;
        let writes = match backend {
            Backend::Sqlite => {
                let mut one_writer = options;
                one_writer.max_connections(1).min_connections(0);
                Writes::grouped(open(one_writer, backend).await?, settings.acquire_timeout)
            }
            Backend::Postgres => Writes::pooled(connection.clone()),
        };
        Ok(Self {
            writes,
            connection,
            backend,
            max_connections: settings.max_connections,
            // PostgreSQL may have other writers: the cache serves once it hears them.
            caches: Caches {
                goal_lists: Arc::new(goal_list_cache(
                    settings.caches.goal_lists,
                    backend == Backend::Sqlite,
                )),
                articles: Arc::new(article_cache(
                    settings.caches.articles,
                    backend == Backend::Sqlite,
                )),
                personal: Arc::new(personal_cache(
                    settings.caches.personal,
                    backend == Backend::Sqlite,
                )),
                // Part of what every request of an app needs; a small share will do.
                clients: Arc::new(client_cache(
                    settings.caches.personal / 16,
                    backend == Backend::Sqlite,
                )),
                // What every request of a supporter needs first; as small.
                shares: Arc::new(share_cache(
                    settings.caches.personal / 16,
                    backend == Backend::Sqlite,
                )),
                // What every sync asks first; as small.
                journal_heads: Arc::new(journal_head_cache(
                    settings.caches.personal / 16,
                    backend == Backend::Sqlite,
                )),
            },
            draining,
        })
    }

    /// Marks the start of a graceful stop. From now on no idle PostgreSQL connection
    /// is lent again; each borrower opens a fresh one. Each HTTP worker runs its own
    /// async runtime, and a connection belongs to the runtime of the worker that
    /// opened it; a worker with nothing left to finish stops first, and its
    /// connections die with it while other workers may still answer requests. A fresh
    /// connection belongs to the worker using it, which does not stop before its
    /// requests are answered.
    pub fn begin_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// The engine behind this pool.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Stamps of what the personal cache holds, which change with every committed
    /// change to it: the HTTP layer reuses agendas' JSON while they stay the same.
    #[must_use]
    pub fn personal_stamps(&self) -> PersonalStamps {
        PersonalStamps(self.caches.personal.clone())
    }

    /// The readiness port for the HTTP layer.
    #[must_use]
    pub fn health(&self) -> Arc<dyn StorageHealth> {
        Arc::new(PoolHealth {
            connection: self.connection.clone(),
            writes: self.writes.clone(),
            backend: self.backend,
            max_connections: self.max_connections,
        })
    }

    /// Every port this adapter implements, for the HTTP layer.
    #[must_use]
    pub fn ports(&self) -> StoragePorts {
        let contacts = Arc::new(SqlContactStore {
            connection: self.connection.clone(),
            writes: self.writes.clone(),
            journal: self.journal(),
        });
        let sql_routines = SqlRoutineStore {
            connection: self.connection.clone(),
            writes: self.writes.clone(),
            journal: self.journal(),
        };
        let routines = Arc::new(CachedRoutineStore {
            inner: sql_routines.clone(),
            cache: self.caches.personal.clone(),
        });
        let content =
            SqlContentStore { connection: self.connection.clone(), writes: self.writes.clone() };
        let authorizations = SqlAuthorizationStore {
            connection: self.connection.clone(),
            writes: self.writes.clone(),
            journal: self.journal(),
        };
        StoragePorts {
            health: self.health(),
            accounts: self.accounts(),
            refresh_tokens: self.refresh_tokens(),
            clients: self.clients(),
            authorization_codes: Arc::new(authorizations.clone()),
            consents: Arc::new(CachedConsentStore {
                inner: authorizations,
                cache: self.caches.personal.clone(),
            }),
            sign_in_throttle: self.sign_in_throttle(),
            idempotency: Arc::new(SqlIdempotencyStore {
                connection: self.connection.clone(),
                writes: self.writes.clone(),
            }),
            goals: Arc::new(CachedGoalStore {
                inner: SqlGoalStore {
                    connection: self.connection.clone(),
                    writes: self.writes.clone(),
                    journal: self.journal(),
                },
                cache: self.caches.goal_lists.clone(),
            }),
            goal_parts: Arc::new(SqlGoalPartsStore {
                connection: self.connection.clone(),
                writes: self.writes.clone(),
                journal: self.journal(),
            }),
            routines: routines.clone(),
            routine_check_ins: routines,
            calendar_feeds: Arc::new(sql_routines),
            interactions: contacts.clone(),
            supporters: contacts.clone(),
            contacts,
            articles: Arc::new(CachedArticleStore {
                inner: content.clone(),
                cache: self.caches.articles.clone(),
            }),
            services: Arc::new(content.clone()),
            content_changes: Arc::new(content),
            journal: Arc::new(CachedChangeJournal {
                inner: SqlChangeJournal { writes: self.writes.clone() },
                cache: self.caches.journal_heads.clone(),
            }),
            current_state: Arc::new(SqlCurrentState { connection: self.connection.clone() }),
            personal_records: Arc::new(SqlPersonalRecords { connection: self.connection.clone() }),
            access_log: Arc::new(SqlAccessLog {
                connection: self.connection.clone(),
                writes: self.writes.clone(),
            }),
            shares: Arc::new(CachedShareStore {
                inner: SqlShareStore {
                    connection: self.connection.clone(),
                    writes: self.writes.clone(),
                    journal: self.journal(),
                },
                cache: self.caches.shares.clone(),
            }),
            encouragements: Arc::new(SqlEncouragementStore {
                connection: self.connection.clone(),
                writes: self.writes.clone(),
                journal: self.journal(),
            }),
            webhooks: Arc::new(self.webhooks()),
            outbox: Arc::new(self.webhooks()),
        }
    }

    fn webhooks(&self) -> SqlWebhooks {
        SqlWebhooks { connection: self.connection.clone(), writes: self.writes.clone() }
    }

    /// What every store commits its writes of personal data through: it tells this
    /// instance's caches what each write changed.
    fn journal(&self) -> Journal {
        Journal::telling(vec![Arc::new(self.caches.clone())])
    }

    /// Accounts and their credentials.
    #[must_use]
    pub fn accounts(&self) -> Arc<dyn AccountStore> {
        Arc::new(CachedAccountStore {
            inner: SqlAccountStore {
                connection: self.connection.clone(),
                writes: self.writes.clone(),
                journal: self.journal(),
            },
            cache: self.caches.personal.clone(),
        })
    }

    /// Refresh tokens.
    #[must_use]
    pub fn refresh_tokens(&self) -> Arc<dyn RefreshTokenStore> {
        Arc::new(SqlRefreshTokenStore {
            connection: self.connection.clone(),
            writes: self.writes.clone(),
        })
    }

    /// Registered API clients.
    #[must_use]
    pub fn clients(&self) -> Arc<dyn ClientStore> {
        Arc::new(CachedClientStore {
            inner: SqlClientStore {
                connection: self.connection.clone(),
                writes: self.writes.clone(),
            },
            cache: self.caches.clients.clone(),
        })
    }

    /// Failed sign-ins, shared by every server instance.
    #[must_use]
    pub fn sign_in_throttle(&self) -> Arc<dyn SignInThrottle> {
        Arc::new(SqlSignInThrottle { writes: self.writes.clone() })
    }

    /// Keeps this instance's cached goal lists and articles true to changes other
    /// instances make, for as long as the server runs (PostgreSQL; on SQLite there are
    /// no others and this returns at once).
    pub async fn hear_changes(&self) {
        // With the caches off there is nothing to keep true, and no connection is used.
        if self.backend == Backend::Postgres && self.caches.any_enabled() {
            crate::change_notices::listen(
                self.connection.get_postgres_connection_pool(),
                self.caches.clone(),
            )
            .await;
        }
    }

    /// Removes expired idempotency records, refresh tokens and stale sign-in counts,
    /// and journal and access log entries older than their `retention`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn sweep_expired(
        &self,
        now: waymark_domain::time::Instant,
        retention: Retention,
    ) -> Result<Swept, StoreError> {
        crate::housekeeping::sweep(&self.writes, now, retention).await
    }

    /// Deletes the access log entries of accounts that are gone (see
    /// `access_log::forget_orphans`): once after each start.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    pub async fn sweep_orphaned_access_log(&self) -> Result<u64, StoreError> {
        crate::access_log::forget_orphans(&self.writes).await
    }

    /// Applies every pending migration.
    ///
    /// # Errors
    /// [`DatabaseError::Migration`] when one fails.
    pub async fn migrate_up(&self) -> Result<(), DatabaseError> {
        Migrator::up(&self.connection, None)
            .await
            .map_err(|error| DatabaseError::Migration(error.into()))
    }

    /// Reverts the `steps` most recent migrations.
    ///
    /// # Errors
    /// [`DatabaseError::Migration`] when one fails.
    pub async fn migrate_down(&self, steps: u32) -> Result<(), DatabaseError> {
        Migrator::down(&self.connection, Some(steps))
            .await
            .map_err(|error| DatabaseError::Migration(error.into()))
    }

    /// Every known migration, oldest first, with whether it is applied.
    ///
    /// # Errors
    /// [`DatabaseError::Unavailable`] when the database cannot be read.
    pub async fn migration_status(&self) -> Result<Vec<MigrationState>, DatabaseError> {
        let migrations = Migrator::get_migration_with_status(&self.connection)
            .await
            .map_err(|error| DatabaseError::Unavailable(error.into()))?;
        Ok(migrations
            .iter()
            .map(|migration| MigrationState {
                name: migration.name().to_owned(),
                applied: migration.status() == waymark_migrations::MigrationStatus::Applied,
            })
            .collect())
    }

    /// Closes every pooled connection; later queries fail.
    pub async fn close(&self) {
        for pool in [self.writes.connection(), &self.connection] {
            if let Err(error) = pool.close_by_ref().await {
                tracing::warn!(error = %error, "closing the database pool failed");
            }
        }
    }
}

/// Opens a pool lazily with `options`.
async fn open(
    options: ConnectOptions,
    backend: Backend,
) -> Result<DatabaseConnection, DatabaseError> {
    sea_orm::Database::connect(options).await.map_err(|error| match backend {
        // PostgreSQL errors here can quote the URL, password included.
        Backend::Postgres => DatabaseError::InvalidUrl("could not be used to connect".to_owned()),
        Backend::Sqlite => DatabaseError::Unavailable(error.into()),
    })
}

fn backend_of(url: &str) -> Result<Backend, DatabaseError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(DatabaseError::InvalidUrl("must start with sqlite: or postgres://".to_owned()))
    }
}

/// Whether a SQLite connection going back to the pool may be lent again: not when it
/// may still be inside a transaction. When a statement or `COMMIT` fails (a full disk,
/// say), SQLite may roll the transaction back by itself; the `ROLLBACK` that follows
/// then fails, and sqlx still counts the connection as inside a transaction. Lent
/// again, it would run the next request's transaction as a savepoint inside one that
/// never commits: that request would be answered as saved, hold the write lock
/// against every other connection, and be lost when the connection closed. Such a
/// connection is closed instead (SQLite then releases whatever it held), and the
/// pool opens a new one.
async fn discard_if_inside_a_transaction(
    connection: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<bool, sea_orm::sqlx::Error> {
    use sea_orm::sqlx::Connection as _;
    if !connection.is_in_transaction() {
        return Ok(true);
    }
    // The rollback started when the transaction was dropped may still be queued on
    // the connection's worker; a ping is answered only after it.
    connection.ping().await?;
    let clean = !connection.is_in_transaction();
    if !clean {
        tracing::warn!("closing a SQLite connection left inside a failed transaction");
    }
    Ok(clean)
}
