//! Delivering webhook messages: claim what is due, sign and send each, and record
//! what became of it (done, retry later with a spread delay, or give up), disabling
//! a subscription whose every attempt has failed for three days. The server runs this
//! in every instance; claims keep two instances from sending the same attempt.

use std::time::Duration;

use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::time::Instant;
use waymark_domain::webhooks::ports::{SignedHeaders, WebhookSender};
use waymark_domain::webhooks::{
    AttemptRecord, DISABLED_AFTER, DueMessage, NextStep, retry_after, signature,
};

/// How long a claim holds: three times as long as an attempt can take (10 seconds), so a message
/// is only claimed again when its worker has died.
pub const CLAIM_LEASE: Duration = Duration::from_secs(30);

/// Claims up to `limit` messages due at `now`.
///
/// # Errors
/// A store error.
pub async fn claim_due(
    ports: &StoragePorts,
    now: Instant,
    limit: u64,
) -> Result<Vec<DueMessage>, StoreError> {
    ports.outbox.claim(now, CLAIM_LEASE, limit).await
}

/// Signs and sends `message`, answering what to record. `clock` gives the time the
/// attempt is signed and ends.
pub async fn attempt(
    sender: &dyn WebhookSender,
    message: &DueMessage,
    clock: impl Fn() -> Instant,
) -> AttemptRecord {
    let signed_at = clock();
    let id = message.id.to_string();
    let headers = SignedHeaders {
        signature: signature(
            &message.signing_secrets(signed_at),
            &id,
            signed_at.timestamp(),
            &message.payload,
        ),
        timestamp: signed_at.timestamp(),
        id,
    };
    let outcome = sender.send(&message.url, &headers, &message.payload).await;
    let ended_at = clock();
    let attempts = message.attempts.saturating_add(1);
    let next = if outcome.delivered() {
        NextStep::Done
    } else {
        match retry_after(attempts, jitter(message)) {
            Some(delay) => NextStep::RetryAt(
                ended_at + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX),
            ),
            None => NextStep::GiveUp,
        }
    };
    AttemptRecord {
        message: message.id,
        subscription: message.subscription,
        at: signed_at,
        outcome,
        next,
    }
}

/// A draw between 0 and 1 that differs from message to message and from attempt to
/// attempt (from the random bits of the message's id), so that messages failing
/// together are retried apart.
fn jitter(message: &DueMessage) -> f64 {
    let bits = message.id.0.as_u128().rotate_right(message.attempts.wrapping_mul(16));
    f64::from(u16::try_from(bits & 0xffff).unwrap_or(0)) / f64::from(u16::MAX)
}

/// Records what the attempts did.
///
/// # Errors
/// A store error (the messages are then sent again after their claim lapses).
pub async fn record(ports: &StoragePorts, attempts: Vec<AttemptRecord>) -> Result<(), StoreError> {
    ports.outbox.record(attempts, DISABLED_AFTER).await
}
