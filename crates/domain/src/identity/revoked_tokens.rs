//! Access tokens revoked before they expire (RFC 7009). An access token is checked
//! without a database round trip, against the account (or client) it speaks for as
//! remembered; so the few tokens revoked early are kept with the account, by id,
//! until they would have expired anyway, and every replica forgets the account the
//! moment one is added.

use crate::time::Instant;

/// The most early-revoked tokens an account keeps. Access tokens live minutes, so this
/// is never near in use; past it, every session of the account ends instead (which
/// revokes these tokens too).
pub const MOST_REVOKED_ACCESS_TOKENS: usize = 1_000;

/// The ids of access tokens revoked early, each until it would have expired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevokedAccessTokens(Vec<(String, i64)>);

impl RevokedAccessTokens {
    /// The stored form: `id@expiry` pairs (expiry in Unix seconds), space-separated.
    /// Anything unreadable is skipped.
    #[must_use]
    pub fn from_stored(text: &str) -> Self {
        Self(
            text.split_whitespace()
                .filter_map(|pair| pair.rsplit_once('@'))
                .filter_map(|(id, expiry)| Some((id.to_owned(), expiry.parse().ok()?)))
                .collect(),
        )
    }

    /// The stored form (see [`RevokedAccessTokens::from_stored`]).
    #[must_use]
    pub fn to_stored(&self) -> String {
        self.0.iter().map(|(id, expiry)| format!("{id}@{expiry}")).collect::<Vec<_>>().join(" ")
    }

    /// Whether the token `id` was revoked early.
    #[must_use]
    pub fn contains(&self, id: &str) -> bool {
        self.0.iter().any(|(revoked, _)| revoked == id)
    }

    /// These, less the ones expired by `now`, with `id` (expiring at `expires_at`)
    /// added; `None` when that would be more than [`MOST_REVOKED_ACCESS_TOKENS`].
    /// An id that is not a single word of visible characters without `@` is never
    /// one this server issued, and changes nothing.
    #[must_use]
    pub fn with(&self, id: &str, expires_at: Instant, now: Instant) -> Option<Self> {
        let mut kept: Vec<(String, i64)> =
            self.0.iter().filter(|(_, expiry)| *expiry > now.timestamp()).cloned().collect();
        let issued_here = !id.is_empty() && id.chars().all(|c| c.is_ascii_graphic() && c != '@');
        if issued_here && !kept.iter().any(|(revoked, _)| revoked == id) {
            kept.push((id.to_owned(), expires_at.timestamp()));
        }
        (kept.len() <= MOST_REVOKED_ACCESS_TOKENS).then_some(Self(kept))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn revoked_ids_are_kept_until_they_would_have_expired() {
        let now = crate::time::now();
        let revoked = RevokedAccessTokens::default()
            .with("a", now + TimeDelta::minutes(15), now)
            .and_then(|tokens| tokens.with("b", now + TimeDelta::minutes(1), now))
            .unwrap();
        assert!(revoked.contains("a") && revoked.contains("b") && !revoked.contains("c"));
        let stored = RevokedAccessTokens::from_stored(&revoked.to_stored());
        assert_eq!(stored, revoked);
        let later = stored.with("c", now + TimeDelta::minutes(20), now + TimeDelta::minutes(2));
        let later = later.unwrap();
        assert!(later.contains("a") && !later.contains("b") && later.contains("c"));
        assert_eq!(later.with("a", now, now), Some(later.clone()), "once is enough");
        assert_eq!(later.with("x@1", now, now), Some(later.clone()), "not an id of ours");
    }

    #[test]
    fn too_many_is_none() {
        let now = crate::time::now();
        let expiry = now + TimeDelta::minutes(15);
        let mut revoked = RevokedAccessTokens::default();
        for n in 0..MOST_REVOKED_ACCESS_TOKENS {
            revoked = revoked.with(&n.to_string(), expiry, now).unwrap();
        }
        assert_eq!(revoked.with("one-more", expiry, now), None);
    }
}
