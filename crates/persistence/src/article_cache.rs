//! Recently read articles, kept in memory so that the public reads partners, their
//! CDNs and apps make again and again cost no database round trip.
//!
//! The rules are those of [`crate::goal_list_cache`], made simpler because content
//! changes rarely, so any change forgets every article:
//!
//! - Every content write forgets everything here after it commits, so a replica always
//!   reads its own writes.
//! - Other replicas' writes arrive as PostgreSQL notifications (see
//!   [`crate::change_notices`]). While those cannot be heard the cache serves nothing,
//!   and it starts empty each time they can be heard again. SQLite has one process, so
//!   its cache always serves.
//! - An article read from the database is stored only if nothing was forgotten between
//!   the start of the read and the store ([`Ticket`]), so a slow read can never put
//!   back an article that a write has just made stale.
//!
//! Articles also expire after [`MAX_AGE`], and memory is bounded by a byte budget.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use waymark_domain::content::Article;

/// How long an article may be served without being read again from the database.
const MAX_AGE: Duration = Duration::from_secs(60);

/// Articles by locale and slug, shared by every request of one server instance.
pub(crate) struct ArticleCache {
    shelf: Mutex<Shelf>,
    /// Bumped whenever everything is forgotten.
    forgotten: AtomicU64,
    serving: AtomicBool,
    budget_bytes: usize,
}

#[derive(Debug, Default)]
struct Shelf {
    articles: HashMap<(String, String), Stored>,
    bytes: usize,
}

#[derive(Debug)]
struct Stored {
    article: Article,
    bytes: usize,
    stored_at: Instant,
}

/// Taken before a database read; an article is stored only if nothing was forgotten
/// since.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket(u64);

/// Counts only: what is cached is people's data, and must never reach a log.
impl std::fmt::Debug for ArticleCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ArticleCache")
            .field(
                "entries",
                &self.shelf.try_lock().map(|shelf| shelf.articles.len()).ok(),
            )
            .field("serving", &self.serving.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl ArticleCache {
    /// A cache holding at most about `budget_bytes` of articles (0 turns it off),
    /// serving from the start when `serving` (one process, nothing else can write).
    pub(crate) fn new(budget_bytes: usize, serving: bool) -> Self {
        Self {
            shelf: Mutex::new(Shelf::default()),
            forgotten: AtomicU64::new(0),
            serving: AtomicBool::new(serving && budget_bytes > 0),
            budget_bytes,
        }
    }

    /// The stored article at `locale` and `slug`, if it is fresh and the cache serves.
    pub(crate) fn article(&self, locale: &str, slug: &str) -> Option<Article> {
        if !self.serving.load(Ordering::SeqCst) {
            return None;
        }
        let shelf = self.lock();
        let stored = shelf.articles.get(&(locale.to_owned(), slug.to_owned()))?;
        (stored.stored_at.elapsed() < MAX_AGE).then(|| stored.article.clone())
    }

    /// Marks the start of a database read.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.forgotten.load(Ordering::SeqCst))
    }

    /// Keeps `article`, unless anything was forgotten since `ticket` was taken or the
    /// cache is not serving. Past the budget, everything else goes first.
    pub(crate) fn store(&self, ticket: Ticket, article: &Article) {
        let bytes = weight(article);
        if !self.serving.load(Ordering::SeqCst) || bytes > self.budget_bytes {
            return;
        }
        let mut shelf = self.lock();
        if self.forgotten.load(Ordering::SeqCst) != ticket.0 {
            return;
        }
        if shelf.bytes + bytes > self.budget_bytes {
            *shelf = Shelf::default();
        }
        let key = (
            article.locale.as_str().to_owned(),
            article.slug.as_str().to_owned(),
        );
        let stored = Stored {
            article: article.clone(),
            bytes,
            stored_at: Instant::now(),
        };
        shelf.bytes += bytes;
        if let Some(replaced) = shelf.articles.insert(key, stored) {
            shelf.bytes -= replaced.bytes;
        }
    }

    /// Forgets every article: one changed, here or on another replica.
    pub(crate) fn forget_everything(&self) {
        let mut shelf = self.lock();
        self.forgotten.fetch_add(1, Ordering::SeqCst);
        *shelf = Shelf::default();
    }

    /// A guard that forgets every article when the write it is held across ends.
    pub(crate) fn forget_on_drop(&self) -> ForgetOnDrop<'_> {
        ForgetOnDrop { cache: self }
    }

    /// Starts serving, empty: changes made elsewhere are heard from now on.
    pub(crate) fn start_serving(&self) {
        self.forget_everything();
        self.serving.store(self.budget_bytes > 0, Ordering::SeqCst);
    }

    /// Stops serving and forgets everything: changes made elsewhere can no longer be
    /// heard.
    pub(crate) fn stop_serving(&self) {
        self.serving.store(false, Ordering::SeqCst);
        self.forget_everything();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shelf> {
        self.shelf.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// About how much memory `article` holds.
fn weight(article: &Article) -> usize {
    let text = &article.text;
    512 + text.body_markdown.as_str().len()
        + text.title.as_str().len()
        + text.summary.as_str().len()
}

/// Forgets every article when dropped: when the write it guards is done, whether it
/// succeeded, failed, or was abandoned part-way (a request timed out, a client hung up)
/// after its commit may already have reached the database.
#[must_use = "it forgets when dropped"]
pub(crate) struct ForgetOnDrop<'a> {
    cache: &'a ArticleCache,
}

impl Drop for ForgetOnDrop<'_> {
    fn drop(&mut self) {
        self.cache.forget_everything();
    }
}

#[cfg(test)]
mod tests {
    use waymark_domain::content::draft::ArticleDraft;
    use waymark_domain::content::{ArticleId, ArticleStatus};

    use super::*;

    fn article(slug: &str) -> Article {
        let checked = ArticleDraft {
            slug: slug.to_owned(),
            title: "Sleep and recovery".to_owned(),
            body_markdown: "Rest helps.".to_owned(),
            topics: vec!["sleep".to_owned()],
            ..ArticleDraft::default()
        }
        .check()
        .unwrap_or_else(|problems| panic!("{problems:?}"));
        let now = waymark_domain::time::now();
        Article {
            id: ArticleId(waymark_domain::id::new_id()),
            locale: checked.locale,
            slug: checked.slug,
            text: checked.text,
            status: ArticleStatus::Published,
            published_at: Some(now),
            revision: 1,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn a_stored_article_is_served_until_anything_is_forgotten() {
        let cache = ArticleCache::new(1 << 20, true);
        let ticket = cache.ticket();
        cache.store(ticket, &article("sleep"));
        assert!(cache.article("en-GB", "sleep").is_some());
        assert!(cache.article("en-GB", "hope").is_none());
        cache.forget_everything();
        assert!(cache.article("en-GB", "sleep").is_none());
    }

    #[test]
    fn a_read_that_started_before_a_change_is_not_stored() {
        let cache = ArticleCache::new(1 << 20, true);
        let ticket = cache.ticket();
        cache.forget_everything();
        cache.store(ticket, &article("sleep"));
        assert!(cache.article("en-GB", "sleep").is_none());
    }

    #[test]
    fn nothing_is_served_or_kept_while_changes_cannot_be_heard() {
        let cache = ArticleCache::new(1 << 20, false);
        cache.store(cache.ticket(), &article("sleep"));
        assert!(cache.article("en-GB", "sleep").is_none());
        cache.start_serving();
        cache.store(cache.ticket(), &article("sleep"));
        assert!(cache.article("en-GB", "sleep").is_some());
        cache.stop_serving();
        assert!(cache.article("en-GB", "sleep").is_none());
        cache.start_serving();
        assert!(cache.article("en-GB", "sleep").is_none(), "starts empty");
    }

    #[test]
    fn the_budget_bounds_memory() {
        let one = weight(&article("a"));
        let cache = ArticleCache::new(one * 2, true);
        for slug in ["a", "b", "c"] {
            cache.store(cache.ticket(), &article(slug));
        }
        assert!(cache.lock().bytes <= one * 2);
        assert!(cache.article("en-GB", "c").is_some(), "the newest is kept");
        let off = ArticleCache::new(0, true);
        off.store(off.ticket(), &article("a"));
        assert!(off.article("en-GB", "a").is_none());
    }
}
