//! The JSON of goal pages served again from memory, written once per page.
//!
//! A page from the storage layer's cache is the same shared snapshot every time (see
//! `GoalPage`), so its `items` array is serialised the first time and reused for as
//! long as that snapshot lives. An entry matches only while its snapshot is alive and
//! is the very same allocation (the weak reference keeps the address from being
//! reused), so a changed page can never be answered with old text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use actix_web::web::Bytes;
use waymark_domain::goals::Goal;

use super::representation::GoalResponse;

/// At most this many pages' JSON is kept; past it, all of it goes.
const MAX_ENTRIES: usize = 4096;

/// Entries of dropped snapshots are swept out once this many entries are kept, and
/// again each time the count doubles from what survived. Pages change often (every
/// check-in makes a new one), and keeping the JSON of every dropped page until the
/// maximum took tens of MiB.
const FIRST_SWEEP_AT: usize = 64;

/// Page snapshots (by address) and the JSON of their items.
#[derive(Debug)]
struct Entries {
    by_snapshot: HashMap<usize, (Weak<[Goal]>, Bytes)>,
    sweep_at: usize,
}

impl Default for Entries {
    fn default() -> Self {
        Self {
            by_snapshot: HashMap::new(),
            sweep_at: FIRST_SWEEP_AT,
        }
    }
}

/// Serialised `items` arrays by snapshot.
#[derive(Debug, Default)]
pub(crate) struct SerializedPages {
    entries: Mutex<Entries>,
}

impl SerializedPages {
    /// The JSON array of `goals`, as [`GoalResponse`]s.
    ///
    /// # Errors
    /// When serialisation fails (it does not for these types).
    pub(crate) fn items(&self, goals: &Arc<[Goal]>) -> Result<Bytes, serde_json::Error> {
        let key = Arc::as_ptr(goals).cast::<Goal>() as usize;
        if let Some((snapshot, json)) = self.lock().by_snapshot.get(&key)
            && snapshot
                .upgrade()
                .is_some_and(|alive| Arc::ptr_eq(&alive, goals))
        {
            return Ok(json.clone());
        }
        let responses: Vec<GoalResponse> = goals.iter().map(GoalResponse::from).collect();
        let json = Bytes::from(serde_json::to_vec(&responses)?);
        let mut entries = self.lock();
        if entries.by_snapshot.len() >= entries.sweep_at {
            entries
                .by_snapshot
                .retain(|_, (snapshot, _)| snapshot.strong_count() > 0);
            if entries.by_snapshot.len() >= MAX_ENTRIES {
                entries.by_snapshot.clear();
            }
            entries.sweep_at = (entries.by_snapshot.len() * 2).max(FIRST_SWEEP_AT);
        }
        entries
            .by_snapshot
            .insert(key, (Arc::downgrade(goals), json.clone()));
        Ok(json)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use waymark_domain::goals::{Area, GoalId, GoalStatus, GoalTitle, GoalWhy, SupportNotes};
    use waymark_domain::identity::AccountId;

    use super::*;

    fn goal(title: &str) -> Goal {
        let now = waymark_domain::time::now();
        Goal {
            id: GoalId(waymark_domain::id::new_id()),
            owner: AccountId(waymark_domain::id::new_id()),
            title: GoalTitle::parse(title).unwrap(),
            why: GoalWhy::parse("").unwrap(),
            area: Area::Social,
            target_date: None,
            status: GoalStatus::Active,
            status_changed_at: now,
            needs_support: false,
            support_notes: SupportNotes::parse("").unwrap(),
            created_at: now,
            updated_at: now,
            version: 1,
            steps_total: 0,
            steps_done: 0,
            last_check_in_at: None,
            supporters: Vec::new(),
        }
    }

    fn titles(json: &[u8]) -> Vec<String> {
        let items: Vec<serde_json::Value> = serde_json::from_slice(json).unwrap();
        items
            .iter()
            .map(|item| item["title"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn a_snapshot_is_written_once_and_a_new_one_afresh() {
        let pages = SerializedPages::default();
        let first: Arc<[Goal]> = Arc::from(vec![goal("Walk")]);
        let written = pages.items(&first).unwrap();
        assert_eq!(titles(&written), ["Walk"]);
        let again = pages.items(&first).unwrap();
        assert_eq!(again.as_ptr(), written.as_ptr(), "reused, not rewritten");

        let changed: Arc<[Goal]> = Arc::from(vec![goal("Walk daily")]);
        assert_eq!(titles(&pages.items(&changed).unwrap()), ["Walk daily"]);

        drop(first);
        let after_drop: Arc<[Goal]> = Arc::from(vec![goal("Swim")]);
        assert_eq!(titles(&pages.items(&after_drop).unwrap()), ["Swim"]);
    }

    #[test]
    fn the_json_of_dropped_snapshots_is_swept_out() {
        let pages = SerializedPages::default();
        let kept: Arc<[Goal]> = Arc::from(vec![goal("Kept")]);
        pages.items(&kept).unwrap();
        for round in 0..1000 {
            let passing: Arc<[Goal]> = Arc::from(vec![goal(&format!("Page {round}"))]);
            pages.items(&passing).unwrap();
        }
        let entries = pages.lock();
        assert!(
            entries.by_snapshot.len() <= FIRST_SWEEP_AT,
            "{}",
            entries.by_snapshot.len()
        );
        let key = Arc::as_ptr(&kept).cast::<Goal>() as usize;
        assert!(entries.by_snapshot.contains_key(&key), "a live page stays");
    }
}
