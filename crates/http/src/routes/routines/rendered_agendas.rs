//! The JSON of agendas as served, reused while nothing they are made of has changed.
//!
//! An agenda is made of the person's account (its time zone), active routines, pauses
//! and check-ins, and the dates asked for. Something that hears of every committed
//! change stamps all of those together ([`AgendaStamps`]; the server wires in the
//! storage layer's cache of them); the JSON built after reading a stamp is kept with it
//! and served again only while the person's stamp is still the same, so any change (on
//! this instance or, heard through PostgreSQL, on another) makes the next agenda fresh.
//! Without stamps nothing is reused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::web::Bytes;
use chrono::NaiveDate;
use waymark_domain::identity::AccountId;

/// Changes whenever anything a person's agenda is made of (their account, routines,
/// pauses and routine check-ins) may have changed. JSON built from reads made after
/// the stamp was taken may be served again for as long as the stamp is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgendaStamp(pub u64, pub u64);

/// Where agendas' stamps come from.
pub trait AgendaStamps: Send + Sync + std::fmt::Debug {
    /// `owner`'s current stamp, or `None` when changes cannot be followed (then nothing
    /// may be reused).
    fn stamp(&self, owner: AccountId) -> Option<AgendaStamp>;
}

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
    /// Where stamps come from; `None` keeps nothing.
    stamps: Option<Arc<dyn AgendaStamps>>,
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
    /// Agendas kept while `stamps` stay the same.
    pub(crate) fn following(stamps: Arc<dyn AgendaStamps>) -> Self {
        Self { entries: Mutex::default(), stamps: Some(stamps) }
    }

    /// `owner`'s current stamp, to read under and keep with; `None` when nothing may
    /// be kept.
    pub(crate) fn stamp(&self, owner: AccountId) -> Option<AgendaStamp> {
        self.stamps.as_ref().and_then(|stamps| stamps.stamp(owner))
    }

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

    #[derive(Debug)]
    struct Fixed(Option<AgendaStamp>);

    impl AgendaStamps for Fixed {
        fn stamp(&self, _owner: AccountId) -> Option<AgendaStamp> {
            self.0
        }
    }

    #[test]
    fn stamps_come_from_what_the_agendas_follow_and_without_it_there_are_none() {
        let sam = AccountId(waymark_domain::id::new_id());
        assert_eq!(RenderedAgendas::default().stamp(sam), None);
        let following = RenderedAgendas::following(Arc::new(Fixed(Some(AgendaStamp(3, 4)))));
        assert_eq!(following.stamp(sam), Some(AgendaStamp(3, 4)));
        assert_eq!(RenderedAgendas::following(Arc::new(Fixed(None))).stamp(sam), None);
    }
}
