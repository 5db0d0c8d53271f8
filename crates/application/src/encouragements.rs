//! The person's side of encouragement: reading what supporters sent about a goal,
//! and hiding a message (or showing it again).

use waymark_domain::acting::Acting;
use waymark_domain::goals::GoalId;
use waymark_domain::ports::StoragePorts;
use waymark_domain::precondition::Precondition;
use waymark_domain::sharing::ports::{EncouragementPosition, EncouragementWriteError};
use waymark_domain::sharing::{Encouragement, EncouragementId};
use waymark_domain::time::Instant;

use crate::failure::Failure;
use crate::input::Input;
use crate::preconditions::expected_version;

/// Why an encouragement operation did not happen.
pub type EncouragementFailure = Failure<EncouragementWriteError>;

/// A page of the messages on one of the person's goals, newest first, hidden ones
/// included (marked), and whether more follow.
///
/// # Errors
/// [`EncouragementWriteError::NotFound`] when the person has no such goal.
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    goal: GoalId,
    after: Option<EncouragementPosition>,
    limit: u64,
) -> Result<(Vec<Encouragement>, bool), EncouragementFailure> {
    ports
        .encouragements
        .list(acting.owner, goal, after, limit)
        .await?
        .ok_or(Failure::Refused(EncouragementWriteError::NotFound))
}

/// One message on one of the person's goals.
///
/// # Errors
/// [`EncouragementWriteError::NotFound`].
pub async fn get(
    ports: &StoragePorts,
    acting: Acting,
    (goal, id): (GoalId, EncouragementId),
) -> Result<Encouragement, EncouragementFailure> {
    ports
        .encouragements
        .get(acting.owner, goal, id)
        .await?
        .ok_or(Failure::Refused(EncouragementWriteError::NotFound))
}

/// Hides a message, or shows it again, if it is still at a version `seen` names;
/// `None` changes nothing (the message as it is).
///
/// # Errors
/// [`Failure::Invalid`], [`EncouragementWriteError::NotFound`] or
/// [`EncouragementWriteError::PreconditionFailed`].
pub async fn set_hidden(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (goal, id): (GoalId, EncouragementId),
    seen: &Precondition,
    change: impl Input<Option<bool>>,
) -> Result<Encouragement, EncouragementFailure> {
    let Some(hidden) = change.parse().map_err(Failure::Invalid)? else {
        let message = get(ports, acting, (goal, id)).await?;
        seen.expected(message.version)?;
        return Ok(message);
    };
    let expected =
        expected_version(seen, get(ports, acting, (goal, id)), |message: &Encouragement| {
            message.version
        })
        .await?;
    ports
        .encouragements
        .set_hidden(acting, goal, id, hidden, expected, now)
        .await
        .map_err(Failure::Refused)
}
