//! Setting, reading, changing and deleting goals.

use chrono::NaiveDate;
use waymark_domain::acting::Acting;
use waymark_domain::goals::ports::{GoalPage, GoalQuery, GoalWriteError};
use waymark_domain::goals::{Goal, GoalChanges, GoalId, NewGoal, StatusChange};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::precondition::{Precondition, PreconditionFailed};
use waymark_domain::time::Instant;
use waymark_domain::validation::Problem;

use crate::person::local_date;

/// Why a goal operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum GoalError {
    /// No such goal of the person's.
    #[error("no such goal")]
    NotFound,
    /// It changed since the version the caller saw.
    #[error("the goal has changed")]
    PreconditionFailed,
    /// What the caller sent breaks a rule; every problem is listed.
    #[error("the goal is not valid")]
    Invalid(Vec<Problem>),
    /// Concurrent changes kept winning; the caller may simply retry.
    #[error("the goal is being changed by other requests")]
    Busy,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<GoalWriteError> for GoalError {
    fn from(error: GoalWriteError) -> Self {
        match error {
            GoalWriteError::NotFound => Self::NotFound,
            GoalWriteError::PreconditionFailed => Self::PreconditionFailed,
            GoalWriteError::Busy => Self::Busy,
            GoalWriteError::Store(store) => Self::Store(store),
        }
    }
}

impl From<PreconditionFailed> for GoalError {
    fn from(_: PreconditionFailed) -> Self {
        Self::PreconditionFailed
    }
}

/// What a client sent to set a goal. It parses once the day the goal is set on is
/// known (a target date may not be before it), reporting every problem at once.
pub trait GoalDraft {
    /// The new goal, or every problem with it.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self, set_on: NaiveDate) -> Result<NewGoal, Vec<Problem>>;
}

/// What a client sent to change a goal, parsed against the day the goal was set on.
pub trait GoalEdit {
    /// The changes, or every problem with them.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self, set_on: NaiveDate) -> Result<GoalChanges, Vec<Problem>>;
}

/// Sets a new goal, dated by the person's own time zone.
///
/// # Errors
/// [`GoalError::Invalid`] with every problem in `draft`.
pub async fn create(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    draft: impl GoalDraft,
) -> Result<Goal, GoalError> {
    let today = local_date(ports, acting.owner, now)
        .await?
        .ok_or(GoalError::NotFound)?;
    let goal = draft.parse(today).map_err(GoalError::Invalid)?;
    Ok(ports.goals.create(acting, goal, now).await?)
}

/// One of the person's goals.
///
/// # Errors
/// [`GoalError::NotFound`].
pub async fn get(ports: &StoragePorts, acting: Acting, id: GoalId) -> Result<Goal, GoalError> {
    ports
        .goals
        .get(acting.owner, id)
        .await?
        .ok_or(GoalError::NotFound)
}

/// A page of the person's goals.
///
/// # Errors
/// [`GoalError::Store`] when storage fails.
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    query: GoalQuery,
) -> Result<GoalPage, GoalError> {
    Ok(ports.goals.list(acting.owner, query).await?)
}

/// Changes one of the person's goals, if it is still at a version `seen` names. A
/// change that changes nothing answers the goal as it is.
///
/// # Errors
/// [`GoalError::NotFound`], [`GoalError::PreconditionFailed`] or
/// [`GoalError::Invalid`].
pub async fn update(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: GoalId,
    seen: &Precondition,
    edit: impl GoalEdit,
) -> Result<Goal, GoalError> {
    let current = get(ports, acting, id).await?;
    let expected = seen.expected(current.version)?;
    let set_on = local_date(ports, acting.owner, current.created_at)
        .await?
        .ok_or(GoalError::NotFound)?;
    let changes = edit.parse(set_on).map_err(GoalError::Invalid)?;
    if changes.is_empty() {
        return Ok(current);
    }
    Ok(ports
        .goals
        .update(acting, id, changes, expected, now)
        .await?)
}

/// Deletes one of the person's goals with its steps, check-ins and history, if it is
/// still at a version `seen` names.
///
/// # Errors
/// [`GoalError::NotFound`] or [`GoalError::PreconditionFailed`].
pub async fn delete(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: GoalId,
    seen: &Precondition,
) -> Result<(), GoalError> {
    let expected = if seen.is_conditional() {
        seen.expected(get(ports, acting, id).await?.version)?
    } else {
        None
    };
    Ok(ports.goals.delete(acting, id, expected, now).await?)
}

/// How the goal's status has changed, oldest first.
///
/// # Errors
/// [`GoalError::NotFound`].
pub async fn history(
    ports: &StoragePorts,
    acting: Acting,
    id: GoalId,
) -> Result<Vec<StatusChange>, GoalError> {
    ports
        .goals
        .history(acting.owner, id)
        .await?
        .ok_or(GoalError::NotFound)
}
