//! The `routine_pauses` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "routine_pauses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub routine_id: Uuid,
    pub account_id: Uuid,
    pub paused_on: Date,
    pub resumed_on: Option<Date>,
}

super::without_relations!();
