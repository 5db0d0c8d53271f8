//! Safe retries (API guide, "Writes"): a `POST` with an `Idempotency-Key` is done once
//! per caller and key. The first successful response is stored for a day, in the
//! database so every replica sees it; a retry with the same request replays it, and
//! the same key with a different request is refused.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::identity::AccountId;
use crate::ports::StoreError;
use crate::time::Instant;

/// How long a first response is kept for replay.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// Whose keys a caller uses: the token's subject (a person or an API client), and
/// when an app holds a person's token, the app as well, so an app and the person it
/// acts for never answer each other's requests.
#[must_use]
pub fn key_owner(subject: &str, app: Option<&str>) -> String {
    match app {
        Some(app) if app != subject => format!("{subject}{APP_SEPARATOR}{app}"),
        _ => subject.to_owned(),
    }
}

/// What stands between a person and the app acting for them in a [`key_owner`].
const APP_SEPARATOR: &str = " via ";

/// A client's idempotency key: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Idempotency-Key must be 1 to 255 visible ASCII characters")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    /// Checks `raw`.
    ///
    /// # Errors
    /// [`InvalidIdempotencyKey`] when empty, too long, or not visible ASCII.
    pub fn parse(raw: &str) -> Result<Self, InvalidIdempotencyKey> {
        let visible = raw.bytes().all(|byte| byte.is_ascii_graphic());
        if (1..=255).contains(&raw.len()) && visible {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidIdempotencyKey)
        }
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// Its status code.
    pub status: u16,
    /// The headers worth replaying (content type, location, entity tag).
    pub headers: Vec<(String, String)>,
    /// Its body.
    pub body: Vec<u8>,
}

/// The request a key was first used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedRequest<'a> {
    /// Who asked: the token's subject (with the app, when an app holds a person's
    /// token: [`key_owner`]), or the client address without a token.
    pub caller: &'a str,
    /// The person whose data the request acted on, when a person's token was sent:
    /// erasing their account forgets the key.
    pub account: Option<AccountId>,
    /// The key.
    pub key: &'a IdempotencyKey,
    /// The method.
    pub method: &'a str,
    /// The path.
    pub path: &'a str,
    /// A digest of the body.
    pub body_digest: &'a str,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or its earlier use has expired): go ahead, then complete or
    /// release it.
    Claimed,
    /// The same request was done before: answer this again.
    Replay(StoredResponse),
    /// The key was used for a different request.
    DifferentRequest,
    /// The same request is still being done by another call.
    InProgress,
}

/// Stored first responses, per caller and key.
#[async_trait]
pub trait IdempotencyStore: Send + Sync + std::fmt::Debug {
    /// Claims `request.key` for `request.caller`, atomically: of two concurrent
    /// claims, one is `Claimed` and the other `InProgress` (or a replay).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn claim(&self, request: &KeyedRequest<'_>, now: Instant) -> Result<Claim, StoreError>;

    /// Stores the response to a claimed key for replay until `now + REPLAY_WINDOW`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn complete(
        &self,
        caller: &str,
        key: &IdempotencyKey,
        response: StoredResponse,
    ) -> Result<(), StoreError>;

    /// Gives a claimed key back (the request failed and changed nothing), so a
    /// retry runs again.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn release(&self, caller: &str, key: &IdempotencyKey) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::parse("order-42_retry.1").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse("caf\u{e9}").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    }
}
