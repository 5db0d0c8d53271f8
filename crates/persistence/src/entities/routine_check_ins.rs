//! The `routine_check_ins` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "routine_check_ins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub routine_id: Uuid,
    pub account_id: Uuid,
    pub occurrence_date: Date,
    /// `HH:MM`, or empty for routines without times of day.
    pub occurrence_time: String,
    pub status: String,
    pub note: String,
    pub feeling: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

super::without_relations!();
