//! Waymark's storage adapter. It owns every sea-orm type: connections, entities and
//! repositories, and hands the rest of the system domain values and domain errors only.

// Unit tests may fail loudly; production code may not (see [workspace.lints]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod access_log;
mod caches;
mod change_notices;
mod contacts;
mod content;

mod database;
mod entities;
mod error;
mod export;
mod goal_parts;
mod goals;
mod health;
mod housekeeping;
mod idempotency;
mod identity;
mod journal;
mod like;
mod owned;
mod paging;
mod routines;
mod settings;
mod sharing;
mod sqlite_path;
mod sync;
mod webhooks;
mod writes;

pub use caches::personal::PersonalStamps;
pub use database::{Backend, Database, DatabaseError, MigrationState};
pub use housekeeping::{Retention, Swept};
pub use settings::{CacheBudgets, DatabaseSettings};
