//! The storage port of goals. Every method takes the owner: another person's goal is
//! simply not found, and forgetting the owner does not compile.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;

use super::goal::{Area, Goal, GoalChanges, GoalId, GoalStatus, NewGoal, StatusChange};
use crate::acting::Acting;
use crate::identity::AccountId;
use crate::ports::StoreError;
use crate::time::Instant;

/// The order of a goal list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalOrder {
    /// Newest first (`created_at`, then `id`, descending).
    Newest,
    /// Soonest target date first, undated goals last (then `id` ascending).
    TargetDate,
}

/// Where a page of goals starts: just after this goal in the list's order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

/// Which goals to list. Equal queries for the same owner list the same goals, as long
/// as none of them changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GoalQuery {
    /// Only these goals (`None`: any).
    pub ids: Option<Vec<GoalId>>,
    /// Only these statuses (empty: all).
    pub statuses: Vec<GoalStatus>,
    /// Only this area.
    pub area: Option<Area>,
    /// Only goals with a target date before this one.
    pub due_before: Option<NaiveDate>,
    /// Only goals whose title contains this, ignoring case.
    pub title_contains: Option<String>,
    /// Only goals last changed at or after this instant.
    pub updated_from: Option<Instant>,
    /// Only goals last changed before this instant.
    pub updated_before: Option<Instant>,
    /// The order.
    pub order: GoalOrder,
    /// Start after this goal (from the previous page's last item).
    pub after: Option<GoalPosition>,
    /// At most this many.
    pub limit: u64,
}

impl GoalQuery {
    /// The first `limit` goals, newest first, among `ids` (any, when `None`) with one
    /// of `statuses` (any, when empty), after `after`.
    #[must_use]
    pub fn newest(
        ids: Option<Vec<GoalId>>,
        statuses: Vec<GoalStatus>,
        after: Option<GoalPosition>,
        limit: u64,
    ) -> Self {
        Self {
            ids,
            statuses,
            area: None,
            due_before: None,
            title_contains: None,
            updated_from: None,
            updated_before: None,
            order: GoalOrder::Newest,
            after,
            limit,
        }
    }
}

/// A page of goals: an immutable snapshot, shared (not copied) when a page is served
/// again from memory.
#[derive(Debug, Clone)]
pub struct GoalPage {
    /// The goals, in the query's order.
    pub goals: Arc<[Goal]>,
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
    /// Concurrent changes kept winning; the caller may simply retry.
    #[error("the goal is being changed by other requests")]
    Busy,
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
    async fn create(&self, acting: Acting, goal: NewGoal, now: Instant)
    -> Result<Goal, StoreError>;

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
        acting: Acting,
        id: GoalId,
        changes: GoalChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Goal, GoalWriteError>;

    /// Deletes the goal with everything that belongs to it, recording the deletion in the change journal.
    ///
    /// # Errors
    /// [`GoalWriteError::NotFound`] or [`GoalWriteError::PreconditionFailed`].
    async fn delete(
        &self,
        acting: Acting,
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

/// Why a step could not be added, changed, removed or reordered.
#[derive(Debug, thiserror::Error)]
pub enum StepWriteError {
    /// No such goal or step for this owner.
    #[error("no such goal or step")]
    NotFound,
    /// It changed since the version the caller saw (`If-Match`).
    #[error("the step has changed")]
    PreconditionFailed,
    /// The goal already has the most steps allowed.
    #[error("the goal already has {} steps", crate::goals::MAX_STEPS_PER_GOAL)]
    TooManySteps,
    /// A reorder did not name exactly the goal's current steps.
    #[error("the order does not name exactly the goal's steps")]
    OrderMismatch,
    /// A concurrent change won; the caller may simply retry.
    #[error("the step is being changed by other requests")]
    Busy,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A page of check-ins, newest first.
#[derive(Debug, Clone)]
pub struct CheckInPage {
    /// The check-ins.
    pub check_ins: Vec<crate::goals::CheckIn>,
    /// Whether more follow.
    pub has_more: bool,
}

/// A goal's steps and check-ins. Every method takes the owner and the goal.
#[async_trait]
pub trait GoalPartsStore: Send + Sync + std::fmt::Debug {
    /// The goal's steps in order, or `None` when there is no such goal.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn steps(
        &self,
        owner: AccountId,
        goal: GoalId,
    ) -> Result<Option<Vec<crate::goals::Step>>, StoreError>;

    /// Adds a step at the end.
    ///
    /// # Errors
    /// [`StepWriteError::NotFound`] or [`StepWriteError::TooManySteps`].
    async fn add_step(
        &self,
        acting: Acting,
        goal: GoalId,
        step: crate::goals::NewStep,
        now: Instant,
    ) -> Result<crate::goals::Step, StepWriteError>;

    /// The step, if it is the owner's and the goal's.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn step(
        &self,
        owner: AccountId,
        goal: GoalId,
        step: crate::goals::StepId,
    ) -> Result<Option<crate::goals::Step>, StoreError>;

    /// Changes a step if it is still at `expected_version` (when given).
    ///
    /// # Errors
    /// [`StepWriteError::NotFound`] or [`StepWriteError::PreconditionFailed`].
    async fn update_step(
        &self,
        acting: Acting,
        goal: GoalId,
        step: crate::goals::StepId,
        changes: crate::goals::StepChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<crate::goals::Step, StepWriteError>;

    /// Removes a step; the ones after it move up.
    ///
    /// # Errors
    /// [`StepWriteError::NotFound`] or [`StepWriteError::PreconditionFailed`].
    async fn remove_step(
        &self,
        acting: Acting,
        goal: GoalId,
        step: crate::goals::StepId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), StepWriteError>;

    /// Puts the steps in the order of `order`, which must name exactly the goal's steps.
    ///
    /// # Errors
    /// [`StepWriteError::NotFound`] or [`StepWriteError::OrderMismatch`].
    async fn reorder_steps(
        &self,
        acting: Acting,
        goal: GoalId,
        order: Vec<crate::goals::StepId>,
        now: Instant,
    ) -> Result<Vec<crate::goals::Step>, StepWriteError>;

    /// Records a check-in. It changes nothing else about the goal: its status stays
    /// the person's choice.
    ///
    /// # Errors
    /// [`GoalWriteError::NotFound`] when there is no such goal.
    async fn check_in(
        &self,
        acting: Acting,
        goal: GoalId,
        check_in: crate::goals::NewCheckIn,
        now: Instant,
    ) -> Result<crate::goals::CheckIn, GoalWriteError>;

    /// A page of the goal's check-ins, newest first, after `(created_at, id)`; `None`
    /// when there is no such goal.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn check_ins(
        &self,
        owner: AccountId,
        goal: GoalId,
        after: Option<(Instant, crate::goals::CheckInId)>,
        limit: u64,
    ) -> Result<Option<CheckInPage>, StoreError>;

    /// One check-in, if it is the owner's and the goal's.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn check_in_by_id(
        &self,
        owner: AccountId,
        goal: GoalId,
        check_in: crate::goals::CheckInId,
    ) -> Result<Option<crate::goals::CheckIn>, StoreError>;

    /// Deletes a check-in.
    ///
    /// # Errors
    /// [`GoalWriteError::NotFound`] when there is no such check-in.
    async fn delete_check_in(
        &self,
        acting: Acting,
        goal: GoalId,
        check_in: crate::goals::CheckInId,
        now: Instant,
    ) -> Result<(), GoalWriteError>;
}
