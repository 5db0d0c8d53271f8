//! The `waymark` command line: `waymark` alone serves with the server's settings; each
//! subcommand takes only the settings it uses (the database, its pool, logging), so
//! its `--help` lists nothing it would ignore.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::settings::{DatabaseArgs, LogArgs, PoolArgs, Settings};

/// The command line: a subcommand, or the server's settings for `waymark` alone.
#[derive(Debug, Parser)]
#[command(
    name = "waymark",
    version,
    about = "Waymark: the REST API behind personal-recovery apps (goals, routines, support network, recovery information).",
    long_about = None,
    after_help = "Every option can also be set with the environment variable shown beside it. \
                  A subcommand's options follow it: `waymark migrate --help` lists them.",
    max_term_width = 100,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server's settings, for `waymark` without a subcommand.
    #[command(flatten)]
    pub settings: Settings,
}

impl Cli {
    /// The subcommand, or `serve` with the settings given to `waymark` itself.
    #[must_use]
    pub fn into_command(self) -> Command {
        self.command.unwrap_or_else(|| Command::Serve(Box::new(self.settings)))
    }
}

/// The server's subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve(Box<Settings>),
    /// Apply (the default), revert or list database migrations.
    #[command(args_conflicts_with_subcommands = true)]
    Migrate {
        /// What to do with migrations; `up` when omitted.
        #[command(subcommand)]
        action: Option<MigrateAction>,
        /// The database and logging, for `migrate` without an action.
        #[command(flatten)]
        migration: MigrateArgs,
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

/// What `migrate` takes: where the database is, and how to log. Migrations run on one
/// connection of their own, so no pool settings.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Logging.
    #[command(flatten)]
    pub logging: LogArgs,
}

/// What the commands that work through a pool (`admin`, `content`) take: the
/// database, its pool, and how to log.
#[derive(Debug, Clone, Args)]
pub struct ToolArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The connection pool.
    #[command(flatten)]
    pub pool: PoolArgs,
    /// Logging.
    #[command(flatten)]
    pub logging: LogArgs,
}

impl ToolArgs {
    /// Checks what clap cannot.
    ///
    /// # Errors
    /// A one-line message naming the offending setting.
    pub fn check(&self) -> Result<(), String> {
        self.database.check()?;
        self.pool.check()
    }
}

/// Migration actions.
#[derive(Debug, Clone, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up {
        /// The database and logging.
        #[command(flatten)]
        migration: MigrateArgs,
    },
    /// Revert the most recent migrations.
    Down {
        /// How many migrations to revert.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        steps: u32,
        /// The database and logging.
        #[command(flatten)]
        migration: MigrateArgs,
    },
    /// List every migration and whether it is applied.
    Status {
        /// The database and logging.
        #[command(flatten)]
        migration: MigrateArgs,
    },
}

/// Which way `waymark migrate` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrateStep {
    /// Apply every pending migration.
    Up,
    /// Revert this many.
    Down(u32),
    /// List them.
    Status,
}

impl MigrateAction {
    /// The settings the action runs with.
    #[must_use]
    pub fn migration(&self) -> &MigrateArgs {
        match self {
            Self::Up { migration } | Self::Down { migration, .. } | Self::Status { migration } => {
                migration
            }
        }
    }

    /// The step, and the settings it runs with.
    #[must_use]
    pub fn into_parts(self) -> (MigrateStep, MigrateArgs) {
        match self {
            Self::Up { migration } => (MigrateStep::Up, migration),
            Self::Down { steps, migration } => (MigrateStep::Down(steps), migration),
            Self::Status { migration } => (MigrateStep::Status, migration),
        }
    }
}

/// What the content commands take: the database, logging, and whether to migrate it
/// first.
#[derive(Debug, Clone, Args)]
pub struct ContentArgs {
    /// The database and logging.
    #[command(flatten)]
    pub tool: ToolArgs,
    /// Do not apply pending migrations first (run `waymark migrate up` instead).
    #[arg(long, env = "WAYMARK_NO_MIGRATE")]
    pub no_migrate: bool,
}

/// Content catalogue actions.
#[derive(Debug, Clone, Subcommand)]
pub enum ContentAction {
    /// Load the starter catalogue compiled into Waymark (idempotent).
    Seed {
        /// The database, logging and migrations.
        #[command(flatten)]
        content: ContentArgs,
    },
    /// Check every file under DIR (`<locale>/<slug>.md` with YAML front matter, and
    /// `services.yaml`), report every problem with its file and line, then upsert.
    Import {
        /// The catalogue's directory.
        dir: PathBuf,
        /// The database, logging and migrations.
        #[command(flatten)]
        content: ContentArgs,
    },
    /// Write every article and service under DIR, in the format `import` reads.
    Export {
        /// The directory to write to (created if need be).
        dir: PathBuf,
        /// The database, logging and migrations.
        #[command(flatten)]
        content: ContentArgs,
    },
}

impl ContentAction {
    /// The settings the action runs with.
    #[must_use]
    pub fn content_args(&self) -> &ContentArgs {
        match self {
            Self::Seed { content }
            | Self::Import { content, .. }
            | Self::Export { content, .. } => content,
        }
    }
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
        /// The database and logging.
        #[command(flatten)]
        tool: ToolArgs,
    },
    /// Register an API client; prints its id and secret once.
    CreateClient {
        /// A name administrators recognise.
        #[arg(long)]
        name: String,
        /// The scopes its tokens may carry, space- or comma-separated.
        #[arg(long)]
        scopes: String,
        /// `confidential` (a backend with a secret, the default) or `public` (a mobile
        /// or single-page app, no secret).
        #[arg(long, default_value = "confidential")]
        kind: String,
        /// A redirect URI people may be sent back to after signing in; repeat for
        /// several. A public client that is not first-party needs one.
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// Waymark's operator runs it: it may use the password grant.
        #[arg(long)]
        first_party: bool,
        /// The database and logging.
        #[command(flatten)]
        tool: ToolArgs,
    },
}

impl AdminAction {
    /// The settings the action runs with.
    #[must_use]
    pub fn tool(&self) -> &ToolArgs {
        match self {
            Self::CreateUser { tool, .. } | Self::CreateClient { tool, .. } => tool,
        }
    }
}

fn parse_role(text: &str) -> Result<waymark_domain::identity::Role, String> {
    text.parse().map_err(|error: waymark_domain::identity::account::UnknownRole| error.to_string())
}

/// Every option of every command, once per long name: what `--help` documents and
/// what the environment can set.
#[must_use]
pub fn every_option() -> Vec<clap::Arg> {
    fn collect(command: &clap::Command, found: &mut Vec<clap::Arg>) {
        for argument in command.get_arguments() {
            let known = found.iter().any(|seen| seen.get_long() == argument.get_long());
            if argument.get_long().is_some() && !known {
                found.push(argument.clone());
            }
        }
        for subcommand in command.get_subcommands() {
            collect(subcommand, found);
        }
    }
    // Built, so flags carry their implicit defaults (`false` for a switch).
    let mut command = Cli::command();
    command.build();
    let mut found = Vec::new();
    collect(&command, &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn waymark_alone_serves_and_flags_before_a_subcommand_are_refused() {
        let alone = Cli::try_parse_from(["waymark", "--bind", "127.0.0.1:9001"]).unwrap();
        let Command::Serve(settings) = alone.into_command() else { panic!("waymark alone serves") };
        assert_eq!(settings.bind.port(), 9001);
        let serve = Cli::try_parse_from(["waymark", "serve", "--bind", "127.0.0.1:9002"]).unwrap();
        let Command::Serve(settings) = serve.into_command() else { panic!("waymark serve serves") };
        assert_eq!(settings.bind.port(), 9002);
        // It would otherwise be silently ignored: the subcommand has its own options.
        assert!(Cli::try_parse_from(["waymark", "--log", "warn", "migrate"]).is_err());
    }

    #[test]
    fn migrate_takes_its_options_with_or_without_an_action() {
        let parse = |arguments: &[&str]| {
            let Command::Migrate { action, migration } =
                Cli::try_parse_from(arguments).unwrap().into_command()
            else {
                panic!("{arguments:?} is a migrate command")
            };
            action.map_or((MigrateStep::Up, migration), MigrateAction::into_parts)
        };
        let (step, migration) = parse(&["waymark", "migrate", "--log", "warn"]);
        assert_eq!((step, migration.logging.log.as_str()), (MigrateStep::Up, "warn"));
        let (step, migration) =
            parse(&["waymark", "migrate", "down", "--steps", "2", "--log", "off"]);
        assert_eq!((step, migration.logging.log.as_str()), (MigrateStep::Down(2), "off"));
        // Migrations use one connection of their own: no pool settings.
        assert!(Cli::try_parse_from(["waymark", "migrate", "--db-max-connections", "3"]).is_err());
    }
}
