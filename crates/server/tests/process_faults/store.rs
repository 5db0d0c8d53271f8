//! Where a server under test keeps its data: a fresh directory (its signing key, its
//! log and, on SQLite, its database file) and, on PostgreSQL, a fresh `test_<uuid>`
//! database. The directory outlives restarts of the server, so a restarted server
//! finds what the killed one left; both are removed when the store is dropped.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};

/// The variable naming a PostgreSQL server to create test databases on, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable`.
pub const POSTGRES_URL_VARIABLE: &str = "WAYMARK_TEST_POSTGRES_URL";

/// Where in the store's directory a SQLite database lives.
const SQLITE_DIRECTORY: &str = "database";

/// Which database the server under test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A data directory and a database that exist only for one test.
#[derive(Debug)]
pub struct Store {
    directory: PathBuf,
    database_url: String,
    postgres: Option<PostgresDatabase>,
}

/// A database created on the server named by [`POSTGRES_URL_VARIABLE`].
#[derive(Debug, Clone)]
struct PostgresDatabase {
    admin_url: String,
    name: String,
}

impl Store {
    /// A fresh store on `backend`, or `None` for PostgreSQL when
    /// [`POSTGRES_URL_VARIABLE`] is not set.
    pub async fn create(backend: Backend) -> Option<Self> {
        let directory =
            std::env::temp_dir().join(format!("waymark-process-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&directory)
            .unwrap_or_else(|error| panic!("cannot create {}: {error}", directory.display()));
        match backend {
            Backend::Sqlite => Some(Self {
                database_url: format!(
                    "sqlite://{}/waymark.db?mode=rwc",
                    directory.join(SQLITE_DIRECTORY).display()
                ),
                directory,
                postgres: None,
            }),
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var(POSTGRES_URL_VARIABLE) else {
                    let _ = std::fs::remove_dir_all(&directory);
                    return None;
                };
                let name = format!("test_{}", uuid::Uuid::now_v7().simple());
                let admin = Database::connect(admin_url.as_str()).await.unwrap_or_else(|error| {
                    panic!("{POSTGRES_URL_VARIABLE} is set but unreachable: {error}")
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap_or_else(|error| panic!("creating {name} failed: {error}"));
                let _ = admin.close().await;
                let mut url = url::Url::parse(&admin_url).unwrap_or_else(|error| {
                    panic!("{POSTGRES_URL_VARIABLE} is not a URL: {error}")
                });
                url.set_path(&format!("/{name}"));
                Some(Self {
                    database_url: url.to_string(),
                    directory,
                    postgres: Some(PostgresDatabase { admin_url, name }),
                })
            }
        }
    }

    /// The `--database-url` of the server.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// The directory of the SQLite database file (its WAL and shared-memory files sit
    /// beside it); the server creates it when it is missing.
    pub fn sqlite_directory(&self) -> PathBuf {
        self.directory.join(SQLITE_DIRECTORY)
    }

    /// The `--data-dir` of the server.
    pub fn data_dir(&self) -> PathBuf {
        self.directory.join("data")
    }

    /// Runs `sql` on the database directly, behind the server's back (to make a row
    /// the server cannot read, say).
    pub async fn execute(&self, sql: &str) {
        let database = Database::connect(self.database_url.as_str())
            .await
            .unwrap_or_else(|error| panic!("cannot open the test database: {error}"));
        database
            .execute_unprepared(sql)
            .await
            .unwrap_or_else(|error| panic!("{sql} failed: {error}"));
        let _ = database.close().await;
    }

    /// The file the server's standard output and error are appended to, across restarts.
    pub fn log_path(&self) -> PathBuf {
        self.directory.join("server.log")
    }
}

/// Drop cannot await, so the database is dropped on a thread with a runtime of its
/// own. Connections still open (a killed server's, say) are closed by force.
impl Drop for Store {
    fn drop(&mut self) {
        if let Some(database) = self.postgres.clone() {
            let worker = std::thread::spawn(move || {
                let Ok(runtime) =
                    tokio::runtime::Builder::new_current_thread().enable_all().build()
                else {
                    return;
                };
                runtime.block_on(async move {
                    if let Ok(admin) = Database::connect(database.admin_url.as_str()).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                                database.name
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            });
            let _ = worker.join();
        }
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}
