//! The `api_clients` table (see migrations `m20261125_000002` and `m20261206_000020`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub scopes: String,
    pub secret_digest: String,
    pub created_at: DateTimeUtc,
    pub kind: String,
    pub redirect_uris: String,
    pub first_party: bool,
    pub disabled_at: Option<DateTimeUtc>,
    pub updated_at: Option<DateTimeUtc>,
    pub version: i64,
}

super::without_relations!();
