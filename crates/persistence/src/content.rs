//! The content catalogue in `content_articles`, `content_revisions` and
//! `content_changes` (see migration `m20261125_000011`). Every write first takes the
//! lock of the one `content_feed` row, so writes run one at a time and the changes
//! feed is numbered in commit order.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement, Value,
};
use waymark_domain::content::ports::{
    ArticlePage, ArticlePosition, ArticleQuery, ArticleWriteError, ContentStore, ServiceQuery,
    ServiceWriteError,
};
use waymark_domain::content::service::{Service, ServiceDetails};
use waymark_domain::content::{
    Article, ArticleChanges, ArticleId, ArticleKind, ArticleStatus, ArticleText, ArticleTitle,
    AuthorName, BodyMarkdown, Change, ChangeKind, ContentNotes, Licence, Revision, Slug, Source,
    Summary, Topic,
};
use waymark_domain::identity::Locale;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{content_articles, content_changes, content_feed, content_revisions};
use crate::error::{is_unique_violation, store_error};
use crate::writes::{WriteTransaction, Writes};

/// [`ContentStore`] on SQLite or PostgreSQL.
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
        status: row
            .status
            .parse::<ArticleStatus>()
            .map_err(|_| bad("status"))?,
        published_at: row.published_at,
        revision: row.revision,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn to_revision(row: &content_revisions::Model) -> Result<Revision, StoreError> {
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

fn to_change(row: &content_changes::Model) -> Result<Change, StoreError> {
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

/// Takes the feed row's lock: from here on this transaction is the only content writer.
async fn lock_feed(transaction: &WriteTransaction) -> Result<(), StoreError> {
    content_feed::Entity::update_many()
        .col_expr(
            content_feed::Column::LastSequence,
            Expr::col(content_feed::Column::LastSequence),
        )
        .filter(content_feed::Column::Id.eq(1))
        .exec(transaction)
        .await
        .map(|_| ())
        .map_err(store_error)
}

/// Appends an entry to the changes feed (the feed lock must be held).
async fn record_change(
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

/// Stores the article's current text as revision `number`.
async fn record_revision(
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

/// The words of a search, each quoted, so that no operator of either database's
/// query language can be smuggled in. Empty when there is no word.
fn search_words(text: &str) -> String {
    text.split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(16)
        .map(|word| format!("\"{}\"", word.to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Placeholders and values of a statement for either backend.
struct Parameters {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Parameters {
    fn add(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }
}

impl SqlContentStore {
    /// Ids and ranks of the best search hits that pass the query's filters.
    async fn search(
        &self,
        query: &ArticleQuery,
        text: &str,
    ) -> Result<Vec<(uuid::Uuid, f64)>, StoreError> {
        let words = search_words(text);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let backend = self.connection.get_database_backend();
        let mut parameters = Parameters {
            backend,
            values: Vec::new(),
        };
        let hits = match backend {
            DatabaseBackend::Postgres => {
                let words = parameters.add(words);
                format!(
                    "SELECT a.id, ts_rank(a.search_vector, q)::float8 AS rank, a.status, a.locale, a.kind, a.topics, a.next_review \
                     FROM content_articles a, websearch_to_tsquery('english', {words}) q WHERE a.search_vector @@ q"
                )
            }
            _ => {
                let words = parameters.add(words);
                format!(
                    "SELECT a.id, -bm25(content_articles_fts, 10.0, 4.0, 1.0) AS rank, a.status, a.locale, a.kind, a.topics, a.next_review \
                     FROM content_articles_fts JOIN content_articles a ON a.search_key = content_articles_fts.rowid \
                     WHERE content_articles_fts MATCH {words}"
                )
            }
        };
        let mut filters: Vec<String> = Vec::new();
        if !query.statuses.is_empty() {
            let statuses: Vec<String> = query
                .statuses
                .iter()
                .map(|status| parameters.add(status.as_str()))
                .collect();
            filters.push(format!("status IN ({})", statuses.join(", ")));
        }
        if let Some(locale) = &query.locale {
            filters.push(format!("locale = {}", parameters.add(locale.as_str())));
        }
        if let Some(kind) = query.kind {
            filters.push(format!("kind = {}", parameters.add(kind.as_str())));
        }
        if let Some(topic) = query.topic {
            filters.push(format!(
                "topics LIKE {}",
                parameters.add(format!("%,{},%", topic.as_str()))
            ));
        }
        if let Some(by) = query.review_due_by {
            filters.push(format!("next_review <= {}", parameters.add(by)));
        }
        if let Some(ArticlePosition::Ranked { rank, id }) = &query.after {
            let below = parameters.add(*rank);
            let same = parameters.add(*rank);
            let after = parameters.add(*id);
            filters.push(format!(
                "(rank < {below} OR (rank = {same} AND id > {after}))"
            ));
        }
        let limit =
            parameters.add(i64::try_from(query.limit.saturating_add(1)).unwrap_or(i64::MAX));
        let condition = if filters.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", filters.join(" AND "))
        };
        let sql = format!(
            "SELECT id, rank FROM ({hits}) hits {condition} ORDER BY rank DESC, id ASC LIMIT {limit}"
        );
        let rows = self
            .connection
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                parameters.values,
            ))
            .await
            .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get::<uuid::Uuid>("", "id").map_err(store_error)?,
                    row.try_get::<f64>("", "rank").map_err(store_error)?,
                ))
            })
            .collect()
    }

    async fn searched_page(
        &self,
        query: &ArticleQuery,
        text: &str,
    ) -> Result<ArticlePage, StoreError> {
        let mut hits = self.search(query, text).await?;
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let has_more = hits.len() > limit;
        hits.truncate(limit);
        let rows = content_articles::Entity::find()
            .filter(content_articles::Column::Id.is_in(hits.iter().map(|(id, _)| *id)))
            .all(&self.connection)
            .await
            .map_err(store_error)?;
        let mut articles = Vec::with_capacity(hits.len());
        for (id, rank) in hits {
            if let Some(row) = rows.iter().find(|row| row.id == id) {
                articles.push((to_article(row)?, Some(rank)));
            }
        }
        Ok(ArticlePage { articles, has_more })
    }

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
        let row = row_at(&transaction, locale, slug)
            .await?
            .ok_or(ArticleWriteError::NotFound)?;
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
impl ContentStore for SqlContentStore {
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
        row_at(&self.connection, locale, slug)
            .await?
            .as_ref()
            .map(to_article)
            .transpose()
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
        if let Some(ArticlePosition::Updated { updated_at, id }) = &query.after {
            select = select.filter(
                Condition::any()
                    .add(content_articles::Column::UpdatedAt.lt(*updated_at))
                    .add(
                        Condition::all()
                            .add(content_articles::Column::UpdatedAt.eq(*updated_at))
                            .add(content_articles::Column::Id.lt(*id)),
                    ),
            );
        }
        let mut rows = select
            .order_by_desc(content_articles::Column::UpdatedAt)
            .order_by_desc(content_articles::Column::Id)
            .limit(query.limit.saturating_add(1))
            .all(&self.connection)
            .await
            .map_err(store_error)?;
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
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
        Ok((
            rows.iter().map(to_change).collect::<Result<_, _>>()?,
            has_more,
        ))
    }

    async fn create_service(
        &self,
        slug: Slug,
        details: ServiceDetails,
        status: ArticleStatus,
        now: Instant,
    ) -> Result<Service, ServiceWriteError> {
        crate::content_services::create(&self.connection, slug, details, status, now).await
    }

    async fn service(&self, slug: &Slug) -> Result<Option<Service>, StoreError> {
        crate::content_services::get(&self.connection, slug).await
    }

    async fn services(&self, query: ServiceQuery) -> Result<Vec<Service>, StoreError> {
        crate::content_services::list(&self.connection, query).await
    }

    async fn update_service(
        &self,
        slug: &Slug,
        details: ServiceDetails,
        status: ArticleStatus,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Service, ServiceWriteError> {
        crate::content_services::update(
            &self.connection,
            slug,
            details,
            status,
            expected_version,
            now,
        )
        .await
    }

    async fn delete_service(
        &self,
        slug: &Slug,
        expected_version: Option<i64>,
    ) -> Result<(), ServiceWriteError> {
        crate::content_services::delete(&self.connection, slug, expected_version).await
    }
}
