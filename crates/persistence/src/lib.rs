//! Waymark's storage adapter. It owns every sea-orm type: connections, entities and
//! repositories, and hands the rest of the system domain values and domain errors only.

mod database;
mod health;
mod settings;
mod sqlite_path;

pub use database::{Backend, Database, DatabaseError, MigrationState};
pub use settings::DatabaseSettings;
