//! The `content_changes` table: the feed partners mirror the catalogue from.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sequence: i64,
    pub article_id: Uuid,
    pub locale: String,
    pub slug: String,
    pub kind: String,
    pub at: DateTimeUtc,
}

super::without_relations!();
