//! The `contact_interactions` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_interactions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub contact_id: Uuid,
    pub account_id: Uuid,
    pub at: DateTimeUtc,
    pub method: String,
    pub note: String,
    pub felt: Option<String>,
    pub created_at: DateTimeUtc,
}

super::without_relations!();
