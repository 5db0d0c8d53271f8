//! The `consents` table (see migration `m20261206_000021`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: Uuid,
    pub scopes: String,
    pub granted_at: DateTimeUtc,
    pub grant_id: Uuid,
}

super::without_relations!();
