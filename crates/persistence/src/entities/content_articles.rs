//! The `content_articles` table (see migration `m20261125_000011`). The search column
//! or table is maintained by the database and not mapped here.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content_articles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub search_key: i64,
    pub locale: String,
    pub slug: String,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub body_markdown: String,
    pub topics: String,
    pub content_notes: String,
    pub author_name: String,
    pub source: String,
    pub licence: String,
    pub status: String,
    pub published_at: Option<DateTimeUtc>,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
    pub revision: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

super::without_relations!();
