//! `spawn_app()`: the real Waymark application on a free port, with typed helpers for
//! talking to it.

use std::future::Future;

use actix_web::dev::ServerHandle;
use secrecy::SecretString;
use waymark::duration::HumanDuration;
use waymark::{DatabaseArgs, PoolArgs, Settings};

use super::database::{Backend, TestDatabase};

/// A running application and an HTTP client pointed at it.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The URL of this instance's database, for tests that inspect storage directly.
    pub database_url: String,
    /// `http://127.0.0.1:PORT` of the metrics listener, when `metrics_bind` is set.
    pub metrics_address: Option<String>,
    /// A client that follows no redirects (tests see exactly what the server says) and
    /// gives up after 30 s, so a hanging server fails a test instead of stalling it.
    pub client: reqwest::Client,
    handle: ServerHandle,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|error| panic!("GET {path} failed: {error}"))
    }

    /// A request builder for any method.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A handle to stop the server as SIGTERM would.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Waits for the server to finish after it was stopped.
    pub async fn wait_until_stopped(self) -> std::io::Result<()> {
        self.server.await.unwrap_or_else(|error| panic!("the server task failed: {error}"))
    }
}

/// Settings for a test server on `database_url`: port 0, one worker, quiet, and the
/// signing key every test server shares.
pub fn test_settings(database_url: &str) -> Settings {
    Settings {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        database: DatabaseArgs {
            database_url: SecretString::from(database_url),
            ..DatabaseArgs::default()
        },
        pool: PoolArgs { db_max_connections: 5, ..PoolArgs::default() },
        workers: Some(1),
        shutdown_grace: HumanDuration::secs(5),
        jwt_key_files: vec![shared_signing_key().to_owned()],
        public_url: Some(TEST_ISSUER.to_owned()),
        // Tests make many requests from one address; the limits have tests of their own.
        rate_limit_per_minute: 100_000,
        credentials_rate_limit_per_minute: 100_000,
        // Tests start from an empty catalogue; the starter content has tests of its own.
        no_starter_content: true,
        // Tests read the access log a moment after the requests it records.
        access_log_flush: HumanDuration::millis(50),
        ..Settings::default()
    }
}

/// The `iss` of tokens from test servers.
pub const TEST_ISSUER: &str = "http://waymark.test";

/// One Ed25519 key for the whole test run, written once to a temporary file.
pub fn shared_signing_key() -> &'static std::path::Path {
    static KEY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let path =
            std::env::temp_dir().join(format!("waymark-test-key-{}.pem", std::process::id()));
        let pem =
            waymark_http::auth::generate_ed25519_pem().unwrap_or_else(|error| panic!("{error}"));
        std::fs::write(&path, pem).unwrap_or_else(|error| panic!("{error}"));
        path
    })
}

/// Builds and starts the application with `settings`.
pub async fn spawn_with(settings: &Settings) -> TestApp {
    init_test_logging();
    let application = waymark::Application::build(settings)
        .await
        .unwrap_or_else(|error| panic!("the application did not start: {error:?}"));
    let port = application.port();
    let metrics_address = application.metrics_port().map(|port| format!("http://127.0.0.1:{port}"));
    let handle = application.handle();
    let server = tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_else(|error| panic!("no HTTP client: {error}"));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        database_url: secrecy::ExposeSecret::expose_secret(&settings.database.database_url)
            .to_owned(),
        metrics_address,
        client,
        handle,
        server,
    }
}

/// A fresh database on `backend` and the application on it, with the test settings
/// changed by `configure`, or `None` when the backend is not available (PostgreSQL
/// without `WAYMARK_TEST_POSTGRES_URL`).
pub async fn spawn_app(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> Option<(TestApp, TestDatabase)> {
    let database = TestDatabase::create(backend).await?;
    let mut settings = test_settings(database.url());
    configure(&mut settings);
    let app = spawn_with(&settings).await;
    Some((app, database))
}

/// Runs `test` against a fresh application on `backend`, then stops the server and
/// drops the database, even when the test fails.
pub async fn run_on<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_on_with(backend, |_| {}, test).await;
}

/// [`run_on`], with the test settings changed by `configure` first.
pub async fn run_on_with<F, Fut>(backend: Backend, configure: impl FnOnce(&mut Settings), test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some((app, database)) = spawn_app(backend, configure).await else {
        eprintln!("skipped: {} is not set", super::database::POSTGRES_URL_VARIABLE);
        return;
    };
    let handle = app.handle();
    let outcome = tokio::spawn(test(app)).await;
    handle.stop(false).await;
    drop(database);
    if let Err(error) = outcome {
        if error.is_panic() {
            std::panic::resume_unwind(error.into_panic());
        }
        panic!("the test was cancelled: {error}");
    }
}

/// Logs from the server under test when `TEST_LOG` is set.
fn init_test_logging() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = waymark::telemetry::init("info", waymark::LogFormat::Pretty);
    }
}

/// Two replicas on one new PostgreSQL database, or `None` without PostgreSQL.
pub async fn two_replicas() -> Option<(TestDatabase, TestApp, TestApp)> {
    let database = TestDatabase::create(Backend::Postgres).await?;
    let first = spawn_with(&test_settings(database.url())).await;
    let mut replica = test_settings(database.url());
    replica.no_migrate = true;
    let second = spawn_with(&replica).await;
    Some((database, first, second))
}
