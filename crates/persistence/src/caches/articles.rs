//! Recently read articles, kept in memory so that the public reads partners, their
//! CDNs and apps make again and again cost no database round trip: a [`MemoryCache`]
//! with one group (see its rules), because content changes rarely, so any content
//! write forgets every article. Articles are kept under their locale and slug.

use std::time::Duration;

use waymark_domain::content::Article;

use crate::caches::memory_cache::{Limits, MemoryCache};

/// How long an article may be served without being read again from the database.
const MAX_AGE: Duration = Duration::from_secs(60);

/// Published articles by (locale, slug), shared by every request of one instance.
pub(crate) type ArticleCache = MemoryCache<(), (String, String), Article>;

/// A cache holding at most about `budget_bytes` of articles (0 turns it off),
/// serving from the start when `serving` (one process, nothing else can write).
pub(crate) fn article_cache(budget_bytes: usize, serving: bool) -> ArticleCache {
    let limits = Limits {
        budget_bytes,
        largest_bytes: budget_bytes,
        per_group: usize::MAX,
        max_age: MAX_AGE,
    };
    MemoryCache::new("ArticleCache", limits, weight, serving)
}

/// What an article costs in memory, roughly.
fn weight(article: &Article) -> usize {
    let text = &article.text;
    512 + text.body_markdown.as_str().len()
        + text.title.as_str().len()
        + text.summary.as_str().len()
}

#[cfg(test)]
mod tests {
    use waymark_domain::content::draft::ArticleDraft;
    use waymark_domain::content::{ArticleId, ArticleStatus};

    use super::*;
    use crate::caches::memory_cache::Ticket;

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

    fn key(slug: &str) -> (String, String) {
        ("en-GB".to_owned(), slug.to_owned())
    }

    fn remember(cache: &ArticleCache, ticket: Ticket<()>, slug: &str) {
        cache.store(ticket, key(slug), article(slug));
    }

    #[test]
    fn a_stored_article_is_served_until_anything_is_forgotten() {
        let cache = article_cache(1 << 20, true);
        let ticket = cache.ticket(());
        remember(&cache, ticket, "sleep");
        assert!(cache.get((), &key("sleep")).is_some());
        assert!(cache.get((), &key("hope")).is_none());
        cache.forget_everything();
        assert!(cache.get((), &key("sleep")).is_none());
    }

    #[test]
    fn a_read_that_started_before_a_change_is_not_stored() {
        let cache = article_cache(1 << 20, true);
        let ticket = cache.ticket(());
        cache.forget_everything();
        remember(&cache, ticket, "sleep");
        assert!(cache.get((), &key("sleep")).is_none());
    }

    #[test]
    fn nothing_is_served_or_kept_while_changes_cannot_be_heard() {
        let cache = article_cache(1 << 20, false);
        remember(&cache, cache.ticket(()), "sleep");
        assert!(cache.get((), &key("sleep")).is_none());
        cache.start_serving();
        remember(&cache, cache.ticket(()), "sleep");
        assert!(cache.get((), &key("sleep")).is_some());
        cache.stop_serving();
        assert!(cache.get((), &key("sleep")).is_none());
        cache.start_serving();
        assert!(cache.get((), &key("sleep")).is_none(), "starts empty");
    }

    #[test]
    fn the_budget_bounds_memory() {
        let one = weight(&article("a"));
        let cache = article_cache(one * 2, true);
        for slug in ["a", "b", "c"] {
            remember(&cache, cache.ticket(()), slug);
        }
        assert!(cache.bytes() <= one * 2);
        assert!(cache.get((), &key("c")).is_some(), "the newest is kept");
        let off = article_cache(0, true);
        remember(&off, off.ticket(()), "a");
        assert!(off.get((), &key("a")).is_none());
    }
}
