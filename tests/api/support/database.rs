//! A fresh database per test: a new SQLite file in its own directory, or a new
//! `test_<uuid>` PostgreSQL database. Either is removed when the value is dropped,
//! whether the test passed or panicked.

use sea_orm::{ConnectionTrait, Database};

/// The variable naming a PostgreSQL server to create test databases on, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable`.
pub const POSTGRES_URL_VARIABLE: &str = "WAYMARK_TEST_POSTGRES_URL";

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists only for one test.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    removal: Removal,
}

/// What must be removed when a test database is dropped.
#[derive(Debug, Clone)]
enum Removal {
    Directory(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

impl TestDatabase {
    /// Creates a fresh, empty database, or `None` for PostgreSQL when no server is
    /// configured.
    pub async fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let directory =
                    std::env::temp_dir().join(format!("waymark-test-{}", uuid::Uuid::now_v7()));
                let url = format!("sqlite://{}/waymark.db?mode=rwc", directory.display());
                Some(Self { url, removal: Removal::Directory(directory) })
            }
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_URL_VARIABLE).ok()?;
                let name = format!("test_{}", uuid::Uuid::now_v7().simple());
                let admin = Database::connect(admin_url.as_str()).await.unwrap_or_else(|error| {
                    panic!("{POSTGRES_URL_VARIABLE} is set but unreachable: {error}")
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap_or_else(|error| panic!("creating {name} failed: {error}"));
                let _ = admin.close().await;
                Some(Self {
                    url: database_url(&admin_url, &name),
                    removal: Removal::Database { admin_url, name },
                })
            }
        }
    }

    /// The URL the server under test connects to.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Removal {
    /// Removes it. Connections still open are closed by force.
    async fn run(self) {
        match self {
            Self::Directory(directory) => {
                let _ = std::fs::remove_dir_all(directory);
            }
            Self::Database { admin_url, name } => {
                if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            }
        }
    }
}

/// Drop cannot await, so the removal runs to completion on a thread of its own.
impl Drop for TestDatabase {
    fn drop(&mut self) {
        let removal = self.removal.clone();
        let worker = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build()
            {
                runtime.block_on(removal.run());
            }
        });
        let _ = worker.join();
    }
}

/// `admin_url` with its database name replaced by `name`.
pub fn database_url(admin_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin_url)
        .unwrap_or_else(|error| panic!("{POSTGRES_URL_VARIABLE} is not a URL: {error}"));
    url.set_path(&format!("/{name}"));
    url.to_string()
}
