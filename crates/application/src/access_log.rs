//! The access log: what apps and administrators did with a person's data, recorded
//! without making the request wait, and read by the person.
//!
//! Recording puts the access in memory; the server writes what is waiting every
//! `--access-log-flush` (a second by default), or as soon as a whole batch waits, and once more when
//! it stops gracefully. A process killed outright loses at most what waited since the
//! last write; while storage is away, accesses wait (up to [`MOST_WAITING`]) and are
//! written when it is back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use waymark_domain::access_log::{AccessLogEntry, AccessLogQuery, AccessLogStore, AccessRecord};
use waymark_domain::ports::{StoragePorts, StoreError};

/// The most accesses kept waiting while storage is away; more are counted and
/// dropped, never held without bound.
pub const MOST_WAITING: usize = 50_000;

/// The most accesses written in one transaction: four of the store's inserts of 1,024
/// rows. Fewer, larger transactions keep up with a busy server (each commit waits for
/// the disk), and a whole number of full inserts spares statements of odd sizes.
const BATCH: usize = 4 * 1_024;

/// How many waiting accesses are worth writing before the interval is over: one full
/// insert.
const WORTH_WRITING: usize = 1_024;

/// Accesses recorded and not yet written.
#[derive(Debug, Default)]
pub struct AccessRecorder {
    waiting: Mutex<Vec<AccessRecord>>,
    dropped: AtomicU64,
}

impl AccessRecorder {
    /// Keeps `record` until the next write. Never waits on storage.
    pub fn record(&self, record: AccessRecord) {
        let mut waiting = self.waiting();
        if waiting.len() < MOST_WAITING {
            waiting.push(record);
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Writes every access waiting, in batches, and answers how many were written.
    /// A batch storage refuses goes back to wait for the next try.
    ///
    /// # Errors
    /// [`StoreError`] from the batch that failed.
    pub async fn write_waiting(&self, store: &dyn AccessLogStore) -> Result<usize, StoreError> {
        let mut written = 0;
        loop {
            let batch: Vec<AccessRecord> = {
                let mut waiting = self.waiting();
                let take = waiting.len().min(BATCH);
                waiting.drain(..take).collect()
            };
            if batch.is_empty() {
                return Ok(written);
            }
            if let Err(error) = store.append(&batch).await {
                let mut waiting = self.waiting();
                let room = MOST_WAITING.saturating_sub(waiting.len());
                let kept = batch.len().min(room);
                self.dropped.fetch_add((batch.len() - kept) as u64, Ordering::Relaxed);
                waiting.splice(0..0, batch.into_iter().take(kept));
                return Err(error);
            }
            written += batch.len();
        }
    }

    /// Whether a whole insert's worth is waiting: worth writing before the interval is
    /// over, so that a busy server keeps little in memory (and loses little if killed).
    #[must_use]
    pub fn batch_waiting(&self) -> bool {
        self.waiting().len() >= WORTH_WRITING
    }

    /// How many accesses were dropped because too many were waiting, since this was
    /// last asked.
    #[must_use]
    pub fn take_dropped(&self) -> u64 {
        self.dropped.swap(0, Ordering::Relaxed)
    }

    fn waiting(&self) -> MutexGuard<'_, Vec<AccessRecord>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One page of a person's access log (`query.owner`'s), newest first, and whether
/// more is waiting.
///
/// # Errors
/// [`StoreError`].
pub async fn page(
    ports: &StoragePorts,
    query: &AccessLogQuery,
) -> Result<(Vec<AccessLogEntry>, bool), StoreError> {
    ports.access_log.page(query).await
}

#[cfg(test)]
mod tests {
    use waymark_domain::access_log::Accessor;
    use waymark_domain::identity::{AccountId, ClientId};

    use super::*;

    fn access() -> AccessRecord {
        let app = Accessor::App(ClientId(waymark_domain::id::new_id()));
        let owner = AccountId(waymark_domain::id::new_id());
        AccessRecord::new(owner, app, "list_goals", ("goals".to_owned(), None), 200)
    }

    #[test]
    fn a_whole_batch_waiting_is_worth_writing_before_the_interval_is_over() {
        let recorder = AccessRecorder::default();
        for _ in 1..WORTH_WRITING {
            recorder.record(access());
        }
        assert!(!recorder.batch_waiting());
        recorder.record(access());
        assert!(recorder.batch_waiting());
    }
}
