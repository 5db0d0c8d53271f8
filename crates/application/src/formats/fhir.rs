//! How Waymark's values are said in HL7 FHIR R4: the mapping tables the README
//! documents, kept here so that the FHIR view, its search and its tests read the same
//! rules. Building the JSON is the HTTP layer's job; what each value means is this
//! module's.

use chrono::{DateTime, Duration, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use waymark_domain::contacts::{ChannelType, ContactKind};
use waymark_domain::goals::{Goal, GoalStatus};
use waymark_domain::routines::schedule::weekday_name;
use waymark_domain::routines::{Pattern, Schedule};
use waymark_domain::time::Instant;

/// The FHIR version served.
pub const FHIR_VERSION: &str = "4.0.1";

/// The code system of a related person's relationship (HL7 v3 `RoleCode`).
pub const ROLE_CODE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";

/// The code system of `Goal.achievementStatus`.
pub const GOAL_ACHIEVEMENT_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/goal-achievement";

/// How a goal's status reads in FHIR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoalStanding {
    /// `Goal.lifecycleStatus`.
    pub lifecycle: &'static str,
    /// `Goal.achievementStatus` (a `goal-achievement` code), when FHIR has a code that
    /// says it without judging the person.
    pub achievement: Option<(&'static str, &'static str)>,
    /// `Goal.statusReason`: the latest change, in plain words.
    pub reason: &'static str,
}

/// The FHIR standing of `goal`: its status, and whether it came back to that status
/// after a change (`status_changed_at` later than its creation).
#[must_use]
pub fn standing_of(goal: &Goal) -> GoalStanding {
    let changed = goal.status_changed_at > goal.created_at;
    match goal.status {
        GoalStatus::Active => GoalStanding {
            lifecycle: lifecycle_of(GoalStatus::Active),
            achievement: Some(("in-progress", "In Progress")),
            reason: if changed {
                "The person took this goal up again"
            } else {
                "The person set this goal"
            },
        },
        GoalStatus::Paused => GoalStanding {
            lifecycle: lifecycle_of(GoalStatus::Paused),
            achievement: None,
            reason: "The person paused this goal",
        },
        GoalStatus::Achieved => GoalStanding {
            lifecycle: lifecycle_of(GoalStatus::Achieved),
            achievement: Some(("achieved", "Achieved")),
            reason: "The person achieved this goal",
        },
        GoalStatus::LetGo => GoalStanding {
            lifecycle: lifecycle_of(GoalStatus::LetGo),
            achievement: None,
            reason: "The person chose to let this goal go",
        },
    }
}

/// `Goal.lifecycleStatus` of a goal with `status`.
#[must_use]
pub const fn lifecycle_of(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::Active => "active",
        GoalStatus::Paused => "on-hold",
        GoalStatus::Achieved => "completed",
        GoalStatus::LetGo => "cancelled",
    }
}

/// The code system of `Goal.lifecycleStatus`, which a token search may name
/// (`system|code`).
pub const GOAL_STATUS_SYSTEM: &str = "http://hl7.org/fhir/goal-status";

/// The `lifecycle-status` codes searched for, as Waymark statuses: `None` when a
/// code is not a FHIR `goal-status` code; codes no Waymark goal ever has
/// (`proposed`, `planned`, `accepted`, `entered-in-error`, `rejected`) match nothing.
#[must_use]
pub fn statuses_of_lifecycle(code: &str) -> Option<Vec<GoalStatus>> {
    let code = code
        .strip_prefix(GOAL_STATUS_SYSTEM)
        .and_then(|rest| rest.strip_prefix('|'))
        .unwrap_or(code);
    match code {
        "active" => Some(vec![GoalStatus::Active]),
        "on-hold" => Some(vec![GoalStatus::Paused]),
        "completed" => Some(vec![GoalStatus::Achieved]),
        "cancelled" => Some(vec![GoalStatus::LetGo]),
        "proposed" | "planned" | "accepted" | "entered-in-error" | "rejected" => Some(Vec::new()),
        _ => None,
    }
}

/// A `_lastUpdated` value that is not a date or an instant after a known prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "_lastUpdated must be a date (YYYY, YYYY-MM, YYYY-MM-DD) or an instant with its offset, after eq (the default), gt, ge, lt or le"
)]
pub struct UnreadableLastUpdated;

/// The instants a `_lastUpdated` value covers at the precision it is written in (a
/// date is a UTC day, month or year; an instant is its second, or the fraction of a
/// second its digits give): from the first, up to (not including) the second.
fn covered(value: &str) -> Option<(Instant, Instant)> {
    // Past the last instant FHIR can write, nothing changed: every range ends there
    // (a later one would compare as text below the years stored on SQLite).
    let last =
        Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single()? + Duration::microseconds(999_999);
    covered_unbounded(value).map(|(start, end)| (start.min(last), end.min(last)))
}

/// [`covered`], before the last instant FHIR can write bounds it.
fn covered_unbounded(value: &str) -> Option<(Instant, Instant)> {
    let start_of = |date: NaiveDate| {
        date.and_hms_opt(0, 0, 0).map(|midnight| Utc.from_utc_datetime(&midnight))
    };
    let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    match value.len() {
        4 => {
            let year = value.parse::<i32>().ok()?;
            let start = NaiveDate::from_ymd_opt(year, 1, 1)?;
            Some((start_of(start)?, start_of(NaiveDate::from_ymd_opt(year + 1, 1, 1)?)?))
        }
        7 => {
            let start = day(&format!("{value}-01"))?;
            Some((start_of(start)?, start_of(start.checked_add_months(Months::new(1))?)?))
        }
        10 => {
            let start = day(value)?;
            Some((start_of(start)?, start_of(start.succ_opt()?)?))
        }
        _ => {
            let at = DateTime::parse_from_rfc3339(value).ok()?.with_timezone(&Utc);
            let digits = value
                .split_once('.')
                .map_or(0, |(_, rest)| rest.chars().take_while(char::is_ascii_digit).count());
            let width = match digits {
                0 => Duration::seconds(1),
                1..=6 => Duration::microseconds(10_i64.pow(6 - u32::try_from(digits).unwrap_or(6))),
                _ => Duration::microseconds(1),
            };
            Some((at, at + width))
        }
    }
}

/// The range `_lastUpdated` values ask for together (each is `eq` unless it starts
/// with `gt`, `ge`, `lt` or `le`): changed at or after the first instant, and before
/// the second.
///
/// # Errors
/// [`UnreadableLastUpdated`].
pub fn last_updated_range(
    values: &[String],
) -> Result<(Option<Instant>, Option<Instant>), UnreadableLastUpdated> {
    let mut from: Option<Instant> = None;
    let mut before: Option<Instant> = None;
    for value in values {
        let (prefix, rest) = match value.get(..2) {
            Some(prefix) if prefix.chars().all(|c| c.is_ascii_lowercase()) => (prefix, &value[2..]),
            _ => ("eq", value.as_str()),
        };
        let (start, end) = covered(rest).ok_or(UnreadableLastUpdated)?;
        let (lower, upper) = match prefix {
            "eq" => (Some(start), Some(end)),
            "ge" => (Some(start), None),
            "gt" => (Some(end), None),
            "lt" => (None, Some(start)),
            "le" => (None, Some(end)),
            _ => return Err(UnreadableLastUpdated),
        };
        from = from.max(lower);
        before = match (before, upper) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    Ok((from, before))
}

/// A FHIR `Timing.repeat`: when a routine happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    /// `repeat.frequency`: how many times in each period.
    pub frequency: u8,
    /// `repeat.period`.
    pub period: u8,
    /// `repeat.periodUnit`: `d` or `wk`.
    pub period_unit: &'static str,
    /// `repeat.dayOfWeek`: `mon` .. `sun` (weekly routines only).
    pub day_of_week: Vec<&'static str>,
    /// `repeat.timeOfDay`, in the schedule's time zone.
    pub time_of_day: Vec<NaiveTime>,
}

/// The `Timing.repeat` of `schedule`. The first and last days are the timing's
/// `boundsPeriod`, its time zone an extension; what FHIR cannot say is in the README:
/// every N days counts from the first day, the times of an every-N-days routine all
/// fall on its day, and a week is an ISO week (Monday to Sunday).
#[must_use]
pub fn repeat_of(schedule: &Schedule) -> Repeat {
    let times = schedule.times().to_vec();
    let per_day = u8::try_from(times.len()).unwrap_or(u8::MAX).max(1);
    let (frequency, period, period_unit, day_of_week) = match schedule.pattern() {
        Pattern::Daily => (per_day, 1, "d", Vec::new()),
        Pattern::Weekly(days) => {
            (per_day, 1, "d", days.days().into_iter().map(weekday_name).collect())
        }
        Pattern::EveryNDays(interval) => (per_day, interval, "d", Vec::new()),
        Pattern::TimesPerWeek(count) => (count, 1, "wk", Vec::new()),
    };
    Repeat { frequency, period, period_unit, day_of_week, time_of_day: times }
}

/// A related person's relationship: a v3 `RoleCode` where one says it, else text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// A `RoleCode` code and its display.
    Coded(&'static str, &'static str),
    /// No code says it: the words.
    Text(&'static str),
}

/// The relationship of a contact of `kind` to the person.
#[must_use]
pub fn relationship_of(kind: ContactKind) -> Relationship {
    match kind {
        ContactKind::Friend => Relationship::Coded("FRND", "unrelated friend"),
        ContactKind::Family => Relationship::Coded("FAMMEMB", "family member"),
        ContactKind::Partner => Relationship::Coded("SIGOTHR", "significant other"),
        ContactKind::Peer => Relationship::Text("peer"),
        ContactKind::SupportGroup => Relationship::Text("support group"),
        ContactKind::RecoveryCollege => Relationship::Text("recovery college"),
        ContactKind::BefriendingService => Relationship::Text("befriending service"),
        ContactKind::SupportLine => Relationship::Text("support line"),
        ContactKind::Advocate => Relationship::Text("advocate"),
        ContactKind::Gp => Relationship::Text("GP"),
        ContactKind::HealthProfessional => Relationship::Text("health professional"),
        ContactKind::CareCoordinator => Relationship::Text("care coordinator"),
        ContactKind::SocialCare => Relationship::Text("social care"),
        ContactKind::Charity => Relationship::Text("charity"),
        ContactKind::Other => Relationship::Text("other"),
    }
}

/// Where a channel goes in a `RelatedPerson`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelPlace {
    /// `telecom`, with its `system` and, when it says more, its `use`.
    Telecom(&'static str, Option<&'static str>),
    /// `address`, as text.
    Address,
}

/// Where a channel of type `kind` goes.
#[must_use]
pub fn place_of(kind: ChannelType) -> ChannelPlace {
    match kind {
        ChannelType::Phone => ChannelPlace::Telecom("phone", None),
        ChannelType::Mobile => ChannelPlace::Telecom("phone", Some("mobile")),
        ChannelType::Email => ChannelPlace::Telecom("email", None),
        ChannelType::Website | ChannelType::Forum | ChannelType::Video => {
            ChannelPlace::Telecom("url", None)
        }
        ChannelType::Address => ChannelPlace::Address,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_searches_back_to_itself() {
        for &status in GoalStatus::ALL {
            assert_eq!(statuses_of_lifecycle(lifecycle_of(status)), Some(vec![status]));
        }
        assert_eq!(statuses_of_lifecycle("proposed"), Some(Vec::new()));
        assert_eq!(
            statuses_of_lifecycle("http://hl7.org/fhir/goal-status|on-hold"),
            Some(vec![GoalStatus::Paused])
        );
        assert_eq!(statuses_of_lifecycle("finished"), None);
    }

    fn at(text: &str) -> Instant {
        DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)).unwrap()
    }

    fn range(values: &[&str]) -> (Option<Instant>, Option<Instant>) {
        last_updated_range(&values.iter().map(|value| (*value).to_owned()).collect::<Vec<_>>())
            .unwrap()
    }

    #[test]
    fn last_updated_reads_each_precision_as_the_range_it_covers() {
        assert_eq!(
            range(&["2026-12"]),
            (Some(at("2026-12-01T00:00:00Z")), Some(at("2027-01-01T00:00:00Z")))
        );
        assert_eq!(range(&["gt2026-12-07"]), (Some(at("2026-12-08T00:00:00Z")), None));
        assert_eq!(range(&["le2026"]), (None, Some(at("2027-01-01T00:00:00Z"))));
        assert_eq!(
            range(&["ge2026-12-01", "lt2026-12-07T12:00:00+01:00"]),
            (Some(at("2026-12-01T00:00:00Z")), Some(at("2026-12-07T11:00:00Z")))
        );
        assert_eq!(
            range(&["gt2026-12-07T12:00:00.5Z"]),
            (Some(at("2026-12-07T12:00:00.6Z")), None)
        );
        assert_eq!(
            range(&["2026-12-07T12:00:00.123456Z"]),
            (Some(at("2026-12-07T12:00:00.123456Z")), Some(at("2026-12-07T12:00:00.123457Z")))
        );
        let last = at("9999-12-31T23:59:59.999999Z");
        assert_eq!(range(&["gt9999-12-31"]), (Some(last), None), "nothing is after the last day");
        assert_eq!(range(&["gt9999"]), (Some(last), None));
        assert!(last_updated_range(&["ne2026".to_owned()]).is_err());
        assert!(last_updated_range(&["2026-13".to_owned()]).is_err());
    }
}
