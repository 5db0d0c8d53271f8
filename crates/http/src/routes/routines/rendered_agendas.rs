//! The JSON of agendas as served, reused while nothing they are made of has changed.
//!
//! An agenda is made of the person's account (its time zone), active routines, pauses
//! and check-ins, and the dates asked for. The storage layer stamps all of those
//! together ([`AgendaStamp`]); the JSON built after reading a stamp is kept with it and
//! served again only while the person's stamp is still the same, so any change (on
//! this instance or, heard through PostgreSQL, on another) makes the next agenda fresh.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use actix_web::web::Bytes;
use chrono::NaiveDate;
use waymark_domain::identity::AccountId;
use waymark_domain::routines::ports::AgendaStamp;

/// At most this many bytes of JSON are kept; past it, everything goes.
const MAX_BYTES: usize = 16 * 1024 * 1024;

type Key = (AccountId, NaiveDate, NaiveDate);

#[derive(Debug, Default)]
struct Entries {
    by_range: HashMap<Key, (AgendaStamp, Bytes)>,
    bytes: usize,
}

/// Rendered agendas by person and dates, shared by every worker.
#[derive(Default)]
pub(crate) struct RenderedAgendas {
    entries: Mutex<Entries>,
}

/// Counts only: agendas are people's data, and must never reach a log.
impl std::fmt::Debug for RenderedAgendas {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RenderedAgendas")
            .field("entries", &self.entries.try_lock().map(|entries| entries.by_range.len()).ok())
            .finish()
    }
}

impl RenderedAgendas {
    /// The JSON kept for `owner`'s agenda from `from` to `to`, if it was built under
    /// `stamp`.
    pub(crate) fn get(
        &self,
        owner: AccountId,
        from: NaiveDate,
        to: NaiveDate,
        stamp: AgendaStamp,
    ) -> Option<Bytes> {
        let entries = self.lock();
        let (kept_stamp, json) = entries.by_range.get(&(owner, from, to))?;
        (*kept_stamp == stamp).then(|| json.clone())
    }

    /// Keeps `json`, built from reads made after `stamp` was taken.
    pub(crate) fn keep(
        &self,
        owner: AccountId,
        from: NaiveDate,
        to: NaiveDate,
        stamp: AgendaStamp,
        json: Bytes,
    ) {
        let mut entries = self.lock();
        if entries.bytes + json.len() > MAX_BYTES {
            *entries = Entries::default();
        }
        entries.bytes += json.len();
        if let Some((_, replaced)) = entries.by_range.insert((owner, from, to), (stamp, json)) {
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

    #[test]
    fn kept_json_is_served_only_under_the_same_stamp() {
        let agendas = RenderedAgendas::default();
        let sam = AccountId(waymark_domain::id::new_id());
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        agendas.keep(sam, day, day, AgendaStamp(1, 1), Bytes::from_static(b"{}"));
        assert!(agendas.get(sam, day, day, AgendaStamp(1, 1)).is_some());
        assert!(agendas.get(sam, day, day, AgendaStamp(1, 2)).is_none());
        assert!(agendas.get(sam, day, day.succ_opt().unwrap_or(day), AgendaStamp(1, 1)).is_none());
        let alex = AccountId(waymark_domain::id::new_id());
        assert!(agendas.get(alex, day, day, AgendaStamp(1, 1)).is_none());
    }
}
