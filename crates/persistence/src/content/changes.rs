//! The public feed of content changes, in `content_changes`, numbered by the one row of
//! `content_feed`, whose lock also makes content writes take turns.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use waymark_domain::content::ports::ContentChanges;
use waymark_domain::content::{Article, ArticleId, Change, ChangeKind, Slug};
use waymark_domain::identity::Locale;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{content_changes, content_feed};
use crate::error::store_error;
use crate::writes::WriteTransaction;

use super::{SqlContentStore, corrupt};

pub(super) fn to_change(row: &content_changes::Model) -> Result<Change, StoreError> {
    let bad = |field: &str| corrupt("change of article", row.article_id, field);
    Ok(Change {
        sequence: row.sequence,
        article_id: ArticleId(row.article_id),
        locale: Locale::parse(&row.locale).map_err(|_| bad("locale"))?,
        slug: Slug::parse(&row.slug).map_err(|_| bad("slug"))?,
        kind: row.kind.parse::<ChangeKind>().map_err(|_| bad("kind"))?,
        at: row.at,
    })
}

/// Takes the feed row's lock: from here on this transaction is the only content writer.
pub(super) async fn lock_feed(transaction: &WriteTransaction) -> Result<(), StoreError> {
    content_feed::Entity::update_many()
        .col_expr(content_feed::Column::LastSequence, Expr::col(content_feed::Column::LastSequence))
        .filter(content_feed::Column::Id.eq(1))
        .exec(transaction)
        .await
        .map(|_| ())
        .map_err(store_error)
}

/// Appends an entry to the changes feed (the feed lock must be held).
pub(super) async fn record_change(
    transaction: &WriteTransaction,
    article: &Article,
    kind: ChangeKind,
    now: Instant,
) -> Result<(), StoreError> {
    content_feed::Entity::update_many()
        .col_expr(
            content_feed::Column::LastSequence,
            Expr::col(content_feed::Column::LastSequence).add(1),
        )
        .filter(content_feed::Column::Id.eq(1))
        .exec(transaction)
        .await
        .map_err(store_error)?;
    let sequence = content_feed::Entity::find_by_id(1)
        .one(transaction)
        .await
        .map_err(store_error)?
        .map(|feed| feed.last_sequence)
        .ok_or_else(|| {
            StoreError::Unexpected(anyhow::anyhow!("the content_feed row is missing"))
        })?;
    content_changes::Entity::insert(content_changes::ActiveModel {
        sequence: Set(sequence),
        article_id: Set(article.id.0),
        locale: Set(article.locale.as_str().to_owned()),
        slug: Set(article.slug.as_str().to_owned()),
        kind: Set(kind.as_str().to_owned()),
        at: Set(now),
    })
    .exec(transaction)
    .await
    .map(|_| ())
    .map_err(store_error)
}

#[async_trait]
impl ContentChanges for SqlContentStore {
    async fn changes(&self, after: i64, limit: u64) -> Result<(Vec<Change>, bool), StoreError> {
        let mut rows = content_changes::Entity::find()
            .filter(content_changes::Column::Sequence.gt(after))
            .order_by_asc(content_changes::Column::Sequence)
            .limit(limit.saturating_add(1))
            .all(&self.connection)
            .await
            .map_err(store_error)?;
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        Ok((rows.iter().map(to_change).collect::<Result<_, _>>()?, has_more))
    }
}
