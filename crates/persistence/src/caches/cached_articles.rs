//! The article store with articles answered from [`ArticleCache`] when they can be.
//! Content is not personal data and has no journal: every article write forgets
//! every cached article once it is done, whether it succeeded or not (it may have
//! committed all the same). Other replicas hear of article writes from PostgreSQL.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use waymark_domain::content::ports::{ArticlePage, ArticleQuery, ArticleStore, ArticleWriteError};
use waymark_domain::content::{
    Article, ArticleChanges, ArticleStatus, ArticleText, Revision, Slug,
};
use waymark_domain::identity::Locale;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::caches::articles::ArticleCache;
use crate::content::SqlContentStore;

/// [`ArticleStore`] over SQL, remembering articles read by locale and slug.
#[derive(Debug, Clone)]
pub(crate) struct CachedArticleStore {
    pub(crate) inner: SqlContentStore,
    pub(crate) cache: Arc<ArticleCache>,
}

impl CachedArticleStore {
    /// Runs the article write `write`, then forgets every cached article, even if the
    /// write is abandoned part-way.
    async fn forgetting<T>(&self, write: impl Future<Output = T>) -> T {
        let _forget = self.cache.forget_on_drop(());
        write.await
    }
}

#[async_trait]
impl ArticleStore for CachedArticleStore {
    async fn create_article(
        &self,
        locale: Locale,
        slug: Slug,
        text: ArticleText,
        now: Instant,
    ) -> Result<Article, ArticleWriteError> {
        self.forgetting(self.inner.create_article(locale, slug, text, now)).await
    }

    async fn article(&self, locale: &Locale, slug: &Slug) -> Result<Option<Article>, StoreError> {
        let key = (locale.as_str().to_owned(), slug.as_str().to_owned());
        if let Some(article) = self.cache.get((), &key) {
            return Ok(Some(article));
        }
        let ticket = self.cache.ticket(());
        let article = self.inner.article(locale, slug).await?;
        if let Some(article) = &article {
            self.cache.store(ticket, key, article.clone());
        }
        Ok(article)
    }

    async fn article_for_update(
        &self,
        locale: &Locale,
        slug: &Slug,
    ) -> Result<Option<Article>, StoreError> {
        self.inner.article_for_update(locale, slug).await
    }

    async fn articles(&self, query: ArticleQuery) -> Result<ArticlePage, StoreError> {
        self.inner.articles(query).await
    }

    async fn update_article(
        &self,
        locale: &Locale,
        slug: &Slug,
        changes: ArticleChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Article, ArticleWriteError> {
        self.forgetting(self.inner.update_article(locale, slug, changes, expected_version, now))
            .await
    }

    async fn set_article_status(
        &self,
        locale: &Locale,
        slug: &Slug,
        status: ArticleStatus,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Article, ArticleWriteError> {
        self.forgetting(self.inner.set_article_status(locale, slug, status, expected_version, now))
            .await
    }

    async fn delete_article(
        &self,
        locale: &Locale,
        slug: &Slug,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), ArticleWriteError> {
        self.forgetting(self.inner.delete_article(locale, slug, expected_version, now)).await
    }

    async fn revisions(
        &self,
        locale: &Locale,
        slug: &Slug,
    ) -> Result<Option<Vec<Revision>>, StoreError> {
        self.inner.revisions(locale, slug).await
    }
}
