//! Which of the person's contacts support which of their goals, and how.

use waymark_domain::acting::Acting;
use waymark_domain::contacts::ports::{SupportedGoal, SupporterPosition, SupporterWriteError};
use waymark_domain::contacts::{Contact, ContactId, Supporter, SupporterRole};
use waymark_domain::goals::GoalId;
use waymark_domain::ports::StoragePorts;
use waymark_domain::time::Instant;

use crate::failure::Failure;
use crate::input::Input;

/// Why a supporter operation did not happen.
pub type SupporterFailure = Failure<SupporterWriteError>;

/// Makes a contact a supporter of a goal, or changes how they support it. Answers
/// the link and whether it is new.
///
/// # Errors
/// [`Failure::Invalid`], or [`SupporterWriteError::NotFound`] or
/// [`SupporterWriteError::TooMany`].
pub async fn set(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (goal, contact): (GoalId, ContactId),
    role: impl Input<SupporterRole>,
) -> Result<(Supporter, bool), SupporterFailure> {
    let role = role.parse().map_err(Failure::Invalid)?;
    ports.supporters.set_supporter(acting, goal, contact, role, now).await.map_err(Failure::Refused)
}

/// The contact no longer supports the goal.
///
/// # Errors
/// [`SupporterWriteError::NotFound`].
pub async fn remove(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (goal, contact): (GoalId, ContactId),
) -> Result<(), SupporterFailure> {
    ports.supporters.remove_supporter(acting, goal, contact, now).await.map_err(Failure::Refused)
}

/// A page of a goal's supporters with their contacts, oldest link first, and whether
/// more follow.
///
/// # Errors
/// [`SupporterWriteError::NotFound`] when the person has no such goal.
pub async fn of_goal(
    ports: &StoragePorts,
    acting: Acting,
    goal: GoalId,
    after: Option<SupporterPosition>,
    limit: u64,
) -> Result<(Vec<(Supporter, Contact)>, bool), SupporterFailure> {
    ports
        .supporters
        .supporters(acting.owner, goal, after, limit)
        .await?
        .ok_or(Failure::Refused(SupporterWriteError::NotFound))
}

/// A page of the goals a contact supports, and whether more follow.
///
/// # Errors
/// [`SupporterWriteError::NotFound`] when the person has no such contact.
pub async fn goals_of(
    ports: &StoragePorts,
    acting: Acting,
    contact: ContactId,
    after: Option<SupporterPosition>,
    limit: u64,
) -> Result<(Vec<SupportedGoal>, bool), SupporterFailure> {
    ports
        .supporters
        .supported_goals(acting.owner, contact, after, limit)
        .await?
        .ok_or(Failure::Refused(SupporterWriteError::NotFound))
}
