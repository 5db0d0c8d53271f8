//! The content catalogue's articles and stories: written as drafts by editors,
//! published, changed, archived and deleted. The public reads only what is published.

use waymark_domain::content::draft::ArticleDraft;
use waymark_domain::content::ports::{ArticlePage, ArticleQuery, ArticleWriteError};
use waymark_domain::content::{Article, ArticleChanges, ArticleStatus, Change, Revision, Slug};
use waymark_domain::identity::Locale;
use waymark_domain::ports::StoragePorts;
use waymark_domain::precondition::Precondition;
use waymark_domain::time::Instant;
use waymark_domain::validation::Problem;

use crate::failure::Failure;
use crate::preconditions::expected_version;

/// Why an article operation did not happen.
pub type ArticleFailure = Failure<ArticleWriteError>;

/// Where an article lives: its locale and slug, which never change.
pub type ArticleAddress<'a> = (&'a Locale, &'a Slug);

/// What an editor sent to change an article, parsed against the article as it is
/// (its review dates must stay in order).
pub trait ArticleEdit {
    /// The changes, or every problem with them.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self, current: &Article) -> Result<ArticleChanges, Vec<Problem>>;
}

/// An article as its reader may see it: a published one for anyone, any for an
/// editor.
///
/// # Errors
/// [`ArticleWriteError::NotFound`] for no such article, or one the reader may not see.
pub async fn read(
    ports: &StoragePorts,
    (locale, slug): ArticleAddress<'_>,
    editor: bool,
) -> Result<Article, ArticleFailure> {
    ports
        .articles
        .article(locale, slug)
        .await?
        .filter(|article| editor || article.status == ArticleStatus::Published)
        .ok_or(Failure::Refused(ArticleWriteError::NotFound))
}

/// The article as stored this moment, for a write's precondition and checks.
async fn current(
    ports: &StoragePorts,
    (locale, slug): ArticleAddress<'_>,
) -> Result<Article, ArticleFailure> {
    ports
        .articles
        .article_for_update(locale, slug)
        .await?
        .ok_or(Failure::Refused(ArticleWriteError::NotFound))
}

/// Writes a new article or story, as a draft.
///
/// # Errors
/// [`Failure::Invalid`], or [`ArticleWriteError::SlugTaken`].
pub async fn create(
    ports: &StoragePorts,
    now: Instant,
    draft: &ArticleDraft,
) -> Result<Article, ArticleFailure> {
    let checked = draft.check().map_err(Failure::Invalid)?;
    ports
        .articles
        .create_article(checked.locale, checked.slug, checked.text, now)
        .await
        .map_err(Failure::Refused)
}

/// Changes an article, if it is still at a version `seen` names; a published one's
/// change is live at once, with a new revision.
///
/// # Errors
/// [`ArticleWriteError::NotFound`], [`ArticleWriteError::PreconditionFailed`] or
/// [`Failure::Invalid`].
pub async fn update(
    ports: &StoragePorts,
    now: Instant,
    address: ArticleAddress<'_>,
    seen: &Precondition,
    edit: impl ArticleEdit,
) -> Result<Article, ArticleFailure> {
    let current = current(ports, address).await?;
    let expected = seen.expected(current.version)?;
    let changes = edit.parse(&current).map_err(Failure::Invalid)?;
    let (locale, slug) = address;
    ports
        .articles
        .update_article(locale, slug, changes, expected, now)
        .await
        .map_err(Failure::Refused)
}

/// Moves an article to `status`: published (from a draft or archived) or archived
/// (from published), if it is still at a version `seen` names.
///
/// # Errors
/// [`ArticleWriteError::NotFound`], [`ArticleWriteError::PreconditionFailed`] or
/// [`ArticleWriteError::WrongStatus`].
pub async fn move_to(
    ports: &StoragePorts,
    now: Instant,
    address: ArticleAddress<'_>,
    seen: &Precondition,
    status: ArticleStatus,
) -> Result<Article, ArticleFailure> {
    let expected =
        expected_version(seen, current(ports, address), |article| article.version).await?;
    let (locale, slug) = address;
    ports
        .articles
        .set_article_status(locale, slug, status, expected, now)
        .await
        .map_err(Failure::Refused)
}

/// Deletes an article and its revisions, if it is still at a version `seen` names.
///
/// # Errors
/// [`ArticleWriteError::NotFound`] or [`ArticleWriteError::PreconditionFailed`].
pub async fn delete(
    ports: &StoragePorts,
    now: Instant,
    address: ArticleAddress<'_>,
    seen: &Precondition,
) -> Result<(), ArticleFailure> {
    let expected =
        expected_version(seen, current(ports, address), |article| article.version).await?;
    let (locale, slug) = address;
    ports.articles.delete_article(locale, slug, expected, now).await.map_err(Failure::Refused)
}

/// An article's published revisions, newest first.
///
/// # Errors
/// [`ArticleWriteError::NotFound`].
pub async fn revisions(
    ports: &StoragePorts,
    (locale, slug): ArticleAddress<'_>,
) -> Result<Vec<Revision>, ArticleFailure> {
    ports
        .articles
        .revisions(locale, slug)
        .await?
        .ok_or(Failure::Refused(ArticleWriteError::NotFound))
}

/// One published revision of an article, by number.
///
/// # Errors
/// [`ArticleWriteError::NotFound`].
pub async fn revision(
    ports: &StoragePorts,
    address: ArticleAddress<'_>,
    number: i32,
) -> Result<Revision, ArticleFailure> {
    revisions(ports, address)
        .await?
        .into_iter()
        .find(|revision| revision.number == number)
        .ok_or(Failure::Refused(ArticleWriteError::NotFound))
}

/// A page of articles as the query asks (who may ask for what is the caller's to
/// check: `status` and `review_due` are for editors).
///
/// # Errors
/// A store error.
pub async fn list(
    ports: &StoragePorts,
    query: ArticleQuery,
) -> Result<ArticlePage, ArticleFailure> {
    Ok(ports.articles.articles(query).await?)
}

/// Up to `limit` entries of the public feed of content changes after `after`, oldest
/// first, and whether more follow.
///
/// # Errors
/// A store error.
pub async fn changes(
    ports: &StoragePorts,
    after: i64,
    limit: u64,
) -> Result<(Vec<Change>, bool), ArticleFailure> {
    Ok(ports.content_changes.changes(after, limit).await?)
}
