//! The storage port of contacts, their interactions and the goals they support. Every
//! method takes the owner: another person's contact or goal is simply not found.

use async_trait::async_trait;

use super::contact::{
    Contact, ContactChanges, ContactDetails, ContactId, ContactKind, Helpfulness, Interaction,
    InteractionId, NewInteraction, Supporter, SupporterRole,
};
use crate::acting::Acting;
use crate::goals::{GoalId, GoalStatus, GoalTitle};
use crate::identity::AccountId;
use crate::ports::StoreError;
use crate::time::Instant;

/// The most contacts one person may have.
pub const MAX_CONTACTS_PER_PERSON: usize = 1000;
/// The most interactions one contact may have.
pub const MAX_INTERACTIONS_PER_CONTACT: usize = 5000;
/// The most supporters one goal may have.
pub const MAX_SUPPORTERS_PER_GOAL: usize = 50;

/// Where a page of contacts starts, by the list's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactPosition {
    /// After this contact in name order (the lower-cased name, then id).
    Name {
        /// The lower-cased name.
        name_key: String,
        /// The id.
        id: ContactId,
    },
    /// After this contact in the due list (most overdue first, then id).
    Due {
        /// When it became due.
        due_since: Instant,
        /// The id.
        id: ContactId,
    },
}

/// Which contacts to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactQuery {
    /// Only this kind.
    pub kind: Option<ContactKind>,
    /// Only this helpfulness.
    pub helpfulness: Option<Helpfulness>,
    /// Only crisis contacts (`true`) or others (`false`).
    pub crisis_contact: Option<bool>,
    /// Only those shared with services (`true`) or not (`false`).
    pub shared_with_services: Option<bool>,
    /// Only those whose name or organisation contains this (any letter case).
    pub text: Option<String>,
    /// Only those due by this instant, most overdue first (else by name).
    pub due_by: Option<Instant>,
    /// Start after this contact.
    pub after: Option<ContactPosition>,
    /// At most this many.
    pub limit: u64,
}

impl ContactQuery {
    /// The first `limit` contacts by name, unfiltered.
    #[must_use]
    pub const fn by_name(limit: u64) -> Self {
        Self {
            kind: None,
            helpfulness: None,
            crisis_contact: None,
            shared_with_services: None,
            text: None,
            due_by: None,
            after: None,
            limit,
        }
    }
}

/// A page of contacts.
#[derive(Debug, Clone)]
pub struct ContactPage {
    /// The contacts.
    pub contacts: Vec<Contact>,
    /// Whether more follow.
    pub has_more: bool,
}

/// A contact about to be created.
#[derive(Debug, Clone)]
pub struct NewContact {
    /// What the person wrote.
    pub details: ContactDetails,
    /// When they were last in touch, if they said.
    pub last_contacted_at: Option<Instant>,
}

/// Where a page of interactions starts: after this one (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionPosition {
    /// When it happened.
    pub at: Instant,
    /// Its id.
    pub id: InteractionId,
}

/// Where a page of supporter links starts: after this one (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupporterPosition {
    /// When the link was made.
    pub created_at: Instant,
    /// The other end's id: the contact's in a goal's list, the goal's in a contact's.
    pub id: uuid::Uuid,
}

/// A goal a contact supports, with what the list shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportedGoal {
    /// The link.
    pub supporter: Supporter,
    /// The goal's title.
    pub title: GoalTitle,
    /// The goal's status.
    pub status: GoalStatus,
}

/// Why a contact could not be created, changed or deleted.
#[derive(Debug, thiserror::Error)]
pub enum ContactWriteError {
    /// No such contact for this owner.
    #[error("no such contact")]
    NotFound,
    /// The owner would have more than [`MAX_CONTACTS_PER_PERSON`].
    #[error("too many contacts")]
    TooMany,
    /// It changed since the version the caller saw (`If-Match`).
    #[error("the contact has changed")]
    PreconditionFailed,
    /// Concurrent changes kept winning; the caller may simply retry.
    #[error("the contact is being changed by other requests")]
    Busy,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why an interaction could not be recorded or deleted.
#[derive(Debug, thiserror::Error)]
pub enum InteractionWriteError {
    /// No such contact or interaction for this owner.
    #[error("no such contact or interaction")]
    NotFound,
    /// The contact has [`MAX_INTERACTIONS_PER_CONTACT`] already.
    #[error("too many interactions")]
    TooMany,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a supporter link could not be made or removed.
#[derive(Debug, thiserror::Error)]
pub enum SupporterWriteError {
    /// No such goal, contact or link for this owner.
    #[error("no such goal, contact or supporter")]
    NotFound,
    /// The goal has [`MAX_SUPPORTERS_PER_GOAL`] already.
    #[error("too many supporters")]
    TooMany,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The person's contacts: their support network.
#[async_trait]
pub trait ContactStore: Send + Sync + std::fmt::Debug {
    /// Creates contacts, all or none, in one transaction.
    ///
    /// # Errors
    /// [`ContactWriteError::TooMany`] or a store error.
    async fn create(
        &self,
        acting: Acting,
        contacts: Vec<NewContact>,
        now: Instant,
    ) -> Result<Vec<Contact>, ContactWriteError>;

    /// The owner's contact `id`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get(&self, owner: AccountId, id: ContactId) -> Result<Option<Contact>, StoreError>;

    /// A page of the owner's contacts.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn list(&self, owner: AccountId, query: ContactQuery) -> Result<ContactPage, StoreError>;

    /// Every contact of the owner's (at most [`MAX_CONTACTS_PER_PERSON`]), by name;
    /// only crisis contacts when `crisis_only`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn all(&self, owner: AccountId, crisis_only: bool) -> Result<Vec<Contact>, StoreError>;

    /// Applies `changes` if the contact is still at `expected_version` (when given).
    ///
    /// # Errors
    /// [`ContactWriteError`].
    async fn update(
        &self,
        acting: Acting,
        id: ContactId,
        changes: ContactChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Contact, ContactWriteError>;

    /// Deletes the contact with its interactions and supporter links (the goals it
    /// supported get a new version), recording the deletion in the change journal.
    ///
    /// # Errors
    /// [`ContactWriteError::NotFound`] or [`ContactWriteError::PreconditionFailed`].
    async fn delete(
        &self,
        acting: Acting,
        id: ContactId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), ContactWriteError>;
}

/// A contact's interactions: when the person was in touch, how, and how it felt.
#[async_trait]
pub trait InteractionStore: Send + Sync + std::fmt::Debug {
    /// Records an interaction; the contact's `last_contacted_at` moves forward to it
    /// when it is newer. Answers the interaction and the contact as it is now.
    ///
    /// # Errors
    /// [`InteractionWriteError`].
    async fn add_interaction(
        &self,
        acting: Acting,
        contact: ContactId,
        interaction: NewInteraction,
        now: Instant,
    ) -> Result<(Interaction, Contact), InteractionWriteError>;

    /// A page of the contact's interactions, newest first; `None` when the contact is
    /// not the owner's.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn interactions(
        &self,
        owner: AccountId,
        contact: ContactId,
        after: Option<InteractionPosition>,
        limit: u64,
    ) -> Result<Option<(Vec<Interaction>, bool)>, StoreError>;

    /// The owner's interaction `id` with `contact`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get_interaction(
        &self,
        owner: AccountId,
        contact: ContactId,
        id: InteractionId,
    ) -> Result<Option<Interaction>, StoreError>;

    /// Deletes an interaction and works `last_contacted_at` out again.
    ///
    /// # Errors
    /// [`InteractionWriteError::NotFound`] or a store error.
    async fn delete_interaction(
        &self,
        acting: Acting,
        contact: ContactId,
        id: InteractionId,
        now: Instant,
    ) -> Result<(), InteractionWriteError>;
}

/// The contacts supporting each goal, and the goals each contact supports.
#[async_trait]
pub trait SupporterStore: Send + Sync + std::fmt::Debug {
    /// Makes `contact` a supporter of `goal` with `role`, or changes its role; the
    /// goal gets a new version. Answers the link and whether it is new.
    ///
    /// # Errors
    /// [`SupporterWriteError`].
    async fn set_supporter(
        &self,
        acting: Acting,
        goal: GoalId,
        contact: ContactId,
        role: SupporterRole,
        now: Instant,
    ) -> Result<(Supporter, bool), SupporterWriteError>;

    /// Removes `contact` from `goal`'s supporters; the goal gets a new version.
    ///
    /// # Errors
    /// [`SupporterWriteError::NotFound`] or a store error.
    async fn remove_supporter(
        &self,
        acting: Acting,
        goal: GoalId,
        contact: ContactId,
        now: Instant,
    ) -> Result<(), SupporterWriteError>;

    /// A page of the goal's supporters with their contacts, oldest link first;
    /// `None` when the goal is not the owner's.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn supporters(
        &self,
        owner: AccountId,
        goal: GoalId,
        after: Option<SupporterPosition>,
        limit: u64,
    ) -> Result<Option<(Vec<(Supporter, Contact)>, bool)>, StoreError>;

    /// A page of the goals `contact` supports, oldest link first; `None` when the
    /// contact is not the owner's.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn supported_goals(
        &self,
        owner: AccountId,
        contact: ContactId,
        after: Option<SupporterPosition>,
        limit: u64,
    ) -> Result<Option<(Vec<SupportedGoal>, bool)>, StoreError>;
}
