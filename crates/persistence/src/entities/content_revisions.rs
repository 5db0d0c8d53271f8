//! The `content_revisions` table: immutable copies of published text.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "content_revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub article_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: i32,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub body_markdown: String,
    pub topics: String,
    pub content_notes: String,
    pub author_name: String,
    pub source: String,
    pub licence: String,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
    pub published_at: DateTimeUtc,
}

super::without_relations!();
