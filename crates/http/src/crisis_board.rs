//! Crisis lines must answer even when the database does not: the last good answer
//! for each locale is kept in memory (fresh for [`FRESH_FOR`], and dropped whenever
//! this instance changes content), and a built-in set compiled into the binary stands
//! in when there has never been one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use waymark_application::crisis::{self, CrisisAnswer};
use waymark_domain::content::service::Service;
use waymark_domain::identity::Locale;

use crate::state::AppState;

/// How long an answer is served from memory before the database is asked again.
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(30);
/// The most locales remembered: every valid language tag is a key, and the endpoint is
/// not rate limited, so the map must not grow without end.
const MAX_REMEMBERED: usize = 64;

/// How long the database may take before the remembered or built-in answer is used.
pub(crate) const DATABASE_PATIENCE: Duration = Duration::from_millis(800);

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provenance {
    /// Read from the database just now.
    Live,
    /// Remembered from an earlier read.
    Remembered,
    /// The set compiled into the binary.
    BuiltIn,
}

impl Provenance {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Remembered => "remembered",
            Self::BuiltIn => "built_in",
        }
    }
}

/// The remembered answers and the built-in set.
#[derive(Debug, Default)]
pub struct CrisisBoard {
    remembered: Mutex<HashMap<String, (Instant, Arc<CrisisAnswer>)>>,
    built_in: Vec<Service>,
}

impl CrisisBoard {
    /// A board whose fallback is `built_in`.
    #[must_use]
    pub fn new(built_in: Vec<Service>) -> Self {
        Self { remembered: Mutex::new(HashMap::new()), built_in }
    }

    /// The remembered answer for `locale`, if it is still fresh.
    pub(crate) fn fresh(&self, locale: &Locale) -> Option<Arc<CrisisAnswer>> {
        let remembered = self.remembered.lock().ok()?;
        remembered
            .get(locale.as_str())
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, answer)| answer.clone())
    }

    /// Remembers a good answer.
    pub(crate) fn remember(&self, locale: &Locale, answer: Arc<CrisisAnswer>) {
        if let Ok(mut remembered) = self.remembered.lock() {
            if remembered.len() >= MAX_REMEMBERED && !remembered.contains_key(locale.as_str()) {
                // Keep the answers of the locales that are actually used: drop the stalest.
                if let Some(stalest) =
                    remembered.iter().min_by_key(|(_, (at, _))| *at).map(|(key, _)| key.clone())
                {
                    remembered.remove(&stalest);
                }
            }
            remembered.insert(locale.as_str().to_owned(), (Instant::now(), answer));
        }
    }

    /// The answer to give when the database cannot: the last good one, however old,
    /// else the built-in set.
    pub(crate) fn fallback(&self, locale: &Locale) -> (Arc<CrisisAnswer>, Provenance) {
        if let Some(answer) = self.remembered.lock().ok().and_then(|remembered| {
            remembered.get(locale.as_str()).map(|(_, answer)| answer.clone())
        }) {
            return (answer, Provenance::Remembered);
        }
        let services = self.built_in_for(locale);
        (Arc::new(CrisisAnswer { services, guidance: Vec::new() }), Provenance::BuiltIn)
    }

    /// The built-in crisis lines for `locale`.
    pub(crate) fn built_in_for(&self, locale: &Locale) -> Vec<Service> {
        self.built_in.iter().filter(|service| service.is_crisis_line_for(locale)).cloned().collect()
    }

    /// Makes every remembered answer stale (content changed here).
    pub(crate) fn forget(&self) {
        if let Ok(mut remembered) = self.remembered.lock() {
            for (at, _) in remembered.values_mut() {
                *at = Instant::now().checked_sub(FRESH_FOR).unwrap_or(*at);
            }
        }
    }
}

/// The crisis answer for `locale`: fresh from memory, else from the database within
/// [`DATABASE_PATIENCE`], else the remembered or built-in one.
pub(crate) async fn crisis_answer(
    state: &AppState,
    locale: &Locale,
) -> (Arc<CrisisAnswer>, Provenance) {
    if let Some(answer) = state.crisis.fresh(locale) {
        return (answer, Provenance::Live);
    }
    match tokio::time::timeout(DATABASE_PATIENCE, crisis::lines(&state.ports, locale)).await {
        Ok(Ok(answer)) => {
            let answer = Arc::new(answer);
            state.crisis.remember(locale, answer.clone());
            (answer, Provenance::Live)
        }
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "crisis lines: the database did not answer; serving the fallback");
            state.crisis.fallback(locale)
        }
        Err(_) => {
            tracing::warn!("crisis lines: the database was too slow; serving the fallback");
            state.crisis.fallback(locale)
        }
    }
}
