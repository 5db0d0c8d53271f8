//! The JSON of sync answers, reused while the person's journal stays where it was.
//!
//! A sync answer depends on the request (whose, from where, how many, which kinds)
//! and on the person's data, which changes only with a new journal entry: two equal
//! requests made at the same journal head get the same answer (see
//! `waymark_application::sync::stamp`). Answers are kept under the request and the
//! head; once the head moves on, the key is never asked for again. They are also
//! dropped after [`MAX_AGE`], since a share's status changes with time.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use waymark_domain::identity::AccountId;
use waymark_domain::journal::Sequence;

/// At most this many answers are kept...
const MAX_ENTRIES: usize = 4096;
/// ...and at most this many bytes of them; past either, all of them go.
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// How long an answer may be reused.
const MAX_AGE: Duration = Duration::from_secs(60);

/// One sync request, at one journal head.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AnswerKey {
    /// Whose data.
    pub(crate) owner: AccountId,
    /// The `since` token as sent (it names the person, a position and the kinds).
    pub(crate) since: Option<String>,
    /// The page size.
    pub(crate) limit: u64,
    /// The kinds the token reads.
    pub(crate) kinds: u8,
    /// The person's journal head when the answer was made.
    pub(crate) head: Sequence,
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<AnswerKey, (Bytes, Instant)>,
    bytes: usize,
}

/// Sync answers by request and journal head.
#[derive(Debug, Default)]
pub(crate) struct SyncAnswers {
    entries: Mutex<Entries>,
}

impl SyncAnswers {
    /// The answer kept for `key`, if it is fresh.
    pub(crate) fn get(&self, key: &AnswerKey) -> Option<Bytes> {
        let entries = self.lock();
        let (json, made_at) = entries.by_key.get(key)?;
        (made_at.elapsed() < MAX_AGE).then(|| json.clone())
    }

    /// Keeps `json` as the answer for `key`.
    pub(crate) fn keep(&self, key: AnswerKey, json: Bytes) {
        let mut entries = self.lock();
        if entries.by_key.len() >= MAX_ENTRIES || entries.bytes + json.len() > MAX_BYTES {
            entries.by_key.clear();
            entries.bytes = 0;
        }
        entries.bytes += json.len();
        if let Some((replaced, _)) = entries.by_key.insert(key, (json, Instant::now())) {
            entries.bytes -= replaced.len();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(head: i64) -> AnswerKey {
        AnswerKey {
            owner: AccountId(waymark_domain::id::new_id()),
            since: None,
            limit: 100,
            kinds: 0xff,
            head: Sequence(head),
        }
    }

    #[test]
    fn an_answer_is_reused_only_at_the_head_it_was_made_at() {
        let answers = SyncAnswers::default();
        let at_one = key(1);
        answers.keep(at_one.clone(), Bytes::from_static(b"{}"));
        assert_eq!(answers.get(&at_one), Some(Bytes::from_static(b"{}")));
        assert_eq!(answers.get(&AnswerKey { head: Sequence(2), ..at_one.clone() }), None);
        assert_eq!(answers.get(&AnswerKey { owner: key(1).owner, ..at_one }), None);
    }
}
