//! Checking in on routines: one check-in per real occurrence, none on a paused day,
//! and no more in an ISO week than a `times_per_week` routine asks for.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use waymark_domain::acting::Acting;
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::precondition::Precondition;
use waymark_domain::routines::ports::CheckInWriteError;
use waymark_domain::routines::schedule::MAX_RANGE_DAYS;
use waymark_domain::routines::stats::Paused;
use waymark_domain::routines::{
    NewRoutineCheckIn, Routine, RoutineCheckIn, RoutineCheckInChanges, RoutineCheckInId, RoutineId,
};
use waymark_domain::time::Instant;
use waymark_domain::validation::Problem;

use crate::failure::Failure;
use crate::input::Input;
use crate::routines::paused_days;

/// Why a check-in was not recorded, changed or deleted.
pub type CheckInFailure = Failure<CheckInWriteError>;

/// What a client sent to check in. It parses against the routine, the day it is in
/// the routine's time zone and the days it was paused, which decide whether the
/// occurrence it names is a real one ([`Routine::occurrence`]).
pub trait CheckInDraft {
    /// The check-in, or every problem with it.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(
        self,
        routine: &Routine,
        today: NaiveDate,
        pauses: &[Paused],
    ) -> Result<NewRoutineCheckIn, Vec<Problem>>;
}

/// Records how an occurrence of one of the person's routines went.
///
/// # Errors
/// [`Failure::Invalid`], or [`CheckInWriteError::NotFound`],
/// [`CheckInWriteError::AlreadyCheckedIn`] or [`CheckInWriteError::WeekComplete`].
pub async fn check_in(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    routine: RoutineId,
    draft: impl CheckInDraft,
) -> Result<(Routine, RoutineCheckIn), CheckInFailure> {
    let routine = ports
        .routines
        .get(acting.owner, routine)
        .await?
        .ok_or(Failure::Refused(CheckInWriteError::NotFound))?;
    let pauses = paused_days(ports, &routine).await?;
    let check_in = record(ports, acting, now, &routine, &pauses, draft).await?;
    Ok((routine, check_in))
}

/// A routine and the days it was paused.
type RoutineWithPauses = (Routine, Vec<Paused>);

/// Records many check-ins, each on its own: one that fails does not stop the others.
/// Each routine (and when it was paused) is read once, however many items name it.
///
/// # Errors
/// [`StoreError`] when storage fails, which stops the batch.
pub async fn check_in_each<D: CheckInDraft>(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    items: impl IntoIterator<Item = (RoutineId, D)>,
) -> Result<Vec<Result<RoutineCheckIn, CheckInFailure>>, StoreError> {
    let mut routines: HashMap<RoutineId, Option<RoutineWithPauses>> = HashMap::new();
    let mut results = Vec::new();
    for (id, draft) in items {
        if let Entry::Vacant(slot) = routines.entry(id) {
            slot.insert(match ports.routines.get(acting.owner, id).await? {
                Some(routine) => {
                    let pauses = paused_days(ports, &routine).await?;
                    Some((routine, pauses))
                }
                None => None,
            });
        }
        let outcome = match routines.get(&id).and_then(Option::as_ref) {
            None => Err(Failure::Refused(CheckInWriteError::NotFound)),
            Some((routine, pauses)) => record(ports, acting, now, routine, pauses, draft).await,
        };
        match outcome {
            Err(Failure::Refused(CheckInWriteError::Store(store))) => return Err(store),
            outcome => results.push(outcome),
        }
    }
    Ok(results)
}

async fn record(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    routine: &Routine,
    pauses: &[Paused],
    draft: impl CheckInDraft,
) -> Result<RoutineCheckIn, CheckInFailure> {
    let today = routine.schedule.time_zone().date_at(now);
    let check_in = draft.parse(routine, today, pauses).map_err(Failure::Invalid)?;
    ports
        .routine_check_ins
        .check_in(acting, routine.id, check_in, routine.week_limit(), now)
        .await
        .map_err(Failure::Refused)
}

/// Changes how an occurrence went (never which occurrence it was), if the check-in is
/// still at a version `seen` names.
///
/// # Errors
/// [`Failure::Invalid`] before anything is read, then
/// [`CheckInWriteError::NotFound`] or [`CheckInWriteError::PreconditionFailed`].
pub async fn update_check_in(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (routine, id): (RoutineId, RoutineCheckInId),
    seen: &Precondition,
    edit: impl Input<RoutineCheckInChanges>,
) -> Result<RoutineCheckIn, CheckInFailure> {
    let changes = edit.parse().map_err(Failure::Invalid)?;
    let current = ports
        .routine_check_ins
        .get_check_in(acting.owner, routine, id)
        .await?
        .ok_or(Failure::Refused(CheckInWriteError::NotFound))?;
    let expected = seen.expected(current.version)?;
    ports
        .routine_check_ins
        .update_check_in(acting, routine, id, changes, expected, now)
        .await
        .map_err(Failure::Refused)
}

/// Deletes a check-in, so its occurrence can be checked in anew.
///
/// # Errors
/// [`CheckInWriteError::NotFound`].
pub async fn delete_check_in(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (routine, id): (RoutineId, RoutineCheckInId),
) -> Result<(), CheckInFailure> {
    ports
        .routine_check_ins
        .delete_check_in(acting, routine, id, now)
        .await
        .map_err(Failure::Refused)
}

/// How many days a check-in list covers when the request names no start.
pub const DEFAULT_LISTED_DAYS: i64 = 30;

/// Why a routine's check-ins could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum CheckInListError {
    /// No such routine of the person's.
    #[error("no such routine")]
    NotFound,
    /// `from` is after `to`, or they span more than [`MAX_RANGE_DAYS`] days.
    #[error("the range is backwards or too long")]
    BadRange,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The routine's check-ins on the local dates `from` to `to`, by date. Without `to`,
/// up to today in the routine's time zone; without `from`, the
/// [`DEFAULT_LISTED_DAYS`] days up to `to`.
///
/// # Errors
/// [`CheckInListError::NotFound`] or [`CheckInListError::BadRange`].
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    routine: RoutineId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: Instant,
) -> Result<Vec<RoutineCheckIn>, Failure<CheckInListError>> {
    let routine = ports
        .routines
        .get(acting.owner, routine)
        .await?
        .ok_or(Failure::Refused(CheckInListError::NotFound))?;
    let to = to.unwrap_or_else(|| routine.schedule.time_zone().date_at(now));
    let from = from.unwrap_or(to - chrono::Duration::days(DEFAULT_LISTED_DAYS - 1));
    if to < from || (to - from).num_days() >= MAX_RANGE_DAYS {
        return Err(Failure::Refused(CheckInListError::BadRange));
    }
    Ok(ports.routine_check_ins.check_ins(acting.owner, &[routine.id], from, to).await?)
}
