//! The one in-memory cache mechanism every cache in this crate is made of (goal-list
//! pages, the personal answers, published articles).
//!
//! Correctness rests on three rules:
//!
//! - Every write forgets what it may have made stale, after the write and before the
//!   response, so a replica always reads its own writes ([`MemoryCache::forget`],
//!   [`MemoryCache::forget_on_drop`]).
//! - Other replicas' writes arrive as PostgreSQL notifications (see
//!   [`crate::change_notices`]). While those cannot be heard a cache serves nothing
//!   (its serving switch is off), and it starts empty each time they can be heard
//!   again. SQLite has one process, so its caches always serve.
//! - A value read from the database is stored only if its group was not forgotten
//!   between the start of the read and the store ([`Ticket`]), so a slow read can
//!   never put back a value that a write has just made stale.
//!
//! Values are grouped (by person, for personal data): forgetting works on a whole
//! group. They also expire after [`Limits::max_age`], and memory is bounded by a byte
//! budget: when a value would exceed it, other groups are dropped first. Its `Debug`
//! shows counts only: what is cached is people's data, and must never reach a log.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Forgetting counts are kept per shard of groups: a collision only costs a store.
const SHARDS: usize = 1024;

/// How much a cache may hold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// All values together, in (estimated) bytes; 0 turns the cache off.
    pub(crate) budget_bytes: usize,
    /// One value at most; a larger one is not kept.
    pub(crate) largest_bytes: usize,
    /// Values per group at most; one more empties the group first.
    pub(crate) per_group: usize,
    /// How long a value may be served without being read again.
    pub(crate) max_age: Duration,
}

/// Values `V` under keys `K`, in groups `G` that are forgotten whole.
pub(crate) struct MemoryCache<G, K, V> {
    /// What it holds, for `Debug`.
    name: &'static str,
    entries: Mutex<Entries<G, K, V>>,
    /// Bumped whenever a group is forgotten, per shard of groups.
    forgotten: Box<[AtomicU64]>,
    /// Bumped whenever everything is forgotten.
    epoch: AtomicU64,
    serving: AtomicBool,
    limits: Limits,
    weigh: fn(&V) -> usize,
    hasher: RandomState,
}

struct Entries<G, K, V> {
    groups: HashMap<G, HashMap<K, Stored<V>>>,
    bytes: usize,
}

struct Stored<V> {
    value: V,
    bytes: usize,
    stored_at: Instant,
}

/// Taken before a database read; its value is stored only if nothing in its group
/// was forgotten since.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket<G> {
    group: G,
    forgotten: u64,
    epoch: u64,
}

impl<G, K, V> std::fmt::Debug for MemoryCache<G, K, V> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct(self.name)
            .field("groups", &self.entries.try_lock().map(|entries| entries.groups.len()).ok())
            .field("serving", &self.serving.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl<G: Copy + Eq + Hash, K: Eq + Hash, V: Clone> MemoryCache<G, K, V> {
    /// A cache within `limits`, weighing values with `weigh`, serving from the start
    /// when `serving` (one process: nothing else can write).
    pub(crate) fn new(
        name: &'static str,
        limits: Limits,
        weigh: fn(&V) -> usize,
        serving: bool,
    ) -> Self {
        Self {
            name,
            entries: Mutex::new(Entries { groups: HashMap::new(), bytes: 0 }),
            forgotten: (0..SHARDS).map(|_| AtomicU64::new(0)).collect(),
            epoch: AtomicU64::new(0),
            serving: AtomicBool::new(serving && limits.budget_bytes > 0),
            limits,
            weigh,
            hasher: RandomState::new(),
        }
    }

    /// The value stored under `group` and `key`, if it is fresh and the cache serves.
    pub(crate) fn get(&self, group: G, key: &K) -> Option<V> {
        if !self.serving.load(Ordering::SeqCst) {
            return None;
        }
        let entries = self.lock();
        let stored = entries.groups.get(&group)?.get(key)?;
        (stored.stored_at.elapsed() < self.limits.max_age).then(|| stored.value.clone())
    }

    /// Marks the start of a database read for `group`.
    pub(crate) fn ticket(&self, group: G) -> Ticket<G> {
        Ticket {
            group,
            epoch: self.epoch.load(Ordering::SeqCst),
            forgotten: self.shard(group).load(Ordering::SeqCst),
        }
    }

    /// What changes whenever anything in `group` may have: while it stays the same,
    /// an answer built from reads made after it was taken may be reused. `None` while
    /// the cache does not serve.
    pub(crate) fn stamp(&self, group: G) -> Option<(u64, u64)> {
        self.serving.load(Ordering::SeqCst).then(|| {
            let ticket = self.ticket(group);
            (ticket.epoch, ticket.forgotten)
        })
    }

    /// Keeps `value` under `key`, unless its group was forgotten since `ticket` was
    /// taken, the cache does not serve, or the value alone is too large.
    pub(crate) fn store(&self, ticket: Ticket<G>, key: K, value: V) {
        let bytes = (self.weigh)(&value);
        if !self.serving.load(Ordering::SeqCst) || bytes > self.limits.largest_bytes {
            return;
        }
        let mut entries = self.lock();
        if self.epoch.load(Ordering::SeqCst) != ticket.epoch
            || self.shard(ticket.group).load(Ordering::SeqCst) != ticket.forgotten
        {
            return;
        }
        let crowded = entries.groups.get(&ticket.group).is_some_and(|values| {
            values.len() >= self.limits.per_group && !values.contains_key(&key)
        });
        if crowded {
            entries.remove_group(ticket.group);
        }
        entries.remove(ticket.group, &key);
        while entries.bytes + bytes > self.limits.budget_bytes {
            let Some(other) = entries.groups.keys().next().copied() else {
                break;
            };
            entries.remove_group(other);
        }
        entries.bytes += bytes;
        entries
            .groups
            .entry(ticket.group)
            .or_default()
            .insert(key, Stored { value, bytes, stored_at: Instant::now() });
    }

    /// Forgets everything stored for `group`, and every read of it under way.
    pub(crate) fn forget(&self, group: G) {
        let mut entries = self.lock();
        self.shard(group).fetch_add(1, Ordering::SeqCst);
        entries.remove_group(group);
    }

    /// Forgets `group` when dropped: after a write, even one abandoned half-way.
    pub(crate) fn forget_on_drop(&self, group: G) -> ForgetOnDrop<'_, G, K, V> {
        ForgetOnDrop { cache: self, group }
    }

    /// Forgets every group, and every read under way.
    pub(crate) fn forget_everything(&self) {
        let mut entries = self.lock();
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.groups.clear();
        entries.bytes = 0;
    }

    /// Starts serving, empty (other replicas' changes can be heard again).
    pub(crate) fn start_serving(&self) {
        self.forget_everything();
        self.serving.store(self.limits.budget_bytes > 0, Ordering::SeqCst);
    }

    /// Stops serving and empties (other replicas' changes can no longer be heard).
    pub(crate) fn stop_serving(&self) {
        self.serving.store(false, Ordering::SeqCst);
        self.forget_everything();
    }

    /// Whether the cache is on at all.
    pub(crate) fn is_enabled(&self) -> bool {
        self.limits.budget_bytes > 0
    }

    /// Whether it serves now.
    #[cfg(test)]
    pub(crate) fn is_serving(&self) -> bool {
        self.serving.load(Ordering::SeqCst)
    }

    /// How many values `group` holds now.
    #[cfg(test)]
    pub(crate) fn group_len(&self, group: G) -> usize {
        self.lock().groups.get(&group).map_or(0, std::collections::HashMap::len)
    }

    /// How many bytes it holds now.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.lock().bytes
    }

    fn shard(&self, group: G) -> &AtomicU64 {
        let index = usize::try_from(self.hasher.hash_one(group) % SHARDS as u64).unwrap_or(0);
        &self.forgotten[index]
    }

    fn lock(&self) -> MutexGuard<'_, Entries<G, K, V>> {
        // A panic while holding the lock leaves nothing half-done that matters: at
        // worst a byte count is off, so carry on with the data.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<G: Copy + Eq + Hash, K: Eq + Hash, V> Entries<G, K, V> {
    fn remove(&mut self, group: G, key: &K) {
        if let Some(stored) = self.groups.get_mut(&group).and_then(|values| values.remove(key)) {
            self.bytes -= stored.bytes;
        }
    }

    fn remove_group(&mut self, group: G) {
        if let Some(values) = self.groups.remove(&group) {
            self.bytes -= values.values().map(|stored| stored.bytes).sum::<usize>();
        }
    }
}

/// Forgets its group when dropped.
#[must_use = "it forgets when dropped"]
pub(crate) struct ForgetOnDrop<'a, G: Copy + Eq + Hash, K: Eq + Hash, V: Clone> {
    cache: &'a MemoryCache<G, K, V>,
    group: G,
}

impl<G: Copy + Eq + Hash, K: Eq + Hash, V: Clone> Drop for ForgetOnDrop<'_, G, K, V> {
    fn drop(&mut self) {
        self.cache.forget(self.group);
    }
}
