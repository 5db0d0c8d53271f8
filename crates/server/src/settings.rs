//! Every setting of the server, as one clap struct: each is a flag and a `WAYMARK_*`
//! environment variable (`DATABASE_URL` for the database), with defaults that work on
//! a laptop. Loaded once in `main` and passed down.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::{ExposeSecret, SecretString};
use waymark_domain::identity::ports::LockoutPolicy;
use waymark_http::HttpSettings;
use waymark_http::auth::TokenSettings;
use waymark_http::password_work::PasswordWork;
use waymark_persistence::DatabaseSettings;

use crate::duration::HumanDuration;

/// The embedded default: a SQLite file beside wherever the server is started.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./waymark-data/waymark.db?mode=rwc";

/// The command line: a subcommand and the settings.
#[derive(Debug, Parser)]
#[command(
    name = "waymark",
    version,
    about = "Waymark: the REST API behind personal-recovery apps (goals, routines, support network, recovery information).",
    long_about = None,
    after_help = "Every option can also be set with the environment variable shown beside it.",
    max_term_width = 100
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Server settings.
    #[command(flatten)]
    pub settings: Settings,
}

/// The server's subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply (the default), revert or list database migrations.
    Migrate {
        /// What to do with migrations; `up` when omitted.
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Print the OpenAPI document (the contract committed as openapi/v1.json).
    Openapi,
    /// Load, import or export the content catalogue (articles, stories, services).
    Content {
        /// What to do.
        #[command(subcommand)]
        action: ContentAction,
    },
    /// Create accounts with a role, or API clients.
    Admin {
        /// What to create.
        #[command(subcommand)]
        action: AdminAction,
    },
}

/// Content catalogue actions.
#[derive(Debug, Clone, Subcommand)]
pub enum ContentAction {
    /// Load the starter catalogue compiled into Waymark (idempotent).
    Seed,
    /// Check every file under DIR (`<locale>/<slug>.md` with YAML front matter, and
    /// `services.yaml`), report every problem with its file and line, then upsert.
    Import {
        /// The catalogue's directory.
        dir: PathBuf,
    },
    /// Write every article and service under DIR, in the format `import` reads.
    Export {
        /// The directory to write to (created if need be).
        dir: PathBuf,
    },
}

/// Administrative actions.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminAction {
    /// Create an account with a role. The password is read from a prompt, or from the
    /// first line of standard input when it is not a terminal; never from arguments.
    CreateUser {
        /// The e-mail address to sign in with.
        #[arg(long)]
        email: String,
        /// `user`, `editor` or `admin`.
        #[arg(long, default_value = "user", value_parser = parse_role)]
        role: waymark_domain::identity::Role,
        /// The name to be shown by (default: the part of the address before @).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Register an API client; prints its id and secret once.
    CreateClient {
        /// A name administrators recognise.
        #[arg(long)]
        name: String,
        /// The scopes its tokens may carry, space- or comma-separated.
        #[arg(long)]
        scopes: String,
    },
}

fn parse_role(text: &str) -> Result<waymark_domain::identity::Role, String> {
    text.parse()
        .map_err(|error: waymark_domain::identity::account::UnknownRole| error.to_string())
}

/// Migration actions.
#[derive(Debug, Clone, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the most recent migrations.
    Down {
        /// How many migrations to revert.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        steps: u32,
    },
    /// List every migration and whether it is applied.
    Status,
}

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

/// Server settings. Every field is also an environment variable.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(
        long,
        env = "WAYMARK_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// Database URL: `sqlite://PATH?mode=rwc` (embedded) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, value_parser = keep_secret, hide_env_values = true, global = true)]
    pub database_url: SecretString,

    /// Most pooled database connections per server instance.
    #[arg(long, env = "WAYMARK_DB_MAX_CONNECTIONS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000), global = true)]
    pub db_max_connections: u32,

    /// Pooled database connections kept open while idle.
    #[arg(
        long,
        env = "WAYMARK_DB_MIN_CONNECTIONS",
        default_value_t = 0,
        global = true
    )]
    pub db_min_connections: u32,

    /// How long opening a database connection may take.
    #[arg(long, env = "WAYMARK_DB_CONNECT_TIMEOUT", default_value_t = HumanDuration::secs(5), global = true)]
    pub db_connect_timeout: HumanDuration,

    /// How long a request waits for a pooled connection before it is answered 503.
    #[arg(long, env = "WAYMARK_DB_ACQUIRE_TIMEOUT", default_value_t = HumanDuration::secs(3), global = true)]
    pub db_acquire_timeout: HumanDuration,

    /// PostgreSQL statement_timeout: longer statements are cancelled by the server.
    #[arg(long, env = "WAYMARK_DB_STATEMENT_TIMEOUT", default_value_t = HumanDuration::secs(5), global = true)]
    pub db_statement_timeout: HumanDuration,

    /// SQLite busy_timeout: how long a write waits for the database lock.
    #[arg(long, env = "WAYMARK_SQLITE_BUSY_TIMEOUT", default_value_t = HumanDuration::secs(5), global = true)]
    pub sqlite_busy_timeout: HumanDuration,

    /// Memory for recently read goal lists, in MiB per instance (0 turns the cache off).
    #[arg(long, env = "WAYMARK_GOAL_LIST_CACHE_MIB", default_value_t = 64, value_parser = clap::value_parser!(u32).range(0..=65_536), global = true)]
    pub goal_list_cache_mib: u32,

    /// Longest a request may take before it is answered 503.
    #[arg(long, env = "WAYMARK_REQUEST_TIMEOUT", default_value_t = HumanDuration::secs(10), global = true)]
    pub request_timeout: HumanDuration,

    /// Longest /health/ready waits for the database.
    #[arg(long, env = "WAYMARK_READINESS_TIMEOUT", default_value_t = HumanDuration::secs(1), global = true)]
    pub readiness_timeout: HumanDuration,

    /// On SIGTERM or SIGINT, how long in-flight requests may take to finish (whole seconds, rounded up).
    #[arg(long, env = "WAYMARK_SHUTDOWN_GRACE", default_value_t = HumanDuration::secs(25), global = true)]
    pub shutdown_grace: HumanDuration,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "WAYMARK_MAX_BODY_BYTES", default_value_t = 64 * 1024, value_parser = clap::value_parser!(u64).range(1024..=16_777_216), global = true)]
    pub max_body_bytes: u64,

    /// Browser origins allowed by CORS, comma-separated (e.g. https://app.example.org).
    #[arg(long, env = "WAYMARK_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin, global = true)]
    pub cors_origins: Vec<String>,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "WAYMARK_WORKERS", value_parser = clap::value_parser!(u16).range(1..=256), global = true)]
    pub workers: Option<u16>,

    /// Log filter in tracing's EnvFilter syntax (e.g. `info` or `waymark_http=debug`).
    #[arg(long, env = "WAYMARK_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log line format.
    #[arg(long, env = "WAYMARK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto, global = true)]
    pub log_format: LogFormat,

    /// Do not apply pending migrations at start (run `waymark migrate up` instead).
    #[arg(long, env = "WAYMARK_NO_MIGRATE", global = true)]
    pub no_migrate: bool,

    /// Do not load the starter content catalogue into an empty embedded (SQLite)
    /// database at start.
    #[arg(long, env = "WAYMARK_NO_STARTER_CONTENT", global = true)]
    pub no_starter_content: bool,

    /// Directory for files the server makes itself (the generated signing key).
    #[arg(
        long,
        env = "WAYMARK_DATA_DIR",
        default_value = "./waymark-data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Ed25519 private keys (PKCS#8 PEM files), comma-separated: the first signs new
    /// tokens, all verify. When unset, a key is generated in --data-dir on first start.
    #[arg(
        long,
        env = "WAYMARK_JWT_KEY_FILES",
        value_delimiter = ',',
        global = true
    )]
    pub jwt_key_files: Vec<PathBuf>,

    /// This server's public base URL: the `iss` of its tokens and the base of the
    /// endpoints it advertises.
    #[arg(long, env = "WAYMARK_PUBLIC_URL", default_value = "http://127.0.0.1:8080", value_parser = parse_public_url, global = true)]
    pub public_url: String,

    /// The `aud` claim access tokens are issued for and must carry.
    #[arg(
        long,
        env = "WAYMARK_TOKEN_AUDIENCE",
        default_value = "waymark",
        global = true
    )]
    pub token_audience: String,

    /// How long an access token lives.
    #[arg(long, env = "WAYMARK_ACCESS_TOKEN_LIFETIME", default_value_t = HumanDuration::secs(15 * 60), global = true)]
    pub access_token_lifetime: HumanDuration,

    /// How long a refresh token lives (each use replaces it with a new one).
    #[arg(long, env = "WAYMARK_REFRESH_TOKEN_LIFETIME", default_value_t = HumanDuration::secs(30 * 86_400), global = true)]
    pub refresh_token_lifetime: HumanDuration,

    /// Failed sign-ins allowed per e-mail address within --sign-in-lockout.
    #[arg(long, env = "WAYMARK_SIGN_IN_MAX_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000), global = true)]
    pub sign_in_max_failures: u32,

    /// Requests per minute each caller (token subject, or client address) may make to /v1.
    #[arg(long, env = "WAYMARK_RATE_LIMIT_PER_MINUTE", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub rate_limit_per_minute: u32,

    /// Requests per minute each client address, and each account, may make to the
    /// endpoints that take passwords (register, token, revoke, password change, delete).
    #[arg(long, env = "WAYMARK_CREDENTIALS_RATE_LIMIT_PER_MINUTE", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub credentials_rate_limit_per_minute: u32,

    /// How many password hashes may run at once (0: one fewer than the cores), so a
    /// burst of sign-ins cannot take every core from other requests.
    #[arg(
        long,
        env = "WAYMARK_PASSWORD_HASHING_CONCURRENCY",
        default_value_t = 0,
        global = true
    )]
    pub password_hashing_concurrency: usize,

    /// How often expired idempotency records, refresh tokens and stale sign-in counts
    /// are deleted (every replica sweeps; the deletes are idempotent).
    #[arg(long, env = "WAYMARK_HOUSEKEEPING_INTERVAL", default_value_t = HumanDuration::secs(600), global = true)]
    pub housekeeping_interval: HumanDuration,

    /// Take the client address from the last X-Forwarded-For entry (only behind a
    /// proxy that sets it).
    #[arg(long, env = "WAYMARK_TRUST_FORWARDED_FOR", global = true)]
    pub trust_forwarded_for: bool,

    /// How long an address that reached --sign-in-max-failures must wait.
    #[arg(long, env = "WAYMARK_SIGN_IN_LOCKOUT", default_value_t = HumanDuration::secs(15 * 60), global = true)]
    pub sign_in_lockout: HumanDuration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: SecretString::from(DEFAULT_DATABASE_URL),
            db_max_connections: 10,
            db_min_connections: 0,
            db_connect_timeout: HumanDuration::secs(5),
            db_acquire_timeout: HumanDuration::secs(3),
            db_statement_timeout: HumanDuration::secs(5),
            sqlite_busy_timeout: HumanDuration::secs(5),
            goal_list_cache_mib: 64,
            request_timeout: HumanDuration::secs(10),
            readiness_timeout: HumanDuration::secs(1),
            shutdown_grace: HumanDuration::secs(25),
            max_body_bytes: 64 * 1024,
            cors_origins: Vec::new(),
            workers: None,
            log: "info".to_owned(),
            log_format: LogFormat::Auto,
            no_migrate: false,
            no_starter_content: false,
            data_dir: PathBuf::from("./waymark-data"),
            jwt_key_files: Vec::new(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            token_audience: "waymark".to_owned(),
            access_token_lifetime: HumanDuration::secs(15 * 60),
            refresh_token_lifetime: HumanDuration::secs(30 * 86_400),
            sign_in_max_failures: 5,
            sign_in_lockout: HumanDuration::secs(15 * 60),
            rate_limit_per_minute: 600,
            credentials_rate_limit_per_minute: 20,
            trust_forwarded_for: false,
            password_hashing_concurrency: 0,
            housekeeping_interval: HumanDuration::secs(600),
        }
    }
}

impl Settings {
    /// Checks what clap cannot: the database URL (without ever echoing it, since it
    /// may hold a password), zero durations, and rules across settings.
    ///
    /// # Errors
    /// A one-line message naming the offending setting.
    pub fn check(&self) -> Result<(), String> {
        check_database_url(self.database_url.expose_secret())?;
        let must_be_positive = [
            (
                "--db-acquire-timeout (WAYMARK_DB_ACQUIRE_TIMEOUT)",
                self.db_acquire_timeout,
            ),
            (
                "--db-connect-timeout (WAYMARK_DB_CONNECT_TIMEOUT)",
                self.db_connect_timeout,
            ),
            (
                "--request-timeout (WAYMARK_REQUEST_TIMEOUT)",
                self.request_timeout,
            ),
            (
                "--readiness-timeout (WAYMARK_READINESS_TIMEOUT)",
                self.readiness_timeout,
            ),
            (
                "--access-token-lifetime (WAYMARK_ACCESS_TOKEN_LIFETIME)",
                self.access_token_lifetime,
            ),
            (
                "--refresh-token-lifetime (WAYMARK_REFRESH_TOKEN_LIFETIME)",
                self.refresh_token_lifetime,
            ),
            (
                "--sign-in-lockout (WAYMARK_SIGN_IN_LOCKOUT)",
                self.sign_in_lockout,
            ),
            (
                "--housekeeping-interval (WAYMARK_HOUSEKEEPING_INTERVAL)",
                self.housekeeping_interval,
            ),
        ];
        if let Some((name, _)) = must_be_positive.iter().find(|(_, value)| value.0.is_zero()) {
            return Err(format!("{name} must be longer than 0"));
        }
        if self.db_min_connections > self.db_max_connections {
            return Err(format!(
                "--db-min-connections (WAYMARK_DB_MIN_CONNECTIONS) is {} but may not exceed --db-max-connections ({})",
                self.db_min_connections, self.db_max_connections
            ));
        }
        if self.request_timeout.0.is_zero() {
            return Err(
                "--request-timeout (WAYMARK_REQUEST_TIMEOUT) must be longer than 0".to_owned(),
            );
        }
        Ok(())
    }

    /// What the storage adapter needs.
    #[must_use]
    pub fn database(&self) -> DatabaseSettings {
        DatabaseSettings {
            url: self.database_url.clone(),
            max_connections: self.db_max_connections,
            min_connections: self.db_min_connections,
            connect_timeout: self.db_connect_timeout.0,
            acquire_timeout: self.db_acquire_timeout.0,
            statement_timeout: Some(self.db_statement_timeout.0),
            sqlite_busy_timeout: self.sqlite_busy_timeout.0,
            goal_list_cache_bytes: usize::try_from(self.goal_list_cache_mib)
                .unwrap_or(usize::MAX)
                .saturating_mul(1024 * 1024),
        }
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
            password_hashing_concurrency: match self.password_hashing_concurrency {
                0 => PasswordWork::default_concurrency(),
                chosen => chosen,
            },
        }
    }

    /// What access and refresh tokens are issued with.
    #[must_use]
    pub fn tokens(&self) -> TokenSettings {
        TokenSettings {
            issuer: self.public_url.clone(),
            audience: self.token_audience.clone(),
            access_token_lifetime: self.access_token_lifetime.0,
            refresh_token_lifetime: self.refresh_token_lifetime.0,
        }
    }

    /// What the storage adapter needs to run migrations: no statement timeout, since
    /// a migration may legitimately take longer than any request should.
    #[must_use]
    pub fn database_for_migrations(&self) -> DatabaseSettings {
        DatabaseSettings {
            statement_timeout: None,
            goal_list_cache_bytes: 0,
            max_connections: 1,
            min_connections: 0,
            ..self.database()
        }
    }

    /// Where the database is, for logs: scheme, host and database only. The password
    /// and the query string (which may also carry a password) are left out.
    #[must_use]
    pub fn database_url_for_logs(&self) -> String {
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

/// Takes the URL as a secret without judging it here: clap would echo a rejected
/// value, password included. [`Settings::check`] judges it instead.
fn keep_secret(text: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(text))
}

fn check_database_url(url: &str) -> Result<(), String> {
    const NAME: &str = "--database-url (DATABASE_URL)";
    if url.starts_with("sqlite:") {
        return Ok(());
    }
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(format!(
            "{NAME} must start with sqlite: or postgres:// (value not shown)"
        ));
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
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn origins_must_be_scheme_and_host_only() {
        assert!(parse_origin("https://app.example.org").is_ok());
        assert!(parse_origin("http://localhost:3000").is_ok());
        assert!(parse_origin("https://app.example.org/path").is_err());
        assert!(parse_origin("https://app.example.org/").is_err());
        assert!(parse_origin("app.example.org").is_err());
        assert!(
            parse_origin("https://bücher.example").is_err(),
            "browsers send the punycode form"
        );
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
        let Ok(parsed) = from_command_line else {
            unreachable!("no arguments always parse")
        };
        let set_in_environment = std::env::vars()
            .any(|(name, _)| name.starts_with("WAYMARK_") || name == "DATABASE_URL");
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
            let settings = Settings {
                database_url: SecretString::from(url),
                ..Settings::default()
            };
            let shown = settings.database_url_for_logs();
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("db/waymark"), "{shown}");
        }
    }
}
