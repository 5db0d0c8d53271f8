//! Setting, reading, changing and deleting goals.

use chrono::NaiveDate;
use waymark_domain::acting::Acting;
use waymark_domain::goals::ports::{GoalPage, GoalQuery, GoalWriteError};
use waymark_domain::goals::{Goal, GoalChanges, GoalId, NewGoal, StatusChange};
use waymark_domain::ports::StoragePorts;
use waymark_domain::precondition::Precondition;
use waymark_domain::time::Instant;
use waymark_domain::validation::Problem;

use crate::failure::Failure;
use crate::person::account;
use crate::preconditions::expected_version;

/// Why a goal operation did not happen.
pub type GoalFailure = Failure<GoalWriteError>;

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
/// [`Failure::Invalid`] with every problem in `draft`; [`GoalWriteError::NotFound`]
/// when the person's account is gone.
pub async fn create(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    draft: impl GoalDraft,
) -> Result<Goal, GoalFailure> {
    let today = account(ports, acting, GoalWriteError::NotFound).await?.time_zone.date_at(now);
    let goal = draft.parse(today).map_err(Failure::Invalid)?;
    Ok(ports.goals.create(acting, goal, now).await?)
}

/// One of the person's goals.
///
/// # Errors
/// [`GoalWriteError::NotFound`].
pub async fn get(ports: &StoragePorts, acting: Acting, id: GoalId) -> Result<Goal, GoalFailure> {
    ports.goals.get(acting.owner, id).await?.ok_or(GoalFailure::Refused(GoalWriteError::NotFound))
}

/// A page of the person's goals.
///
/// # Errors
/// [`GoalWriteError::Store`] when storage fails.
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    query: GoalQuery,
) -> Result<GoalPage, GoalFailure> {
    Ok(ports.goals.list(acting.owner, query).await?)
}

/// Changes one of the person's goals, if it is still at a version `seen` names. A
/// change that changes nothing answers the goal as it is.
///
/// # Errors
/// [`GoalWriteError::NotFound`], [`GoalWriteError::PreconditionFailed`] or
/// [`Failure::Invalid`].
pub async fn update(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: GoalId,
    seen: &Precondition,
    edit: impl GoalEdit,
) -> Result<Goal, GoalFailure> {
    let current = get(ports, acting, id).await?;
    let expected = seen.expected(current.version)?;
    let set_on = account(ports, acting, GoalWriteError::NotFound)
        .await?
        .time_zone
        .date_at(current.created_at);
    let changes = edit.parse(set_on).map_err(Failure::Invalid)?;
    if changes.is_empty() {
        return Ok(current);
    }
    ports.goals.update(acting, id, changes, expected, now).await.map_err(Failure::Refused)
}

/// Deletes one of the person's goals with its steps, check-ins and history, if it is
/// still at a version `seen` names.
///
/// # Errors
/// [`GoalWriteError::NotFound`] or [`GoalWriteError::PreconditionFailed`].
pub async fn delete(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: GoalId,
    seen: &Precondition,
) -> Result<(), GoalFailure> {
    let expected = expected_version(seen, get(ports, acting, id), |goal| goal.version).await?;
    ports.goals.delete(acting, id, expected, now).await.map_err(Failure::Refused)
}

/// How the goal's status has changed, oldest first.
///
/// # Errors
/// [`GoalWriteError::NotFound`].
pub async fn history(
    ports: &StoragePorts,
    acting: Acting,
    id: GoalId,
) -> Result<Vec<StatusChange>, GoalFailure> {
    ports
        .goals
        .history(acting.owner, id)
        .await?
        .ok_or(GoalFailure::Refused(GoalWriteError::NotFound))
}
