//! Webhook subscriptions: a confidential API client subscribes an address to event
//! types, lists, reads, changes and deletes its subscriptions, rotates a signing secret,
//! reads a subscription's delivery log, and asks for a message again. A client only
//! ever reaches its own subscriptions.

use waymark_domain::identity::{ClientId, Scope, ScopeSet};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::precondition::Precondition;
use waymark_domain::time::Instant;
use waymark_domain::validation::{Problem, Problems};
use waymark_domain::webhooks::ports::{AttemptPage, WebhookError};
use waymark_domain::webhooks::{
    EventTypes, MessageId, NewSubscription, PREVIOUS_SECRET_KEPT, SigningSecret, Subscription,
    SubscriptionChanges, SubscriptionId, TargetPolicy, WebhookUrl,
};

use crate::failure::Failure;
use crate::preconditions::expected_version;

/// Why a subscription operation did not happen.
pub type WebhookFailure = Failure<WebhookError>;

/// The most subscriptions one client may have.
pub const MAX_SUBSCRIPTIONS_PER_CLIENT: u64 = 20;

/// What a client sent to subscribe or change a subscription, before it is checked:
/// the wire types implement it. `None` keeps a field (a new subscription needs both).
pub trait SubscriptionInput {
    /// The address, if one was sent.
    fn url(&self) -> Option<&str>;
    /// The event type names, if sent.
    fn event_types(&self) -> Option<&[String]>;
    /// Whether to switch it on or off, if sent.
    fn active(&self) -> Option<bool> {
        None
    }
}

/// The client's address and event types, checked: `https` to a public host (or what
/// `policy` allows), known event types, and content events only for a client an
/// administrator gave `content:events`.
fn checked(
    input: &impl SubscriptionInput,
    client_scopes: &ScopeSet,
    policy: TargetPolicy,
) -> Result<SubscriptionChanges, Vec<Problem>> {
    let mut problems = Problems::default();
    let url = input.url().and_then(|url| problems.check("/url", WebhookUrl::parse(url, policy)));
    let events = input
        .event_types()
        .and_then(|names| problems.check("/event_types", EventTypes::parse(names)));
    if events.as_ref().is_some_and(EventTypes::any_content)
        && !client_scopes.contains(Scope::ContentEvents)
    {
        problems.add(
            "/event_types",
            "content events need the content:events scope, which an administrator gives a client",
        );
    }
    problems.or(|| Some(SubscriptionChanges { url, events, active: input.active() }))
}

/// Subscribes `client` (holding `client_scopes`): the subscription, and its signing
/// secret, which is shown this once.
///
/// # Errors
/// [`Failure::Invalid`] (the address, the event types, too many subscriptions), or a
/// store error.
pub async fn subscribe(
    ports: &StoragePorts,
    client: ClientId,
    client_scopes: &ScopeSet,
    policy: TargetPolicy,
    now: Instant,
    input: impl SubscriptionInput,
) -> Result<(Subscription, SigningSecret), WebhookFailure> {
    let changes = checked(&input, client_scopes, policy).map_err(Failure::Invalid)?;
    let (Some(url), Some(events)) = (changes.url, changes.events) else {
        let mut problems = Problems::default();
        problems.add("", "a subscription needs a url and event_types");
        return Err(Failure::Invalid(problems.into_vec()));
    };
    let (existing, _) = ports.webhooks.list(client, None, MAX_SUBSCRIPTIONS_PER_CLIENT).await?;
    if existing.len() >= usize::try_from(MAX_SUBSCRIPTIONS_PER_CLIENT).unwrap_or(usize::MAX) {
        let mut problems = Problems::default();
        problems.add(
            "",
            format!("a client may have at most {MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions"),
        );
        return Err(Failure::Invalid(problems.into_vec()));
    }
    let secret = SigningSecret::generate().map_err(|error| StoreError::Unexpected(error.into()))?;
    let subscription = NewSubscription { client, url, events, secret: secret.clone() };
    let created = ports.webhooks.create(subscription, now).await?;
    Ok((created, secret))
}

/// Up to `limit` of the client's subscriptions after `after`, oldest first, and
/// whether more follow.
///
/// # Errors
/// A store error.
pub async fn list(
    ports: &StoragePorts,
    client: ClientId,
    after: Option<SubscriptionId>,
    limit: u64,
) -> Result<(Vec<Subscription>, bool), WebhookFailure> {
    Ok(ports.webhooks.list(client, after, limit).await?)
}

/// The client's subscription `id`.
///
/// # Errors
/// [`WebhookError::NotFound`].
pub async fn get(
    ports: &StoragePorts,
    client: ClientId,
    id: SubscriptionId,
) -> Result<Subscription, WebhookFailure> {
    ports.webhooks.find(client, id).await?.ok_or(Failure::Refused(WebhookError::NotFound))
}

/// Changes the subscription's address, event types or whether it is on, if it is
/// still at a version `seen` names.
///
/// # Errors
/// [`WebhookError::NotFound`], [`WebhookError::PreconditionFailed`] (before any field
/// problem), then [`Failure::Invalid`].
#[allow(clippy::too_many_arguments)]
pub async fn update(
    ports: &StoragePorts,
    client: ClientId,
    client_scopes: &ScopeSet,
    policy: TargetPolicy,
    now: Instant,
    id: SubscriptionId,
    seen: &Precondition,
    input: impl SubscriptionInput,
) -> Result<Subscription, WebhookFailure> {
    let expected =
        expected_version(seen, get(ports, client, id), |subscription| subscription.version).await?;
    let changes = checked(&input, client_scopes, policy).map_err(Failure::Invalid)?;
    ports.webhooks.update(client, id, changes, expected, now).await.map_err(Failure::Refused)
}

/// Gives the subscription a new signing secret, shown this once; the one before keeps
/// signing too for [`PREVIOUS_SECRET_KEPT`] (24 hours), so a receiver can switch over
/// without losing a message.
///
/// # Errors
/// [`WebhookError::NotFound`].
pub async fn rotate_secret(
    ports: &StoragePorts,
    client: ClientId,
    now: Instant,
    id: SubscriptionId,
) -> Result<(Subscription, SigningSecret), WebhookFailure> {
    let secret = SigningSecret::generate().map_err(|error| StoreError::Unexpected(error.into()))?;
    let kept = chrono::Duration::from_std(PREVIOUS_SECRET_KEPT)
        .map_err(|error| StoreError::Unexpected(error.into()))?;
    let subscription = ports
        .webhooks
        .rotate_secret(client, id, secret.clone(), now + kept, now)
        .await
        .map_err(Failure::Refused)?;
    Ok((subscription, secret))
}

/// Deletes the subscription, with its waiting messages and its log.
///
/// # Errors
/// [`WebhookError::NotFound`].
pub async fn remove(
    ports: &StoragePorts,
    client: ClientId,
    id: SubscriptionId,
) -> Result<(), WebhookFailure> {
    ports.webhooks.delete(client, id).await.map_err(Failure::Refused)
}

/// A page of the subscription's delivery log, newest first.
///
/// # Errors
/// [`WebhookError::NotFound`].
pub async fn attempts(
    ports: &StoragePorts,
    client: ClientId,
    id: SubscriptionId,
    before: Option<uuid::Uuid>,
    limit: u64,
) -> Result<AttemptPage, WebhookFailure> {
    ports.webhooks.attempts(client, id, before, limit).await.map_err(Failure::Refused)
}

/// Sends the message again as soon as a worker can, whatever became of it before,
/// under the same `webhook-id`.
///
/// # Errors
/// [`WebhookError::NotFound`] when the subscription has no such message.
pub async fn redeliver(
    ports: &StoragePorts,
    client: ClientId,
    now: Instant,
    id: SubscriptionId,
    message: MessageId,
) -> Result<(), WebhookFailure> {
    ports.webhooks.redeliver(client, id, message, now).await.map_err(Failure::Refused)
}
