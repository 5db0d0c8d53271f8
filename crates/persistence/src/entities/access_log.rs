//! The `access_log` table (see migration `m20261207_000022`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub accessor_kind: String,
    pub client_id: Option<Uuid>,
    pub accessor_account_id: Option<Uuid>,
    pub operation: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub status: i32,
}

super::without_relations!();
