//! The content catalogue in `content_articles`, `content_revisions` and
//! `content_changes` (see migration `m20261125_000011`). Every write first takes the
//! lock of the one `content_feed` row, so writes run one at a time and the changes
//! feed is numbered in commit order.

mod changes;
mod revisions;
mod search;
mod services;

use async_trait::async_trait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use waymark_domain::content::ports::{
    ArticlePage, ArticlePosition, ArticleQuery, ArticleStore, ArticleWriteError,
};
use waymark_domain::content::{
    Article, ArticleChanges, ArticleId, ArticleKind, ArticleStatus, ArticleText, ArticleTitle,
    AuthorName, BodyMarkdown, ChangeKind, ContentNotes, Licence, Revision, Slug, Source, Summary,
    Topic,
};
use waymark_domain::identity::Locale;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;
use waymark_domain::webhooks::{Event, EventType};

use crate::entities::{content_articles, content_revisions};
use crate::error::{is_unique_violation, store_error};
use crate::paging::{Direction::Descending, keyset_page};
use crate::writes::{WriteTransaction, Writes};

use self::changes::{lock_feed, record_change};
use self::revisions::{record_revision, to_revision};
/// The content stores ([`ArticleStore`], [`ServiceStore`], [`ContentChanges`]) on
/// SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlContentStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
}

fn corrupt(what: &str, id: uuid::Uuid, field: &str) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("{what} {id} has an invalid {field}"))
}

/// `,a,b,`: one topic is then found with LIKE `%,a,%`.
fn topics_column(topics: &[Topic]) -> String {
    let names: Vec<&str> = topics.iter().map(|topic| topic.as_str()).collect();
    format!(",{},", names.join(","))
}

fn topics_of(column: &str) -> Option<Vec<Topic>> {
    column
        .split(',')
        .filter(|name| !name.is_empty())
        .map(|name| name.parse::<Topic>().ok())
        .collect()
}

/// The text columns, shared by articles and revisions.
struct TextColumns<'row> {
    kind: &'row str,
    title: &'row str,
    summary: &'row str,
    body_markdown: &'row str,
    topics: &'row str,
    content_notes: &'row str,
    author_name: &'row str,
    source: &'row str,
    licence: &'row str,
    last_reviewed: Option<chrono::NaiveDate>,
    next_review: Option<chrono::NaiveDate>,
}

impl TextColumns<'_> {
    fn text(&self, bad: impl Fn(&str) -> StoreError) -> Result<ArticleText, StoreError> {
        Ok(ArticleText {
            kind: self.kind.parse::<ArticleKind>().map_err(|_| bad("kind"))?,
            title: ArticleTitle::parse(self.title).map_err(|_| bad("title"))?,
            summary: Summary::parse(self.summary).map_err(|_| bad("summary"))?,
            body_markdown: BodyMarkdown::parse(self.body_markdown).map_err(|_| bad("body"))?,
            topics: topics_of(self.topics).ok_or_else(|| bad("topics"))?,
            content_notes: ContentNotes::parse(self.content_notes)
                .map_err(|_| bad("content_notes"))?,
            author_name: AuthorName::parse(self.author_name).map_err(|_| bad("author_name"))?,
            source: Source::parse(self.source).map_err(|_| bad("source"))?,
            licence: Licence::parse(self.licence).map_err(|_| bad("licence"))?,
            last_reviewed: self.last_reviewed,
            next_review: self.next_review,
        })
    }
}

fn to_article(row: &content_articles::Model) -> Result<Article, StoreError> {
    let bad = |field: &str| corrupt("article", row.id, field);
    let text = TextColumns {
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
    .text(bad)?;
    Ok(Article {
        id: ArticleId(row.id),
        locale: Locale::parse(&row.locale).map_err(|_| bad("locale"))?,
        slug: Slug::parse(&row.slug).map_err(|_| bad("slug"))?,
        text,
        status: row.status.parse::<ArticleStatus>().map_err(|_| bad("status"))?,
        published_at: row.published_at,
        revision: row.revision,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// Writes every text column of `text` into `row`.
fn set_text(row: &mut content_articles::ActiveModel, text: &ArticleText) {
    row.kind = Set(text.kind.as_str().to_owned());
    row.title = Set(text.title.as_str().to_owned());
    row.summary = Set(text.summary.as_str().to_owned());
    row.body_markdown = Set(text.body_markdown.as_str().to_owned());
    row.topics = Set(topics_column(&text.topics));
    row.content_notes = Set(text.content_notes.as_str().to_owned());
    row.author_name = Set(text.author_name.as_str().to_owned());
    row.source = Set(text.source.as_str().to_owned());
    row.licence = Set(text.licence.as_str().to_owned());
    row.last_reviewed = Set(text.last_reviewed);
    row.next_review = Set(text.next_review);
}

async fn row_at(
    connection: &impl ConnectionTrait,
    locale: &Locale,
    slug: &Slug,
) -> Result<Option<content_articles::Model>, StoreError> {
    content_articles::Entity::find()
        .filter(content_articles::Column::Locale.eq(locale.as_str()))
        .filter(content_articles::Column::Slug.eq(slug.as_str()))
        .one(connection)
        .await
        .map_err(store_error)
}

impl SqlContentStore {
    /// One locked write: runs `write` on the article at `locale`/`slug` after checking
    /// `expected_version`.
    async fn locked_article(
        &self,
        locale: &Locale,
        slug: &Slug,
        expected_version: Option<i64>,
    ) -> Result<(WriteTransaction, content_articles::Model), ArticleWriteError> {
        let transaction = self.writes.begin().await?;
        lock_feed(&transaction).await?;
        let row = row_at(&transaction, locale, slug).await?.ok_or(ArticleWriteError::NotFound)?;
        if expected_version.is_some_and(|expected| expected != row.version) {
            return Err(ArticleWriteError::PreconditionFailed);
        }
        Ok((transaction, row))
    }

    /// Writes `row`'s changes with a new version and answers the article.
    async fn save(
        transaction: &WriteTransaction,
        current: &content_articles::Model,
        mut update: content_articles::ActiveModel,
        now: Instant,
    ) -> Result<Article, StoreError> {
        update.version = Set(current.version + 1);
        update.updated_at = Set(now);
        content_articles::Entity::update_many()
            .set(update)
            .filter(content_articles::Column::Id.eq(current.id))
            .exec(transaction)
            .await
            .map_err(store_error)?;
        let row = content_articles::Entity::find_by_id(current.id)
            .one(transaction)
            .await
            .map_err(store_error)?
            .ok_or_else(|| corrupt("article", current.id, "row (it vanished while locked)"))?;
        to_article(&row)
    }
}

#[async_trait]
impl ArticleStore for SqlContentStore {
    async fn create_article(
        &self,
        locale: Locale,
        slug: Slug,
        text: ArticleText,
        now: Instant,
    ) -> Result<Article, ArticleWriteError> {
        let transaction = self.writes.begin().await?;
        lock_feed(&transaction).await?;
        let search_key = content_articles::Entity::find()
            .select_only()
            .column_as(content_articles::Column::SearchKey.max(), "largest")
            .into_tuple::<Option<i64>>()
            .one(&transaction)
            .await
            .map_err(store_error)?
            .flatten()
            .unwrap_or(0)
            + 1;
        let mut row = content_articles::ActiveModel {
            id: Set(waymark_domain::id::new_id()),
            search_key: Set(search_key),
            locale: Set(locale.as_str().to_owned()),
            slug: Set(slug.as_str().to_owned()),
            status: Set(ArticleStatus::Draft.as_str().to_owned()),
            published_at: Set(None),
            revision: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        set_text(&mut row, &text);
        let inserted = match content_articles::Entity::insert(row)
            .exec_with_returning(&transaction)
            .await
        {
            Ok(inserted) => inserted,
            Err(error) if is_unique_violation(&error) => return Err(ArticleWriteError::SlugTaken),
            Err(error) => return Err(store_error(error).into()),
        };
        transaction.commit().await?;
        Ok(to_article(&inserted)?)
    }

    async fn article(&self, locale: &Locale, slug: &Slug) -> Result<Option<Article>, StoreError> {
        self.article_for_update(locale, slug).await
    }

    async fn article_for_update(
        &self,
        locale: &Locale,
        slug: &Slug,
    ) -> Result<Option<Article>, StoreError> {
        row_at(&self.connection, locale, slug).await?.as_ref().map(to_article).transpose()
    }

    async fn articles(&self, query: ArticleQuery) -> Result<ArticlePage, StoreError> {
        if let Some(text) = query.search.clone() {
            return self.searched_page(&query, &text).await;
        }
        let mut select = content_articles::Entity::find();
        if !query.statuses.is_empty() {
            select = select.filter(
                content_articles::Column::Status
                    .is_in(query.statuses.iter().map(|status| status.as_str())),
            );
        }
        if let Some(locale) = &query.locale {
            select = select.filter(content_articles::Column::Locale.eq(locale.as_str()));
        }
        if let Some(kind) = query.kind {
            select = select.filter(content_articles::Column::Kind.eq(kind.as_str()));
        }
        if let Some(topic) = query.topic {
            select = select
                .filter(content_articles::Column::Topics.like(format!("%,{},%", topic.as_str())));
        }
        if let Some(by) = query.review_due_by {
            select = select.filter(content_articles::Column::NextReview.lte(by));
        }
        let after = match &query.after {
            None => None,
            Some(ArticlePosition::Updated { updated_at, id }) => {
                Some(((*updated_at).into(), (*id).into()))
            }
            Some(ArticlePosition::Ranked { .. }) => {
                return Err(StoreError::Unexpected(anyhow::anyhow!(
                    "a search position for the list by time"
                )));
            }
        };
        let columns = (content_articles::Column::UpdatedAt, content_articles::Column::Id);
        let (rows, has_more) =
            keyset_page(&self.connection, select, Descending, columns, after, query.limit).await?;
        Ok(ArticlePage {
            articles: rows
                .iter()
                .map(|row| to_article(row).map(|article| (article, None)))
                .collect::<Result<_, _>>()?,
            has_more,
        })
    }

    async fn update_article(
        &self,
        locale: &Locale,
        slug: &Slug,
        changes: ArticleChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Article, ArticleWriteError> {
        let (transaction, current) = self.locked_article(locale, slug, expected_version).await?;
        let text = changes.apply_to(&to_article(&current)?.text);
        let mut update = content_articles::ActiveModel::default();
        set_text(&mut update, &text);
        let live = current.status == ArticleStatus::Published.as_str();
        if live {
            update.revision = Set(current.revision + 1);
        }
        let article = Self::save(&transaction, &current, update, now).await?;
        if live {
            record_revision(&transaction, &article, now).await?;
            record_change(&transaction, &article, ChangeKind::Updated, now).await?;
        }
        transaction.commit().await?;
        Ok(article)
    }

    async fn set_article_status(
        &self,
        locale: &Locale,
        slug: &Slug,
        status: ArticleStatus,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Article, ArticleWriteError> {
        let (transaction, current) = self.locked_article(locale, slug, expected_version).await?;
        let from = current
            .status
            .parse::<ArticleStatus>()
            .map_err(|_| corrupt("article", current.id, "status"))?;
        let mut update = content_articles::ActiveModel {
            status: Set(status.as_str().to_owned()),
            ..Default::default()
        };
        let change = match (from, status) {
            (ArticleStatus::Draft | ArticleStatus::Archived, ArticleStatus::Published) => {
                update.revision = Set(current.revision + 1);
                if current.published_at.is_none() {
                    update.published_at = Set(Some(now));
                }
                ChangeKind::Published
            }
            (ArticleStatus::Published, ArticleStatus::Archived) => ChangeKind::Archived,
            _ => return Err(ArticleWriteError::WrongStatus),
        };
        let article = Self::save(&transaction, &current, update, now).await?;
        if change == ChangeKind::Published {
            record_revision(&transaction, &article, now).await?;
            let published = Event {
                id: uuid::Uuid::now_v7(),
                event_type: EventType::ContentArticlePublished,
                at: now,
                resource_type: "article",
                resource_id: current.id,
                version: Some(article.version),
                person: None,
            };
            crate::webhooks::enqueue(&transaction, None, &[published]).await?;
        }
        record_change(&transaction, &article, change, now).await?;
        transaction.commit().await?;
        Ok(article)
    }

    async fn delete_article(
        &self,
        locale: &Locale,
        slug: &Slug,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), ArticleWriteError> {
        let (transaction, current) = self.locked_article(locale, slug, expected_version).await?;
        let article = to_article(&current)?;
        content_articles::Entity::delete_by_id(current.id)
            .exec(&transaction)
            .await
            .map_err(store_error)?;
        if current.revision > 0 {
            record_change(&transaction, &article, ChangeKind::Deleted, now).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn revisions(
        &self,
        locale: &Locale,
        slug: &Slug,
    ) -> Result<Option<Vec<Revision>>, StoreError> {
        let Some(article) = row_at(&self.connection, locale, slug).await? else {
            return Ok(None);
        };
        content_revisions::Entity::find()
            .filter(content_revisions::Column::ArticleId.eq(article.id))
            .order_by_desc(content_revisions::Column::Number)
            .all(&self.connection)
            .await
            .map_err(store_error)?
            .iter()
            .map(to_revision)
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}
