//! The `goals` table. `title_search` is the title lower-cased in Rust, so a
//! case-insensitive search behaves the same on SQLite and PostgreSQL.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub title: String,
    pub title_search: String,
    pub why: String,
    pub area: String,
    pub target_date: Option<Date>,
    pub status: String,
    pub status_changed_at: DateTimeUtc,
    pub needs_support: bool,
    pub support_notes: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
    pub steps_total: i32,
    pub steps_done: i32,
    pub last_check_in_at: Option<DateTimeUtc>,
    /// The supporters' contact ids, comma-separated, oldest link first.
    pub supporter_ids: String,
}

super::without_relations!();
