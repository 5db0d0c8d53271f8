//! The `refresh_tokens` table: digests of refresh tokens, grouped in families that
//! descend from one sign-in.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub family_id: Uuid,
    pub account_id: Uuid,
    pub client_id: Option<Uuid>,
    pub digest: String,
    pub scopes: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub spent_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub token_epoch: i64,
    pub grant_id: Option<Uuid>,
}

super::without_relations!();
