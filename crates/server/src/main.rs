//! The `waymark` command: `serve` (default), `migrate up|down|status`, `openapi`,
//! `content seed|import|export`, `admin create-user|create-client`.
//! Bad settings print one line naming the setting and exit with status 2; failures
//! at run time print one line and exit with status 1. Nothing panics.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use waymark::cli::MigrateStep;
use waymark::{
    AdminAction, Application, Cli, Command, ContentAction, DatabaseArgs, MigrateAction, Settings,
};
use waymark_persistence::{CacheBudgets, Database};

const BAD_SETTING: u8 = 2;
const FAILED: u8 = 1;

fn main() -> ExitCode {
    let command = match Cli::try_parse() {
        Ok(cli) => cli.into_command(),
        Err(error) => return settings_error(&error),
    };
    // Each command checks the settings it takes, and logs as they say.
    let (checked, logging) = match &command {
        Command::Openapi => return print_openapi(),
        Command::Serve(settings) => (settings.check(), &settings.logging),
        Command::Migrate { action, migration } => {
            let migration = action.as_ref().map_or(migration, MigrateAction::migration);
            (migration.database.check(), &migration.logging)
        }
        Command::Admin { action } => (action.tool().check(), &action.tool().logging),
        Command::Content { action } => {
            let tool = &action.content_args().tool;
            (tool.check(), &tool.logging)
        }
    };
    if let Err(message) = checked {
        return fail(BAD_SETTING, &message);
    }
    if let Err(message) = waymark::telemetry::init(&logging.log, logging.log_format) {
        return fail(BAD_SETTING, &message);
    }
    log_panics();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            return fail(FAILED, &format!("could not start the async runtime: {error}"));
        }
    };
    runtime.block_on(async move {
        match command {
            Command::Openapi => print_openapi(),
            Command::Serve(settings) => serve(&settings).await,
            Command::Admin { action } => admin(action).await,
            Command::Content { action } => content(action).await,
            Command::Migrate { action, migration } => {
                let (step, migration) =
                    action.map_or((MigrateStep::Up, migration), MigrateAction::into_parts);
                migrate(&migration.database, step).await
            }
        }
    })
}

async fn serve(settings: &Settings) -> ExitCode {
    let application = match Application::build(settings).await {
        Ok(application) => application,
        Err(error) => return fail(FAILED, &error_chain(&error)),
    };
    tokio::spawn(stop_gracefully_on_signal(application.graceful_stop()));
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(FAILED, &format!("the server stopped with an error: {error}")),
    }
}

async fn migrate(settings: &DatabaseArgs, step: MigrateStep) -> ExitCode {
    let database = match Database::connect(&settings.for_migrations()).await {
        Ok(database) => database,
        Err(error) => return fail(FAILED, &error_chain(&error)),
    };
    let outcome = match step {
        MigrateStep::Up => {
            database.migrate_up().await.map(|()| "all migrations are applied".to_owned())
        }
        MigrateStep::Down(steps) => {
            database.migrate_down(steps).await.map(|()| format!("reverted {steps} migration(s)"))
        }
        MigrateStep::Status => database.migration_status().await.map(|migrations| {
            migrations
                .iter()
                .map(|migration| {
                    let state = if migration.applied { "applied" } else { "pending" };
                    format!("{state:8} {}", migration.name)
                })
                .collect::<Vec<_>>()
                .join("\n")
        }),
    };
    database.close().await;
    match outcome {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => fail(FAILED, &error_chain(&error)),
    }
}

/// SIGTERM (orchestrators) and SIGINT (Ctrl-C) both stop the server gracefully:
/// no new connections, in-flight requests finish within the shutdown grace.
/// (actix's own handler would treat SIGINT as an immediate stop.)
async fn stop_gracefully_on_signal(stop: waymark::application::GracefulStop) {
    let interrupted = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupted => tracing::info!("SIGINT received; stopping gracefully"),
                    _ = terminate.recv() => tracing::info!("SIGTERM received; stopping gracefully"),
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only SIGINT stops the server");
                let _ = interrupted.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupted.await;
        tracing::info!("interrupt received; stopping gracefully");
    }
    stop.stop().await;
}

async fn admin(action: AdminAction) -> ExitCode {
    let tool = action.tool();
    let database =
        match Database::connect(&tool.database.settings(&tool.pool, CacheBudgets::none())).await {
            Ok(database) => database,
            Err(error) => return fail(FAILED, &error_chain(&error)),
        };
    let outcome = match action {
        AdminAction::CreateUser { email, role, display_name, .. } => {
            match waymark::admin::read_password() {
                Ok(password) => waymark::admin::create_user(
                    &database,
                    &email,
                    role,
                    display_name.as_deref(),
                    &password,
                )
                .await
                .map(|id| format!("created account {id} with role {role}")),
                Err(error) => Err(error),
            }
        }
        AdminAction::CreateClient { name, scopes, kind, redirect_uris, first_party, .. } => {
            let arguments =
                waymark::admin::ClientArguments { name, kind, redirect_uris, first_party, scopes };
            waymark::admin::create_client(&database, arguments).await.map(|(id, secret)| match secret {
                Some(secret) => format!("client_id: {id}\nclient_secret: {secret}\n(the secret is shown only now; keep it safe)"),
                None => format!("client_id: {id}\n(a public client: it has no secret)"),
            })
        }
    };
    database.close().await;
    match outcome {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => fail(FAILED, &error.to_string()),
    }
}

async fn content(action: ContentAction) -> ExitCode {
    let settings = action.content_args().clone();
    let catalogue = match &action {
        ContentAction::Seed { .. } => waymark::catalogue::read(&waymark::catalogue::seed_files()),
        ContentAction::Import { dir, .. } => waymark::catalogue::read_dir(dir),
        ContentAction::Export { .. } => Ok(waymark::catalogue::Catalogue::default()),
    };
    let catalogue = match catalogue {
        Ok(catalogue) => catalogue,
        Err(problems) => {
            let mut stderr = std::io::stderr().lock();
            for problem in &problems {
                let _ = writeln!(stderr, "{problem}");
            }
            let _ = writeln!(stderr, "nothing was imported: {} problem(s)", problems.len());
            return ExitCode::from(FAILED);
        }
    };
    if !settings.no_migrate {
        let migrated = match Database::connect(&settings.tool.database.for_migrations()).await {
            Ok(migrator) => {
                let outcome = migrator.migrate_up().await;
                migrator.close().await;
                outcome
            }
            Err(error) => Err(error),
        };
        if let Err(error) = migrated {
            return fail(FAILED, &error_chain(&error));
        }
    }
    let database = match Database::connect(
        &settings.tool.database.settings(&settings.tool.pool, CacheBudgets::none()),
    )
    .await
    {
        Ok(database) => database,
        Err(error) => return fail(FAILED, &error_chain(&error)),
    };
    let ports = database.ports();
    let outcome = match action {
        ContentAction::Export { dir, .. } => {
            waymark::catalogue::export(&ports, &dir).await.map(|(articles, services)| {
                format!(
                    "exported {articles} article(s) and {services} service(s) to {}",
                    dir.display()
                )
            })
        }
        ContentAction::Seed { .. } | ContentAction::Import { .. } => {
            let mut progress = waymark::catalogue::Progress::on_stderr();
            waymark::catalogue::apply(&ports, &catalogue, |done, total| progress.show(done, total))
                .await
                .map(|summary| {
                    progress.finish();
                    format!(
                        "{} created, {} updated, {} unchanged",
                        summary.created, summary.updated, summary.unchanged
                    )
                })
                .map_err(|error| error.to_string())
        }
    };
    database.close().await;
    match outcome {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => fail(FAILED, &error),
    }
}

fn print_openapi() -> ExitCode {
    match waymark_http::openapi::openapi_json() {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => fail(FAILED, &format!("could not write the document: {error}")),
            }
        }
        Err(error) => fail(FAILED, &format!("could not render the OpenAPI document: {error}")),
    }
}

/// Help and version go to standard output with status 0; any other parse failure is
/// one line on standard error with status 2.
fn settings_error(error: &clap::Error) -> ExitCode {
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let rendered = error.render().to_string();
    let first_line = rendered
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ");
    if let Some(ContextValue::String(subcommand)) = error.get(ContextKind::InvalidSubcommand)
        && error.kind() == ErrorKind::ArgumentConflict
    {
        return fail(
            BAD_SETTING,
            &format!(
                "{first_line}: write settings after the subcommand (`waymark {subcommand} --help` lists them)"
            ),
        );
    }
    // An option this command does not take is not settable here, by flag or variable.
    let variable = match error.kind() {
        ErrorKind::UnknownArgument => None,
        _ => env_var_of(error),
    };
    match variable {
        Some(variable) => fail(BAD_SETTING, &format!("{first_line} (also settable as {variable})")),
        None => fail(BAD_SETTING, first_line),
    }
}

/// The environment variable behind the option a parse error is about, if any.
fn env_var_of(error: &clap::Error) -> Option<String> {
    let ContextValue::String(invalid) = error.get(ContextKind::InvalidArg)? else {
        return None;
    };
    let long = invalid.split_whitespace().next()?.trim_start_matches("--");
    waymark::cli::every_option()
        .into_iter()
        .find(|argument| argument.get_long() == Some(long))
        .and_then(|argument| argument.get_env().map(ToOwned::to_owned))
        .map(|variable| variable.to_string_lossy().into_owned())
}

/// Panics are bugs; log them as one structured line inside the request's span (so
/// with its request id) instead of the default multi-line stderr dump.
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|location| format!("{}:{}", location.file(), location.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(%location, %message, "panic");
    }));
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("waymark: {message}");
    ExitCode::from(code)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
