//! Start-up: open the database, apply migrations, bind the listener and build the
//! HTTP server. Binding its own listener lets tests run the real server on port 0.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::HttpServer;
use actix_web::dev::{Server, ServerHandle};
use waymark_application::access_log::AccessRecorder;
use waymark_domain::identity::AccountId;
use waymark_domain::ports::StoragePorts;
use waymark_http::auth::TokenIssuer;
use waymark_http::crisis_board::CrisisBoard;
use waymark_http::{AgendaStamp, AgendaStamps, AppState, Drain, build_app, build_metrics_app};
use waymark_persistence::{Backend, Database, DatabaseError, PersonalStamps, Retention};

use crate::settings::Settings;
use crate::signing_keys::{SigningKeyError, load_signing_keys};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// The token signing keys could not be loaded.
    #[error(transparent)]
    SigningKeys(#[from] SigningKeyError),
    /// A listening socket could not be bound.
    #[error("could not listen on {address}: {source}")]
    Bind {
        /// The address from the settings.
        address: SocketAddr,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The HTTP client that sends webhooks could not be built.
    #[error("could not set up sending webhooks: {0}")]
    Webhooks(String),
}

/// A built, not yet running, Waymark server.
pub struct Application {
    port: u16,
    server: Server,
    /// The metrics listener's port and server, with `--metrics-bind`.
    metrics_server: Option<(u16, Server)>,
    database: Database,
    housekeeping_interval: std::time::Duration,
    retention: Retention,
    /// Access log entries waiting to be written, and how often they are.
    access_recorder: Arc<AccessRecorder>,
    access_log_flush: std::time::Duration,
    /// Requests in flight, which a graceful stop waits for.
    drain: std::sync::Arc<Drain>,
    /// How long a graceful stop waits for them.
    grace: std::time::Duration,
    /// Sends webhook messages, and how many at once.
    webhook_sender: Arc<dyn waymark_domain::webhooks::ports::WebhookSender>,
    webhook_concurrency: u16,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Application")
            .field("port", &self.port)
            .field("metrics_port", &self.metrics_port())
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens the database (applying migrations unless `no_migrate`), binds the
    /// listener and builds the server. Nothing is served until
    /// [`Application::run_until_stopped`].
    ///
    /// # Errors
    /// [`StartupError`] when the database or the listener cannot be set up.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        if settings.no_migrate {
            tracing::info!("skipping migrations (--no-migrate)");
        } else {
            // A pool of its own, without the statement timeout requests get.
            let migrator = Database::connect(&settings.database_for_migrations()).await?;
            let migrated = migrator.migrate_up().await;
            migrator.close().await;
            migrated?;
        }
        let database = Database::connect(&settings.database()).await?;
        let backend = match database.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };

        if backend == "postgres" && settings.jwt_key_files.is_empty() {
            tracing::warn!(
                "no WAYMARK_JWT_KEY_FILES: this instance signs with a key of its own from its data \
                 directory; several replicas must share one key, or their tokens will not verify on each other"
            );
        }
        let keys = load_signing_keys(settings)?;
        if database.backend() == Backend::Sqlite
            && !settings.no_migrate
            && !settings.no_starter_content
        {
            seed_an_empty_catalogue(&database.ports()).await;
        }
        let (listener, address) = listen(settings.bind)?;
        let metrics_listener = settings.metrics_bind.map(listen).transpose()?;

        let public_url = settings.public_url(address);
        if settings.public_url.is_none() && settings.bind.ip().is_unspecified() {
            tracing::warn!(
                bind = %settings.bind,
                %public_url,
                "no --public-url (WAYMARK_PUBLIC_URL), and --bind names no host clients can use: \
                 tokens and discovery name loopback (public_url) until it is set to the address clients use"
            );
        }
        let tokens = TokenIssuer::new(keys, settings.tokens(address));
        let mut state = AppState::new(database.ports(), tokens, settings.http())
            .following_agendas(Arc::new(AgendasOfPersonalCache(database.personal_stamps())));
        let drain = std::sync::Arc::clone(&state.drain);
        let access_recorder = Arc::clone(&state.access_recorder);
        state.crisis =
            std::sync::Arc::new(CrisisBoard::new(crate::catalogue::built_in_crisis_lines()));

        let grace_seconds =
            u64::try_from(settings.shutdown_grace.0.as_millis().div_ceil(1000)).unwrap_or(u64::MAX);
        let bind_error = |address, source| StartupError::Bind { address, source };
        let metrics_server = match metrics_listener {
            Some((metrics_listener, metrics_address)) => {
                let state = state.clone();
                let server = HttpServer::new(move || build_metrics_app(state.clone()))
                    .disable_signals()
                    .workers(1)
                    .shutdown_timeout(grace_seconds)
                    .listen(metrics_listener)
                    .map_err(|source| bind_error(metrics_address, source))?;
                tracing::info!(address = %metrics_address, "metrics are served on their own listener");
                Some((metrics_address.port(), server.run()))
            }
            None => None,
        };
        let mut server = HttpServer::new(move || build_app(state.clone()))
            // Signals are handled by the binary, which stops gracefully on both
            // SIGTERM and SIGINT; tests stop the server through its handle.
            .disable_signals()
            .shutdown_timeout(grace_seconds)
            .listen(listener)
            .map_err(|source| bind_error(address, source))?;
        if let Some(workers) = settings.workers {
            server = server.workers(usize::from(workers));
        }
        tracing::info!(
            %address,
            %public_url,
            backend,
            database = %settings.database_url_for_logs(),
            "waymark is listening"
        );
        Ok(Self {
            port: address.port(),
            server: server.run(),
            metrics_server,
            database,
            housekeeping_interval: settings.housekeeping_interval.0,
            retention: Retention {
                journal: settings.journal_retention.0,
                access_log: settings.access_log_retention.0,
            },
            access_recorder,
            access_log_flush: settings.access_log_flush.0,
            webhook_sender: Arc::new(
                crate::webhook_sender::HttpWebhookSender::new(settings.webhook_targets())
                    .map_err(|error| StartupError::Webhooks(error.to_string()))?,
            ),
            webhook_concurrency: settings.webhook_concurrency,
            drain,
            grace: settings.shutdown_grace.0,
        })
    }

    /// The port the server listens on (useful when bound to port 0).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `/metrics` is served on by a listener of its own (`--metrics-bind`).
    #[must_use]
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(port, _)| *port)
    }

    /// What SIGTERM does: a graceful stop that also tells the database pool.
    #[must_use]
    pub fn graceful_stop(&self) -> GracefulStop {
        GracefulStop {
            server: self.handle(),
            database: self.database.clone(),
            drain: std::sync::Arc::clone(&self.drain),
            grace: self.grace,
        }
    }

    /// A handle to stop the server: `stop(true)` is graceful, like SIGTERM.
    #[must_use]
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped through [`Application::handle`] (the binary does so on
    /// SIGTERM and SIGINT), letting
    /// in-flight requests finish within the shutdown grace, then closes the database.
    ///
    /// # Errors
    /// An I/O error from the server loop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let housekeeping = tokio::spawn(sweep_periodically(
            self.database.clone(),
            self.housekeeping_interval,
            self.retention,
        ));
        let ports = self.database.ports();
        let (stop_writing, stopped) = tokio::sync::oneshot::channel();
        let access_log = tokio::spawn(write_access_log_periodically(
            Arc::clone(&self.access_recorder),
            ports.clone(),
            self.access_log_flush,
            stopped,
        ));
        let webhooks = tokio::spawn(crate::webhook_worker::deliver_webhooks(
            ports.clone(),
            Arc::clone(&self.webhook_sender),
            self.webhook_concurrency,
        ));
        let changes = tokio::spawn({
            let database = self.database.clone();
            async move { database.hear_changes().await }
        });
        let metrics = self.metrics_server.map(|(_, server)| {
            let handle = server.handle();
            (handle, tokio::spawn(server))
        });
        let outcome = self.server.await;
        if let Some((handle, server)) = metrics {
            handle.stop(true).await;
            let _ = server.await;
        }
        housekeeping.abort();
        changes.abort();
        // Messages it was sending are claimed again when their lease lapses (here or on
        // another instance), and sent again under the same webhook-id.
        webhooks.abort();
        // Every request has been answered: what they recorded is written now, on a
        // connection of this runtime's own (the workers' runtimes, and so their
        // pooled connections, have ended), once a write under way has finished (a
        // write cut short would lose its batch).
        self.database.begin_draining();
        let _ = stop_writing.send(());
        let _ = access_log.await;
        write_access_log(&self.access_recorder, &ports).await;
        tracing::info!("waymark has stopped serving; closing the database");
        self.database.close().await;
        outcome
    }
}

/// Binds `address`, answering the listener and the address it got (its port when
/// `address` asked for port 0).
fn listen(address: SocketAddr) -> Result<(TcpListener, SocketAddr), StartupError> {
    let bind_error = |source| StartupError::Bind { address, source };
    let listener = TcpListener::bind(address).map_err(bind_error)?;
    let bound = listener.local_addr().map_err(bind_error)?;
    Ok((listener, bound))
}

/// Loads the starter catalogue into an embedded database that has no content yet, so
/// that `cargo run` shows articles, services and crisis lines at once. A failure is
/// logged and does not stop the server.
async fn seed_an_empty_catalogue(ports: &StoragePorts) {
    use waymark_domain::content::ArticleStatus;
    use waymark_domain::content::ports::{ArticleQuery, ServiceQuery};
    let articles = ports
        .articles
        .articles(ArticleQuery {
            statuses: ArticleStatus::ALL.to_vec(),
            locale: None,
            kind: None,
            topic: None,
            review_due_by: None,
            search: None,
            after: None,
            limit: 1,
        })
        .await;
    let services = ports
        .services
        .services(ServiceQuery {
            statuses: ArticleStatus::ALL.to_vec(),
            kind: None,
            text: None,
            crisis_only: false,
            within: None,
        })
        .await;
    let empty = matches!((&articles, &services), (Ok(page), Ok(services)) if page.articles.is_empty() && services.is_empty());
    if !empty {
        return;
    }
    match crate::catalogue::read(&crate::catalogue::seed_files()) {
        Ok(catalogue) => match crate::catalogue::apply(ports, &catalogue, |_, _| {}).await {
            Ok(summary) => {
                tracing::info!(created = summary.created, "loaded the starter content catalogue")
            }
            Err(error) => {
                tracing::warn!(%error, "the starter content catalogue could not be loaded")
            }
        },
        Err(problems) => tracing::error!(
            problems = problems.len(),
            "the built-in starter catalogue does not check"
        ),
    }
}

/// How often the access log writer looks whether a whole batch waits.
const ACCESS_LOG_LOOK: std::time::Duration = std::time::Duration::from_millis(100);

/// Writes the access log entries recorded in memory every `interval`, and as soon as a
/// whole batch waits (it looks every [`ACCESS_LOG_LOOK`]), for as long as the server
/// runs: a busy server keeps a tenth of a second's entries in memory, not a second's.
async fn write_access_log_periodically(
    recorder: Arc<AccessRecorder>,
    ports: StoragePorts,
    interval: std::time::Duration,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let mut tried_at = tokio::time::Instant::now();
    let mut last_try_failed = false;
    loop {
        tokio::select! {
            () = tokio::time::sleep(ACCESS_LOG_LOOK.min(interval)) => {
                // After a failure, only once an interval: storage is away.
                let early = recorder.batch_waiting() && !last_try_failed;
                if early || tried_at.elapsed() >= interval {
                    last_try_failed = !write_access_log(&recorder, &ports).await;
                    tried_at = tokio::time::Instant::now();
                }
            }
            _ = &mut stop => return,
        }
    }
}

/// Writes the access log entries waiting; on failure they wait for the next try.
/// Answers whether the write succeeded.
async fn write_access_log(recorder: &AccessRecorder, ports: &StoragePorts) -> bool {
    let written = recorder.write_waiting(ports.access_log.as_ref()).await;
    if let Err(error) = &written {
        tracing::warn!(%error, "the access log could not be written; it will try again");
    }
    let dropped = recorder.take_dropped();
    if dropped > 0 {
        tracing::error!(dropped, "access log entries were dropped: too many waited to be written");
    }
    written.is_ok()
}

/// Deletes, once, the access log entries of accounts that are gone, then expired rows
/// every `interval`, for as long as the server runs.
async fn sweep_periodically(
    database: Database,
    interval: std::time::Duration,
    retention: Retention,
) {
    match database.sweep_orphaned_access_log().await {
        Ok(entries) => {
            tracing::info!(entries, "housekeeping swept the access log of accounts that are gone")
        }
        Err(error) => {
            tracing::warn!(%error, "housekeeping could not sweep the access log of accounts that are gone")
        }
    }
    loop {
        tokio::time::sleep(interval).await;
        match database.sweep_expired(waymark_domain::time::now(), retention).await {
            Ok(swept) => tracing::info!(
                idempotency_records = swept.idempotency_records,
                refresh_tokens = swept.refresh_tokens,
                authorization_codes = swept.authorization_codes,
                sign_in_attempts = swept.sign_in_attempts,
                journal_entries = swept.journal_entries,
                access_log_entries = swept.access_log_entries,
                webhook_messages = swept.webhook_messages,
                "housekeeping swept expired rows"
            ),
            Err(error) => tracing::warn!(%error, "housekeeping could not sweep; it will try again"),
        }
    }
}

/// Stops the server gracefully: no new connections, in-flight requests finish within
/// the shutdown grace, then the workers stop.
///
/// The order matters on PostgreSQL. Each HTTP worker runs its own async runtime and a
/// pooled connection belongs to the runtime of the worker that opened it, so no worker
/// may end its runtime while another still uses one of its connections. Accepting
/// pauses, idle connections are no longer lent ([`Database::begin_draining`]), every
/// answer closes its connection, and the workers stop only once no request is in
/// flight (or the grace has passed).
#[derive(Debug, Clone)]
pub struct GracefulStop {
    server: ServerHandle,
    database: Database,
    drain: std::sync::Arc<Drain>,
    grace: std::time::Duration,
}

impl GracefulStop {
    /// Begins the stop and waits until the server has stopped.
    pub async fn stop(self) {
        self.database.begin_draining();
        self.drain.begin();
        self.server.pause().await;
        let waited = tokio::time::timeout(self.grace, async {
            while self.drain.in_flight() > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
        .await;
        // Once the grace has passed, the workers stop at once: a graceful stop would
        // wait a second grace.
        let drained = waited.is_ok();
        if !drained {
            tracing::warn!(
                in_flight = self.drain.in_flight(),
                "requests were still in flight when the shutdown grace ended"
            );
        }
        self.server.stop(drained).await;
    }
}

/// Agendas are stamped by the storage layer's personal cache, which holds what they are
/// made of and hears of every committed change to it.
#[derive(Debug)]
struct AgendasOfPersonalCache(PersonalStamps);

impl AgendaStamps for AgendasOfPersonalCache {
    fn stamp(&self, owner: AccountId) -> Option<AgendaStamp> {
        self.0.stamp(owner).map(|(epoch, forgotten)| AgendaStamp(epoch, forgotten))
    }
}
