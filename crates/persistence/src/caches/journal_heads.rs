//! Each person's journal head as last read, kept in memory so that asking whether
//! anything changed since (what a sync answer depends on) costs no database round
//! trip: a [`MemoryCache`] with one group per person, forgotten by every change to
//! their data (see `Caches::heard`), here and, through PostgreSQL, on other replicas.

use std::time::Duration;

use waymark_domain::identity::AccountId;
use waymark_domain::journal::Sequence;

use crate::caches::memory_cache::{Limits, MemoryCache};

/// How long a head may be served without being read again from the database.
const MAX_AGE: Duration = Duration::from_secs(60);

/// About how much memory one head holds, with its place in the cache.
const HEAD_WEIGHT: usize = 128;

/// Heads by person.
pub(crate) type JournalHeadCache = MemoryCache<AccountId, (), Sequence>;

/// A cache holding at most about `budget_bytes` of heads (0 turns it off), serving
/// from the start when `serving` (one process, nothing else can write).
pub(crate) fn journal_head_cache(budget_bytes: usize, serving: bool) -> JournalHeadCache {
    let limits =
        Limits { budget_bytes, largest_bytes: budget_bytes, per_group: 1, max_age: MAX_AGE };
    MemoryCache::new("JournalHeadCache", limits, |_| HEAD_WEIGHT, serving)
}
