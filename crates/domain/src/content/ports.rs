//! The storage ports of the content catalogue: articles (with their revisions),
//! services, and the public feed of changes to both.

use async_trait::async_trait;

use super::article::{
    Article, ArticleChanges, ArticleKind, ArticleStatus, ArticleText, Change, Revision, Slug, Topic,
};
use super::service::{BoundingBox, Service, ServiceDetails, ServiceKind};
use crate::identity::Locale;
use crate::ports::StoreError;
use crate::time::Instant;

/// Which articles to list.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleQuery {
    /// Only these statuses (the public sees `published` only).
    pub statuses: Vec<ArticleStatus>,
    /// Only this locale.
    pub locale: Option<Locale>,
    /// Only this kind.
    pub kind: Option<ArticleKind>,
    /// Only articles with this topic.
    pub topic: Option<Topic>,
    /// Only articles whose `next_review` is on or before this date.
    pub review_due_by: Option<chrono::NaiveDate>,
    /// Full-text search: best matches first (a title match ranks above a body match).
    pub search: Option<String>,
    /// Start after this position.
    pub after: Option<ArticlePosition>,
    /// At most this many.
    pub limit: u64,
}

/// Where a page of articles starts.
#[derive(Debug, Clone, PartialEq)]
pub enum ArticlePosition {
    /// After this article, newest change first.
    Updated {
        /// Its `updated_at`.
        updated_at: Instant,
        /// Its id.
        id: uuid::Uuid,
    },
    /// After this search hit, best first.
    Ranked {
        /// Its relevance (larger is better).
        rank: f64,
        /// Its id.
        id: uuid::Uuid,
    },
}

/// A page of articles, with each one's search relevance when searching.
#[derive(Debug, Clone)]
pub struct ArticlePage {
    /// The articles, with their rank when searching.
    pub articles: Vec<(Article, Option<f64>)>,
    /// Whether more follow.
    pub has_more: bool,
}

/// Why an article could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArticleWriteError {
    /// No such article.
    #[error("no such article")]
    NotFound,
    /// The locale has an article with that slug already.
    #[error("the slug is taken")]
    SlugTaken,
    /// It changed since the version the caller saw.
    #[error("the article has changed")]
    PreconditionFailed,
    /// The status change is not allowed from its status (such as archiving a draft).
    #[error("not allowed from its status")]
    WrongStatus,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The most services a directory query considers (the directory is small; open-now and
/// distance are judged in memory on these).
pub const MAX_SERVICES_CONSIDERED: u64 = 5000;

/// Which services to consider.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceQuery {
    /// Only these statuses.
    pub statuses: Vec<ArticleStatus>,
    /// Only this kind.
    pub kind: Option<ServiceKind>,
    /// Only those whose name, description or area contains this (any letter case).
    pub text: Option<String>,
    /// Only crisis lines.
    pub crisis_only: bool,
    /// Only those inside this box.
    pub within: Option<BoundingBox>,
}

/// Why a service could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ServiceWriteError {
    /// No such service.
    #[error("no such service")]
    NotFound,
    /// Another service has that slug.
    #[error("the slug is taken")]
    SlugTaken,
    /// It changed since the version the caller saw.
    #[error("the service has changed")]
    PreconditionFailed,
    /// Another change landed between the read a change was made against and its
    /// write, when the caller named no version; sending it again is safe.
    #[error("the service was changed by another request at the same time")]
    ChangedMeanwhile,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Articles and their revisions.
#[async_trait]
pub trait ArticleStore: Send + Sync + std::fmt::Debug {
    /// Creates a draft.
    ///
    /// # Errors
    /// [`ArticleWriteError::SlugTaken`] or a store error.
    async fn create_article(
        &self,
        locale: Locale,
        slug: Slug,
        text: ArticleText,
        now: Instant,
    ) -> Result<Article, ArticleWriteError>;

    /// The article at `locale`/`slug`, whatever its status.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn article(&self, locale: &Locale, slug: &Slug) -> Result<Option<Article>, StoreError>;

    /// The article at `locale`/`slug` as stored this moment, never from memory: what a
    /// write checks its preconditions and validation against.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn article_for_update(
        &self,
        locale: &Locale,
        slug: &Slug,
    ) -> Result<Option<Article>, StoreError> {
        self.article(locale, slug).await
    }

    /// A page of articles.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn articles(&self, query: ArticleQuery) -> Result<ArticlePage, StoreError>;

    /// Changes an article if it is still at `expected_version` (when given). A
    /// published article's change is live at once: it stores a revision and an
    /// `updated` entry in the changes feed.
    ///
    /// # Errors
    /// [`ArticleWriteError`].
    async fn update_article(
        &self,
        locale: &Locale,
        slug: &Slug,
        changes: ArticleChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Article, ArticleWriteError>;

    /// Moves an article to `status` (`published` or `archived`), storing a revision on
    /// publication and an entry in the changes feed.
    ///
    /// # Errors
    /// [`ArticleWriteError`].
    async fn set_article_status(
        &self,
        locale: &Locale,
        slug: &Slug,
        status: ArticleStatus,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Article, ArticleWriteError>;

    /// Deletes an article and its revisions; one that was ever public leaves a
    /// `deleted` entry in the changes feed.
    ///
    /// # Errors
    /// [`ArticleWriteError`].
    async fn delete_article(
        &self,
        locale: &Locale,
        slug: &Slug,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), ArticleWriteError>;

    /// An article's revisions, newest first; `None` when there is no such article.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn revisions(
        &self,
        locale: &Locale,
        slug: &Slug,
    ) -> Result<Option<Vec<Revision>>, StoreError>;
}

/// The public feed of changes to published content.
#[async_trait]
pub trait ContentChanges: Send + Sync + std::fmt::Debug {
    /// Entries of the changes feed after `after`, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn changes(&self, after: i64, limit: u64) -> Result<(Vec<Change>, bool), StoreError>;
}

/// Local and national support services, crisis lines among them.
#[async_trait]
pub trait ServiceStore: Send + Sync + std::fmt::Debug {
    /// Creates a service.
    ///
    /// # Errors
    /// [`ServiceWriteError::SlugTaken`] or a store error.
    async fn create_service(
        &self,
        slug: Slug,
        details: ServiceDetails,
        status: ArticleStatus,
        now: Instant,
    ) -> Result<Service, ServiceWriteError>;

    /// The service `slug`, whatever its status.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn service(&self, slug: &Slug) -> Result<Option<Service>, StoreError>;

    /// Every service the query allows (at most [`MAX_SERVICES_CONSIDERED`]), by name.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn services(&self, query: ServiceQuery) -> Result<Vec<Service>, StoreError>;

    /// Replaces a service's details and status if it is still at `expected_version`.
    ///
    /// # Errors
    /// [`ServiceWriteError`].
    async fn update_service(
        &self,
        slug: &Slug,
        details: ServiceDetails,
        status: ArticleStatus,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Service, ServiceWriteError>;

    /// Deletes a service.
    ///
    /// # Errors
    /// [`ServiceWriteError`].
    async fn delete_service(
        &self,
        slug: &Slug,
        expected_version: Option<i64>,
    ) -> Result<(), ServiceWriteError>;
}
