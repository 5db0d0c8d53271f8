//! Every setting of the server, as one clap struct: each is a flag and a `WAYMARK_*`
//! environment variable (`DATABASE_URL` for the database), with defaults that work on
//! a laptop. Loaded once in `main` and passed down.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::{ExposeSecret, SecretString};
use waymark_http::HttpSettings;
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
    /// Apply, revert or list database migrations.
    Migrate {
        /// What to do with migrations.
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the OpenAPI document (the contract committed as openapi/v1.json).
    Openapi,
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
    /// JSON when standard output is not a terminal, human-readable when it is.
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
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, value_parser = parse_database_url, hide_env_values = true, global = true)]
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

    /// Longest a request may take before it is answered 503.
    #[arg(long, env = "WAYMARK_REQUEST_TIMEOUT", default_value_t = HumanDuration::secs(10), global = true)]
    pub request_timeout: HumanDuration,

    /// Longest /health/ready waits for the database.
    #[arg(long, env = "WAYMARK_READINESS_TIMEOUT", default_value_t = HumanDuration::secs(1), global = true)]
    pub readiness_timeout: HumanDuration,

    /// On SIGTERM or SIGINT, how long in-flight requests may take to finish.
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
            request_timeout: HumanDuration::secs(10),
            readiness_timeout: HumanDuration::secs(1),
            shutdown_grace: HumanDuration::secs(25),
            max_body_bytes: 64 * 1024,
            cors_origins: Vec::new(),
            workers: None,
            log: "info".to_owned(),
            log_format: LogFormat::Auto,
            no_migrate: false,
        }
    }
}

impl Settings {
    /// Checks rules that involve more than one setting.
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
            statement_timeout: self.db_statement_timeout.0,
            sqlite_busy_timeout: self.sqlite_busy_timeout.0,
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
        }
    }

    /// The database URL with any password hidden, for logs.
    #[must_use]
    pub fn database_url_for_logs(&self) -> String {
        let url = self.database_url.expose_secret();
        match url::Url::parse(url) {
            Ok(mut parsed) if parsed.password().is_some() => {
                let _ = parsed.set_password(Some("***"));
                parsed.to_string()
            }
            _ => url.to_owned(),
        }
    }
}

fn parse_database_url(text: &str) -> Result<SecretString, String> {
    let supported = text.starts_with("sqlite:")
        || text.starts_with("postgres://")
        || text.starts_with("postgresql://");
    if supported {
        Ok(SecretString::from(text))
    } else {
        Err("must start with sqlite: or postgres://".to_owned())
    }
}

fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    let parsed = url::Url::parse(text)
        .map_err(|_| format!("`{text}` is not an origin such as https://app.example.org"))?;
    let is_origin = matches!(parsed.scheme(), "http" | "https")
        && parsed.host_str().is_some()
        && parsed.path() == "/"
        && parsed.query().is_none()
        && !text.ends_with('/');
    if is_origin {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not an origin such as https://app.example.org (scheme and host, no path)"
        ))
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
    }

    #[test]
    fn passwords_are_hidden_in_logged_urls() {
        let settings = Settings {
            database_url: SecretString::from("postgres://waymark:hunter2@db/waymark"),
            ..Settings::default()
        };
        let shown = settings.database_url_for_logs();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }
}
