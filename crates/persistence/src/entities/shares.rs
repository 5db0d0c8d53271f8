//! The `shares` table (see migration `m20261207_000029`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shares")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub contact_id: Uuid,
    /// Which goals, as JSON (`persistence/src/sharing/terms.rs`).
    pub goals: String,
    pub routines_summary: bool,
    pub encouragement_allowed: bool,
    pub paused: bool,
    pub expires_at: Option<DateTimeUtc>,
    pub invitation_digest: Option<String>,
    pub invitation_expires_at: DateTimeUtc,
    pub supporter_account_id: Option<Uuid>,
    pub accepted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

super::without_relations!();
