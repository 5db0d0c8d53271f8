//! The `content_services` table (see migration `m20261125_000012`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "content_services")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub name_key: String,
    pub search_text: String,
    pub kind: String,
    pub description: String,
    pub channels: String,
    pub opening_hours: Option<String>,
    pub area: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub online_only: bool,
    pub cost: String,
    pub languages: String,
    pub eligibility: String,
    pub last_verified: Option<Date>,
    pub crisis_line: bool,
    pub country: Option<String>,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

super::without_relations!();
