//! The JSON of list pages, written once per page.
//!
//! A page's items change only when one of them gets a new version (a goal gets one
//! with every change to it, its steps, check-ins or supporters), so a page of the same
//! items at the same versions, seen through the same thing at the same version (a
//! share, for a supporter's view), always has the same `items` text. It is kept here
//! under those ids and versions, and reused: a page served again from the storage
//! layer's cache costs no serialisation, and a changed item has a new version, so a
//! page holding it can never be answered with old text. A key that starts with a share
//! is that share's alone, and a share has one supporter: one viewer's page is never
//! another's.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use actix_web::web::Bytes;
use serde::Serialize;

/// At most this many pages' JSON is kept...
const MAX_ENTRIES: usize = 4096;
/// ...and at most this many bytes of it; past either, all of it goes.
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The ids and versions of what a page depends on, in order: its items, after the
/// share it is seen through, if any.
pub(crate) type PageKey = Vec<(uuid::Uuid, i64)>;

#[derive(Debug, Default)]
struct Entries {
    by_page: HashMap<PageKey, Bytes>,
    bytes: usize,
}

/// Serialised `items` arrays by the ids and versions they were made from.
#[derive(Debug, Default)]
pub(crate) struct SerializedPages {
    entries: Mutex<Entries>,
}

impl SerializedPages {
    /// The JSON array of the items `make` answers, made only when no page with `key`
    /// was kept.
    ///
    /// # Errors
    /// When serialisation fails (it does not for the API's types).
    pub(crate) fn items<T: Serialize>(
        &self,
        key: PageKey,
        make: impl FnOnce() -> Vec<T>,
    ) -> Result<Bytes, serde_json::Error> {
        self.json(key, || serde_json::to_vec(&make()))
    }

    /// The JSON `make` writes, made only when none was kept under `key`.
    ///
    /// # Errors
    /// `make`'s.
    pub(crate) fn json<E>(
        &self,
        key: PageKey,
        make: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Bytes, E> {
        if let Some(json) = self.lock().by_page.get(&key) {
            return Ok(json.clone());
        }
        let json = Bytes::from(make()?);
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
    use super::*;

    fn titles(json: &[u8]) -> Vec<String> {
        serde_json::from_slice(json).unwrap()
    }

    fn page(pages: &SerializedPages, items: &[(uuid::Uuid, i64, &str)]) -> Bytes {
        let key = items.iter().map(|(id, version, _)| (*id, *version)).collect();
        pages
            .items(key, || items.iter().map(|(_, _, title)| (*title).to_owned()).collect())
            .unwrap()
    }

    #[test]
    fn a_page_is_written_once_and_a_changed_item_afresh() {
        let pages = SerializedPages::default();
        let walk = uuid::Uuid::now_v7();
        let written = page(&pages, &[(walk, 1, "Walk")]);
        assert_eq!(titles(&written), ["Walk"]);
        let again = page(&pages, &[(walk, 1, "Walk")]);
        assert_eq!(again.as_ptr(), written.as_ptr(), "reused, not rewritten");
        assert_eq!(titles(&page(&pages, &[(walk, 2, "Walk daily")])), ["Walk daily"]);
        assert_eq!(titles(&page(&pages, &[(uuid::Uuid::now_v7(), 1, "Swim")])), ["Swim"]);
    }

    #[test]
    fn the_json_kept_stays_bounded() {
        let pages = SerializedPages::default();
        for round in 0..(MAX_ENTRIES + 10) {
            page(&pages, &[(uuid::Uuid::now_v7(), 1, &format!("Page {round}"))]);
        }
        let entries = pages.lock();
        assert!(entries.by_page.len() <= MAX_ENTRIES, "{}", entries.by_page.len());
        assert!(entries.bytes <= MAX_BYTES);
        assert_eq!(entries.bytes, entries.by_page.values().map(Bytes::len).sum::<usize>());
    }
}
