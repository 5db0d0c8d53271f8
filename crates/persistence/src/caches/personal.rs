//! Recently read personal data that every agenda needs (the account, for its time
//! zone; its active routines; their pauses and check-ins), and that every request of
//! an app acting for the person is checked against (the account, and the grant they
//! gave the app), kept in memory so that neither costs a database round trip when
//! nothing has changed: a [`MemoryCache`] grouped by person (see its rules). Every
//! write to a person's account, routines, pauses, routine check-ins or grants forgets
//! their answers. Hits share
//! the stored answer rather than copying it under the lock.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use waymark_domain::identity::ports::Grant;
use waymark_domain::identity::{Account, AccountId, ClientId};
use waymark_domain::routines::stats::Paused;
use waymark_domain::routines::{Routine, RoutineCheckIn, RoutineId};

use crate::caches::memory_cache::{Limits, MemoryCache};

/// How long an answer may be served without being read again from the database.
const MAX_AGE: Duration = Duration::from_secs(60);

/// At most this many answers per person.
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
    /// The grant they gave this app, which every request of the app is checked against.
    Grant(ClientId),
}

/// What the database answered.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    Account(Option<Account>),
    ActiveRoutines(Vec<Routine>),
    Pauses(Vec<(RoutineId, Paused)>),
    CheckIns(Vec<RoutineCheckIn>),
    Grant(Option<Grant>),
}

/// Answers about people, shared by every request of one server instance.
pub(crate) type PersonalCache = MemoryCache<AccountId, Question, Arc<Answer>>;

/// What changes whenever anything the personal cache holds for a person may have
/// changed (their account, routines, pauses, routine check-ins and grants): for
/// answers built outside storage from those reads, such as an agenda's JSON.
#[derive(Debug, Clone)]
pub struct PersonalStamps(pub(crate) Arc<PersonalCache>);

impl PersonalStamps {
    /// `owner`'s stamp. While it stays the same, what was built from reads made after
    /// it was taken may be served again; `None` while the cache does not serve (then
    /// nothing may be).
    #[must_use]
    pub fn stamp(&self, owner: AccountId) -> Option<(u64, u64)> {
        self.0.stamp(owner)
    }
}

/// A cache holding at most about `budget_bytes` of answers (0 turns it off; no one
/// answer may take more than a 64th of it), serving from the start when `serving`
/// (one process, nothing else can write).
pub(crate) fn personal_cache(budget_bytes: usize, serving: bool) -> PersonalCache {
    let limits = Limits {
        budget_bytes,
        largest_bytes: budget_bytes / 64,
        per_group: ANSWERS_PER_PERSON,
        max_age: MAX_AGE,
    };
    MemoryCache::new("PersonalCache", limits, |answer: &Arc<Answer>| weight(answer), serving)
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
        Answer::Grant(_) => 256,
        Answer::CheckIns(check_ins) => {
            check_ins.iter().map(|check_in| 256 + check_in.note.as_str().len()).sum()
        }
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
            Arc::new(Answer::ActiveRoutines(Vec::new())),
        );
    }

    #[test]
    fn an_answer_is_served_until_its_owner_is_forgotten() {
        let cache = personal_cache(1 << 25, true);
        let (sam, alex) = (person(), person());
        remember(&cache, sam);
        remember(&cache, alex);
        assert!(cache.get(sam, &Question::ActiveRoutines).is_some());
        assert!(cache.get(sam, &Question::Account).is_none());
        cache.forget(sam);
        assert!(cache.get(sam, &Question::ActiveRoutines).is_none());
        assert!(cache.get(alex, &Question::ActiveRoutines).is_some());
    }

    #[test]
    fn a_read_that_started_before_a_change_is_not_stored() {
        let cache = personal_cache(1 << 25, true);
        let sam = person();
        let ticket = cache.ticket(sam);
        cache.forget(sam);
        cache.store(ticket, Question::ActiveRoutines, Arc::new(Answer::ActiveRoutines(Vec::new())));
        assert!(cache.get(sam, &Question::ActiveRoutines).is_none());
    }

    #[test]
    fn nothing_is_served_or_kept_while_changes_cannot_be_heard() {
        let cache = personal_cache(1 << 25, false);
        let sam = person();
        remember(&cache, sam);
        assert!(cache.get(sam, &Question::ActiveRoutines).is_none());
        cache.start_serving();
        remember(&cache, sam);
        assert!(cache.get(sam, &Question::ActiveRoutines).is_some());
        cache.stop_serving();
        assert!(cache.get(sam, &Question::ActiveRoutines).is_none());
        cache.start_serving();
        assert!(cache.get(sam, &Question::ActiveRoutines).is_none(), "starts empty");
    }

    #[test]
    fn answers_per_person_are_bounded_and_off_means_off() {
        let cache = personal_cache(1 << 25, true);
        let sam = person();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        for week in 0..=ANSWERS_PER_PERSON {
            let from = day + chrono::Days::new(7 * week as u64);
            cache.store(
                cache.ticket(sam),
                Question::CheckIns(Vec::new(), from, from),
                Arc::new(Answer::CheckIns(Vec::new())),
            );
        }
        assert!(cache.group_len(sam) <= ANSWERS_PER_PERSON);
        let off = personal_cache(0, true);
        remember(&off, sam);
        assert!(off.get(sam, &Question::ActiveRoutines).is_none());
        off.start_serving();
        remember(&off, sam);
        assert!(off.get(sam, &Question::ActiveRoutines).is_none());
    }
}
