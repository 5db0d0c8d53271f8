//! The `contacts` table (see migration `m20261125_000010`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    pub name_key: String,
    pub search_text: String,
    pub kind: String,
    pub organisation: String,
    pub channels: String,
    pub preferred_method: Option<String>,
    pub keep_in_touch_every_days: Option<i32>,
    pub last_contacted_set: Option<DateTimeUtc>,
    pub last_contacted_at: Option<DateTimeUtc>,
    pub due_at: Option<DateTimeUtc>,
    pub helpfulness: String,
    pub can_help_with: String,
    pub crisis_contact: bool,
    pub shared_with_services: bool,
    pub knows_about_my_health: String,
    pub notes: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

super::without_relations!();
