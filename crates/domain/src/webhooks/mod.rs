//! Webhooks: a confidential API client subscribes an `https` address to events, and
//! Waymark posts each event there, signed as the Standard Webhooks specification says
//! (standardwebhooks.com).
//!
//! # What reaches whom
//! - A personal event (a goal, a check-in, a contact, a share accepted) reaches a
//!   subscription only when the person it is about has granted the subscription's client
//!   the read scope the event needs ([`EventType::needs`]), at the moment of the change.
//! - `content.article.published` reaches only clients an administrator registered with
//!   the `content:events` scope.
//! - A payload names the event, the resource (type, id, version) and the person by id;
//!   never their e-mail address or notes. The client reads the rest with its token.
//!
//! # Durability
//! The message for each subscription is written in the transaction that made the
//! change, next to its journal entry: a committed change always has its messages, a
//! rolled-back one never does. Delivery is at least once: a message is sent until its
//! address answers 2xx or its retries run out ([`RETRY_DELAYS`], about three days),
//! always under the same `webhook-id`.

pub mod ports;
mod signing;
mod target;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use uuid::Uuid;

use crate::identity::{AccountId, ClientId, Scope};
use crate::journal::{Change, ChangeKind, ResourceType};
use crate::time::Instant;

pub use signing::{SECRET_PREFIX, SigningSecret, signature};
pub use target::{TargetPolicy, TargetRefused, WebhookUrl};

/// Names one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(pub Uuid);

/// Names one message: what one subscription is sent about one event. It is the
/// `webhook-id` of every attempt to send it, so a receiver can drop a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub Uuid);

impl fmt::Display for MessageId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "msg_{}", self.0.simple())
    }
}

impl MessageId {
    /// The message `text` (`msg_…`, as [`fmt::Display`] writes it) names, if any.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.strip_prefix("msg_")?;
        (hex.len() == 32).then(|| Uuid::try_parse(hex).ok().map(Self)).flatten()
    }
}

/// What happened, as a subscription names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// A goal was created.
    GoalCreated,
    /// A goal changed (its fields, status, steps' progress or check-ins).
    GoalUpdated,
    /// A goal was deleted.
    GoalDeleted,
    /// A check-in on a goal was recorded.
    GoalCheckInCreated,
    /// A check-in on a routine was recorded.
    RoutineCheckInCreated,
    /// A contact was added to the support network.
    ContactCreated,
    /// A contact changed.
    ContactUpdated,
    /// A contact was removed.
    ContactDeleted,
    /// A supporter accepted the person's invitation to a share.
    ShareAccepted,
    /// An article was published (from a draft, or again after it was archived).
    ContentArticlePublished,
}

impl EventType {
    /// Every event type, in a stable order.
    pub const ALL: [Self; 10] = [
        Self::GoalCreated,
        Self::GoalUpdated,
        Self::GoalDeleted,
        Self::GoalCheckInCreated,
        Self::RoutineCheckInCreated,
        Self::ContactCreated,
        Self::ContactUpdated,
        Self::ContactDeleted,
        Self::ShareAccepted,
        Self::ContentArticlePublished,
    ];

    /// Its name on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::GoalCreated => "goal.created",
            Self::GoalUpdated => "goal.updated",
            Self::GoalDeleted => "goal.deleted",
            Self::GoalCheckInCreated => "goal.check_in.created",
            Self::RoutineCheckInCreated => "routine.check_in.created",
            Self::ContactCreated => "contact.created",
            Self::ContactUpdated => "contact.updated",
            Self::ContactDeleted => "contact.deleted",
            Self::ShareAccepted => "share.accepted",
            Self::ContentArticlePublished => "content.article.published",
        }
    }

    /// The scope a client needs for it: granted by the person for a personal event,
    /// or given to the client by an administrator for content.
    #[must_use]
    pub const fn needs(self) -> Scope {
        match self {
            Self::GoalCreated
            | Self::GoalUpdated
            | Self::GoalDeleted
            | Self::GoalCheckInCreated => Scope::GoalsRead,
            Self::RoutineCheckInCreated => Scope::RoutinesRead,
            Self::ContactCreated | Self::ContactUpdated | Self::ContactDeleted => {
                Scope::ContactsRead
            }
            Self::ShareAccepted => Scope::SharesRead,
            Self::ContentArticlePublished => Scope::ContentEvents,
        }
    }

    /// Whether it is about one person's data (all but content).
    #[must_use]
    pub const fn is_personal(self) -> bool {
        !matches!(self, Self::ContentArticlePublished)
    }

    /// The event a journalled change is, if it is one subscriptions can ask for.
    /// `share.accepted` is not read from a change (a share is updated in other ways
    /// too): accepting says so itself.
    #[must_use]
    pub fn of_change(change: &Change) -> Option<Self> {
        match (change.resource, change.kind) {
            (ResourceType::Goal, ChangeKind::Created) => Some(Self::GoalCreated),
            (ResourceType::Goal, ChangeKind::Updated) => Some(Self::GoalUpdated),
            (ResourceType::Goal, ChangeKind::Deleted) => Some(Self::GoalDeleted),
            (ResourceType::GoalCheckIn, ChangeKind::Created) => Some(Self::GoalCheckInCreated),
            (ResourceType::RoutineCheckIn, ChangeKind::Created) => {
                Some(Self::RoutineCheckInCreated)
            }
            (ResourceType::Contact, ChangeKind::Created) => Some(Self::ContactCreated),
            (ResourceType::Contact, ChangeKind::Updated) => Some(Self::ContactUpdated),
            (ResourceType::Contact, ChangeKind::Deleted) => Some(Self::ContactDeleted),
            _ => None,
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A name that is not an event type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an event type")]
pub struct UnknownEventType(pub String);

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|event| event.as_str() == text)
            .ok_or_else(|| UnknownEventType(text.to_owned()))
    }
}

/// The event types a subscription asks for: at least one, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypes(BTreeSet<EventType>);

/// Why a list of event types was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventTypesRefused {
    /// The list was empty.
    #[error("name at least one event type")]
    Empty,
    /// A name was not an event type.
    #[error(transparent)]
    Unknown(#[from] UnknownEventType),
}

impl EventTypes {
    /// Parses names such as `goal.created`; repeated names count once.
    ///
    /// # Errors
    /// [`EventTypesRefused`] for an empty list or an unknown name.
    pub fn parse(names: &[String]) -> Result<Self, EventTypesRefused> {
        let events =
            names.iter().map(|name| name.parse()).collect::<Result<BTreeSet<EventType>, _>>()?;
        if events.is_empty() {
            return Err(EventTypesRefused::Empty);
        }
        Ok(Self(events))
    }

    /// The given event types (at least one).
    #[must_use]
    pub fn of(events: impl IntoIterator<Item = EventType>) -> Option<Self> {
        let events: BTreeSet<EventType> = events.into_iter().collect();
        (!events.is_empty()).then_some(Self(events))
    }

    /// Whether `event` is one of them.
    #[must_use]
    pub fn contains(&self, event: EventType) -> bool {
        self.0.contains(&event)
    }

    /// The event types, in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = EventType> + '_ {
        self.0.iter().copied()
    }

    /// Whether any of them is about content.
    #[must_use]
    pub fn any_content(&self) -> bool {
        self.iter().any(|event| !event.is_personal())
    }
}

/// Why a subscription stopped being sent anything: its address failed for
/// [`DISABLED_AFTER`], or it was switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Sent its events.
    Active,
    /// Switched off by its client (`active: false`); events while off are not kept.
    Paused,
    /// Switched off by Waymark: every attempt failed for three days. Its client
    /// switches it on again (`active: true`) once the address works.
    DisabledAfterFailures,
}

impl Standing {
    /// Its stored and wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::DisabledAfterFailures => "disabled_after_failures",
        }
    }

    /// The standing `text` names.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Active, Self::Paused, Self::DisabledAfterFailures]
            .into_iter()
            .find(|standing| standing.as_str() == text)
    }
}

/// A subscription, as its client sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Its id.
    pub id: SubscriptionId,
    /// The client it belongs to.
    pub client: ClientId,
    /// Where events are posted.
    pub url: WebhookUrl,
    /// What it is sent.
    pub events: EventTypes,
    /// Whether it is sent anything, and if not why.
    pub standing: Standing,
    /// Since when every attempt has failed, if the last one did.
    pub failing_since: Option<Instant>,
    /// Until when the secret before the last rotation still signs too.
    pub previous_secret_until: Option<Instant>,
    /// When it was created.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Its version, one more with every change.
    pub version: i64,
}

impl Subscription {
    /// Until when the secret before the last rotation still signs, as seen at `now`:
    /// `None` once that has passed (or before any rotation).
    #[must_use]
    pub fn previous_secret_signs_until(&self, now: Instant) -> Option<Instant> {
        self.previous_secret_until.filter(|until| *until > now)
    }
}

/// A subscription about to be stored.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    /// The client it belongs to.
    pub client: ClientId,
    /// Where events are posted.
    pub url: WebhookUrl,
    /// What it is sent.
    pub events: EventTypes,
    /// Its signing secret.
    pub secret: SigningSecret,
}

/// What a client changes about a subscription; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionChanges {
    /// A new address.
    pub url: Option<WebhookUrl>,
    /// New event types.
    pub events: Option<EventTypes>,
    /// `true` switches it on (also after it was disabled for failures, starting the
    /// count of failures again), `false` off.
    pub active: Option<bool>,
}

/// How long a message that was delivered or failed is kept, with its attempts in the
/// subscription's delivery log (and so can be sent again by hand).
pub const LOG_KEPT: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How long the secret before a rotation keeps signing.
pub const PREVIOUS_SECRET_KEPT: Duration = Duration::from_secs(24 * 60 * 60);

/// A subscription whose every attempt failed for this long is disabled.
pub const DISABLED_AFTER: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// How long to wait before each retry of a failed attempt: after the first failure 5
/// seconds, then 5 minutes, … about three days in all; then the message has failed.
pub const RETRY_DELAYS: [Duration; 9] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 60 * 60),
    Duration::from_secs(5 * 60 * 60),
    Duration::from_secs(10 * 60 * 60),
    Duration::from_secs(14 * 60 * 60),
    Duration::from_secs(20 * 60 * 60),
    Duration::from_secs(20 * 60 * 60),
];

/// When to try again after `attempts` failed attempts, with `jitter` (0.0 to 1.0, a
/// random draw) spreading retries over plus or minus a fifth of the delay, so that
/// many messages failing together do not come back together; `None` once the
/// retries have run out.
#[must_use]
pub fn retry_after(attempts: u32, jitter: f64) -> Option<Duration> {
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    let delay = RETRY_DELAYS.get(index)?;
    let spread = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Some(delay.mul_f64(spread))
}

/// One event, as every subscription that gets it is sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its id, the same for every subscription.
    pub id: Uuid,
    /// What happened.
    pub event_type: EventType,
    /// When.
    pub at: Instant,
    /// The resource's type (as the journal names it, or `article`).
    pub resource_type: &'static str,
    /// The resource's id.
    pub resource_id: Uuid,
    /// Its version after the change, where it has one.
    pub version: Option<i64>,
    /// Whose data it is about; `None` for content.
    pub person: Option<AccountId>,
}

impl Event {
    /// The JSON body every subscription is sent, as the Standard Webhooks
    /// specification shapes it: `type`, `timestamp`, `data`.
    #[must_use]
    pub fn payload(&self) -> String {
        // Every value is a uuid, a number, a fixed word or a timestamp: nothing here
        // needs escaping.
        let version = self.version.map_or_else(|| "null".to_owned(), |version| version.to_string());
        let person =
            self.person.map_or_else(|| "null".to_owned(), |person| format!("\"{}\"", person.0));
        format!(
            "{{\"id\":\"evt_{}\",\"type\":\"{}\",\"timestamp\":\"{}\",\"data\":{{\"resource_type\":\"{}\",\"resource_id\":\"{}\",\"version\":{version},\"person_id\":{person}}}}}",
            self.id.simple(),
            self.event_type,
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            self.resource_type,
            self.resource_id,
        )
    }
}

/// What became of one attempt to send a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptOutcome {
    /// The status the address answered, if it answered.
    pub status: Option<u16>,
    /// How long the attempt took.
    pub duration: Duration,
    /// Why it failed, in words for the client (never a body of theirs beyond 200
    /// characters); `None` when it was delivered.
    pub error: Option<String>,
}

impl AttemptOutcome {
    /// Whether the message was delivered (2xx).
    #[must_use]
    pub fn delivered(&self) -> bool {
        self.error.is_none()
    }
}

/// One recorded attempt, for the subscription's delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Its id (its place in the log).
    pub id: Uuid,
    /// The message it tried to send.
    pub message: MessageId,
    /// The message's event type.
    pub event_type: EventType,
    /// When it was made.
    pub at: Instant,
    /// What became of it.
    pub outcome: AttemptOutcome,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// Its address answered 2xx.
    Delivered,
    /// Its retries ran out, or its subscription was disabled or deleted.
    Failed,
}

impl MessageStatus {
    /// Its stored and wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// The status `text` names.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// A message claimed for sending: everything an attempt needs.
#[derive(Debug, Clone)]
pub struct DueMessage {
    /// The message (its `webhook-id`).
    pub id: MessageId,
    /// Its subscription.
    pub subscription: SubscriptionId,
    /// Where to send it.
    pub url: WebhookUrl,
    /// The JSON body.
    pub payload: String,
    /// The subscription's signing secret.
    pub secret: SigningSecret,
    /// The secret before its last rotation, and until when it signs too.
    pub previous_secret: Option<(SigningSecret, Instant)>,
    /// Attempts made before this one.
    pub attempts: u32,
    /// When the message was created (its delay is measured from here).
    pub created_at: Instant,
}

impl DueMessage {
    /// The secrets to sign with at `now`: the current one, and the one before the
    /// last rotation while it is kept.
    #[must_use]
    pub fn signing_secrets(&self, now: Instant) -> Vec<SigningSecret> {
        let previous = self
            .previous_secret
            .as_ref()
            .filter(|(_, until)| *until > now)
            .map(|(secret, _)| secret.clone());
        std::iter::once(self.secret.clone()).chain(previous).collect()
    }
}

/// What to do with a message after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// It was delivered.
    Done,
    /// Try again at this time.
    RetryAt(Instant),
    /// Its retries ran out.
    GiveUp,
}

/// What an attempt did, to be recorded.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    /// The message tried.
    pub message: MessageId,
    /// Its subscription.
    pub subscription: SubscriptionId,
    /// When the attempt was made.
    pub at: Instant,
    /// What became of it.
    pub outcome: AttemptOutcome,
    /// What to do next.
    pub next: NextStep,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_reads_back_as_itself() {
        for event in EventType::ALL {
            assert_eq!(event.as_str().parse::<EventType>(), Ok(event));
        }
        assert!("goal.eaten".parse::<EventType>().is_err());
    }

    #[test]
    fn retries_spread_around_the_schedule_and_end() {
        assert_eq!(retry_after(0, 0.5), None);
        assert_eq!(retry_after(1, 0.5), Some(Duration::from_secs(5)));
        assert_eq!(retry_after(1, 0.0), Some(Duration::from_secs(4)));
        assert_eq!(retry_after(1, 1.0), Some(Duration::from_secs(6)));
        assert_eq!(retry_after(10, 0.5), None);
        let total: Duration = RETRY_DELAYS.iter().sum();
        assert!(total > Duration::from_secs(70 * 3600) && total < Duration::from_secs(73 * 3600));
    }

    #[test]
    fn message_ids_read_back() {
        let id = MessageId(Uuid::now_v7());
        assert_eq!(MessageId::parse(&id.to_string()), Some(id));
        assert_eq!(MessageId::parse("msg_nothex"), None);
        assert_eq!(MessageId::parse(&id.0.to_string()), None);
    }

    #[test]
    fn a_payload_is_json_without_personal_words() {
        let event = Event {
            id: Uuid::now_v7(),
            event_type: EventType::GoalCreated,
            at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
            resource_type: "goal",
            resource_id: Uuid::now_v7(),
            version: Some(1),
            person: Some(AccountId(Uuid::now_v7())),
        };
        let payload = event.payload();
        assert!(payload.contains("\"type\":\"goal.created\""));
        assert!(payload.contains("\"timestamp\":\"2027-01-15T08:00:00.000Z\""));
        assert!(payload.contains("\"version\":1"));
    }
}
