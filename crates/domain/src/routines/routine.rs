//! The routine: something done regularly that gives a day structure, and its check-ins.

use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use uuid::Uuid;

use super::schedule::Schedule;
use crate::goals::{Feeling, GoalId};
use crate::identity::AccountId;
use crate::time::Instant;
use crate::values::{bounded_text, wire_enum};

/// Names one routine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoutineId(pub Uuid);

impl fmt::Display for RoutineId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

/// Names one check-in of a routine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoutineCheckInId(pub Uuid);

impl fmt::Display for RoutineCheckInId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

bounded_text!(
    /// What the routine is: 1 to 200 characters.
    RoutineTitle, InvalidRoutineTitle, 1, 200, "must be 1 to 200 characters, without control or invisible characters"
);
bounded_text!(
    /// Notes about the routine: up to 2000 characters.
    RoutineNotes, InvalidRoutineNotes, 0, 2000, "must be at most 2000 characters, without control or invisible characters", paragraphs
);
bounded_text!(
    /// A note at a routine check-in: up to 2000 characters.
    RoutineCheckInNote, InvalidRoutineCheckInNote, 0, 2000, "must be at most 2000 characters, without control or invisible characters", paragraphs
);

wire_enum!(
    /// The part of daily life a routine belongs to.
    Category, UnknownCategory,
    "must be one of sleep, eating, exercise, activity, self_care, social, medication, chores, learning, other",
    {
        Sleep => "sleep",
        Eating => "eating",
        Exercise => "exercise",
        Activity => "activity",
        SelfCare => "self_care",
        Social => "social",
        Medication => "medication",
        Chores => "chores",
        Learning => "learning",
        Other => "other",
    }
);

wire_enum!(
    /// How an occurrence went. `skipped` is a choice the person made, not a failure.
    CheckInStatus, UnknownCheckInStatus,
    "must be one of done, partly, skipped",
    {
        Done => "done",
        Partly => "partly",
        Skipped => "skipped",
    }
);

/// The most minutes before an occurrence a reminder may be.
pub const MAX_REMINDER_MINUTES: u16 = 1440;

/// A stored routine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routine {
    /// Its id.
    pub id: RoutineId,
    /// Whose it is.
    pub owner: AccountId,
    /// What it is.
    pub title: RoutineTitle,
    /// The part of daily life it belongs to.
    pub category: Category,
    /// Notes.
    pub notes: RoutineNotes,
    /// The goal it serves, if any (always one of the owner's).
    pub goal_id: Option<GoalId>,
    /// Whether it is active; a paused routine has no occurrences.
    pub active: bool,
    /// Minutes before each occurrence to remind, if at all.
    pub reminder_minutes_before: Option<u16>,
    /// When it happens.
    pub schedule: Schedule,
    /// When it was created.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Starts at 1, +1 with every change.
    pub version: i64,
}

/// A routine about to be created.
#[derive(Debug, Clone)]
pub struct NewRoutine {
    /// What it is.
    pub title: RoutineTitle,
    /// The part of daily life.
    pub category: Category,
    /// Notes.
    pub notes: RoutineNotes,
    /// The goal it serves (checked to be the owner's by the store).
    pub goal_id: Option<GoalId>,
    /// Whether it starts active.
    pub active: bool,
    /// Reminder, in minutes before.
    pub reminder_minutes_before: Option<u16>,
    /// When it happens.
    pub schedule: Schedule,
}

/// Changes to a routine; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct RoutineChanges {
    /// A new title.
    pub title: Option<RoutineTitle>,
    /// A new category.
    pub category: Option<Category>,
    /// New notes.
    pub notes: Option<RoutineNotes>,
    /// A new goal, or none.
    pub goal_id: Option<Option<GoalId>>,
    /// Active or paused.
    pub active: Option<bool>,
    /// A new reminder, or none.
    pub reminder_minutes_before: Option<Option<u16>>,
    /// A new schedule (given whole).
    pub schedule: Option<Schedule>,
}

/// Which occurrence a check-in is for: its local date, and its scheduled time for
/// routines with times of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OccurrenceKey {
    /// The local date.
    pub date: NaiveDate,
    /// The scheduled time (`None` for `times_per_week`).
    pub time: Option<NaiveTime>,
}

/// How one occurrence of a routine went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutineCheckIn {
    /// Its id.
    pub id: RoutineCheckInId,
    /// The routine.
    pub routine_id: RoutineId,
    /// The occurrence.
    pub occurrence: OccurrenceKey,
    /// How it went.
    pub status: CheckInStatus,
    /// A note.
    pub note: RoutineCheckInNote,
    /// How the person felt.
    pub feeling: Option<Feeling>,
    /// When it was recorded.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Starts at 1, +1 with every change.
    pub version: i64,
}

/// A check-in about to be recorded.
#[derive(Debug, Clone)]
pub struct NewRoutineCheckIn {
    /// The occurrence (checked against the schedule by the caller).
    pub occurrence: OccurrenceKey,
    /// How it went.
    pub status: CheckInStatus,
    /// A note.
    pub note: RoutineCheckInNote,
    /// How the person felt.
    pub feeling: Option<Feeling>,
}

/// Changes to a check-in.
#[derive(Debug, Clone, Default)]
pub struct RoutineCheckInChanges {
    /// How it went.
    pub status: Option<CheckInStatus>,
    /// A new note.
    pub note: Option<RoutineCheckInNote>,
    /// A new feeling, or none.
    pub feeling: Option<Option<Feeling>>,
}
