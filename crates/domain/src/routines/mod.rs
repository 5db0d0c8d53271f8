//! Routines: things done regularly (sleep, meals, exercise, a class, a pet) on a
//! schedule in the person's time zone, with check-ins from which kind streaks and
//! rates are derived. Missing a day is not a failure; skipping is a choice.

pub mod occurrence;
pub mod ports;
pub mod routine;
pub mod schedule;
pub mod stats;

pub use routine::{
    Category, CheckInStatus, MAX_REMINDER_MINUTES, NewRoutine, NewRoutineCheckIn, OccurrenceKey,
    Routine, RoutineChanges, RoutineCheckIn, RoutineCheckInChanges, RoutineCheckInId,
    RoutineCheckInNote, RoutineId, RoutineNotes, RoutineTitle,
};
pub use schedule::{Occurrence, Pattern, Schedule, ScheduleProblem, Weekdays};
