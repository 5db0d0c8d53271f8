//! The Waymark server: settings, logging, start-up and the wiring that connects the
//! HTTP adapter to the storage adapter. The only crate that knows every other one.

// Unit tests may fail loudly; production code may not (see [workspace.lints]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod admin;
pub mod application;
pub mod catalogue;
pub mod cli;
pub mod duration;
pub mod settings;
pub mod signing_keys;
pub mod telemetry;
pub mod webhook_sender;
mod webhook_worker;

pub use application::{Application, StartupError};
pub use cli::{AdminAction, Cli, Command, ContentAction, MigrateAction, MigrateArgs, ToolArgs};
pub use settings::{DatabaseArgs, LogArgs, LogFormat, PoolArgs, Settings};
