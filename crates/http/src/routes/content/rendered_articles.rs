//! The JSON of articles as served, written once per version.
//!
//! An article's representation depends only on its stored fields, and every change
//! gives it a new `version` (ids are never reused), so the JSON of an id at a version,
//! and the `ETag` digested from it, never change. They are kept here and reused, which
//! spares every read of a popular article the Markdown rendering, the serialisation and
//! the digest.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use actix_web::web::Bytes;
use waymark_domain::content::{Article, ArticleId};

use super::representation::ArticleResponse;
use crate::public_cache::digest_etag;

/// At most this many versions are kept...
const MAX_ENTRIES: usize = 1024;
/// ...and at most this many bytes of JSON; past either, everything goes.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// An article's JSON and its strong `ETag`.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub(crate) json: Bytes,
    pub(crate) etag: String,
}

#[derive(Debug, Default)]
struct Entries {
    by_version: HashMap<(ArticleId, i64), Rendered>,
    bytes: usize,
}

/// Rendered articles by id and version, shared by every worker.
#[derive(Debug, Default)]
pub(crate) struct RenderedArticles {
    entries: Mutex<Entries>,
}

impl RenderedArticles {
    /// The JSON of `article` as [`ArticleResponse`], rendered the first time this
    /// version is asked for.
    pub(crate) fn of(&self, article: &Article) -> Rendered {
        let key = (article.id, article.version);
        if let Some(rendered) = self.lock().by_version.get(&key) {
            return rendered.clone();
        }
        let json =
            Bytes::from(serde_json::to_vec(&ArticleResponse::from(article)).unwrap_or_default());
        let rendered = Rendered { etag: digest_etag(&json), json };
        let mut entries = self.lock();
        if entries.by_version.len() >= MAX_ENTRIES
            || entries.bytes + rendered.json.len() > MAX_BYTES
        {
            entries.by_version.clear();
            entries.bytes = 0;
        }
        if rendered.json.len() <= MAX_BYTES {
            entries.bytes += rendered.json.len();
            if let Some(replaced) = entries.by_version.insert(key, rendered.clone()) {
                entries.bytes -= replaced.json.len();
            }
        }
        rendered
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
