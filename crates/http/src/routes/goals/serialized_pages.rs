//! The JSON of goal pages, written once per page.
//!
//! A goal's representation changes only with its version (every change to it, its
//! steps, check-ins or supporters gives it a new one), so a page of the same goals at
//! the same versions always has the same `items` text. It is kept here under those
//! ids and versions, and reused: a page served again from the storage layer's cache
//! costs no serialisation. A changed goal has a new version, so a page holding it can
//! never be answered with old text.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use actix_web::web::Bytes;
use waymark_domain::goals::Goal;

use super::representation::GoalResponse;

/// At most this many pages' JSON is kept...
const MAX_ENTRIES: usize = 4096;
/// ...and at most this many bytes of it; past either, all of it goes.
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The ids and versions of a page's goals, in order.
type PageKey = Vec<(uuid::Uuid, i64)>;

#[derive(Debug, Default)]
struct Entries {
    by_page: HashMap<PageKey, Bytes>,
    bytes: usize,
}

/// Serialised `items` arrays by the ids and versions of their goals.
#[derive(Debug, Default)]
pub(crate) struct SerializedPages {
    entries: Mutex<Entries>,
}

impl SerializedPages {
    /// The JSON array of `goals`, as [`GoalResponse`]s.
    ///
    /// # Errors
    /// When serialisation fails (it does not for these types).
    pub(crate) fn items(&self, goals: &[Goal]) -> Result<Bytes, serde_json::Error> {
        let key: PageKey = goals.iter().map(|goal| (goal.id.0, goal.version)).collect();
        if let Some(json) = self.lock().by_page.get(&key) {
            return Ok(json.clone());
        }
        let responses: Vec<GoalResponse> = goals.iter().map(GoalResponse::from).collect();
        let json = Bytes::from(serde_json::to_vec(&responses)?);
        let mut entries = self.lock();
        if entries.by_page.len() >= MAX_ENTRIES || entries.bytes + json.len() > MAX_BYTES {
            entries.by_page.clear();
            entries.bytes = 0;
        }
        entries.bytes += json.len();
        if let Some(replaced) = entries.by_page.insert(key, json.clone()) {
            entries.bytes -= replaced.len();
        }
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
        items.iter().map(|item| item["title"].as_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn a_page_is_written_once_and_a_changed_goal_afresh() {
        let pages = SerializedPages::default();
        let mut walk = goal("Walk");
        let first = vec![walk.clone()];
        let written = pages.items(&first).unwrap();
        assert_eq!(titles(&written), ["Walk"]);
        let again = pages.items(&[walk.clone()]).unwrap();
        assert_eq!(again.as_ptr(), written.as_ptr(), "reused, not rewritten");

        walk.title = GoalTitle::parse("Walk daily").unwrap();
        walk.version += 1;
        assert_eq!(titles(&pages.items(&[walk]).unwrap()), ["Walk daily"]);
        assert_eq!(titles(&pages.items(&[goal("Swim")]).unwrap()), ["Swim"]);
    }

    #[test]
    fn the_json_kept_stays_bounded() {
        let pages = SerializedPages::default();
        for round in 0..(MAX_ENTRIES + 10) {
            pages.items(&[goal(&format!("Page {round}"))]).unwrap();
        }
        let entries = pages.lock();
        assert!(entries.by_page.len() <= MAX_ENTRIES, "{}", entries.by_page.len());
        assert!(entries.bytes <= MAX_BYTES);
        assert_eq!(entries.bytes, entries.by_page.values().map(Bytes::len).sum::<usize>());
    }
}
