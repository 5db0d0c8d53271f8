//! What storage and the network do for webhooks.

use std::time::Duration;

use async_trait::async_trait;

use super::{
    Attempt, AttemptRecord, DueMessage, MessageId, NewSubscription, SigningSecret, Subscription,
    SubscriptionChanges, SubscriptionId, WebhookUrl,
};
use crate::identity::ClientId;
use crate::ports::StoreError;
use crate::precondition::PreconditionFailed;
use crate::time::Instant;

/// Why a change to a subscription did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The client has no such subscription (or no such message under it).
    #[error("no such subscription")]
    NotFound,
    /// The subscription is no longer at the version the client saw.
    #[error("the subscription changed since it was read")]
    PreconditionFailed,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<PreconditionFailed> for WebhookError {
    fn from(_: PreconditionFailed) -> Self {
        Self::PreconditionFailed
    }
}

/// A page of a subscription's delivery log, newest first, and whether more follow.
pub type AttemptPage = (Vec<Attempt>, bool);

/// Subscriptions, as their clients keep them. Every method takes the client: a
/// subscription of another client is [`WebhookError::NotFound`].
#[async_trait]
pub trait SubscriptionStore: Send + Sync + std::fmt::Debug {
    /// Stores a new subscription.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn create(
        &self,
        subscription: NewSubscription,
        now: Instant,
    ) -> Result<Subscription, StoreError>;

    /// Up to `limit` of the client's subscriptions after `after`, oldest first, and
    /// whether more follow.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn list(
        &self,
        client: ClientId,
        after: Option<SubscriptionId>,
        limit: u64,
    ) -> Result<(Vec<Subscription>, bool), StoreError>;

    /// The client's subscription `id`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn find(
        &self,
        client: ClientId,
        id: SubscriptionId,
    ) -> Result<Option<Subscription>, StoreError>;

    /// Changes the subscription, if it is still at `expected_version` when one is given.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`], [`WebhookError::PreconditionFailed`].
    async fn update(
        &self,
        client: ClientId,
        id: SubscriptionId,
        changes: SubscriptionChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Subscription, WebhookError>;

    /// Gives the subscription `secret`, keeping the one it had for signing until
    /// `previous_until`.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`].
    async fn rotate_secret(
        &self,
        client: ClientId,
        id: SubscriptionId,
        secret: SigningSecret,
        previous_until: Instant,
        now: Instant,
    ) -> Result<Subscription, WebhookError>;

    /// Deletes the subscription with its messages and log.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`].
    async fn delete(&self, client: ClientId, id: SubscriptionId) -> Result<(), WebhookError>;

    /// Up to `limit` attempts of the subscription, newest first, before the attempt
    /// `before` (by its id), and whether more follow.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`].
    async fn attempts(
        &self,
        client: ClientId,
        id: SubscriptionId,
        before: Option<uuid::Uuid>,
        limit: u64,
    ) -> Result<AttemptPage, WebhookError>;

    /// Sends the message again, as soon as a worker can: its retries start again.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`] when the subscription has no such message.
    async fn redeliver(
        &self,
        client: ClientId,
        id: SubscriptionId,
        message: MessageId,
        now: Instant,
    ) -> Result<(), WebhookError>;
}

/// The messages waiting to be sent, shared by every server instance.
#[async_trait]
pub trait Outbox: Send + Sync + std::fmt::Debug {
    /// Claims up to `limit` messages due at `now` of active subscriptions of enabled
    /// clients (a disabled client's messages wait, as its tokens do), for
    /// `lease`: no other worker, on any instance, claims them until it has passed. A
    /// worker that dies with a claim leaves the messages to be sent after the lease.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn claim(
        &self,
        now: Instant,
        lease: Duration,
        limit: u64,
    ) -> Result<Vec<DueMessage>, StoreError>;

    /// Records attempts: each in its subscription's log, the message done, to be
    /// retried or failed, and the subscription's run of failures (disabling it once
    /// every attempt has failed for `disable_after`).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails (the messages are then claimed again after
    /// their lease, and sent again).
    async fn record(
        &self,
        attempts: Vec<AttemptRecord>,
        disable_after: Duration,
    ) -> Result<(), StoreError>;
}

/// Posts a signed message to its address.
#[async_trait]
pub trait WebhookSender: Send + Sync + std::fmt::Debug {
    /// Posts `body` to `url` with the Standard Webhooks headers, answering what
    /// became of it (a refused address, a timeout or a non-2xx answer is a failed
    /// outcome, never an error).
    async fn send(
        &self,
        url: &WebhookUrl,
        headers: &SignedHeaders,
        body: &str,
    ) -> super::AttemptOutcome;
}

/// The headers that let a receiver check a message came from Waymark, unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `webhook-id`: the message's id, the same on every attempt.
    pub id: String,
    /// `webhook-timestamp`: when this attempt was signed, seconds since the epoch.
    pub timestamp: i64,
    /// `webhook-signature`: `v1,…` per secret.
    pub signature: String,
}
