//! What every handler can reach: the storage ports, the token issuer and the HTTP
//! settings.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use waymark_application::access_log::AccessRecorder;
use waymark_domain::identity::ports::LockoutPolicy;
use waymark_domain::ports::StoragePorts;

use crate::auth::TokenIssuer;
use crate::crisis_board::CrisisBoard;
use crate::metrics::Metrics;
use crate::middleware::drain::Drain;
pub use crate::middleware::rate_limit::RateLimits;
use crate::pagination::CursorSigner;
use crate::password_work::PasswordWork;
use crate::rate_limiter::RateLimiter;
use crate::routes::content::rendered_articles::RenderedArticles;
use crate::routes::routines::rendered_agendas::{AgendaStamps, RenderedAgendas};
use crate::serialized_pages::SerializedPages;

/// Settings of the HTTP layer, decided by the server's configuration.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest request body accepted, in bytes (413 above it).
    pub max_body_bytes: usize,
    /// Longest a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// Longest the readiness probe waits for the database.
    pub readiness_timeout: Duration,
    /// Browser origins allowed by CORS; empty allows none.
    pub cors_allowed_origins: Vec<String>,
    /// Failed sign-ins allowed per e-mail address before it must wait.
    pub sign_in_lockout: LockoutPolicy,
    /// Requests per minute each caller may make to `/v1`.
    pub rate_limit_per_minute: u32,
    /// Requests per minute each address (and account) may make to the endpoints that
    /// take passwords.
    pub credentials_rate_limit_per_minute: u32,
    /// Whether a proxy in front appends the client address to `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// Whether the password grant is on for first-party clients and Swagger UI.
    pub password_grant: bool,
    /// How many password hashes may run at once.
    pub password_hashing_concurrency: usize,
    /// The bearer token `/metrics` asks for; `None` asks for none.
    pub metrics_token: Option<SecretString>,
    /// Whether the main listener serves `/metrics` (`false` when it has a listener of
    /// its own, see [`crate::build_metrics_app`]).
    pub metrics_on_main_listener: bool,
    /// Where webhooks may be sent: public addresses only, or loopback too (tests and
    /// local development).
    pub webhook_targets: waymark_domain::webhooks::TargetPolicy,
}

/// Shared, cheaply cloned application state. One instance is made at start-up and
/// cloned into every worker, so metrics are counted across all of them.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Storage, through the domain's ports.
    pub ports: StoragePorts,
    /// Issues and verifies access tokens.
    pub tokens: Arc<TokenIssuer>,
    /// Request counters and latency histograms.
    pub metrics: Arc<Metrics>,
    /// Rate-limit buckets, shared by every worker.
    pub rate_limits: Arc<RateLimits>,
    /// Signs and checks pagination cursors.
    pub cursors: CursorSigner,
    /// Signs and checks delta sync positions (a key of their own, derived once).
    pub(crate) sync_tokens: CursorSigner,
    /// Bounded password hashing off the HTTP workers.
    pub password_work: Arc<PasswordWork>,
    /// HTTP settings.
    pub settings: Arc<HttpSettings>,
    /// The JSON of goal pages that are served again from memory.
    pub(crate) goal_pages: Arc<SerializedPages>,
    /// The JSON of pages of goals as supporters see them, by share.
    pub(crate) shared_goal_pages: Arc<SerializedPages>,
    /// The JSON of FHIR Goal searches, by search and the versions they answered.
    pub(crate) fhir_goal_searches: Arc<SerializedPages>,
    /// The FHIR base URL, made once.
    fhir_base: String,
    /// The JSON of sync answers, by request and journal head.
    pub(crate) sync_answers: Arc<crate::sync_answers::SyncAnswers>,
    /// Crisis lines that answer even when the database does not.
    pub crisis: Arc<CrisisBoard>,
    /// The JSON of articles, by id and version.
    pub(crate) rendered_articles: Arc<RenderedArticles>,
    /// The JSON of agendas, while nothing they are made of changes.
    pub(crate) rendered_agendas: Arc<RenderedAgendas>,
    /// Requests in flight, which a graceful stop waits for.
    pub drain: Arc<Drain>,
    /// Accesses to people's data by apps and administrators, waiting to be written.
    pub access_recorder: Arc<AccessRecorder>,
    /// Turns of exports at reading storage (see `routes::export`).
    pub(crate) export_reads: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The same state, serving agendas' JSON again from memory while `stamps` say
    /// nothing they are made of changed (without it, every agenda is built afresh).
    #[must_use]
    pub fn following_agendas(mut self, stamps: Arc<dyn AgendaStamps>) -> Self {
        self.rendered_agendas = Arc::new(RenderedAgendas::following(stamps));
        self
    }

    /// The FHIR base URL of this deployment (absolute, from `WAYMARK_PUBLIC_URL`,
    /// never from a request's `Host`, so links cannot be pointed elsewhere).
    #[must_use]
    pub fn fhir_base(&self) -> &str {
        &self.fhir_base
    }

    /// This deployment's public URL (`WAYMARK_PUBLIC_URL`), without a trailing `/`.
    #[must_use]
    pub fn public_url(&self) -> &str {
        self.tokens.settings().issuer.trim_end_matches('/')
    }

    /// State over `ports`, signing with `tokens`, with fresh metrics.
    #[must_use]
    pub fn new(ports: StoragePorts, tokens: TokenIssuer, settings: HttpSettings) -> Self {
        let cursors = CursorSigner::derived_from(&tokens.keys().secret_material());
        let fhir_base = format!(
            "{}{}",
            tokens.settings().issuer.trim_end_matches('/'),
            crate::routes::FHIR_BASE
        );
        Self {
            sync_tokens: crate::routes::sync_tokens(&cursors),
            cursors,
            password_work: Arc::new(PasswordWork::new(settings.password_hashing_concurrency)),
            ports,
            tokens: Arc::new(tokens),
            metrics: Arc::new(Metrics::default()),
            rate_limits: Arc::new(RateLimits {
                general: RateLimiter::new(settings.rate_limit_per_minute),
                credentials: RateLimiter::new(settings.credentials_rate_limit_per_minute),
            }),
            settings: Arc::new(settings),
            goal_pages: Arc::new(SerializedPages::default()),
            shared_goal_pages: Arc::new(SerializedPages::default()),
            fhir_goal_searches: Arc::new(SerializedPages::default()),
            fhir_base,
            sync_answers: Arc::new(crate::sync_answers::SyncAnswers::default()),
            crisis: Arc::new(CrisisBoard::default()),
            rendered_articles: Arc::new(RenderedArticles::default()),
            rendered_agendas: Arc::new(RenderedAgendas::default()),
            drain: Arc::new(Drain::default()),
            access_recorder: Arc::new(AccessRecorder::default()),
            export_reads: Arc::new(tokio::sync::Semaphore::new(
                crate::routes::EXPORT_READS_AT_ONCE,
            )),
        }
    }
}
