//! The change journal: one entry for every change to a person's data, written in the
//! same transaction as the change itself, so the journal and the data can never
//! disagree. Delta sync, webhooks and the access log read it; nothing else needs to
//! be told that something changed.
//!
//! # Guarantees (both databases)
//! - **One entry per changed resource per write**, committed or rolled back with it:
//!   a write that fails leaves no entry, an entry always names a change that happened.
//! - **Per-person sequence numbers** start at 1 and grow by one, with no gaps a reader
//!   can see: a reader that has seen sequence `n` never later finds a new entry below
//!   `n`. Entries are numbered when they are first read, in the order they were
//!   written, one reader at a time per person, and only once committed; so writers to
//!   one person's data never wait for each other to number their entries.
//! - **Deletions are entries** (kind [`ChangeKind::Deleted`]). Deleting a resource
//!   deletes what belongs to it (a goal's steps and check-ins, a routine's check-ins,
//!   a contact's interactions); those go without entries of their own.
//! - **Retention:** entries older than the retention setting (90 days by default) are
//!   removed by housekeeping; sequence numbers are never reused. Erasing an account
//!   removes its journal with it.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use uuid::Uuid;

use crate::identity::{AccountId, ClientId};
use crate::ports::StoreError;
use crate::time::Instant;

/// The kinds of personal resource the journal records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceType {
    /// The person's own account: display name, time zone, locale, role.
    Account,
    /// A goal (its status history, supporters and step counts are part of it).
    Goal,
    /// A step of a goal.
    GoalStep,
    /// A check-in on a goal.
    GoalCheckIn,
    /// A routine (its pauses are part of it).
    Routine,
    /// A check-in on a routine.
    RoutineCheckIn,
    /// A contact in the support network.
    Contact,
    /// A recorded interaction with a contact.
    ContactInteraction,
    /// What the person let an app have on the consent page (by its grant id): created
    /// when they first say yes, updated when they let it have more, deleted when they
    /// take it back (or a replayed code takes it back for them).
    Grant,
    /// What the person shares with a supporter: created when they share, updated when
    /// they change it or the supporter accepts or steps back, deleted when they end it.
    Share,
    /// A message of encouragement a supporter sent the person about a goal.
    Encouragement,
}

impl ResourceType {
    /// Every resource type, in a fixed order.
    pub const ALL: [Self; 11] = [
        Self::Account,
        Self::Goal,
        Self::GoalStep,
        Self::GoalCheckIn,
        Self::Routine,
        Self::RoutineCheckIn,
        Self::Contact,
        Self::ContactInteraction,
        Self::Grant,
        Self::Share,
        Self::Encouragement,
    ];

    /// The stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Goal => "goal",
            Self::GoalStep => "goal_step",
            Self::GoalCheckIn => "goal_check_in",
            Self::Routine => "routine",
            Self::RoutineCheckIn => "routine_check_in",
            Self::Contact => "contact",
            Self::ContactInteraction => "contact_interaction",
            Self::Grant => "grant",
            Self::Share => "share",
            Self::Encouragement => "encouragement",
        }
    }
}

/// What happened to the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// It was created.
    Created,
    /// It was changed; its new version is in the entry where it has one.
    Updated,
    /// It was deleted, with whatever belonged to it.
    Deleted,
}

impl ChangeKind {
    /// The stored and wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
        }
    }
}

/// A stored name that is not one of the journal's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown journal word {0:?}")]
pub struct UnknownWord(pub String);

impl FromStr for ResourceType {
    type Err = UnknownWord;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| UnknownWord(text.to_owned()))
    }
}

impl FromStr for ChangeKind {
    type Err = UnknownWord;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [Self::Created, Self::Updated, Self::Deleted]
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| UnknownWord(text.to_owned()))
    }
}

/// Who made a change to a person's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The person themself (Waymark's own, first-party apps included).
    Person(AccountId),
    /// An administrator changing the person's account (their role).
    Administrator(AccountId),
    /// A third-party app, through the grant the person gave it on the consent page.
    App(ClientId),
    /// A supporter, through a share the person gave them (accepting it, stepping
    /// back, sending encouragement).
    Supporter(AccountId),
}

impl Actor {
    /// The stored name of the actor's kind.
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Self::Person(_) => "person",
            Self::Administrator(_) => "administrator",
            Self::App(_) => "app",
            Self::Supporter(_) => "supporter",
        }
    }

    /// The id of the account or API client that acted.
    #[must_use]
    pub fn id(self) -> Uuid {
        match self {
            Self::Person(account) | Self::Administrator(account) | Self::Supporter(account) => {
                account.0
            }
            Self::App(client) => client.0,
        }
    }

    /// The actor from its stored kind and id.
    ///
    /// # Errors
    /// [`UnknownWord`] for a kind this version does not know.
    pub fn from_stored(kind: &str, id: Uuid) -> Result<Self, UnknownWord> {
        match kind {
            "person" => Ok(Self::Person(AccountId(id))),
            "administrator" => Ok(Self::Administrator(AccountId(id))),
            "app" => Ok(Self::App(ClientId(id))),
            "supporter" => Ok(Self::Supporter(AccountId(id))),
            other => Err(UnknownWord(other.to_owned())),
        }
    }
}

/// One resource's change, as a writer reports it to the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Which kind of resource.
    pub resource: ResourceType,
    /// Its id.
    pub id: Uuid,
    /// Created, updated or deleted.
    pub kind: ChangeKind,
    /// Its version after the change, for resources that have versions (none for a
    /// deletion).
    pub version: Option<i64>,
}

impl Change {
    /// `resource` `id` was created at `version` (`None` for unversioned resources).
    #[must_use]
    pub fn created(resource: ResourceType, id: Uuid, version: Option<i64>) -> Self {
        Self { resource, id, kind: ChangeKind::Created, version }
    }

    /// `resource` `id` was changed and is now at `version`.
    #[must_use]
    pub fn updated(resource: ResourceType, id: Uuid, version: Option<i64>) -> Self {
        Self { resource, id, kind: ChangeKind::Updated, version }
    }

    /// `resource` `id` was deleted.
    #[must_use]
    pub fn deleted(resource: ResourceType, id: Uuid) -> Self {
        Self { resource, id, kind: ChangeKind::Deleted, version: None }
    }
}

/// A sequence number in one person's journal: 1 for their first change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sequence(pub i64);

impl fmt::Display for Sequence {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

/// One committed entry of a person's journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Whose data changed.
    pub account: AccountId,
    /// Its place in that person's journal.
    pub sequence: Sequence,
    /// What changed.
    pub change: Change,
    /// Who changed it.
    pub actor: Actor,
    /// When the change was made.
    pub at: Instant,
}

/// Reading the journal. Entries are written by the stores, inside each change's own
/// transaction; this port only reads what has been committed.
#[async_trait]
pub trait ChangeJournal: Send + Sync + fmt::Debug {
    /// Up to `limit` of the person's entries with a sequence above `after`, in
    /// sequence order, without gaps (see the module's guarantees).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn entries_after(
        &self,
        account: AccountId,
        after: Sequence,
        limit: u64,
    ) -> Result<Vec<JournalEntry>, StoreError>;

    /// As [`Self::entries_after`], with the person's latest sequence when they were
    /// read (in the same read): whether entries after `after` were there to give is
    /// then known without a race with writers.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn entries_and_head_after(
        &self,
        account: AccountId,
        after: Sequence,
        limit: u64,
    ) -> Result<(Vec<JournalEntry>, Sequence), StoreError>;

    /// The person's latest sequence: 0 before their first change. Entries written
    /// before this was asked, and committed, are at or below it.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn head(&self, account: AccountId) -> Result<Sequence, StoreError>;

    /// The oldest sequence still held for the person (`None` when nothing is held):
    /// a reader whose last seen sequence is below this one has missed entries that
    /// retention removed, and must start again.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn oldest_held(&self, account: AccountId) -> Result<Option<Sequence>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_as_itself() {
        for resource in ResourceType::ALL {
            assert_eq!(resource.as_str().parse::<ResourceType>(), Ok(resource));
        }
        for kind in [ChangeKind::Created, ChangeKind::Updated, ChangeKind::Deleted] {
            assert_eq!(kind.as_str().parse::<ChangeKind>(), Ok(kind));
        }
        let id = Uuid::now_v7();
        for actor in [
            Actor::Person(AccountId(id)),
            Actor::Administrator(AccountId(id)),
            Actor::App(ClientId(id)),
            Actor::Supporter(AccountId(id)),
        ] {
            assert_eq!(Actor::from_stored(actor.kind(), actor.id()), Ok(actor));
        }
        assert!("gaol".parse::<ResourceType>().is_err());
        assert!(Actor::from_stored("robot", id).is_err());
    }
}
