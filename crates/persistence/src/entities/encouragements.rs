//! The `encouragements` table (see migration `m20261207_000029`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "encouragements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub goal_id: Uuid,
    pub share_id: Option<Uuid>,
    pub supporter_account_id: Uuid,
    pub message: String,
    pub hidden: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

super::without_relations!();
