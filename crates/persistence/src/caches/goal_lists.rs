//! Recently served pages of people's goal lists, kept in memory so that reading the
//! same list again costs no database round trip: a [`MemoryCache`] grouped by person
//! (see its rules). Every write that changes a goal row forgets its owner's pages.

use std::time::Duration;

use waymark_domain::contacts::ContactId;
use waymark_domain::goals::Goal;
use waymark_domain::goals::ports::{GoalPage, GoalQuery};
use waymark_domain::identity::AccountId;

use crate::caches::memory_cache::{Limits, MemoryCache};

/// How long a page may be served without being read again from the database.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(60);

/// At most this many different pages (filters, cursors) per person.
const PAGES_PER_PERSON: usize = 32;

/// Cached pages of goal lists, shared by every request of one server instance.
pub(crate) type GoalListCache = MemoryCache<AccountId, GoalQuery, GoalPage>;

/// A cache holding at most about `budget_bytes` of pages (0 turns it off), serving
/// from the start when `serving` (one process, nothing else can write).
pub(crate) fn goal_list_cache(budget_bytes: usize, serving: bool) -> GoalListCache {
    let limits = Limits {
        budget_bytes,
        largest_bytes: budget_bytes,
        per_group: PAGES_PER_PERSON,
        max_age: MAX_AGE,
    };
    MemoryCache::new("GoalListCache", limits, weight, serving)
}

/// What a page costs in memory, roughly.
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

#[cfg(test)]
mod tests {
    use waymark_domain::goals::ports::GoalOrder;

    use std::sync::Arc;

    use super::*;

    fn query(limit: u64) -> GoalQuery {
        GoalQuery {
            ids: None,
            statuses: Vec::new(),
            area: None,
            due_before: None,
            title_contains: None,
            updated_from: None,
            updated_before: None,
            order: GoalOrder::Newest,
            after: None,
            limit,
        }
    }

    fn empty_page(has_more: bool) -> GoalPage {
        GoalPage { goals: Arc::from(Vec::new()), has_more }
    }

    fn person() -> AccountId {
        AccountId(waymark_domain::id::new_id())
    }

    fn cache_and_store(cache: &GoalListCache, owner: AccountId, limit: u64) {
        let ticket = cache.ticket(owner);
        cache.store(ticket, query(limit), empty_page(true));
    }

    #[test]
    fn a_stored_page_is_served_until_its_owner_is_forgotten() {
        let cache = goal_list_cache(1 << 20, true);
        let (owner, other) = (person(), person());
        cache_and_store(&cache, owner, 20);
        cache_and_store(&cache, other, 20);
        assert!(cache.get(owner, &query(20)).is_some_and(|page| page.has_more));
        assert!(cache.get(owner, &query(10)).is_none());

        cache.forget(owner);
        assert!(cache.get(owner, &query(20)).is_none());
        assert!(cache.get(other, &query(20)).is_some());
    }

    #[test]
    fn a_read_that_started_before_a_change_is_not_stored() {
        let cache = goal_list_cache(1 << 20, true);
        let owner = person();
        let ticket = cache.ticket(owner);
        cache.forget(owner);
        cache.store(ticket, query(20), empty_page(false));
        assert!(cache.get(owner, &query(20)).is_none());
    }

    #[test]
    fn nothing_is_served_or_kept_while_changes_cannot_be_heard() {
        let cache = goal_list_cache(1 << 20, false);
        let owner = person();
        cache_and_store(&cache, owner, 20);
        assert!(cache.get(owner, &query(20)).is_none());

        let before_listening = cache.ticket(owner);
        cache.start_serving();
        cache.store(before_listening, query(20), empty_page(false));
        assert!(cache.get(owner, &query(20)).is_none());
        cache_and_store(&cache, owner, 20);
        assert!(cache.get(owner, &query(20)).is_some());

        cache.stop_serving();
        assert!(!cache.is_serving());
        assert!(cache.get(owner, &query(20)).is_none());
        cache.start_serving();
        assert!(cache.get(owner, &query(20)).is_none(), "starts empty");
    }

    #[test]
    fn the_budget_bounds_memory_by_dropping_other_peoples_pages() {
        let one_page = weight(&empty_page(false));
        let cache = goal_list_cache(one_page * 2, true);
        let people: Vec<AccountId> = (0..5).map(|_| person()).collect();
        for owner in &people {
            cache_and_store(&cache, *owner, 20);
            assert!(cache.bytes() <= one_page * 2);
        }
        let kept = people.iter().filter(|owner| cache.get(**owner, &query(20)).is_some()).count();
        assert_eq!(kept, 2);
        assert!(cache.get(people[4], &query(20)).is_some(), "the newest is kept");
    }

    #[test]
    fn a_zero_budget_turns_the_cache_off() {
        let cache = goal_list_cache(0, true);
        let owner = person();
        cache.start_serving();
        cache_and_store(&cache, owner, 20);
        assert!(!cache.is_serving());
        assert!(cache.get(owner, &query(20)).is_none());
    }

    #[test]
    fn pages_per_person_are_bounded() {
        let cache = goal_list_cache(1 << 20, true);
        let owner = person();
        for limit in 1..=u64::try_from(PAGES_PER_PERSON).unwrap_or(32) + 1 {
            cache_and_store(&cache, owner, limit);
        }
        assert!(cache.group_len(owner) <= PAGES_PER_PERSON);
    }
}
