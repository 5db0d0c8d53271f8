//! A goal's steps: added at the end, changed, removed and put in a new order.

use waymark_domain::acting::Acting;
use waymark_domain::goals::ports::StepWriteError;
use waymark_domain::goals::{GoalId, MAX_STEPS_PER_GOAL, NewStep, Step, StepChanges, StepId};
use waymark_domain::ports::StoragePorts;
use waymark_domain::precondition::Precondition;
use waymark_domain::time::Instant;
use waymark_domain::validation::Problems;

use crate::failure::Failure;
use crate::input::Input;

/// Why a step operation did not happen.
pub type StepFailure = Failure<StepWriteError>;

/// A goal's steps, in order.
///
/// # Errors
/// [`StepWriteError::NotFound`] when the person has no such goal.
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    goal: GoalId,
) -> Result<Vec<Step>, StepFailure> {
    ports
        .goal_parts
        .steps(acting.owner, goal)
        .await?
        .ok_or(Failure::Refused(StepWriteError::NotFound))
}

/// One step of one of the person's goals.
///
/// # Errors
/// [`StepWriteError::NotFound`].
pub async fn get(
    ports: &StoragePorts,
    acting: Acting,
    (goal, step): (GoalId, StepId),
) -> Result<Step, StepFailure> {
    ports
        .goal_parts
        .step(acting.owner, goal, step)
        .await?
        .ok_or(Failure::Refused(StepWriteError::NotFound))
}

/// Adds a step at the end of a goal's steps.
///
/// # Errors
/// [`Failure::Invalid`], or [`StepWriteError::NotFound`] or
/// [`StepWriteError::TooManySteps`].
pub async fn add(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    goal: GoalId,
    draft: impl Input<NewStep>,
) -> Result<Step, StepFailure> {
    let step = draft.parse().map_err(Failure::Invalid)?;
    ports.goal_parts.add_step(acting, goal, step, now).await.map_err(Failure::Refused)
}

/// Changes a step, if it is still at a version `seen` names. A change that changes
/// nothing answers the step as it is.
///
/// # Errors
/// [`StepWriteError::NotFound`], [`StepWriteError::PreconditionFailed`] or
/// [`Failure::Invalid`].
pub async fn update(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (goal, step): (GoalId, StepId),
    seen: &Precondition,
    edit: impl Input<StepChanges>,
) -> Result<Step, StepFailure> {
    let current = get(ports, acting, (goal, step)).await?;
    let expected = seen.expected(current.version)?;
    let changes = edit.parse().map_err(Failure::Invalid)?;
    if changes.title.is_none() && changes.done.is_none() {
        return Ok(current);
    }
    ports
        .goal_parts
        .update_step(acting, goal, step, changes, expected, now)
        .await
        .map_err(Failure::Refused)
}

/// Removes a step, if it is still at a version `seen` names; the steps after it move
/// up one place.
///
/// # Errors
/// [`StepWriteError::NotFound`] or [`StepWriteError::PreconditionFailed`].
pub async fn remove(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (goal, step): (GoalId, StepId),
    seen: &Precondition,
) -> Result<(), StepFailure> {
    let current = get(ports, acting, (goal, step)).await?;
    let expected = seen.expected(current.version)?;
    ports.goal_parts.remove_step(acting, goal, step, expected, now).await.map_err(Failure::Refused)
}

/// Puts a goal's steps in the order `order` names, which must be every step once.
///
/// # Errors
/// [`Failure::Invalid`] for more steps than a goal may have, then
/// [`StepWriteError::NotFound`] or [`StepWriteError::OrderMismatch`].
pub async fn reorder(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    goal: GoalId,
    order: Vec<StepId>,
) -> Result<Vec<Step>, StepFailure> {
    if i32::try_from(order.len()).map_or(true, |count| count > MAX_STEPS_PER_GOAL) {
        let mut problems = Problems::default();
        problems.add("/step_ids", format!("may list at most {MAX_STEPS_PER_GOAL} steps"));
        return Err(Failure::Invalid(problems.into_vec()));
    }
    ports.goal_parts.reorder_steps(acting, goal, order, now).await.map_err(Failure::Refused)
}
