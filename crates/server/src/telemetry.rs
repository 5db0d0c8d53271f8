//! Logging, to standard error so it never mixes with a command's output: JSON lines
//! for collectors when standard error is not a terminal, readable lines when a person
//! is watching.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::settings::LogFormat;

/// Installs the global tracing subscriber.
///
/// # Errors
/// A one-line message when `filter` is not valid EnvFilter syntax.
pub fn init(filter: &str, format: LogFormat) -> Result<(), String> {
    let filter = EnvFilter::try_new(filter).map_err(|error| {
        format!("--log (WAYMARK_LOG) `{filter}` is not a valid log filter: {error}")
    })?;
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
    installed.map_err(|error| format!("logging could not be set up: {error}"))
}
