//! The storage port of goals. Every method takes the owner: another person's goal is
//! simply not found, and forgetting the owner does not compile.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::goal::{Area, Goal, GoalChanges, GoalId, GoalStatus, NewGoal, StatusChange};
use crate::identity::AccountId;
use crate::identity::ports::StoreError;
use crate::time::Instant;

/// The order of a goal list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalOrder {
    /// Newest first (`created_at`, then `id`, descending).
    Newest,
    /// Soonest target date first, undated goals last (then `id` ascending).
    TargetDate,
}

/// Where a page of goals starts: just after this goal in the list's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoalPosition {
    /// After the goal created at `created_at` with `id` (newest-first order).
    Newest {
        /// Its creation instant.
        created_at: Instant,
        /// Its id.
        id: GoalId,
    },
    /// After the goal with `target_date` and `id` (target-date order).
    TargetDate {
        /// Its target date (`None`: undated).
        target_date: Option<NaiveDate>,
        /// Its id.
        id: GoalId,
    },
}

/// Which goals to list.
#[derive(Debug, Clone)]
pub struct GoalQuery {
    /// Only these statuses (empty: all).
    pub statuses: Vec<GoalStatus>,
    /// Only this area.
    pub area: Option<Area>,
    /// Only goals with a target date before this one.
    pub due_before: Option<NaiveDate>,
    /// Only goals whose title contains this, ignoring case.
    pub title_contains: Option<String>,
    /// The order.
    pub order: GoalOrder,
    /// Start after this goal (from the previous page's last item).
    pub after: Option<GoalPosition>,
    /// At most this many.
    pub limit: u64,
}

/// A page of goals.
#[derive(Debug, Clone)]
pub struct GoalPage {
    /// The goals, in the query's order.
    pub goals: Vec<Goal>,
    /// Whether more follow.
    pub has_more: bool,
}

/// Why a goal could not be changed or deleted.
#[derive(Debug, thiserror::Error)]
pub enum GoalWriteError {
    /// No such goal for this owner.
    #[error("no such goal")]
    NotFound,
    /// It changed since the version the caller saw (`If-Match`).
    #[error("the goal has changed")]
    PreconditionFailed,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Goals and their status history.
#[async_trait]
pub trait GoalStore: Send + Sync + std::fmt::Debug {
    /// Creates a goal and the first entry of its history.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn create(
        &self,
        owner: AccountId,
        goal: NewGoal,
        now: Instant,
    ) -> Result<Goal, StoreError>;

    /// The owner's goal `id`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get(&self, owner: AccountId, id: GoalId) -> Result<Option<Goal>, StoreError>;

    /// A page of the owner's goals.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn list(&self, owner: AccountId, query: GoalQuery) -> Result<GoalPage, StoreError>;

    /// Applies `changes` if the goal is still at `expected_version` (when given); a
    /// status change is added to the history in the same transaction.
    ///
    /// # Errors
    /// [`GoalWriteError::NotFound`] or [`GoalWriteError::PreconditionFailed`].
    async fn update(
        &self,
        owner: AccountId,
        id: GoalId,
        changes: GoalChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Goal, GoalWriteError>;

    /// Deletes the goal with everything that belongs to it, leaving a tombstone.
    ///
    /// # Errors
    /// [`GoalWriteError::NotFound`] or [`GoalWriteError::PreconditionFailed`].
    async fn delete(
        &self,
        owner: AccountId,
        id: GoalId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), GoalWriteError>;

    /// The goal's status changes, oldest first, or `None` when there is no such goal.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn history(
        &self,
        owner: AccountId,
        id: GoalId,
    ) -> Result<Option<Vec<StatusChange>>, StoreError>;
}
