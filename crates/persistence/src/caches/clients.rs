//! Registered API clients as last read, kept in memory so that an app's every request
//! does not read its client again: a [`MemoryCache`] with one group (see its rules),
//! because clients change rarely, so any client write forgets every client. Only
//! clients found are kept: one registered a moment ago (by the CLI, say) is read at
//! its first use.

use std::time::Duration;

use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::identity::{ApiClient, ClientId};

use crate::caches::memory_cache::{Limits, MemoryCache};

/// How long a client may be served without being read again from the database.
const MAX_AGE: Duration = Duration::from_secs(60);

/// About how much memory one client holds: its name, scopes and redirect URIs.
const CLIENT_WEIGHT: usize = 1024;

/// Clients by id, with the digest of their secret, shared by every request of one
/// instance.
pub(crate) type ClientCache = MemoryCache<(), ClientId, (ApiClient, Option<SecretDigest>)>;

/// A cache holding at most about `budget_bytes` of clients (0 turns it off), serving
/// from the start when `serving` (one process, nothing else can write).
pub(crate) fn client_cache(budget_bytes: usize, serving: bool) -> ClientCache {
    let limits = Limits {
        budget_bytes,
        largest_bytes: budget_bytes,
        per_group: usize::MAX,
        max_age: MAX_AGE,
    };
    MemoryCache::new("ClientCache", limits, |_| CLIENT_WEIGHT, serving)
}
