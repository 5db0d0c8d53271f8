//! The `routines` table (the schedule in columns; see migration `m20261125_000007`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "routines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub title: String,
    pub category: String,
    pub notes: String,
    pub goal_id: Option<Uuid>,
    pub active: bool,
    pub reminder_minutes_before: Option<i32>,
    pub schedule_kind: String,
    pub weekdays: i32,
    pub schedule_number: i32,
    pub times: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub time_zone: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

super::without_relations!();
