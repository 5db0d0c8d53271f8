//! The supporter's side of sharing: accepting an invitation, what others share with
//! them, reading it, sending encouragement, and stepping back. A supporter reaches a
//! person's data only through a [`ReadableShare`], which only [`readable`] makes: the
//! share is theirs and active right now.

use waymark_domain::acting::Acting;
use waymark_domain::goals::GoalId;
use waymark_domain::goals::ports::GoalPosition;
use waymark_domain::identity::AccountId;
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::journal::Actor;
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::sharing::ports::{
    EncouragementWriteError, NewEncouragement, SharePosition, SupportedShare,
};
use waymark_domain::sharing::{
    Encouragement, EncouragementMessage, MAX_ENCOURAGEMENTS_PER_GOAL_PER_DAY, ShareId, ShareStatus,
};
use waymark_domain::time::Instant;

use crate::failure::Failure;
use crate::input::Input;
use crate::shared_view::{self, SharedGoal, SharedGoalDetail, SharedRoutine};

/// Why a supporter's request did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    /// No such share, goal or invitation for this supporter (or not any more).
    #[error("nothing shared here")]
    NotFound,
    /// The person turned encouragement off for this share.
    #[error("encouragement is turned off for this share")]
    EncouragementOff,
    /// As many messages about this goal in the last 24 hours as allowed; one more may
    /// be sent at `until`.
    #[error("too many messages about this goal today")]
    TooMany {
        /// When one more may be sent.
        until: Instant,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a supporter's request did not happen.
pub type SupportFailure = Failure<SupportError>;

/// A share its supporter may read now.
#[derive(Debug, Clone)]
pub struct ReadableShare(SupportedShare);

impl ReadableShare {
    /// The share and the sharing person's name.
    #[must_use]
    pub fn shared(&self) -> &SupportedShare {
        &self.0
    }

    /// The person who shares: whose access log the supporter's reads go in.
    #[must_use]
    pub fn owner(&self) -> AccountId {
        self.0.share.owner
    }
}

/// Whether a share still reaches its supporter at all: active or paused (a paused
/// share is listed, and shows nothing).
fn listed(share: &SupportedShare, now: Instant) -> bool {
    matches!(share.share.status(now), ShareStatus::Active | ShareStatus::Paused)
}

/// Accepts the invitation whose code is `code`: the share is linked to `supporter`.
/// A used, expired, unknown or own code is [`SupportError::NotFound`] alike.
///
/// # Errors
/// [`Failure::Invalid`] for a code too long to be one, [`SupportError::NotFound`].
pub async fn accept(
    ports: &StoragePorts,
    supporter: AccountId,
    now: Instant,
    code: impl Input<String>,
) -> Result<SupportedShare, SupportFailure> {
    let digest = SecretDigest::of(&code.parse().map_err(Failure::Invalid)?);
    let accepted = ports.shares.accept(supporter, &digest, now).await?;
    let Some(share) = accepted else {
        return Err(Failure::Refused(SupportError::NotFound));
    };
    ports
        .shares
        .supported_share(supporter, share.id)
        .await?
        .ok_or(Failure::Refused(SupportError::NotFound))
}

/// A page of what others share with `supporter` (active and paused shares), newest
/// first, and whether more follow.
///
/// # Errors
/// [`SupportError::Store`] when storage fails.
pub async fn shared_with_me(
    ports: &StoragePorts,
    supporter: AccountId,
    now: Instant,
    after: Option<SharePosition>,
    limit: u64,
) -> Result<(Vec<SupportedShare>, bool), SupportFailure> {
    Ok(ports.shares.supported(supporter, now, after, limit).await?)
}

/// One share `supporter` is listed on (active or paused).
///
/// # Errors
/// [`SupportError::NotFound`].
pub async fn shared(
    ports: &StoragePorts,
    supporter: AccountId,
    now: Instant,
    id: ShareId,
) -> Result<SupportedShare, SupportFailure> {
    match ports.shares.supported_share(supporter, id).await? {
        Some(share) if listed(&share, now) => Ok(share),
        _ => Err(Failure::Refused(SupportError::NotFound)),
    }
}

/// The share `id`, if `supporter` may read it now: theirs, and active.
///
/// # Errors
/// [`SupportError::NotFound`].
pub async fn readable(
    ports: &StoragePorts,
    supporter: AccountId,
    now: Instant,
    id: ShareId,
) -> Result<ReadableShare, SupportFailure> {
    match ports.shares.supported_share(supporter, id).await? {
        Some(share) if share.share.shows_to(supporter, now) => Ok(ReadableShare(share)),
        _ => Err(Failure::Refused(SupportError::NotFound)),
    }
}

/// A page of the goals the share shows.
///
/// # Errors
/// [`SupportError::Store`] when storage fails.
pub async fn goals(
    ports: &StoragePorts,
    share: &ReadableShare,
    after: Option<GoalPosition>,
    limit: u64,
) -> Result<(Vec<SharedGoal>, bool), SupportFailure> {
    Ok(shared_view::goals(ports, &share.0.share, after, limit).await?)
}

/// One goal the share shows, with what of it the share includes.
///
/// # Errors
/// [`SupportError::NotFound`] when the share does not show it.
pub async fn goal(
    ports: &StoragePorts,
    share: &ReadableShare,
    id: GoalId,
) -> Result<SharedGoalDetail, SupportFailure> {
    shared_view::goal(ports, &share.0.share, id)
        .await?
        .ok_or(Failure::Refused(SupportError::NotFound))
}

/// The weekly routines summary the share includes.
///
/// # Errors
/// [`SupportError::NotFound`] when it does not include one.
pub async fn routines(
    ports: &StoragePorts,
    share: &ReadableShare,
    now: Instant,
) -> Result<Vec<SharedRoutine>, SupportFailure> {
    shared_view::routines(ports, &share.0.share, now)
        .await?
        .ok_or(Failure::Refused(SupportError::NotFound))
}

/// Sends the person a message of encouragement about a goal the share shows (the
/// share is read again as the message is stored: what the person changed in between
/// holds).
///
/// # Errors
/// [`Failure::Invalid`], [`SupportError::NotFound`],
/// [`SupportError::EncouragementOff`] or [`SupportError::TooMany`].
pub async fn encourage(
    ports: &StoragePorts,
    share: &ReadableShare,
    now: Instant,
    goal: GoalId,
    message: impl Input<EncouragementMessage>,
) -> Result<Encouragement, SupportFailure> {
    let message = message.parse().map_err(Failure::Invalid)?;
    let shared = &share.0.share;
    let Some(supporter) = shared.supporter else {
        return Err(Failure::Refused(SupportError::NotFound));
    };
    let acting = Acting { owner: shared.owner, actor: Actor::Supporter(supporter) };
    let sent = NewEncouragement { share: shared.id, goal, message };
    ports.encouragements.send(acting, sent, MAX_ENCOURAGEMENTS_PER_GOAL_PER_DAY, now).await.map_err(
        |error| {
            Failure::Refused(match error {
                EncouragementWriteError::TooMany { until } => SupportError::TooMany { until },
                EncouragementWriteError::TurnedOff => SupportError::EncouragementOff,
                EncouragementWriteError::Store(error) => SupportError::Store(error),
                EncouragementWriteError::NotFound | EncouragementWriteError::PreconditionFailed => {
                    SupportError::NotFound
                }
            })
        },
    )
}

/// The supporter steps back from a share: it ends for them, and the person sees it
/// as ended. Answers the person who shared it (whose access log notes it).
///
/// # Errors
/// [`SupportError::NotFound`].
pub async fn step_back(
    ports: &StoragePorts,
    supporter: AccountId,
    now: Instant,
    id: ShareId,
) -> Result<AccountId, SupportFailure> {
    ports
        .shares
        .step_back(supporter, id, now)
        .await?
        .ok_or(Failure::Refused(SupportError::NotFound))
}
