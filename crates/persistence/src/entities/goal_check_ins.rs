//! The `goal_check_ins` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal_check_ins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub goal_id: Uuid,
    pub account_id: Uuid,
    pub note: String,
    pub progress: Option<i16>,
    pub feeling: Option<String>,
    pub setback: bool,
    pub created_at: DateTimeUtc,
}

super::without_relations!();
