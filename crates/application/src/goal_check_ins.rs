//! Check-ins on a goal: how it is going, in the person's words. They do not change;
//! a person may delete one.

use waymark_domain::acting::Acting;
use waymark_domain::goals::ports::{CheckInPage, GoalWriteError};
use waymark_domain::goals::{CheckIn, CheckInId, GoalId, NewCheckIn};
use waymark_domain::ports::StoragePorts;
use waymark_domain::time::Instant;

use crate::failure::Failure;
use crate::goals::GoalFailure;
use crate::input::Input;

/// Records a check-in on one of the person's goals (the goal gets a new version).
///
/// # Errors
/// [`Failure::Invalid`], or [`GoalWriteError::NotFound`].
pub async fn create(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    goal: GoalId,
    draft: impl Input<NewCheckIn>,
) -> Result<CheckIn, GoalFailure> {
    let check_in = draft.parse().map_err(Failure::Invalid)?;
    ports.goal_parts.check_in(acting, goal, check_in, now).await.map_err(Failure::Refused)
}

/// A page of a goal's check-ins, newest first, after `after` when given.
///
/// # Errors
/// [`GoalWriteError::NotFound`] when the person has no such goal.
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    goal: GoalId,
    after: Option<(Instant, CheckInId)>,
    limit: u64,
) -> Result<CheckInPage, GoalFailure> {
    ports
        .goal_parts
        .check_ins(acting.owner, goal, after, limit)
        .await?
        .ok_or(Failure::Refused(GoalWriteError::NotFound))
}

/// One check-in on one of the person's goals.
///
/// # Errors
/// [`GoalWriteError::NotFound`].
pub async fn get(
    ports: &StoragePorts,
    acting: Acting,
    (goal, check_in): (GoalId, CheckInId),
) -> Result<CheckIn, GoalFailure> {
    ports
        .goal_parts
        .check_in_by_id(acting.owner, goal, check_in)
        .await?
        .ok_or(Failure::Refused(GoalWriteError::NotFound))
}

/// Deletes a check-in (the goal gets a new version).
///
/// # Errors
/// [`GoalWriteError::NotFound`].
pub async fn delete(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (goal, check_in): (GoalId, CheckInId),
) -> Result<(), GoalFailure> {
    ports.goal_parts.delete_check_in(acting, goal, check_in, now).await.map_err(Failure::Refused)
}
