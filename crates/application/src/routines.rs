//! Setting up, reading, changing and deleting routines.

use waymark_domain::acting::Acting;
use waymark_domain::identity::TimeZoneName;
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::precondition::Precondition;
use waymark_domain::routines::ports::{RoutinePage, RoutineQuery, RoutineWriteError};
use waymark_domain::routines::stats::{Paused, STREAK_HISTORY_DAYS, Stats, stats as stats_of};
use waymark_domain::routines::{NewRoutine, Routine, RoutineChanges, RoutineId};
use waymark_domain::time::Instant;
use waymark_domain::validation::Problem;

use crate::failure::Failure;
use crate::person::account;
use crate::preconditions::expected_version;

/// Why a routine operation did not happen.
pub type RoutineFailure = Failure<RoutineWriteError>;

/// What a client sent to set up a routine. A schedule that names no time zone is in
/// `home`, the person's own, and one that names no first day starts on the day it is
/// at `now` in its zone.
pub trait RoutineDraft {
    /// The new routine, or every problem with it.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self, home: TimeZoneName, now: Instant) -> Result<NewRoutine, Vec<Problem>>;
}

/// What a client sent to change a routine. A new schedule that names no time zone
/// keeps `zone`, the routine's own.
pub trait RoutineEdit {
    /// The changes, or every problem with them.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self, zone: TimeZoneName, now: Instant) -> Result<RoutineChanges, Vec<Problem>>;
}

/// Sets up a routine, scheduled in the person's own time zone unless it names one.
///
/// # Errors
/// [`Failure::Invalid`], or [`RoutineWriteError::UnknownGoal`] for a goal that is
/// not the person's, [`RoutineWriteError::NotFound`] when the account is gone.
pub async fn create(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    draft: impl RoutineDraft,
) -> Result<Routine, RoutineFailure> {
    let home = account(ports, acting, RoutineWriteError::NotFound).await?.time_zone;
    let routine = draft.parse(home, now).map_err(Failure::Invalid)?;
    ports.routines.create(acting, routine, now).await.map_err(Failure::Refused)
}

/// One of the person's routines.
///
/// # Errors
/// [`RoutineWriteError::NotFound`].
pub async fn get(
    ports: &StoragePorts,
    acting: Acting,
    id: RoutineId,
) -> Result<Routine, RoutineFailure> {
    ports.routines.get(acting.owner, id).await?.ok_or(Failure::Refused(RoutineWriteError::NotFound))
}

/// A page of the person's routines.
///
/// # Errors
/// [`RoutineWriteError::Store`] when storage fails.
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    query: RoutineQuery,
) -> Result<RoutinePage, RoutineFailure> {
    Ok(ports.routines.list(acting.owner, query).await?)
}

/// Changes one of the person's routines, if it is still at a version `seen` names.
/// Pausing or resuming it is recorded, so its streaks skip the paused days.
///
/// # Errors
/// [`RoutineWriteError::NotFound`], [`RoutineWriteError::PreconditionFailed`],
/// [`RoutineWriteError::UnknownGoal`] or [`Failure::Invalid`].
pub async fn update(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: RoutineId,
    seen: &Precondition,
    edit: impl RoutineEdit,
) -> Result<Routine, RoutineFailure> {
    let current = get(ports, acting, id).await?;
    let expected = seen.expected(current.version)?;
    let changes = edit.parse(current.schedule.time_zone(), now).map_err(Failure::Invalid)?;
    ports.routines.update(acting, id, changes, expected, now).await.map_err(Failure::Refused)
}

/// Deletes one of the person's routines with its check-ins, if it is still at a
/// version `seen` names.
///
/// # Errors
/// [`RoutineWriteError::NotFound`] or [`RoutineWriteError::PreconditionFailed`].
pub async fn delete(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: RoutineId,
    seen: &Precondition,
) -> Result<(), RoutineFailure> {
    let expected =
        expected_version(seen, get(ports, acting, id), |routine| routine.version).await?;
    ports.routines.delete(acting, id, expected, now).await.map_err(Failure::Refused)
}

/// When `routine` was paused.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn paused_days(
    ports: &StoragePorts,
    routine: &Routine,
) -> Result<Vec<Paused>, StoreError> {
    Ok(ports
        .routines
        .pauses(routine.owner, &[routine.id])
        .await?
        .into_iter()
        .map(|(_, paused)| paused)
        .collect())
}

/// How one of the person's routines has gone: streaks over the last
/// [`STREAK_HISTORY_DAYS`] and counts over the last `days`, up to today in the
/// routine's time zone, paused days left out.
///
/// # Errors
/// [`RoutineWriteError::NotFound`].
pub async fn stats(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: RoutineId,
    days: u32,
) -> Result<(Routine, Stats), RoutineFailure> {
    let routine = get(ports, acting, id).await?;
    let computed = how_it_went(ports, &routine, now, days).await?;
    Ok((routine, computed))
}

/// How `routine` has gone, as [`stats`] says, for a routine already read.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn how_it_went(
    ports: &StoragePorts,
    routine: &Routine,
    now: Instant,
    days: u32,
) -> Result<Stats, StoreError> {
    let today = routine.schedule.time_zone().date_at(now);
    let check_ins = ports
        .routine_check_ins
        .check_ins(
            routine.owner,
            &[routine.id],
            today - chrono::Duration::days(STREAK_HISTORY_DAYS),
            today,
        )
        .await?;
    let pauses = paused_days(ports, routine).await?;
    let outcomes: Vec<_> =
        check_ins.iter().map(|check_in| (check_in.occurrence, check_in.status)).collect();
    Ok(stats_of(&routine.schedule, &outcomes, &pauses, today, days))
}
