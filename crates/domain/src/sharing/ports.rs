//! The storage ports of sharing: shares (the person's side and the supporter's) and
//! encouragement. The person's methods take the owner; the supporter's take the
//! supporter: a share is found only by one of the two, and never by anyone else.

use async_trait::async_trait;

use super::{Encouragement, EncouragementId, EncouragementMessage, Share, ShareId, ShareTerms};
use crate::acting::Acting;
use crate::contacts::ContactId;
use crate::goals::GoalId;
use crate::identity::AccountId;
use crate::identity::secret::SecretDigest;
use crate::ports::StoreError;
use crate::time::Instant;

/// A share about to be made, with the digest of its invitation's code.
#[derive(Debug, Clone)]
pub struct NewShare {
    /// The contact it is for.
    pub contact: ContactId,
    /// What it shows and allows.
    pub terms: ShareTerms,
    /// The digest of the invitation's code (the code itself is never stored).
    pub invitation: SecretDigest,
    /// When the invitation stops being accepted.
    pub invitation_expires_at: Instant,
}

/// Why a share could not be made, changed or ended.
#[derive(Debug, thiserror::Error)]
pub enum ShareWriteError {
    /// No such share (or contact, when making one) for this person.
    #[error("no such share")]
    NotFound,
    /// It changed since the version the caller saw (`If-Match`).
    #[error("the share has changed")]
    PreconditionFailed,
    /// Its invitation was accepted already, so no new one can be made.
    #[error("the invitation was accepted already")]
    AlreadyAccepted,
    /// It expired or its supporter ended it: it no longer changes.
    #[error("the share is over")]
    Over,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A share as its supporter sees it: the share, and the name of the person sharing.
#[derive(Debug, Clone)]
pub struct SupportedShare {
    /// The share.
    pub share: Share,
    /// The sharing person's display name as it is now.
    pub person_name: String,
}

/// Where a page of shares ends: the last share's creation time and id.
pub type SharePosition = (Instant, ShareId);

/// Shares, from both sides.
#[async_trait]
pub trait ShareStore: Send + Sync + std::fmt::Debug {
    /// Makes a share for one of the owner's contacts.
    ///
    /// # Errors
    /// [`ShareWriteError::NotFound`] when the contact is not the owner's.
    async fn create(
        &self,
        acting: Acting,
        share: NewShare,
        now: Instant,
    ) -> Result<Share, ShareWriteError>;

    /// The owner's share `id`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get(&self, owner: AccountId, id: ShareId) -> Result<Option<Share>, StoreError>;

    /// A page of the owner's shares, newest first, and whether more follow.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn list(
        &self,
        owner: AccountId,
        after: Option<SharePosition>,
        limit: u64,
    ) -> Result<(Vec<Share>, bool), StoreError>;

    /// Replaces what the share shows and allows, if it is still at `expected_version`.
    ///
    /// # Errors
    /// [`ShareWriteError::NotFound`] or [`ShareWriteError::PreconditionFailed`].
    async fn update(
        &self,
        acting: Acting,
        id: ShareId,
        terms: ShareTerms,
        expected_version: i64,
        now: Instant,
    ) -> Result<Share, ShareWriteError>;

    /// Replaces the share's invitation with a new one, if the share is still at
    /// `expected_version`.
    ///
    /// # Errors
    /// [`ShareWriteError::NotFound`] or [`ShareWriteError::PreconditionFailed`].
    async fn reinvite(
        &self,
        acting: Acting,
        id: ShareId,
        (invitation, invitation_expires_at): (SecretDigest, Instant),
        expected_version: i64,
        now: Instant,
    ) -> Result<Share, ShareWriteError>;

    /// Ends the share (it is deleted) if it is still at `expected_version` (when given).
    /// The encouragement it brought stays with the person.
    ///
    /// # Errors
    /// [`ShareWriteError::NotFound`] or [`ShareWriteError::PreconditionFailed`].
    async fn delete(
        &self,
        acting: Acting,
        id: ShareId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), ShareWriteError>;

    /// Links the share whose invitation has `invitation` as digest to `supporter`, and
    /// spends the invitation, if [`Share::may_be_accepted_by`] says so; otherwise
    /// changes nothing.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn accept(
        &self,
        supporter: AccountId,
        invitation: &SecretDigest,
        now: Instant,
    ) -> Result<Option<Share>, StoreError>;

    /// A page of the shares `supporter` follows at `now` (accepted, not expired;
    /// paused ones too), newest first, and whether more follow.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn supported(
        &self,
        supporter: AccountId,
        now: Instant,
        after: Option<SharePosition>,
        limit: u64,
    ) -> Result<(Vec<SupportedShare>, bool), StoreError>;

    /// The share `id`, if `supporter` is its supporter.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn supported_share(
        &self,
        supporter: AccountId,
        id: ShareId,
    ) -> Result<Option<SupportedShare>, StoreError>;

    /// The supporter steps back from the share: it ends, and stays in the person's
    /// list as ended. Answers the person who shared it, or `None` when `supporter` is
    /// not its supporter.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn step_back(
        &self,
        supporter: AccountId,
        id: ShareId,
        now: Instant,
    ) -> Result<Option<AccountId>, StoreError>;
}

/// Why a message of encouragement could not be sent or changed.
#[derive(Debug, thiserror::Error)]
pub enum EncouragementWriteError {
    /// No such goal or message for this person.
    #[error("no such encouragement")]
    NotFound,
    /// It changed since the version the caller saw (`If-Match`).
    #[error("the encouragement has changed")]
    PreconditionFailed,
    /// The supporter sent as many about this goal in the last 24 hours as allowed; the
    /// next may be sent at `until` (when the oldest of them is 24 hours old).
    #[error("too many messages about this goal today")]
    TooMany {
        /// When one more may be sent.
        until: Instant,
    },
    /// The person turned encouragement off for the share.
    #[error("encouragement is turned off for this share")]
    TurnedOff,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A message about to be sent through a share.
#[derive(Debug, Clone)]
pub struct NewEncouragement {
    /// The share it comes through.
    pub share: ShareId,
    /// The goal it is about.
    pub goal: GoalId,
    /// What the supporter wrote.
    pub message: EncouragementMessage,
}

/// Where a page of encouragement ends: the last message's time and id.
pub type EncouragementPosition = (Instant, EncouragementId);

/// Messages of encouragement.
#[async_trait]
pub trait EncouragementStore: Send + Sync + std::fmt::Debug {
    /// Records a message from `acting`'s supporter to its owner, if the share, read
    /// again under a lock on the goal and the share, still takes it
    /// ([`Share::takes_encouragement`](super::Share::takes_encouragement)), and the
    /// supporter sent fewer than `daily_limit` about the goal in the 24 hours before
    /// `now` (through any share).
    ///
    /// # Errors
    /// [`EncouragementWriteError::NotFound`] when the share no longer shows the goal,
    /// [`EncouragementWriteError::TurnedOff`], or [`EncouragementWriteError::TooMany`].
    async fn send(
        &self,
        acting: Acting,
        message: NewEncouragement,
        daily_limit: u64,
        now: Instant,
    ) -> Result<Encouragement, EncouragementWriteError>;

    /// A page of the messages on the owner's goal, newest first, and whether more
    /// follow; `None` when there is no such goal.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn list(
        &self,
        owner: AccountId,
        goal: GoalId,
        after: Option<EncouragementPosition>,
        limit: u64,
    ) -> Result<Option<(Vec<Encouragement>, bool)>, StoreError>;

    /// The message `id` on the owner's goal.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get(
        &self,
        owner: AccountId,
        goal: GoalId,
        id: EncouragementId,
    ) -> Result<Option<Encouragement>, StoreError>;

    /// Hides a message, or shows it again, if it is still at `expected_version` (when
    /// given).
    ///
    /// # Errors
    /// [`EncouragementWriteError::NotFound`] or
    /// [`EncouragementWriteError::PreconditionFailed`].
    async fn set_hidden(
        &self,
        acting: Acting,
        goal: GoalId,
        id: EncouragementId,
        hidden: bool,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Encouragement, EncouragementWriteError>;
}
