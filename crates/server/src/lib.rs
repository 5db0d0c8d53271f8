//! The Waymark server: settings, logging, start-up and the wiring that connects the
//! HTTP adapter to the storage adapter. The only crate that knows every other one.

pub mod application;
pub mod duration;
pub mod settings;
pub mod telemetry;

pub use application::{Application, StartupError};
pub use settings::{Cli, Command, LogFormat, MigrateAction, Settings};
