//! The shares supporters follow, as last read, kept in memory so that a supporter's
//! every request does not read its share again: a [`MemoryCache`] with one group per
//! share, keyed by the supporter who read it (a share is only ever found by its own
//! supporter, so one viewer's answer is never another's). A share change forgets its
//! share; any account change forgets them all (a person's name, or a person erased
//! with their shares), as `caches::shares_stale_after` says.

use std::time::Duration;

use waymark_domain::identity::AccountId;
use waymark_domain::sharing::ports::SupportedShare;
use waymark_domain::sharing::{ShareId, SharedGoals};

use crate::caches::memory_cache::{Limits, MemoryCache};

/// How long a share may be served without being read again from the database.
const MAX_AGE: Duration = Duration::from_secs(60);

/// About how much memory a share holds, beyond the goals it names.
const SHARE_WEIGHT: usize = 512;

/// About how much memory each goal a share names holds.
const GOAL_WEIGHT: usize = 32;

/// Shares by id, then by their supporter.
pub(crate) type ShareCache = MemoryCache<ShareId, AccountId, SupportedShare>;

fn weigh(shared: &SupportedShare) -> usize {
    let goals = match &shared.share.terms.goals {
        SharedGoals::Chosen(chosen) => chosen.len(),
        SharedGoals::AllActive(_) => 0,
    };
    SHARE_WEIGHT + shared.person_name.len() + goals * GOAL_WEIGHT
}

/// A cache holding at most about `budget_bytes` of shares (0 turns it off), serving
/// from the start when `serving` (one process, nothing else can write).
pub(crate) fn share_cache(budget_bytes: usize, serving: bool) -> ShareCache {
    let limits =
        Limits { budget_bytes, largest_bytes: budget_bytes, per_group: 1, max_age: MAX_AGE };
    MemoryCache::new("ShareCache", limits, weigh, serving)
}
