//! The parts of a goal: concrete steps towards it, and check-ins on how it is going
//! (setbacks included: they are expected, and worth recording).

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use super::goal::GoalId;
use crate::text;
use crate::time::Instant;
use crate::values::bounded_text;

/// The most steps one goal may have.
pub const MAX_STEPS_PER_GOAL: i32 = 100;

/// Names one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StepId(pub Uuid);

/// Names one check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CheckInId(pub Uuid);

impl fmt::Display for StepId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

impl fmt::Display for CheckInId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

bounded_text!(
    /// What a step is: 1 to 200 characters.
    StepTitle, InvalidStepTitle, 1, 200, "must be 1 to 200 characters, without control or invisible characters"
);

/// The longest check-in note, in characters.
pub const MAX_CHECK_IN_NOTE_CHARS: usize = 4000;

/// A note on a check-in: up to 4000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInNote(String);

/// Why a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be at most 4000 characters, without control or invisible characters")]
pub struct InvalidCheckInNote;

impl CheckInNote {
    /// Trims, normalises and checks `raw`. Line breaks are allowed.
    ///
    /// # Errors
    /// [`InvalidCheckInNote`] when too long or holding hidden characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidCheckInNote> {
        // A note may have several lines; other control characters stay refused.
        let single_line: String = raw.replace(['\n', '\r', '\t'], " ");
        text::clean(&single_line, true).ok_or(InvalidCheckInNote)?;
        let trimmed = raw.trim();
        if trimmed.chars().count() <= MAX_CHECK_IN_NOTE_CHARS {
            Ok(Self(unicode_nfc(trimmed)))
        } else {
            Err(InvalidCheckInNote)
        }
    }

    /// The note.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn unicode_nfc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect()
}

/// Progress towards a goal, as the person sees it: 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress(u8);

/// Why a progress value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be between 0 and 100")]
pub struct InvalidProgress;

impl Progress {
    /// Checks `value`.
    ///
    /// # Errors
    /// [`InvalidProgress`] above 100 or below 0.
    pub fn new(value: i64) -> Result<Self, InvalidProgress> {
        u8::try_from(value).ok().filter(|value| *value <= 100).map(Self).ok_or(InvalidProgress)
    }

    /// The value.
    #[must_use]
    pub fn value(self) -> u8 {
        self.0
    }
}

/// How the person felt at a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feeling {
    /// `very_low`
    VeryLow,
    /// `low`
    Low,
    /// `okay`
    Okay,
    /// `good`
    Good,
    /// `very_good`
    VeryGood,
}

/// A name that is not a feeling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of very_low, low, okay, good, very_good")]
pub struct UnknownFeeling;

impl Feeling {
    /// Every feeling.
    pub const ALL: [Self; 5] = [Self::VeryLow, Self::Low, Self::Okay, Self::Good, Self::VeryGood];

    /// The name on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::VeryLow => "very_low",
            Self::Low => "low",
            Self::Okay => "okay",
            Self::Good => "good",
            Self::VeryGood => "very_good",
        }
    }
}

impl FromStr for Feeling {
    type Err = UnknownFeeling;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|feeling| feeling.as_str() == name).ok_or(UnknownFeeling)
    }
}

/// A concrete step towards a goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Its id.
    pub id: StepId,
    /// The goal it belongs to.
    pub goal_id: GoalId,
    /// What it is.
    pub title: StepTitle,
    /// Whether it is done.
    pub done: bool,
    /// When it was marked done (set by the server).
    pub done_at: Option<Instant>,
    /// Its place in the goal's order, from 0.
    pub position: i32,
    /// When it was created.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Starts at 1, +1 with every change.
    pub version: i64,
}

/// A step about to be added.
#[derive(Debug, Clone)]
pub struct NewStep {
    /// What it is.
    pub title: StepTitle,
    /// Whether it is done already.
    pub done: bool,
}

/// Changes to a step; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct StepChanges {
    /// A new title.
    pub title: Option<StepTitle>,
    /// Done or not.
    pub done: Option<bool>,
}

/// A check-in on a goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    /// Its id.
    pub id: CheckInId,
    /// The goal it is about.
    pub goal_id: GoalId,
    /// What the person wrote.
    pub note: CheckInNote,
    /// Progress as they see it, if they said.
    pub progress: Option<Progress>,
    /// How they felt, if they said.
    pub feeling: Option<Feeling>,
    /// Whether this was a setback (expected, and worth recording).
    pub setback: bool,
    /// When it was made.
    pub created_at: Instant,
}

/// A check-in about to be recorded.
#[derive(Debug, Clone)]
pub struct NewCheckIn {
    /// What the person wrote.
    pub note: CheckInNote,
    /// Progress, if given.
    pub progress: Option<Progress>,
    /// Feeling, if given.
    pub feeling: Option<Feeling>,
    /// Whether it was a setback.
    pub setback: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_parsed_strictly() {
        assert!(StepTitle::parse("Ask about the Tuesday group").is_ok());
        assert!(StepTitle::parse("").is_err());
        assert_eq!(Progress::new(100).map(Progress::value), Ok(100));
        assert!(Progress::new(101).is_err() && Progress::new(-1).is_err());
        assert_eq!("very_good".parse::<Feeling>(), Ok(Feeling::VeryGood));
        assert!("fine".parse::<Feeling>().is_err());
        assert!(CheckInNote::parse("A hard week.\nBut I went once.").is_ok());
        assert!(CheckInNote::parse("hidden\u{202e}").is_err());
        assert!(CheckInNote::parse(&"n".repeat(4001)).is_err());
    }
}
