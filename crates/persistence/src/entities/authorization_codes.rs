//! The `authorization_codes` table (see migration `m20261206_000021`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authorization_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub digest: String,
    pub client_id: Uuid,
    pub account_id: Uuid,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scopes: String,
    pub token_epoch: i64,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub grant_id: Option<Uuid>,
}

super::without_relations!();
