//! The `webhook_attempts` table, each subscription's delivery log (see migration
//! `m20261207_000033`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub message_id: Uuid,
    pub subscription_id: Uuid,
    pub event_type: String,
    pub attempted_at: DateTimeUtc,
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

super::without_relations!();
