//! A person's routines as a calendar, at a secret address calendar apps subscribe to
//! without a token. The address is shown once and kept only as a digest.

use waymark_domain::acting::Acting;
use waymark_domain::identity::secret::{OpaqueSecret, SecretDigest};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::routines::Routine;
use waymark_domain::time::Instant;

use crate::failure::Failure;

/// How a calendar address's secret begins, so a leaked one is recognisable.
pub const FEED_SECRET_PREFIX: &str = "wmc_";

/// The longest secret worth looking up.
const LONGEST_SECRET: usize = 100;

/// Why a calendar address operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CalendarFeedError {
    /// There is no such address (or the person has none).
    #[error("no such calendar address")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a calendar address operation did not happen.
pub type CalendarFeedFailure = Failure<CalendarFeedError>;

/// The person's active routines, for their own calendar.
///
/// # Errors
/// A store error.
pub async fn routines(
    ports: &StoragePorts,
    acting: Acting,
) -> Result<Vec<Routine>, CalendarFeedFailure> {
    Ok(ports.routines.active(acting.owner).await?)
}

/// Gives the person a new secret calendar address, ending any earlier one; answers
/// its secret, to be shown this once.
///
/// # Errors
/// A store error (also when no secret could be drawn).
pub async fn open_address(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
) -> Result<OpaqueSecret, CalendarFeedFailure> {
    let secret = OpaqueSecret::generate(FEED_SECRET_PREFIX)
        .map_err(|error| StoreError::Unexpected(error.into()))?;
    ports.calendar_feeds.set_feed_token(acting.owner, &secret.digest(), now).await?;
    Ok(secret)
}

/// Ends the person's secret calendar address.
///
/// # Errors
/// [`CalendarFeedError::NotFound`] when they have none.
pub async fn close_address(
    ports: &StoragePorts,
    acting: Acting,
) -> Result<(), CalendarFeedFailure> {
    if ports.calendar_feeds.remove_feed_token(acting.owner).await? {
        Ok(())
    } else {
        Err(Failure::Refused(CalendarFeedError::NotFound))
    }
}

/// The active routines of whoever holds the calendar address `secret`.
///
/// # Errors
/// [`CalendarFeedError::NotFound`] for an unknown, ended or malformed secret.
pub async fn routines_at_address(
    ports: &StoragePorts,
    secret: &str,
) -> Result<Vec<Routine>, CalendarFeedFailure> {
    if !secret.starts_with(FEED_SECRET_PREFIX) || secret.len() > LONGEST_SECRET {
        return Err(Failure::Refused(CalendarFeedError::NotFound));
    }
    let owner = ports
        .calendar_feeds
        .feed_owner(&SecretDigest::of(secret))
        .await?
        .ok_or(Failure::Refused(CalendarFeedError::NotFound))?;
    Ok(ports.routines.active(owner).await?)
}
