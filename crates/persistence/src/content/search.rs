//! Searching articles by their words: full-text search on PostgreSQL, FTS5 on SQLite,
//! each ranked and then filtered like any list.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement, Value,
};
use waymark_domain::content::ports::{ArticlePage, ArticlePosition, ArticleQuery};
use waymark_domain::ports::StoreError;

use crate::entities::content_articles;
use crate::error::store_error;

use super::{SqlContentStore, to_article};

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
    pub(super) async fn search(
        &self,
        query: &ArticleQuery,
        text: &str,
    ) -> Result<Vec<(uuid::Uuid, f64)>, StoreError> {
        let words = search_words(text);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let backend = self.connection.get_database_backend();
        let mut parameters = Parameters { backend, values: Vec::new() };
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
            let statuses: Vec<String> =
                query.statuses.iter().map(|status| parameters.add(status.as_str())).collect();
            filters.push(format!("status IN ({})", statuses.join(", ")));
        }
        if let Some(locale) = &query.locale {
            filters.push(format!("locale = {}", parameters.add(locale.as_str())));
        }
        if let Some(kind) = query.kind {
            filters.push(format!("kind = {}", parameters.add(kind.as_str())));
        }
        if let Some(topic) = query.topic {
            filters
                .push(format!("topics LIKE {}", parameters.add(format!("%,{},%", topic.as_str()))));
        }
        if let Some(by) = query.review_due_by {
            filters.push(format!("next_review <= {}", parameters.add(by)));
        }
        if let Some(ArticlePosition::Ranked { rank, id }) = &query.after {
            let below = parameters.add(*rank);
            let same = parameters.add(*rank);
            let after = parameters.add(*id);
            filters.push(format!("(rank < {below} OR (rank = {same} AND id > {after}))"));
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
            .query_all_raw(Statement::from_sql_and_values(backend, sql, parameters.values))
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

    pub(super) async fn searched_page(
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
}
