//! An article's revisions, in `content_revisions`: the text of every publication.

use sea_orm::{ActiveValue::Set, EntityTrait};
use waymark_domain::content::{Article, ArticleId, Revision};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::content_revisions;
use crate::error::store_error;
use crate::writes::WriteTransaction;

use super::{TextColumns, corrupt, topics_column};

pub(super) fn to_revision(row: &content_revisions::Model) -> Result<Revision, StoreError> {
    let bad = |field: &str| corrupt("revision of article", row.article_id, field);
    Ok(Revision {
        article_id: ArticleId(row.article_id),
        number: row.number,
        text: TextColumns {
            kind: &row.kind,
            title: &row.title,
            summary: &row.summary,
            body_markdown: &row.body_markdown,
            topics: &row.topics,
            content_notes: &row.content_notes,
            author_name: &row.author_name,
            source: &row.source,
            licence: &row.licence,
            last_reviewed: row.last_reviewed,
            next_review: row.next_review,
        }
        .text(bad)?,
        published_at: row.published_at,
    })
}

/// Stores the article's current text as revision `number`.
pub(super) async fn record_revision(
    transaction: &WriteTransaction,
    article: &Article,
    now: Instant,
) -> Result<(), StoreError> {
    let text = &article.text;
    content_revisions::Entity::insert(content_revisions::ActiveModel {
        article_id: Set(article.id.0),
        number: Set(article.revision),
        kind: Set(text.kind.as_str().to_owned()),
        title: Set(text.title.as_str().to_owned()),
        summary: Set(text.summary.as_str().to_owned()),
        body_markdown: Set(text.body_markdown.as_str().to_owned()),
        topics: Set(topics_column(&text.topics)),
        content_notes: Set(text.content_notes.as_str().to_owned()),
        author_name: Set(text.author_name.as_str().to_owned()),
        source: Set(text.source.as_str().to_owned()),
        licence: Set(text.licence.as_str().to_owned()),
        last_reviewed: Set(text.last_reviewed),
        next_review: Set(text.next_review),
        published_at: Set(now),
    })
    .exec(transaction)
    .await
    .map(|_| ())
    .map_err(store_error)
}
