//! The `change_journal` table: one row per change to a person's data, numbered per
//! person when first read (`sequence` is null until then).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_journal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: Uuid,
    pub sequence: Option<i64>,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub kind: String,
    pub version: Option<i64>,
    pub actor_kind: String,
    pub actor_id: Uuid,
    pub at: DateTimeUtc,
}

super::without_relations!();
