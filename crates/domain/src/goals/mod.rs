//! Goals: what a person wants to have done (often by a date), why it matters, whether
//! they want support, and how its status has changed. A goal can be paused, changed
//! or let go without being a failure; its history records that story.

pub mod goal;
pub mod parts;
pub mod ports;

pub use goal::{
    Area, Goal, GoalChanges, GoalId, GoalStatus, GoalTitle, GoalWhy, NewGoal, StatusChange,
    SupportNotes, TargetDateTooEarly, target_date_from,
};
pub use parts::{
    CheckIn, CheckInId, CheckInNote, Feeling, MAX_STEPS_PER_GOAL, NewCheckIn, NewStep, Progress,
    Step, StepChanges, StepId, StepTitle,
};
