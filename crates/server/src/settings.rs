//! Every setting of the server, as one clap struct tree: each is a flag and a
//! `WAYMARK_*` environment variable (`DATABASE_URL` for the database), with defaults
//! that work on a laptop. The database and logging groups are shared with the
//! subcommands that use them (see [`crate::cli`]). Loaded once in `main` and passed
//! down.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use secrecy::{ExposeSecret, SecretString};
use waymark_domain::identity::ports::LockoutPolicy;
use waymark_http::HttpSettings;
use waymark_http::auth::TokenSettings;
use waymark_http::password_work::PasswordWork;
use waymark_persistence::{CacheBudgets, DatabaseSettings};

use crate::duration::HumanDuration;

/// The embedded default: a SQLite file beside wherever the server is started.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./waymark-data/waymark.db?mode=rwc";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// JSON when standard error (where logs go) is not a terminal, human-readable when it is.
    Auto,
    /// One JSON object per line, for log collectors.
    Json,
    /// Human-readable lines.
    Pretty,
}

/// Where the database is and how long opening it may take: the server and every
/// subcommand that opens it take these.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://PATH?mode=rwc` (embedded) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, value_parser = keep_secret, hide_env_values = true)]
    pub database_url: SecretString,

    /// How long opening a database connection may take.
    #[arg(long, env = "WAYMARK_DB_CONNECT_TIMEOUT", default_value_t = HumanDuration::secs(5))]
    pub db_connect_timeout: HumanDuration,

    /// How long a request waits for a pooled connection before it is answered 503.
    #[arg(long, env = "WAYMARK_DB_ACQUIRE_TIMEOUT", default_value_t = HumanDuration::secs(3))]
    pub db_acquire_timeout: HumanDuration,

    /// SQLite busy_timeout: how long a write waits for the database lock.
    #[arg(long, env = "WAYMARK_SQLITE_BUSY_TIMEOUT", default_value_t = HumanDuration::secs(5))]
    pub sqlite_busy_timeout: HumanDuration,
}

/// The connection pool and its statements: the server and the subcommands that work
/// through a pool (`admin`, `content`) take these; migrations use one connection
/// without a statement timeout.
#[derive(Debug, Clone, Args)]
pub struct PoolArgs {
    /// Most pooled database connections per server instance.
    #[arg(long, env = "WAYMARK_DB_MAX_CONNECTIONS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: u32,

    /// Pooled database connections kept open while idle.
    #[arg(long, env = "WAYMARK_DB_MIN_CONNECTIONS", default_value_t = 0)]
    pub db_min_connections: u32,

    /// PostgreSQL statement_timeout: longer statements are cancelled by the server.
    #[arg(long, env = "WAYMARK_DB_STATEMENT_TIMEOUT", default_value_t = HumanDuration::secs(5))]
    pub db_statement_timeout: HumanDuration,
}

/// How log lines are filtered and written.
#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Log filter in tracing's EnvFilter syntax (e.g. `info` or `waymark_http=debug`).
    /// actix-http's connection handler logs every request it cannot parse at ERROR (a
    /// client's mistake), so its lines are left out unless the filter names
    /// `actix_http` (its genuine I/O errors too).
    #[arg(long, env = "WAYMARK_LOG", default_value = "info")]
    pub log: String,

    /// Log line format.
    #[arg(long, env = "WAYMARK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,
}

/// Server settings. Every field is also an environment variable.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "WAYMARK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The connection pool.
    #[command(flatten)]
    pub pool: PoolArgs,

    /// Memory for recently read goal lists, in MiB per instance (0 turns the cache off).
    #[arg(long, env = "WAYMARK_GOAL_LIST_CACHE_MIB", default_value_t = 64, value_parser = clap::value_parser!(u32).range(0..=65_536))]
    pub goal_list_cache_mib: u32,

    /// Memory for recently read published articles, in MiB per instance (0 turns the
    /// cache off).
    #[arg(long, env = "WAYMARK_ARTICLE_CACHE_MIB", default_value_t = 16, value_parser = clap::value_parser!(u32).range(0..=65_536))]
    pub article_cache_mib: u32,

    /// Memory for what every agenda and every person's request reads (the account,
    /// active routines, their pauses and check-ins), in MiB per instance (0 turns the
    /// cache off: every request with a person's token then reads the account).
    #[arg(long, env = "WAYMARK_PERSONAL_CACHE_MIB", default_value_t = 32, value_parser = clap::value_parser!(u32).range(0..=65_536))]
    pub personal_cache_mib: u32,

    /// Longest a request may take before it is answered 503.
    #[arg(long, env = "WAYMARK_REQUEST_TIMEOUT", default_value_t = HumanDuration::secs(10))]
    pub request_timeout: HumanDuration,

    /// Longest /health/ready waits for the database.
    #[arg(long, env = "WAYMARK_READINESS_TIMEOUT", default_value_t = HumanDuration::secs(1))]
    pub readiness_timeout: HumanDuration,

    /// On SIGTERM or SIGINT, how long in-flight requests may take to finish (whole seconds, rounded up).
    #[arg(long, env = "WAYMARK_SHUTDOWN_GRACE", default_value_t = HumanDuration::secs(25))]
    pub shutdown_grace: HumanDuration,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "WAYMARK_MAX_BODY_BYTES", default_value_t = 64 * 1024, value_parser = clap::value_parser!(u64).range(1024..=16_777_216))]
    pub max_body_bytes: u64,

    /// Browser origins allowed by CORS, comma-separated (e.g. https://app.example.org).
    #[arg(long, env = "WAYMARK_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub cors_origins: Vec<String>,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "WAYMARK_WORKERS", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: Option<u16>,

    /// Logging.
    #[command(flatten)]
    pub logging: LogArgs,

    /// Do not apply pending migrations at start (run `waymark migrate up` instead).
    #[arg(long, env = "WAYMARK_NO_MIGRATE")]
    pub no_migrate: bool,

    /// Do not load the starter content catalogue into an empty embedded (SQLite)
    /// database at start.
    #[arg(long, env = "WAYMARK_NO_STARTER_CONTENT")]
    pub no_starter_content: bool,

    /// Directory for files the server makes itself (the generated signing key).
    #[arg(long, env = "WAYMARK_DATA_DIR", default_value = "./waymark-data")]
    pub data_dir: PathBuf,

    /// Ed25519 private keys (PKCS#8 PEM files), comma-separated: the first signs new
    /// tokens, all verify. When unset, a key is generated in --data-dir on first start.
    #[arg(long, env = "WAYMARK_JWT_KEY_FILES", value_delimiter = ',')]
    pub jwt_key_files: Vec<PathBuf>,

    /// This server's public base URL: the `iss` of its tokens and the base of the
    /// endpoints it advertises. When unset: `http://` and the address --bind listens on
    /// (its port included); for an address that names no host, such as 0.0.0.0 or
    /// [::], loopback (127.0.0.1 or [::1]) stands in and a warning at start asks for
    /// this setting.
    #[arg(long, env = "WAYMARK_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// The `aud` claim access tokens are issued for and must carry.
    #[arg(long, env = "WAYMARK_TOKEN_AUDIENCE", default_value = "waymark")]
    pub token_audience: String,

    /// How long an access token lives.
    #[arg(long, env = "WAYMARK_ACCESS_TOKEN_LIFETIME", default_value_t = HumanDuration::secs(15 * 60))]
    pub access_token_lifetime: HumanDuration,

    /// How long a refresh token lives (each use replaces it with a new one).
    #[arg(long, env = "WAYMARK_REFRESH_TOKEN_LIFETIME", default_value_t = HumanDuration::secs(30 * 86_400))]
    pub refresh_token_lifetime: HumanDuration,

    /// Failed sign-ins allowed per e-mail address within --sign-in-lockout.
    #[arg(long, env = "WAYMARK_SIGN_IN_MAX_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub sign_in_max_failures: u32,

    /// Requests per minute each caller (token subject, or client address) may make to /v1.
    #[arg(long, env = "WAYMARK_RATE_LIMIT_PER_MINUTE", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_per_minute: u32,

    /// Requests per minute each client address, and each account, may make to the
    /// endpoints that take passwords (register, token, revoke, password change, delete).
    #[arg(long, env = "WAYMARK_CREDENTIALS_RATE_LIMIT_PER_MINUTE", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub credentials_rate_limit_per_minute: u32,

    /// How many password hashes may run at once (0: one fewer than the cores), so a
    /// burst of sign-ins cannot take every core from other requests.
    #[arg(long, env = "WAYMARK_PASSWORD_HASHING_CONCURRENCY", default_value_t = 0)]
    pub password_hashing_concurrency: usize,

    /// How often expired idempotency records, refresh tokens and stale sign-in counts
    /// are deleted (every replica sweeps; the deletes are idempotent).
    #[arg(long, env = "WAYMARK_HOUSEKEEPING_INTERVAL", default_value_t = HumanDuration::secs(600))]
    pub housekeeping_interval: HumanDuration,

    /// How long entries of the change journal (every change to a person's data, read
    /// by sync, webhooks and the access log) are kept before housekeeping removes them.
    #[arg(long, env = "WAYMARK_JOURNAL_RETENTION", default_value_t = HumanDuration::secs(90 * 86_400))]
    pub journal_retention: HumanDuration,

    /// How long entries of a person's access log (what apps and administrators did
    /// with their data) are kept before housekeeping removes them.
    #[arg(long, env = "WAYMARK_ACCESS_LOG_RETENTION", default_value_t = HumanDuration::secs(730 * 86_400))]
    pub access_log_retention: HumanDuration,

    /// How often the access log entries recorded in memory are written. A process
    /// killed outright (not stopped) loses at most this much of the log.
    #[arg(long, env = "WAYMARK_ACCESS_LOG_FLUSH", default_value_t = HumanDuration::secs(1))]
    pub access_log_flush: HumanDuration,

    /// Take the client address from the last X-Forwarded-For entry (only behind a
    /// proxy that sets it).
    #[arg(long, env = "WAYMARK_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Refuse the password grant to everyone, first-party clients and Swagger UI
    /// included (it is always refused to third-party clients). People then sign in
    /// only where an app sends them through the authorization code flow.
    #[arg(long, env = "WAYMARK_NO_PASSWORD_GRANT")]
    pub no_password_grant: bool,

    /// Let webhooks be sent to loopback addresses (also over plain http), for tests
    /// and local development only. Private, link-local and other non-public
    /// addresses are refused whatever this says.
    #[arg(long, env = "WAYMARK_WEBHOOKS_ALLOW_LOOPBACK")]
    pub webhooks_allow_loopback: bool,

    /// How many webhook messages one instance sends at once.
    #[arg(long, env = "WAYMARK_WEBHOOK_CONCURRENCY", default_value_t = 256)]
    pub webhook_concurrency: u16,

    /// How long an address that reached --sign-in-max-failures must wait.
    #[arg(long, env = "WAYMARK_SIGN_IN_LOCKOUT", default_value_t = HumanDuration::secs(15 * 60))]
    pub sign_in_lockout: HumanDuration,

    /// A secret Prometheus must send as `Authorization: Bearer <token>` to read
    /// /metrics (401 otherwise). Unset: /metrics needs no token.
    #[arg(long, env = "WAYMARK_METRICS_TOKEN", value_parser = keep_secret, hide_env_values = true)]
    pub metrics_token: Option<SecretString>,

    /// Serve /metrics only on this address and port, on a listener of its own (the
    /// main one then answers 404 there). Unset: /metrics is served beside the API.
    #[arg(long, env = "WAYMARK_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
}

impl Default for DatabaseArgs {
    fn default() -> Self {
        Self {
            database_url: SecretString::from(DEFAULT_DATABASE_URL),
            db_connect_timeout: HumanDuration::secs(5),
            db_acquire_timeout: HumanDuration::secs(3),
            sqlite_busy_timeout: HumanDuration::secs(5),
        }
    }
}

impl Default for PoolArgs {
    fn default() -> Self {
        Self {
            db_max_connections: 10,
            db_min_connections: 0,
            db_statement_timeout: HumanDuration::secs(5),
        }
    }
}

impl Default for LogArgs {
    fn default() -> Self {
        Self { log: "info".to_owned(), log_format: LogFormat::Auto }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: DatabaseArgs::default(),
            pool: PoolArgs::default(),
            goal_list_cache_mib: 64,
            article_cache_mib: 16,
            personal_cache_mib: 32,
            request_timeout: HumanDuration::secs(10),
            readiness_timeout: HumanDuration::secs(1),
            shutdown_grace: HumanDuration::secs(25),
            max_body_bytes: 64 * 1024,
            cors_origins: Vec::new(),
            workers: None,
            logging: LogArgs::default(),
            no_migrate: false,
            no_starter_content: false,
            data_dir: PathBuf::from("./waymark-data"),
            jwt_key_files: Vec::new(),
            public_url: None,
            token_audience: "waymark".to_owned(),
            access_token_lifetime: HumanDuration::secs(15 * 60),
            refresh_token_lifetime: HumanDuration::secs(30 * 86_400),
            sign_in_max_failures: 5,
            sign_in_lockout: HumanDuration::secs(15 * 60),
            rate_limit_per_minute: 600,
            credentials_rate_limit_per_minute: 20,
            trust_forwarded_for: false,
            no_password_grant: false,
            webhooks_allow_loopback: false,
            webhook_concurrency: 256,
            password_hashing_concurrency: 0,
            housekeeping_interval: HumanDuration::secs(600),
            journal_retention: HumanDuration::secs(90 * 86_400),
            access_log_retention: HumanDuration::secs(730 * 86_400),
            access_log_flush: HumanDuration::secs(1),
            metrics_token: None,
            metrics_bind: None,
        }
    }
}

/// The first setting in `durations` that is zero, as an error naming it.
fn first_zero(durations: &[(&str, HumanDuration)]) -> Result<(), String> {
    match durations.iter().find(|(_, value)| value.0.is_zero()) {
        Some((name, _)) => Err(format!("{name} must be longer than 0")),
        None => Ok(()),
    }
}

impl DatabaseArgs {
    /// Checks what clap cannot: the URL (without ever echoing it, since it may hold a
    /// password) and zero timeouts.
    ///
    /// # Errors
    /// A one-line message naming the offending setting.
    pub fn check(&self) -> Result<(), String> {
        check_database_url(self.database_url.expose_secret())?;
        first_zero(&[
            ("--db-acquire-timeout (WAYMARK_DB_ACQUIRE_TIMEOUT)", self.db_acquire_timeout),
            ("--db-connect-timeout (WAYMARK_DB_CONNECT_TIMEOUT)", self.db_connect_timeout),
        ])
    }

    /// What the storage adapter needs for a pool shaped by `pool`, with `caches`.
    #[must_use]
    pub fn settings(&self, pool: &PoolArgs, caches: CacheBudgets) -> DatabaseSettings {
        DatabaseSettings {
            url: self.database_url.clone(),
            max_connections: pool.db_max_connections,
            min_connections: pool.db_min_connections,
            connect_timeout: self.db_connect_timeout.0,
            acquire_timeout: self.db_acquire_timeout.0,
            statement_timeout: Some(pool.db_statement_timeout.0),
            sqlite_busy_timeout: self.sqlite_busy_timeout.0,
            caches,
        }
    }

    /// What the storage adapter needs to run migrations: one connection and no
    /// statement timeout, since a migration may legitimately take longer than any
    /// request should.
    #[must_use]
    pub fn for_migrations(&self) -> DatabaseSettings {
        DatabaseSettings {
            statement_timeout: None,
            max_connections: 1,
            min_connections: 0,
            ..self.settings(&PoolArgs::default(), CacheBudgets::none())
        }
    }

    /// Where the database is, for logs: scheme, host and database only. The password
    /// and the query string (which may also carry a password) are left out.
    #[must_use]
    pub fn url_for_logs(&self) -> String {
        let url = self.database_url.expose_secret();
        match url::Url::parse(url) {
            Ok(mut parsed) => {
                let _ = parsed.set_password(None);
                parsed.set_query(None);
                parsed.set_fragment(None);
                parsed.to_string()
            }
            Err(_) => url.split('?').next().unwrap_or_default().to_owned(),
        }
    }
}

impl PoolArgs {
    /// Checks that the pool may keep no more idle connections than it may open.
    ///
    /// # Errors
    /// A one-line message naming the offending setting.
    pub fn check(&self) -> Result<(), String> {
        if self.db_min_connections > self.db_max_connections {
            return Err(format!(
                "--db-min-connections (WAYMARK_DB_MIN_CONNECTIONS) is {} but may not exceed --db-max-connections ({})",
                self.db_min_connections, self.db_max_connections
            ));
        }
        Ok(())
    }
}

impl Settings {
    /// Checks what clap cannot: the database settings, zero durations, and rules
    /// across settings.
    ///
    /// # Errors
    /// A one-line message naming the offending setting.
    pub fn check(&self) -> Result<(), String> {
        self.database.check()?;
        self.pool.check()?;
        first_zero(&[
            ("--request-timeout (WAYMARK_REQUEST_TIMEOUT)", self.request_timeout),
            ("--readiness-timeout (WAYMARK_READINESS_TIMEOUT)", self.readiness_timeout),
            ("--access-token-lifetime (WAYMARK_ACCESS_TOKEN_LIFETIME)", self.access_token_lifetime),
            (
                "--refresh-token-lifetime (WAYMARK_REFRESH_TOKEN_LIFETIME)",
                self.refresh_token_lifetime,
            ),
            ("--sign-in-lockout (WAYMARK_SIGN_IN_LOCKOUT)", self.sign_in_lockout),
            ("--housekeeping-interval (WAYMARK_HOUSEKEEPING_INTERVAL)", self.housekeeping_interval),
            ("--journal-retention (WAYMARK_JOURNAL_RETENTION)", self.journal_retention),
            ("--access-log-retention (WAYMARK_ACCESS_LOG_RETENTION)", self.access_log_retention),
            ("--access-log-flush (WAYMARK_ACCESS_LOG_FLUSH)", self.access_log_flush),
        ])?;
        if self.metrics_token.as_ref().is_some_and(|token| token.expose_secret().trim().is_empty())
        {
            return Err("--metrics-token (WAYMARK_METRICS_TOKEN) is empty".to_owned());
        }
        if self.metrics_bind == Some(self.bind) && self.bind.port() != 0 {
            return Err(format!(
                "--metrics-bind (WAYMARK_METRICS_BIND) must differ from --bind ({})",
                self.bind
            ));
        }
        Ok(())
    }

    /// What the storage adapter needs.
    #[must_use]
    pub fn database(&self) -> DatabaseSettings {
        let bytes =
            |mib: u32| usize::try_from(mib).unwrap_or(usize::MAX).saturating_mul(1024 * 1024);
        self.database.settings(
            &self.pool,
            CacheBudgets {
                goal_lists: bytes(self.goal_list_cache_mib),
                articles: bytes(self.article_cache_mib),
                personal: bytes(self.personal_cache_mib),
            },
        )
    }

    /// What the storage adapter needs to run migrations.
    #[must_use]
    pub fn database_for_migrations(&self) -> DatabaseSettings {
        self.database.for_migrations()
    }

    /// What the HTTP adapter needs.
    #[must_use]
    pub fn http(&self) -> HttpSettings {
        HttpSettings {
            max_body_bytes: usize::try_from(self.max_body_bytes).unwrap_or(usize::MAX),
            request_timeout: self.request_timeout.0,
            readiness_timeout: self.readiness_timeout.0,
            cors_allowed_origins: self.cors_origins.clone(),
            sign_in_lockout: LockoutPolicy {
                max_failures: self.sign_in_max_failures,
                window: self.sign_in_lockout.0,
            },
            rate_limit_per_minute: self.rate_limit_per_minute,
            credentials_rate_limit_per_minute: self.credentials_rate_limit_per_minute,
            trust_forwarded_for: self.trust_forwarded_for,
            password_grant: !self.no_password_grant,
            password_hashing_concurrency: match self.password_hashing_concurrency {
                0 => PasswordWork::default_concurrency(),
                chosen => chosen,
            },
            metrics_token: self.metrics_token.clone(),
            metrics_on_main_listener: self.metrics_bind.is_none(),
            webhook_targets: self.webhook_targets(),
        }
    }

    /// Where webhooks may be sent.
    #[must_use]
    pub fn webhook_targets(&self) -> waymark_domain::webhooks::TargetPolicy {
        if self.webhooks_allow_loopback {
            waymark_domain::webhooks::TargetPolicy::LoopbackAllowed
        } else {
            waymark_domain::webhooks::TargetPolicy::PublicOnly
        }
    }

    /// The base URL clients reach this server at, once it listens on `listening_on`:
    /// `--public-url`, or else derived from that address (see [`derived_public_url`]).
    #[must_use]
    pub fn public_url(&self, listening_on: SocketAddr) -> String {
        self.public_url.clone().unwrap_or_else(|| derived_public_url(listening_on))
    }

    /// What access and refresh tokens are issued with, once the server listens on
    /// `listening_on` (their `iss` is the public URL).
    #[must_use]
    pub fn tokens(&self, listening_on: SocketAddr) -> TokenSettings {
        TokenSettings {
            issuer: self.public_url(listening_on),
            audience: self.token_audience.clone(),
            access_token_lifetime: self.access_token_lifetime.0,
            refresh_token_lifetime: self.refresh_token_lifetime.0,
        }
    }

    /// Where the database is, for logs (see [`DatabaseArgs::url_for_logs`]).
    #[must_use]
    pub fn database_url_for_logs(&self) -> String {
        self.database.url_for_logs()
    }
}

/// `http://` and `address`. An unspecified address (`0.0.0.0`, `[::]`) listens on
/// every interface but names none a client could use, so the loopback address of
/// the same family stands in for it.
#[must_use]
pub fn derived_public_url(address: SocketAddr) -> String {
    let ip = match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, address.port()))
}

/// Takes the URL as a secret without judging it here: clap would echo a rejected
/// value, password included. [`DatabaseArgs::check`] judges it instead.
fn keep_secret(text: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(text))
}

fn check_database_url(url: &str) -> Result<(), String> {
    const NAME: &str = "--database-url (DATABASE_URL)";
    if url.starts_with("sqlite:") {
        return Ok(());
    }
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(format!("{NAME} must start with sqlite: or postgres:// (value not shown)"));
    }
    let parsed = url::Url::parse(url)
        .map_err(|_| format!("{NAME} is not a valid postgres:// URL (value not shown)"))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{NAME} has no host (value not shown)"));
    }
    Ok(())
}

/// The public URL: `http` or `https`, a host, no query; stored without a trailing
/// slash so it reads the same as an `iss` claim everywhere.
fn parse_public_url(text: &str) -> Result<String, String> {
    let invalid = || format!("`{text}` is not a base URL such as https://api.example.org");
    let parsed = url::Url::parse(text.trim()).map_err(|_| invalid())?;
    if matches!(parsed.scheme(), "http" | "https")
        && parsed.host_str().is_some()
        && parsed.query().is_none()
    {
        Ok(text.trim().trim_end_matches('/').to_owned())
    } else {
        Err(invalid())
    }
}

/// An origin is a scheme, a host and an optional port, exactly as browsers send it in
/// `Origin` (ASCII, no path, no trailing slash).
fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    let invalid = || {
        format!(
            "`{text}` is not an origin such as https://app.example.org (scheme and host, no path)"
        )
    };
    let parsed = url::Url::parse(text).map_err(|_| invalid())?;
    let serialised = parsed.origin().ascii_serialization();
    if matches!(parsed.scheme(), "http" | "https") && serialised == text {
        Ok(text.to_owned())
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn origins_must_be_scheme_and_host_only() {
        assert!(parse_origin("https://app.example.org").is_ok());
        assert!(parse_origin("http://localhost:3000").is_ok());
        assert!(parse_origin("https://app.example.org/path").is_err());
        assert!(parse_origin("https://app.example.org/").is_err());
        assert!(parse_origin("app.example.org").is_err());
        assert!(parse_origin("https://bücher.example").is_err(), "browsers send the punycode form");
        assert!(parse_origin("https://xn--bcher-kva.example").is_ok());
    }

    #[test]
    fn database_urls_are_judged_without_echoing_them() {
        for bad in [
            "mysql://admin:hunter2@db/w",
            "postgres://u:hunter2@db:54x32/w",
            "postgres:///w?password=hunter2",
        ] {
            let message = check_database_url(bad).expect_err(bad);
            assert!(!message.contains("hunter2"), "{message}");
        }
        assert!(check_database_url(DEFAULT_DATABASE_URL).is_ok());
        assert!(check_database_url("postgres://waymark:secret@db:5432/waymark").is_ok());
    }

    #[test]
    fn defaults_match_the_command_line_defaults() {
        let from_command_line = Cli::try_parse_from(["waymark"]).map(|cli| cli.settings);
        let Ok(parsed) = from_command_line else { unreachable!("no arguments always parse") };
        // Only the variables the command reads can change what it parses; others
        // (`WAYMARK_TEST_POSTGRES_URL` in CI, say) must not skip the comparison.
        let command = <Cli as clap::CommandFactory>::command();
        let set_in_environment = command
            .get_arguments()
            .filter_map(clap::Arg::get_env)
            .any(|name| std::env::var_os(name).is_some());
        if !set_in_environment {
            assert_eq!(format!("{parsed:?}"), format!("{:?}", Settings::default()));
        }
    }

    #[test]
    fn passwords_are_hidden_in_logged_urls() {
        for url in [
            "postgres://waymark:hunter2@db/waymark",
            "postgres://waymark@db/waymark?password=hunter2",
        ] {
            let database =
                DatabaseArgs { database_url: SecretString::from(url), ..DatabaseArgs::default() };
            let shown = database.url_for_logs();
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("db/waymark"), "{shown}");
        }
    }

    #[test]
    fn the_public_url_follows_the_bound_address_unless_it_is_set() {
        let at = |text: &str| text.parse::<SocketAddr>().unwrap();
        assert_eq!(derived_public_url(at("127.0.0.1:9090")), "http://127.0.0.1:9090");
        assert_eq!(derived_public_url(at("10.1.2.3:80")), "http://10.1.2.3:80");
        assert_eq!(derived_public_url(at("0.0.0.0:8080")), "http://127.0.0.1:8080");
        assert_eq!(derived_public_url(at("[::]:8080")), "http://[::1]:8080");
        assert_eq!(derived_public_url(at("[::1]:7000")), "http://[::1]:7000");
        let settings = Settings {
            public_url: Some("https://api.example.org".to_owned()),
            ..Settings::default()
        };
        assert_eq!(settings.public_url(at("0.0.0.0:8080")), "https://api.example.org");
        assert_eq!(
            Settings::default().tokens(at("127.0.0.1:4000")).issuer,
            "http://127.0.0.1:4000"
        );
    }

    #[test]
    fn an_empty_metrics_token_or_a_metrics_bind_equal_to_bind_is_refused() {
        let empty =
            Settings { metrics_token: Some(SecretString::from(" ")), ..Settings::default() };
        assert!(empty.check().unwrap_err().contains("--metrics-token"));
        let same = Settings { metrics_bind: Some(Settings::default().bind), ..Settings::default() };
        assert!(same.check().unwrap_err().contains("--metrics-bind"));
        let apart = Settings {
            metrics_bind: Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            metrics_token: Some(SecretString::from("a-long-scrape-secret")),
            ..Settings::default()
        };
        assert_eq!(apart.check(), Ok(()));
        assert!(!apart.http().metrics_on_main_listener);
    }
}
