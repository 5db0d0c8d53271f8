//! The `goal_supporters` table: which contacts support which goals.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal_supporters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub goal_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: Uuid,
    pub account_id: Uuid,
    pub role: String,
    pub created_at: DateTimeUtc,
}

super::without_relations!();
