//! How routines, schedules and check-ins look on the wire, and how requests become
//! domain values.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::routines::{RoutineDraft, RoutineEdit};
use waymark_domain::goals::GoalId;
use waymark_domain::identity::TimeZoneName;
use waymark_domain::routines::occurrence::clock_time;
use waymark_domain::routines::schedule::{parse_weekday, weekday_name};
use waymark_domain::routines::{
    Category, MAX_REMINDER_MINUTES, NewRoutine, Pattern, Routine, RoutineChanges, RoutineCheckIn,
    RoutineNotes, RoutineTitle, Schedule, Weekdays,
};
use waymark_domain::time::Instant;
use waymark_domain::validation::{Problem, Problems};

use crate::extract::Patch;
use crate::wire::names::WeekdayName;

/// The part of daily life a routine belongs to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CategoryName {
    Sleep,
    Eating,
    Exercise,
    Activity,
    SelfCare,
    Social,
    Medication,
    Chores,
    Learning,
    Other,
}

/// Which days a routine happens on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ScheduleKind {
    Daily,
    Weekly,
    EveryNDays,
    TimesPerWeek,
}

/// How an occurrence went: `skipped` is a choice, not a failure.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CheckInStatusName {
    Done,
    Partly,
    Skipped,
}

/// When a routine happens, in its time zone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleRequest {
    /// `daily`, `weekly` (on `weekdays`), `every_n_days` (every `interval` days from
    /// `starts_on`) or `times_per_week` (`count` times in each ISO week, any days).
    #[schema(value_type = ScheduleKind, example = "weekly")]
    pub(crate) kind: String,
    /// For `weekly`: the days, at least one.
    #[serde(default)]
    #[schema(value_type = Option<Vec<WeekdayName>>, example = json!(["mon", "thu"]))]
    pub(crate) weekdays: Option<Vec<String>>,
    /// For `every_n_days`: 2 to 90.
    #[serde(default)]
    #[schema(minimum = 2, maximum = 90)]
    pub(crate) interval: Option<u32>,
    /// For `times_per_week`: 1 to 7.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 7)]
    pub(crate) count: Option<u32>,
    /// Local times of day (`HH:MM`), 1 to 12; not for `times_per_week`.
    #[serde(default)]
    #[schema(example = json!(["08:00", "20:30"]))]
    pub(crate) times: Option<Vec<String>>,
    /// The first day (default: today in the routine's time zone).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2027-01-04")]
    pub(crate) starts_on: Option<NaiveDate>,
    /// The last day, if any.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) ends_on: Option<NaiveDate>,
    /// An IANA time zone (default: your account's).
    #[serde(default)]
    #[schema(example = "Europe/London")]
    pub(crate) time_zone: Option<String>,
}

/// When a routine happens, as stored.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScheduleResponse {
    /// Which days.
    #[schema(value_type = ScheduleKind)]
    kind: &'static str,
    /// For `weekly`: the days, Monday first.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<WeekdayName>>)]
    weekdays: Option<Vec<&'static str>>,
    /// For `every_n_days`.
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<u8>,
    /// For `times_per_week`.
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u8>,
    /// Local times of day, earliest first (empty for `times_per_week`).
    times: Vec<String>,
    /// The first day.
    #[schema(value_type = String, format = Date)]
    starts_on: NaiveDate,
    /// The last day, if any.
    #[schema(value_type = Option<String>, format = Date)]
    ends_on: Option<NaiveDate>,
    /// The IANA time zone its dates and times are in.
    time_zone: String,
    /// The days as an RFC 5545 `RRULE` (each time of day starts its own series at
    /// `starts_on`); `null` for `times_per_week`, which has no fixed days.
    #[schema(example = "FREQ=WEEKLY;BYDAY=MO,TH")]
    rrule: Option<String>,
}

impl From<&Schedule> for ScheduleResponse {
    fn from(schedule: &Schedule) -> Self {
        let (weekdays, interval, count) = match schedule.pattern() {
            Pattern::Daily => (None, None, None),
            Pattern::Weekly(days) => {
                (Some(days.days().into_iter().map(weekday_name).collect()), None, None)
            }
            Pattern::EveryNDays(interval) => (None, Some(interval), None),
            Pattern::TimesPerWeek(count) => (None, None, Some(count)),
        };
        Self {
            kind: schedule.pattern().kind(),
            weekdays,
            interval,
            count,
            times: schedule.times().iter().map(|time| time_text(*time)).collect(),
            starts_on: schedule.starts_on(),
            ends_on: schedule.ends_on(),
            time_zone: schedule.time_zone().name().to_owned(),
            rrule: schedule.rrule(),
        }
    }
}

/// `date` if it is in the supported years (1900 to 2200), else 400 naming `name`.
pub(crate) fn supported_date(
    date: Option<NaiveDate>,
    name: &str,
) -> Result<Option<NaiveDate>, crate::error::ApiError> {
    match date {
        Some(date) if !waymark_domain::routines::schedule::is_supported(date) => Err(
            crate::error::ApiError::BadRequest(format!("{name} must be in the years 1900 to 2200")),
        ),
        other => Ok(other),
    }
}

/// `HH:MM`.
pub(crate) fn time_text(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

/// Turns a schedule request into a [`Schedule`], recording problems under `prefix`
/// (such as `/schedule`). A schedule naming no zone is in `default_zone`; one naming
/// no first day starts on the day it is at `now` in its zone.
pub(crate) fn schedule(
    request: &ScheduleRequest,
    prefix: &str,
    default_zone: TimeZoneName,
    now: Instant,
    problems: &mut Problems,
) -> Option<Schedule> {
    let before = problems.len();
    let pointer = |field: &str| format!("{prefix}/{field}");
    let not_for_kind = |field: &str, present: bool, problems: &mut Problems| {
        if present {
            problems.add(&pointer(field), format!("is not used by a `{}` schedule", request.kind));
        }
    };
    let number =
        |value: Option<u32>, field: &str, problems: &mut Problems| match value.map(u8::try_from) {
            Some(Ok(number)) => Some(number),
            Some(Err(_)) => {
                problems.add(&pointer(field), "is out of range");
                None
            }
            None => {
                problems.add(&pointer(field), "is required for this kind");
                None
            }
        };
    let pattern = match request.kind.as_str() {
        "daily" => {
            not_for_kind("weekdays", request.weekdays.is_some(), problems);
            not_for_kind("interval", request.interval.is_some(), problems);
            not_for_kind("count", request.count.is_some(), problems);
            Some(Pattern::Daily)
        }
        "weekly" => {
            not_for_kind("interval", request.interval.is_some(), problems);
            not_for_kind("count", request.count.is_some(), problems);
            weekdays(request.weekdays.as_deref(), &pointer("weekdays"), problems)
                .map(Pattern::Weekly)
        }
        "every_n_days" => {
            not_for_kind("weekdays", request.weekdays.is_some(), problems);
            not_for_kind("count", request.count.is_some(), problems);
            number(request.interval, "interval", problems).map(Pattern::EveryNDays)
        }
        "times_per_week" => {
            not_for_kind("weekdays", request.weekdays.is_some(), problems);
            not_for_kind("interval", request.interval.is_some(), problems);
            number(request.count, "count", problems).map(Pattern::TimesPerWeek)
        }
        _ => {
            problems.add(
                &pointer("kind"),
                "must be one of daily, weekly, every_n_days, times_per_week",
            );
            None
        }
    };
    let mut times = Vec::new();
    for (index, text) in request.times.iter().flatten().enumerate() {
        match clock_time(text) {
            Some(time) => times.push(time),
            None => {
                problems.add(&pointer(&format!("times/{index}")), "must be a time of day as HH:MM")
            }
        }
    }
    let zone = match &request.time_zone {
        None => Some(default_zone),
        Some(name) => problems.check(&pointer("time_zone"), TimeZoneName::parse(name)),
    };
    let (Some(pattern), Some(zone), true) = (pattern, zone, problems.len() == before) else {
        return None;
    };
    let starts_on = request.starts_on.unwrap_or_else(|| zone.date_at(now));
    Schedule::new(pattern, &times, starts_on, request.ends_on, zone)
        .map_err(|found| {
            for problem in found {
                problems.add(&pointer(problem.field), problem.message);
            }
        })
        .ok()
}

fn weekdays(names: Option<&[String]>, pointer: &str, problems: &mut Problems) -> Option<Weekdays> {
    let Some(names) = names else {
        problems.add(pointer, "is required for a weekly schedule");
        return None;
    };
    let mut days = Vec::new();
    for (index, name) in names.iter().enumerate() {
        match parse_weekday(name) {
            Some(day) => days.push(day),
            None => problems.add(
                &format!("{pointer}/{index}"),
                "must be one of mon, tue, wed, thu, fri, sat, sun",
            ),
        }
    }
    let set = Weekdays::of(&days);
    if set.is_none() && names.is_empty() {
        problems.add(pointer, "must name at least one day");
    }
    set
}

/// A routine.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoutineResponse {
    /// The routine's id.
    id: uuid::Uuid,
    /// What it is.
    #[schema(example = "Walk the dog")]
    title: String,
    /// The part of daily life it belongs to.
    #[schema(value_type = CategoryName, example = "exercise")]
    category: &'static str,
    /// Notes.
    notes: String,
    /// The goal it serves, if any.
    goal_id: Option<uuid::Uuid>,
    /// Whether it is active; paused routines have no occurrences.
    active: bool,
    /// Minutes before each occurrence to remind, if at all.
    reminder_minutes_before: Option<u16>,
    /// When it happens.
    schedule: ScheduleResponse,
    /// When it was created.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1, +1 with every change; also the `ETag`.
    version: i64,
}

impl From<&Routine> for RoutineResponse {
    fn from(routine: &Routine) -> Self {
        Self {
            id: routine.id.0,
            title: routine.title.as_str().to_owned(),
            category: routine.category.as_str(),
            notes: routine.notes.as_str().to_owned(),
            goal_id: routine.goal_id.map(|goal| goal.0),
            active: routine.active,
            reminder_minutes_before: routine.reminder_minutes_before,
            schedule: ScheduleResponse::from(&routine.schedule),
            created_at: routine.created_at,
            updated_at: routine.updated_at,
            version: routine.version,
        }
    }
}

/// A new routine.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRoutineRequest {
    /// What it is: 1 to 200 characters.
    #[schema(example = "Walk the dog", min_length = 1, max_length = 200)]
    pub(crate) title: String,
    /// The part of daily life it belongs to.
    #[schema(value_type = CategoryName, example = "exercise")]
    pub(crate) category: String,
    /// Notes (up to 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub(crate) notes: String,
    /// One of your goals that it serves.
    #[serde(default)]
    pub(crate) goal_id: Option<uuid::Uuid>,
    /// Whether it starts active (default `true`).
    #[serde(default = "active_by_default")]
    pub(crate) active: bool,
    /// Minutes before each occurrence to remind (0 to 1440).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1440)]
    pub(crate) reminder_minutes_before: Option<u32>,
    /// When it happens.
    pub(crate) schedule: ScheduleRequest,
}

fn active_by_default() -> bool {
    true
}

/// Changes to a routine (JSON merge patch): absent fields stay as they are; `null`
/// clears `notes`, `goal_id` and `reminder_minutes_before`; a `schedule` replaces the
/// whole schedule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoutinePatch {
    /// A new title.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub(crate) title: Patch<String>,
    /// A new category.
    #[serde(default)]
    #[schema(value_type = CategoryName)]
    pub(crate) category: Patch<String>,
    /// New notes, or `null` to clear them.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub(crate) notes: Patch<String>,
    /// Another of your goals, or `null` for none.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub(crate) goal_id: Patch<uuid::Uuid>,
    /// Active or paused.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub(crate) active: Patch<bool>,
    /// A new reminder, or `null` for none.
    #[serde(default)]
    #[schema(value_type = Option<u32>, minimum = 0, maximum = 1440)]
    pub(crate) reminder_minutes_before: Patch<u32>,
    /// A whole new schedule.
    #[serde(default)]
    #[schema(value_type = ScheduleRequest)]
    pub(crate) schedule: Patch<ScheduleRequest>,
}

fn reminder(minutes: u32, problems: &mut Problems) -> Option<u16> {
    let within = u16::try_from(minutes).ok().filter(|minutes| *minutes <= MAX_REMINDER_MINUTES);
    if within.is_none() {
        problems.add("/reminder_minutes_before", "must be 0 to 1440 minutes");
    }
    within
}

impl RoutineDraft for NewRoutineRequest {
    fn parse(self, home: TimeZoneName, now: Instant) -> Result<NewRoutine, Vec<Problem>> {
        let mut problems = Problems::default();
        let title = problems.check("/title", RoutineTitle::parse(&self.title));
        let category = problems.check("/category", self.category.parse::<Category>());
        let notes = problems.check("/notes", RoutineNotes::parse(&self.notes));
        let reminder_minutes_before = match self.reminder_minutes_before {
            None => Some(None),
            Some(minutes) => reminder(minutes, &mut problems).map(Some),
        };
        let schedule = schedule(&self.schedule, "/schedule", home, now, &mut problems);
        problems.or(|| {
            Some(NewRoutine {
                title: title?,
                category: category?,
                notes: notes?,
                goal_id: self.goal_id.map(GoalId),
                active: self.active,
                reminder_minutes_before: reminder_minutes_before?,
                schedule: schedule?,
            })
        })
    }
}

impl RoutineEdit for RoutinePatch {
    fn parse(self, zone: TimeZoneName, now: Instant) -> Result<RoutineChanges, Vec<Problem>> {
        let mut problems = Problems::default();
        let changes = RoutineChanges {
            title: self
                .title
                .kept("/title", &mut problems)
                .and_then(|title| problems.check("/title", RoutineTitle::parse(&title))),
            category: self
                .category
                .kept("/category", &mut problems)
                .and_then(|name| problems.check("/category", name.parse::<Category>())),
            notes: match self.notes {
                Patch::Absent => None,
                Patch::Null => RoutineNotes::parse("").ok(),
                Patch::Value(notes) => problems.check("/notes", RoutineNotes::parse(&notes)),
            },
            goal_id: match self.goal_id {
                Patch::Absent => None,
                Patch::Null => Some(None),
                Patch::Value(goal) => Some(Some(GoalId(goal))),
            },
            active: self.active.kept("/active", &mut problems),
            reminder_minutes_before: match self.reminder_minutes_before {
                Patch::Absent => None,
                Patch::Null => Some(None),
                Patch::Value(minutes) => reminder(minutes, &mut problems).map(Some),
            },
            schedule: self
                .schedule
                .kept("/schedule", &mut problems)
                .and_then(|requested| schedule(&requested, "/schedule", zone, now, &mut problems)),
        };
        problems.or(|| Some(changes))
    }
}

/// How one occurrence went.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoutineCheckInResponse {
    /// The check-in's id.
    id: uuid::Uuid,
    /// The routine.
    routine_id: uuid::Uuid,
    /// The occurrence: its local date, and its scheduled time for routines with
    /// times of day.
    occurrence: OccurrenceRef,
    /// How it went.
    #[schema(value_type = CheckInStatusName)]
    status: &'static str,
    /// A note.
    note: String,
    /// How you felt.
    #[schema(value_type = Option<crate::wire::names::FeelingName>)]
    feeling: Option<&'static str>,
    /// When it was recorded.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1, +1 with every change; also the `ETag`.
    version: i64,
}

/// Names one occurrence of a routine.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OccurrenceRef {
    /// The local date.
    #[schema(value_type = String, format = Date, example = "2027-01-04")]
    pub(crate) date: NaiveDate,
    /// The scheduled local time (`HH:MM`); required for routines with times of day,
    /// absent for `times_per_week`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "08:00")]
    pub(crate) time: Option<String>,
}

impl From<&RoutineCheckIn> for RoutineCheckInResponse {
    fn from(check_in: &RoutineCheckIn) -> Self {
        Self {
            id: check_in.id.0,
            routine_id: check_in.routine_id.0,
            occurrence: OccurrenceRef {
                date: check_in.occurrence.date,
                time: check_in.occurrence.time.map(time_text),
            },
            status: check_in.status.as_str(),
            note: check_in.note.as_str().to_owned(),
            feeling: check_in.feeling.map(waymark_domain::goals::Feeling::as_str),
            created_at: check_in.created_at,
            updated_at: check_in.updated_at,
            version: check_in.version,
        }
    }
}
