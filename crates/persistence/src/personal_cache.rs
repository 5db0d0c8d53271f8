//! Recently read personal data that every agenda needs (the account, for its time
//! zone; its active routines; their pauses and check-ins), kept in memory so that the
//! screen an app opens most costs no database round trip when nothing has changed.
//!
//! The rules are those of [`crate::goal_list_cache`]:
//!
//! - Every write to a person's account, routines, pauses or routine check-ins forgets
//!   their answers here, after the write and before the response, so a replica always
//!   reads its own writes.
//! - Other replicas' writes arrive as PostgreSQL notifications (see
//!   [`crate::change_notices`]). While those cannot be heard the cache serves nothing,
//!   and it starts empty each time they can be heard again. SQLite has one process, so
//!   its cache always serves.
//! - An answer read from the database is stored only if its owner was not forgotten
//!   between the start of the read and the store ([`Ticket`]).
//!
//! Answers also expire after [`MAX_AGE`]. Memory is bounded by a byte budget (an answer
//! larger than a 64th of it is never kept; past the budget everything goes), and by a
//! number of answers per person. Hits share the stored answer rather than copying it
//! under the lock.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use waymark_domain::identity::{Account, AccountId};
use waymark_domain::routines::stats::Paused;
use waymark_domain::routines::{Routine, RoutineCheckIn, RoutineId};

/// How long an answer may be served without being read again from the database.
const MAX_AGE: Duration = Duration::from_secs(60);

/// Forgetting counts are kept per shard of people: a collision only costs a store.
const SHARDS: usize = 1024;

/// About how much memory answers may take; past it, everyone's go.
const BUDGET_BYTES: usize = 32 * 1024 * 1024;

/// No single answer may take more than this.
const LARGEST_ANSWER_BYTES: usize = BUDGET_BYTES / 64;

/// At most this many different questions per person (check-ins of other weeks).
const ANSWERS_PER_PERSON: usize = 16;

/// What was asked of the database about one person.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Question {
    /// Their account.
    Account,
    /// Their active routines.
    ActiveRoutines,
    /// The pauses of these routines.
    Pauses(Vec<RoutineId>),
    /// The check-ins of these routines between two dates.
    CheckIns(Vec<RoutineId>, NaiveDate, NaiveDate),
}

/// What the database answered.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    Account(Option<Account>),
    ActiveRoutines(Vec<Routine>),
    Pauses(Vec<(RoutineId, Paused)>),
    CheckIns(Vec<RoutineCheckIn>),
}

/// Answers by person and question, shared by every request of one server instance.
pub(crate) struct PersonalCache {
    people: Mutex<People>,
    /// Bumped whenever a person is forgotten, per shard of people.
    forgotten: Box<[AtomicU64]>,
    /// Bumped whenever everyone is forgotten.
    epoch: AtomicU64,
    serving: AtomicBool,
    enabled: bool,
    hasher: RandomState,
}

#[derive(Debug, Default)]
struct People {
    answers: HashMap<AccountId, HashMap<Question, Stored>>,
    bytes: usize,
}

impl People {
    fn remove_person(&mut self, owner: AccountId) {
        if let Some(answers) = self.answers.remove(&owner) {
            self.bytes -= answers.values().map(|stored| stored.bytes).sum::<usize>();
        }
    }
}

#[derive(Debug)]
struct Stored {
    answer: Arc<Answer>,
    bytes: usize,
    stored_at: Instant,
}

/// Taken before a database read; an answer is stored only if nothing about its owner
/// was forgotten since.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    owner: AccountId,
    forgotten: u64,
    epoch: u64,
}

/// Counts only: what is cached is people's data, and must never reach a log.
impl std::fmt::Debug for PersonalCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PersonalCache")
            .field(
                "entries",
                &self
                    .people
                    .try_lock()
                    .map(|people| people.answers.len())
                    .ok(),
            )
            .field("serving", &self.serving.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl PersonalCache {
    /// A cache that is on when `enabled`, serving from the start when `serving` (one
    /// process, nothing else can write).
    pub(crate) fn new(enabled: bool, serving: bool) -> Self {
        Self {
            people: Mutex::new(People::default()),
            forgotten: (0..SHARDS).map(|_| AtomicU64::new(0)).collect(),
            epoch: AtomicU64::new(0),
            serving: AtomicBool::new(enabled && serving),
            enabled,
            hasher: RandomState::new(),
        }
    }

    /// The stored answer to `question` about `owner`, if it is fresh and the cache
    /// serves.
    pub(crate) fn answer(&self, owner: AccountId, question: &Question) -> Option<Arc<Answer>> {
        if !self.serving.load(Ordering::SeqCst) {
            return None;
        }
        let people = self.lock();
        let stored = people.answers.get(&owner)?.get(question)?;
        (stored.stored_at.elapsed() < MAX_AGE).then(|| Arc::clone(&stored.answer))
    }

    /// A stamp of everything known about `owner` that changes whenever they are
    /// forgotten, or `None` while the cache does not serve.
    pub(crate) fn stamp(&self, owner: AccountId) -> Option<(u64, u64)> {
        if !self.serving.load(Ordering::SeqCst) {
            return None;
        }
        let ticket = self.ticket(owner);
        Some((ticket.epoch, ticket.forgotten))
    }

    /// Marks the start of a database read about `owner`.
    pub(crate) fn ticket(&self, owner: AccountId) -> Ticket {
        Ticket {
            owner,
            epoch: self.epoch.load(Ordering::SeqCst),
            forgotten: self.shard(owner).load(Ordering::SeqCst),
        }
    }

    /// Keeps `answer` to `question`, unless its owner was forgotten since `ticket` was
    /// taken or the cache is not serving.
    pub(crate) fn store(&self, ticket: Ticket, question: Question, answer: Answer) {
        let bytes = weight(&answer);
        if !self.serving.load(Ordering::SeqCst) || bytes > LARGEST_ANSWER_BYTES {
            return;
        }
        let mut people = self.lock();
        if self.epoch.load(Ordering::SeqCst) != ticket.epoch
            || self.shard(ticket.owner).load(Ordering::SeqCst) != ticket.forgotten
        {
            return;
        }
        let crowded = people.answers.get(&ticket.owner).is_some_and(|answers| {
            answers.len() >= ANSWERS_PER_PERSON && !answers.contains_key(&question)
        });
        if crowded {
            people.remove_person(ticket.owner);
        }
        if people.bytes + bytes > BUDGET_BYTES {
            *people = People::default();
        }
        let stored = Stored {
            answer: Arc::new(answer),
            bytes,
            stored_at: Instant::now(),
        };
        let replaced = people
            .answers
            .entry(ticket.owner)
            .or_default()
            .insert(question, stored);
        people.bytes += bytes;
        if let Some(replaced) = replaced {
            people.bytes -= replaced.bytes;
        }
    }

    /// Forgets every answer about `owner`: something of theirs changed.
    pub(crate) fn forget(&self, owner: AccountId) {
        let mut people = self.lock();
        self.shard(owner).fetch_add(1, Ordering::SeqCst);
        people.remove_person(owner);
    }

    /// A guard that forgets `owner` when the write it is held across ends.
    pub(crate) fn forget_on_drop(&self, owner: AccountId) -> ForgetOnDrop<'_> {
        ForgetOnDrop { cache: self, owner }
    }

    /// Starts serving, empty: changes made elsewhere are heard from now on.
    pub(crate) fn start_serving(&self) {
        self.forget_everyone();
        self.serving.store(self.enabled, Ordering::SeqCst);
    }

    /// Stops serving and forgets everything: changes made elsewhere can no longer be
    /// heard.
    pub(crate) fn stop_serving(&self) {
        self.serving.store(false, Ordering::SeqCst);
        self.forget_everyone();
    }

    fn forget_everyone(&self) {
        let mut people = self.lock();
        self.epoch.fetch_add(1, Ordering::SeqCst);
        *people = People::default();
    }

    fn shard(&self, owner: AccountId) -> &AtomicU64 {
        let index = usize::try_from(self.hasher.hash_one(owner) % SHARDS as u64).unwrap_or(0);
        &self.forgotten[index]
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, People> {
        self.people.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Forgets what is known about the owner when dropped: when the write it guards is done, whether it
/// succeeded, failed, or was abandoned part-way (a request timed out, a client hung up)
/// after its commit may already have reached the database.
#[must_use = "it forgets when dropped"]
pub(crate) struct ForgetOnDrop<'a> {
    cache: &'a PersonalCache,
    owner: AccountId,
}

impl Drop for ForgetOnDrop<'_> {
    fn drop(&mut self) {
        self.cache.forget(self.owner);
    }
}

/// About how much memory `answer` holds.
fn weight(answer: &Answer) -> usize {
    match answer {
        Answer::Account(_) => 512,
        Answer::ActiveRoutines(routines) => routines
            .iter()
            .map(|routine| 512 + routine.title.as_str().len() + routine.notes.as_str().len())
            .sum(),
        Answer::Pauses(pauses) => 64 * pauses.len(),
        Answer::CheckIns(check_ins) => check_ins
            .iter()
            .map(|check_in| 256 + check_in.note.as_str().len())
            .sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> AccountId {
        AccountId(waymark_domain::id::new_id())
    }

    fn remember(cache: &PersonalCache, owner: AccountId) {
        cache.store(
            cache.ticket(owner),
            Question::ActiveRoutines,
            Answer::ActiveRoutines(Vec::new()),
        );
    }

    #[test]
    fn an_answer_is_served_until_its_owner_is_forgotten() {
        let cache = PersonalCache::new(true, true);
        let (sam, alex) = (person(), person());
        remember(&cache, sam);
        remember(&cache, alex);
        assert!(cache.answer(sam, &Question::ActiveRoutines).is_some());
        assert!(cache.answer(sam, &Question::Account).is_none());
        cache.forget(sam);
        assert!(cache.answer(sam, &Question::ActiveRoutines).is_none());
        assert!(cache.answer(alex, &Question::ActiveRoutines).is_some());
    }

    #[test]
    fn a_read_that_started_before_a_change_is_not_stored() {
        let cache = PersonalCache::new(true, true);
        let sam = person();
        let ticket = cache.ticket(sam);
        cache.forget(sam);
        cache.store(
            ticket,
            Question::ActiveRoutines,
            Answer::ActiveRoutines(Vec::new()),
        );
        assert!(cache.answer(sam, &Question::ActiveRoutines).is_none());
    }

    #[test]
    fn nothing_is_served_or_kept_while_changes_cannot_be_heard() {
        let cache = PersonalCache::new(true, false);
        let sam = person();
        remember(&cache, sam);
        assert!(cache.answer(sam, &Question::ActiveRoutines).is_none());
        cache.start_serving();
        remember(&cache, sam);
        assert!(cache.answer(sam, &Question::ActiveRoutines).is_some());
        cache.stop_serving();
        assert!(cache.answer(sam, &Question::ActiveRoutines).is_none());
        cache.start_serving();
        assert!(
            cache.answer(sam, &Question::ActiveRoutines).is_none(),
            "starts empty"
        );
    }

    #[test]
    fn answers_per_person_are_bounded_and_off_means_off() {
        let cache = PersonalCache::new(true, true);
        let sam = person();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        for week in 0..=ANSWERS_PER_PERSON {
            let from = day + chrono::Days::new(7 * week as u64);
            cache.store(
                cache.ticket(sam),
                Question::CheckIns(Vec::new(), from, from),
                Answer::CheckIns(Vec::new()),
            );
        }
        assert!(cache.lock().answers[&sam].len() <= ANSWERS_PER_PERSON);
        let off = PersonalCache::new(false, true);
        remember(&off, sam);
        assert!(off.answer(sam, &Question::ActiveRoutines).is_none());
        off.start_serving();
        remember(&off, sam);
        assert!(off.answer(sam, &Question::ActiveRoutines).is_none());
    }
}
