//! The goal and its parts, each parsed so that an invalid one cannot exist.

use std::fmt;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::identity::AccountId;
use crate::time::Instant;
use crate::values::{bounded_text, wire_enum};

/// Names one goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GoalId(pub Uuid);

impl fmt::Display for GoalId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

bounded_text!(
    /// What the person wants to have done: 1 to 200 characters.
    GoalTitle, InvalidGoalTitle, 1, 200, "must be 1 to 200 characters, without control or invisible characters"
);
bounded_text!(
    /// What makes the goal important to the person: up to 4000 characters.
    GoalWhy, InvalidGoalWhy, 0, 4000, "must be at most 4000 characters, without control or invisible characters", paragraphs
);
bounded_text!(
    /// What kind of support the person would like: up to 2000 characters.
    SupportNotes, InvalidSupportNotes, 0, 2000, "must be at most 2000 characters, without control or invisible characters", paragraphs
);

wire_enum!(
    /// The part of life a goal belongs to.
    Area, UnknownArea,
    "must be one of social, work, study, volunteering, health, housing, money, relationships, hobbies, spirituality, other",
    {
        Social => "social",
        Work => "work",
        Study => "study",
        Volunteering => "volunteering",
        Health => "health",
        Housing => "housing",
        Money => "money",
        Relationships => "relationships",
        Hobbies => "hobbies",
        Spirituality => "spirituality",
        Other => "other",
    }
);

wire_enum!(
    /// Where the person is with a goal. Changing it is the person's choice, never a
    /// judgement: pausing or letting go is as valid as achieving.
    GoalStatus, UnknownGoalStatus,
    "must be one of active, paused, achieved, let_go",
    {
        Active => "active",
        Paused => "paused",
        Achieved => "achieved",
        LetGo => "let_go",
    }
);

/// A stored goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    /// Its id.
    pub id: GoalId,
    /// Whose it is.
    pub owner: AccountId,
    /// What the person wants to have done.
    pub title: GoalTitle,
    /// Why it matters.
    pub why: GoalWhy,
    /// The part of life it belongs to.
    pub area: Area,
    /// When the person hopes to have done it, if they chose a date.
    pub target_date: Option<NaiveDate>,
    /// Where the person is with it.
    pub status: GoalStatus,
    /// When the status last changed (or the goal was created).
    pub status_changed_at: Instant,
    /// Whether the person would like support with it.
    pub needs_support: bool,
    /// What support they would like.
    pub support_notes: SupportNotes,
    /// When it was created.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Starts at 1, +1 with every change (its steps and check-ins included).
    pub version: i64,
    /// How many steps it has.
    pub steps_total: i32,
    /// How many of them are done.
    pub steps_done: i32,
    /// When it was last checked in on.
    pub last_check_in_at: Option<Instant>,
    /// The contacts supporting it, in the order they were added.
    pub supporters: Vec<crate::contacts::ContactId>,
}

/// A goal about to be created.
#[derive(Debug, Clone)]
pub struct NewGoal {
    /// What the person wants to have done.
    pub title: GoalTitle,
    /// Why it matters.
    pub why: GoalWhy,
    /// The part of life it belongs to.
    pub area: Area,
    /// An optional target date.
    pub target_date: Option<NaiveDate>,
    /// Its status, usually `active`.
    pub status: GoalStatus,
    /// Whether support is wanted.
    pub needs_support: bool,
    /// What support is wanted.
    pub support_notes: SupportNotes,
}

/// A target date before the day the goal was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must not be before {set_on}, the day the goal was set")]
pub struct TargetDateTooEarly {
    /// The day the goal was set, in the person's own time zone.
    pub set_on: NaiveDate,
}

/// A goal's target date is never before the day the goal was set (in the person's own
/// time zone): a date already past would make a new goal look missed from the start.
///
/// # Errors
/// [`TargetDateTooEarly`] for an earlier date.
pub fn target_date_from(
    date: NaiveDate,
    set_on: NaiveDate,
) -> Result<NaiveDate, TargetDateTooEarly> {
    if date < set_on { Err(TargetDateTooEarly { set_on }) } else { Ok(date) }
}

/// Changes to a goal; `None` leaves a field as it is. `target_date: Some(None)`
/// clears the date.
#[derive(Debug, Clone, Default)]
pub struct GoalChanges {
    /// A new title.
    pub title: Option<GoalTitle>,
    /// A new reason.
    pub why: Option<GoalWhy>,
    /// A new area.
    pub area: Option<Area>,
    /// A new target date, or none.
    pub target_date: Option<Option<NaiveDate>>,
    /// A new status (recorded in the history).
    pub status: Option<GoalStatus>,
    /// Whether support is wanted.
    pub needs_support: Option<bool>,
    /// What support is wanted.
    pub support_notes: Option<SupportNotes>,
}

impl GoalChanges {
    /// Whether nothing would change.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.why.is_none()
            && self.area.is_none()
            && self.target_date.is_none()
            && self.status.is_none()
            && self.needs_support.is_none()
            && self.support_notes.is_none()
    }
}

/// One change of a goal's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status before (`None` when the goal was created).
    pub from: Option<GoalStatus>,
    /// The status after.
    pub to: GoalStatus,
    /// When.
    pub at: Instant,
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_target_date_is_never_before_the_day_the_goal_was_set() {
        let day = |day| chrono::NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        assert_eq!(super::target_date_from(day(10), day(10)), Ok(day(10)));
        assert_eq!(super::target_date_from(day(11), day(10)), Ok(day(11)));
        assert_eq!(
            super::target_date_from(day(9), day(10)),
            Err(super::TargetDateTooEarly { set_on: day(10) })
        );
    }

    use super::*;

    #[test]
    fn titles_are_bounded_and_clean() {
        assert!(GoalTitle::parse("Walk to the park twice a week").is_ok());
        assert_eq!(GoalTitle::parse("  "), Err(InvalidGoalTitle));
        assert_eq!(GoalTitle::parse(&"a".repeat(201)), Err(InvalidGoalTitle));
        assert_eq!(GoalTitle::parse("hidden\u{202e}"), Err(InvalidGoalTitle));
        assert_eq!(GoalWhy::parse("").map(|why| why.as_str().to_owned()), Ok(String::new()));
    }

    #[test]
    fn enums_round_trip_their_wire_names() {
        for status in GoalStatus::ALL {
            assert_eq!(status.as_str().parse::<GoalStatus>(), Ok(*status));
        }
        assert_eq!("let_go".parse::<GoalStatus>(), Ok(GoalStatus::LetGo));
        assert!("failed".parse::<GoalStatus>().is_err());
        assert_eq!(Area::ALL.len(), 11);
    }
}
