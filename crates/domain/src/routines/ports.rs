//! The storage port of routines and their check-ins. Every method takes the owner:
//! another person's routine is simply not found.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::routine::{
    Category, NewRoutine, NewRoutineCheckIn, Routine, RoutineChanges, RoutineCheckIn,
    RoutineCheckInChanges, RoutineCheckInId, RoutineId,
};
use crate::acting::Acting;
use crate::goals::GoalId;
use crate::identity::AccountId;
use crate::identity::secret::SecretDigest;
use crate::ports::StoreError;
use crate::time::Instant;

/// The most routines one person may have.
pub const MAX_ROUTINES_PER_PERSON: usize = 200;

/// Where a page of routines starts: after the routine created at `created_at` with
/// `id` (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoutinePosition {
    /// Its creation instant.
    pub created_at: Instant,
    /// Its id.
    pub id: RoutineId,
}

/// Which routines to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutineQuery {
    /// Only this category.
    pub category: Option<Category>,
    /// Only active (`true`) or paused (`false`) ones.
    pub active: Option<bool>,
    /// Only those serving this goal.
    pub goal_id: Option<GoalId>,
    /// Start after this routine.
    pub after: Option<RoutinePosition>,
    /// At most this many.
    pub limit: u64,
}

/// A page of routines.
#[derive(Debug, Clone)]
pub struct RoutinePage {
    /// The routines, newest first.
    pub routines: Vec<Routine>,
    /// Whether more follow.
    pub has_more: bool,
}

/// Why a routine could not be created, changed or deleted.
#[derive(Debug, thiserror::Error)]
pub enum RoutineWriteError {
    /// No such routine for this owner.
    #[error("no such routine")]
    NotFound,
    /// The goal it should serve is not one of the owner's.
    #[error("no such goal")]
    UnknownGoal,
    /// The owner has [`MAX_ROUTINES_PER_PERSON`] already.
    #[error("too many routines")]
    TooMany,
    /// It changed since the version the caller saw (`If-Match`).
    #[error("the routine has changed")]
    PreconditionFailed,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a check-in could not be recorded, changed or deleted.
#[derive(Debug, thiserror::Error)]
pub enum CheckInWriteError {
    /// No such routine or check-in for this owner.
    #[error("no such routine or check-in")]
    NotFound,
    /// That occurrence has a check-in already.
    #[error("that occurrence has a check-in already")]
    AlreadyCheckedIn,
    /// A `times_per_week` routine has as many check-ins that ISO week as it asks for.
    #[error("the week has all its check-ins")]
    WeekComplete,
    /// It changed since the version the caller saw (`If-Match`).
    #[error("the check-in has changed")]
    PreconditionFailed,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Routines and their pauses.
#[async_trait]
pub trait RoutineStore: Send + Sync + std::fmt::Debug {
    /// Creates a routine.
    ///
    /// # Errors
    /// [`RoutineWriteError::UnknownGoal`], [`RoutineWriteError::TooMany`] or a store error.
    async fn create(
        &self,
        acting: Acting,
        routine: NewRoutine,
        now: Instant,
    ) -> Result<Routine, RoutineWriteError>;

    /// The owner's routine `id`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get(&self, owner: AccountId, id: RoutineId) -> Result<Option<Routine>, StoreError>;

    /// A page of the owner's routines.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn list(&self, owner: AccountId, query: RoutineQuery) -> Result<RoutinePage, StoreError>;

    /// Every active routine of the owner's (at most [`MAX_ROUTINES_PER_PERSON`]).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn active(&self, owner: AccountId) -> Result<Vec<Routine>, StoreError>;

    /// Applies `changes` if the routine is still at `expected_version` (when given).
    /// Pausing or resuming it is recorded (by local date in its time zone) for its
    /// statistics, in the same transaction.
    ///
    /// # Errors
    /// [`RoutineWriteError`].
    async fn update(
        &self,
        acting: Acting,
        id: RoutineId,
        changes: RoutineChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Routine, RoutineWriteError>;

    /// Deletes the routine with its check-ins, recording the deletion in the change journal.
    ///
    /// # Errors
    /// [`RoutineWriteError::NotFound`] or [`RoutineWriteError::PreconditionFailed`].
    async fn delete(
        &self,
        acting: Acting,
        id: RoutineId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), RoutineWriteError>;

    /// When each of `routines` was paused, oldest first (see `stats::Paused`).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn pauses(
        &self,
        owner: AccountId,
        routines: &[RoutineId],
    ) -> Result<Vec<(RoutineId, super::stats::Paused)>, StoreError>;
}

/// Check-ins on routines.
#[async_trait]
pub trait RoutineCheckInStore: Send + Sync + std::fmt::Debug {
    /// Records a check-in. For `times_per_week` routines, `week_limit` is how many one
    /// ISO week may have; the count and the insert are one transaction, so racing
    /// check-ins never exceed it.
    ///
    /// # Errors
    /// [`CheckInWriteError`].
    async fn check_in(
        &self,
        acting: Acting,
        routine: RoutineId,
        check_in: NewRoutineCheckIn,
        week_limit: Option<u8>,
        now: Instant,
    ) -> Result<RoutineCheckIn, CheckInWriteError>;

    /// The check-ins of `routines` on the local dates `from` to `to`, by date.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn check_ins(
        &self,
        owner: AccountId,
        routines: &[RoutineId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RoutineCheckIn>, StoreError>;

    /// The owner's check-in `id` of `routine`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get_check_in(
        &self,
        owner: AccountId,
        routine: RoutineId,
        id: RoutineCheckInId,
    ) -> Result<Option<RoutineCheckIn>, StoreError>;

    /// Changes a check-in if it is still at `expected_version` (when given).
    ///
    /// # Errors
    /// [`CheckInWriteError`].
    async fn update_check_in(
        &self,
        acting: Acting,
        routine: RoutineId,
        id: RoutineCheckInId,
        changes: RoutineCheckInChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<RoutineCheckIn, CheckInWriteError>;

    /// Deletes a check-in.
    ///
    /// # Errors
    /// [`CheckInWriteError::NotFound`].
    async fn delete_check_in(
        &self,
        acting: Acting,
        routine: RoutineId,
        id: RoutineCheckInId,
        now: Instant,
    ) -> Result<(), CheckInWriteError>;
}

/// The secret addresses of people's calendar feeds.
#[async_trait]
pub trait CalendarFeedStore: Send + Sync + std::fmt::Debug {
    /// Makes `digest` the owner's calendar feed token, replacing any earlier one.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn set_feed_token(
        &self,
        owner: AccountId,
        digest: &SecretDigest,
        now: Instant,
    ) -> Result<(), StoreError>;

    /// Revokes the owner's calendar feed token; answers whether there was one.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn remove_feed_token(&self, owner: AccountId) -> Result<bool, StoreError>;

    /// Whose calendar feed token has `digest`, if anyone's.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn feed_owner(&self, digest: &SecretDigest) -> Result<Option<AccountId>, StoreError>;
}
