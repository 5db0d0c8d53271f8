//! Recently served pages of people's goal lists, kept in memory so that reading the
//! same list again costs no database round trip.
//!
//! Correctness rests on three rules:
//!
//! - Every write that changes a goal row forgets its owner's pages here, after the
//!   write and before the response, so a replica always reads its own writes.
//! - Other replicas' writes arrive as PostgreSQL notifications (see
//!   [`crate::change_notices`]). While those cannot be heard the cache serves nothing,
//!   and it starts empty each time they can be heard again. SQLite has one process, so
//!   its cache always serves.
//! - A page read from the database is stored only if its owner was not forgotten
//!   between the start of the read and the store ([`Ticket`]), so a slow read can never
//!   put back a page that a write has just made stale.
//!
//! Pages also expire after [`MAX_AGE`], and memory is bounded by a byte budget;
//! when a page would exceed it, other people's pages are dropped first.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use waymark_domain::contacts::ContactId;
use waymark_domain::goals::Goal;
use waymark_domain::goals::ports::{GoalPage, GoalQuery};
use waymark_domain::identity::AccountId;

/// How long a page may be served without being read again from the database.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(60);

/// Forgetting counts are kept per shard of people: a collision only costs a store.
const SHARDS: usize = 1024;

/// At most this many different pages (filters, cursors) per person.
const PAGES_PER_PERSON: usize = 32;

/// Cached pages of goal lists, shared by every request of one server instance.
pub(crate) struct GoalListCache {
    people: Mutex<People>,
    /// Bumped whenever a person's pages are forgotten, per shard of people.
    forgotten: Box<[AtomicU64]>,
    /// Bumped whenever everything is forgotten.
    epoch: AtomicU64,
    serving: AtomicBool,
    budget_bytes: usize,
    hasher: RandomState,
}

#[derive(Debug, Default)]
struct People {
    pages: HashMap<AccountId, HashMap<GoalQuery, Stored>>,
    bytes: usize,
}

#[derive(Debug)]
struct Stored {
    page: GoalPage,
    bytes: usize,
    stored_at: Instant,
}

/// Taken before a database read; a page is stored only if nothing was forgotten since.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    owner: AccountId,
    forgotten: u64,
    epoch: u64,
}

/// Counts only: what is cached is people's data, and must never reach a log.
impl std::fmt::Debug for GoalListCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("GoalListCache")
            .field(
                "entries",
                &self.people.try_lock().map(|people| people.pages.len()).ok(),
            )
            .field("serving", &self.serving.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl GoalListCache {
    /// A cache holding at most about `budget_bytes` of pages (0 turns it off), serving
    /// from the start when `serving` (one process, nothing else can write).
    pub(crate) fn new(budget_bytes: usize, serving: bool) -> Self {
        Self {
            people: Mutex::new(People::default()),
            forgotten: (0..SHARDS).map(|_| AtomicU64::new(0)).collect(),
            epoch: AtomicU64::new(0),
            serving: AtomicBool::new(serving && budget_bytes > 0),
            budget_bytes,
            hasher: RandomState::new(),
        }
    }

    /// The stored page for `owner` and `query`, if it is fresh and the cache is serving.
    pub(crate) fn page(&self, owner: AccountId, query: &GoalQuery) -> Option<GoalPage> {
        if !self.serving.load(Ordering::SeqCst) {
            return None;
        }
        let people = self.lock();
        let stored = people.pages.get(&owner)?.get(query)?;
        (stored.stored_at.elapsed() < MAX_AGE).then(|| stored.page.clone())
    }

    /// Marks the start of a database read for `owner`.
    pub(crate) fn ticket(&self, owner: AccountId) -> Ticket {
        Ticket {
            owner,
            epoch: self.epoch.load(Ordering::SeqCst),
            forgotten: self.shard(owner).load(Ordering::SeqCst),
        }
    }

    /// Keeps `page` for `query`, unless the owner's pages were forgotten since `ticket`
    /// was taken, the cache is not serving, or the page alone exceeds the budget.
    pub(crate) fn store(&self, ticket: Ticket, query: GoalQuery, page: &GoalPage) {
        let bytes = weight(page);
        if !self.serving.load(Ordering::SeqCst) || bytes > self.budget_bytes {
            return;
        }
        let mut people = self.lock();
        if self.epoch.load(Ordering::SeqCst) != ticket.epoch
            || self.shard(ticket.owner).load(Ordering::SeqCst) != ticket.forgotten
        {
            return;
        }
        people.remove_page(ticket.owner, &query);
        if people
            .pages
            .get(&ticket.owner)
            .is_some_and(|pages| pages.len() >= PAGES_PER_PERSON)
        {
            people.remove_person(ticket.owner);
        }
        while people.bytes + bytes > self.budget_bytes {
            let Some(someone) = people.pages.keys().next().copied() else {
                break;
            };
            people.remove_person(someone);
        }
        people.bytes += bytes;
        people.pages.entry(ticket.owner).or_default().insert(
            query,
            Stored {
                page: page.clone(),
                bytes,
                stored_at: Instant::now(),
            },
        );
    }

    /// Drops every page of `owner`'s: one of their goals changed.
    pub(crate) fn forget(&self, owner: AccountId) {
        self.shard(owner).fetch_add(1, Ordering::SeqCst);
        self.lock().remove_person(owner);
    }

    /// A guard that forgets `owner`'s pages when the write it is held across ends.
    pub(crate) fn forget_on_drop(&self, owner: AccountId) -> ForgetOnDrop<'_> {
        ForgetOnDrop { cache: self, owner }
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

    /// Whether the cache has any memory to keep pages in.
    pub(crate) fn is_enabled(&self) -> bool {
        self.budget_bytes > 0
    }

    /// Whether pages are being served.
    #[cfg(test)]
    pub(crate) fn is_serving(&self) -> bool {
        self.serving.load(Ordering::SeqCst)
    }

    fn forget_everything(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        let mut people = self.lock();
        people.pages.clear();
        people.bytes = 0;
    }

    fn shard(&self, owner: AccountId) -> &AtomicU64 {
        let hash = usize::try_from(self.hasher.hash_one(owner) % SHARDS as u64).unwrap_or(0);
        &self.forgotten[hash]
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, People> {
        // A panic while holding the lock leaves nothing half-done that matters: at
        // worst a byte count is off, so carry on with the data.
        self.people
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl People {
    fn remove_page(&mut self, owner: AccountId, query: &GoalQuery) {
        if let Some(stored) = self
            .pages
            .get_mut(&owner)
            .and_then(|pages| pages.remove(query))
        {
            self.bytes -= stored.bytes;
        }
    }

    fn remove_person(&mut self, owner: AccountId) {
        if let Some(pages) = self.pages.remove(&owner) {
            self.bytes -= pages.values().map(|stored| stored.bytes).sum::<usize>();
        }
    }
}

/// About how much memory a page holds.
fn weight(page: &GoalPage) -> usize {
    const PER_GOAL: usize = 256;
    page.goals
        .iter()
        .map(|goal: &Goal| {
            PER_GOAL
                + goal.title.as_str().len()
                + goal.why.as_str().len()
                + goal.support_notes.as_str().len()
                + goal.supporters.len() * std::mem::size_of::<ContactId>()
        })
        .sum::<usize>()
        + PER_GOAL
}

/// Forgets the owner's pages when dropped: when the write it guards is done, whether it
/// succeeded, failed, or was abandoned part-way (a request timed out, a client hung up)
/// after its commit may already have reached the database.
#[must_use = "it forgets when dropped"]
pub(crate) struct ForgetOnDrop<'a> {
    cache: &'a GoalListCache,
    owner: AccountId,
}

impl Drop for ForgetOnDrop<'_> {
    fn drop(&mut self) {
        self.cache.forget(self.owner);
    }
}

#[cfg(test)]
mod tests {
    use waymark_domain::goals::ports::GoalOrder;

    use std::sync::Arc;

    use super::*;

    fn query(limit: u64) -> GoalQuery {
        GoalQuery {
            statuses: Vec::new(),
            area: None,
            due_before: None,
            title_contains: None,
            order: GoalOrder::Newest,
            after: None,
            limit,
        }
    }

    fn empty_page(has_more: bool) -> GoalPage {
        GoalPage {
            goals: Arc::from(Vec::new()),
            has_more,
        }
    }

    fn person() -> AccountId {
        AccountId(waymark_domain::id::new_id())
    }

    fn cache_and_store(cache: &GoalListCache, owner: AccountId, limit: u64) {
        let ticket = cache.ticket(owner);
        cache.store(ticket, query(limit), &empty_page(true));
    }

    #[test]
    fn a_stored_page_is_served_until_its_owner_is_forgotten() {
        let cache = GoalListCache::new(1 << 20, true);
        let (owner, other) = (person(), person());
        cache_and_store(&cache, owner, 20);
        cache_and_store(&cache, other, 20);
        assert!(
            cache
                .page(owner, &query(20))
                .is_some_and(|page| page.has_more)
        );
        assert!(cache.page(owner, &query(10)).is_none());

        cache.forget(owner);
        assert!(cache.page(owner, &query(20)).is_none());
        assert!(cache.page(other, &query(20)).is_some());
    }

    #[test]
    fn a_read_that_started_before_a_change_is_not_stored() {
        let cache = GoalListCache::new(1 << 20, true);
        let owner = person();
        let ticket = cache.ticket(owner);
        cache.forget(owner);
        cache.store(ticket, query(20), &empty_page(false));
        assert!(cache.page(owner, &query(20)).is_none());
    }

    #[test]
    fn nothing_is_served_or_kept_while_changes_cannot_be_heard() {
        let cache = GoalListCache::new(1 << 20, false);
        let owner = person();
        cache_and_store(&cache, owner, 20);
        assert!(cache.page(owner, &query(20)).is_none());

        let before_listening = cache.ticket(owner);
        cache.start_serving();
        cache.store(before_listening, query(20), &empty_page(false));
        assert!(cache.page(owner, &query(20)).is_none());
        cache_and_store(&cache, owner, 20);
        assert!(cache.page(owner, &query(20)).is_some());

        cache.stop_serving();
        assert!(!cache.is_serving());
        assert!(cache.page(owner, &query(20)).is_none());
        cache.start_serving();
        assert!(cache.page(owner, &query(20)).is_none(), "starts empty");
    }

    #[test]
    fn the_budget_bounds_memory_by_dropping_other_peoples_pages() {
        let one_page = weight(&empty_page(false));
        let cache = GoalListCache::new(one_page * 2, true);
        let people: Vec<AccountId> = (0..5).map(|_| person()).collect();
        for owner in &people {
            cache_and_store(&cache, *owner, 20);
            assert!(cache.lock().bytes <= one_page * 2);
        }
        let kept = people
            .iter()
            .filter(|owner| cache.page(**owner, &query(20)).is_some())
            .count();
        assert_eq!(kept, 2);
        assert!(
            cache.page(people[4], &query(20)).is_some(),
            "the newest is kept"
        );
    }

    #[test]
    fn a_zero_budget_turns_the_cache_off() {
        let cache = GoalListCache::new(0, true);
        let owner = person();
        cache.start_serving();
        cache_and_store(&cache, owner, 20);
        assert!(!cache.is_serving());
        assert!(cache.page(owner, &query(20)).is_none());
    }

    #[test]
    fn pages_per_person_are_bounded() {
        let cache = GoalListCache::new(1 << 20, true);
        let owner = person();
        for limit in 1..=u64::try_from(PAGES_PER_PERSON).unwrap_or(32) + 1 {
            cache_and_store(&cache, owner, limit);
        }
        assert!(cache.lock().pages[&owner].len() <= PAGES_PER_PERSON);
    }
}
