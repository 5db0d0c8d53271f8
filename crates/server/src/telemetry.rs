//! Logging, to standard error so it never mixes with a command's output: JSON lines
//! for collectors when standard error is not a terminal, readable lines when a person
//! is watching.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::settings::LogFormat;

/// actix-http's connection handler, which logs every request it cannot parse (a NUL
/// in a header, say) at ERROR before answering it 400. That is a client's mistake, and
/// anyone could flood the logs with it, so its lines are left out unless the filter
/// asks for them by name.
const CONNECTION_HANDLER: &str = "actix_http::h1::dispatcher";

/// Installs the global tracing subscriber.
///
/// # Errors
/// A one-line message when `filter` is not valid EnvFilter syntax.
pub fn init(filter: &str, format: LogFormat) -> Result<(), String> {
    let named = filter.contains("actix_http");
    let mut filter = EnvFilter::try_new(filter).map_err(|error| {
        format!("--log (WAYMARK_LOG) `{filter}` is not a valid log filter: {error}")
    })?;
    if !named && let Ok(quiet) = format!("{CONNECTION_HANDLER}=off").parse() {
        filter = filter.add_directive(quiet);
    }
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let installed = if json {
        builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init()
    } else {
        builder.try_init()
    };
    installed.map_err(|error| format!("logging could not be set up: {error}"))
}
