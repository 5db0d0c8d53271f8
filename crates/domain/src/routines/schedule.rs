//! When a routine happens: a pattern of days, times of day, a first and an optional
//! last day, all in one IANA time zone. Expanding a schedule into occurrences is a pure
//! function, correct across daylight-saving changes.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{
    Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Utc,
    Weekday,
};
use chrono_tz::Tz;

use crate::identity::TimeZoneName;
use crate::time::Instant;

/// The longest range occurrences may be asked for, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// The years a schedule's dates, and every date asked about, must fall in: far wider
/// than any routine, and far from the ends of the calendar where date arithmetic
/// overflows.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Whether `date` is in [`SUPPORTED_YEARS`].
#[must_use]
pub fn is_supported(date: NaiveDate) -> bool {
    SUPPORTED_YEARS.contains(&date.year())
}

/// Monday and Sunday of the ISO week `date` falls in.
#[must_use]
pub fn iso_week(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    (monday, monday + Duration::days(6))
}

/// The most times of day a routine may have.
pub const MAX_TIMES: usize = 12;

/// The days of the week a weekly routine happens on: never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Weekdays(u8);

impl Weekdays {
    /// The set of `days`, or `None` when there are none.
    #[must_use]
    pub fn of(days: &[Weekday]) -> Option<Self> {
        let bits = days.iter().fold(0_u8, |bits, day| bits | (1 << day.num_days_from_monday()));
        (bits != 0).then_some(Self(bits))
    }

    /// Whether `day` is one of them.
    #[must_use]
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// The days, Monday first.
    #[must_use]
    pub fn days(self) -> Vec<Weekday> {
        WEEK.iter().copied().filter(|day| self.contains(*day)).collect()
    }

    /// As stored: one bit per day, Monday the lowest.
    #[must_use]
    pub fn bits(self) -> u8 {
        self.0
    }

    /// From [`Weekdays::bits`]; `None` for no days or unknown bits.
    #[must_use]
    pub fn from_bits(bits: u8) -> Option<Self> {
        (bits != 0 && bits < 0x80).then_some(Self(bits))
    }
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// `mon` .. `sun`.
#[must_use]
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// The day called `name` (`mon` .. `sun`).
#[must_use]
pub fn parse_weekday(name: &str) -> Option<Weekday> {
    WEEK.iter().copied().find(|day| weekday_name(*day) == name)
}

/// Which days a routine happens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// Every day.
    Daily,
    /// On these days of each week.
    Weekly(Weekdays),
    /// Every `n` days (2 to 90), counted from the first day.
    EveryNDays(u8),
    /// `n` times (1 to 7) in each ISO week, on any days: for people who want
    /// flexibility rather than fixed days. Such a routine has no times of day.
    TimesPerWeek(u8),
}

impl Pattern {
    /// `daily`, `weekly`, `every_n_days` or `times_per_week`.
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly(_) => "weekly",
            Self::EveryNDays(_) => "every_n_days",
            Self::TimesPerWeek(_) => "times_per_week",
        }
    }
}

/// A part of a schedule that is not valid, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleProblem {
    /// Which part: `interval`, `count`, `weekdays`, `times` or `ends_on`.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ScheduleProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.field, self.message)
    }
}

/// When a routine happens. Built only through [`Schedule::new`], so every one is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pattern: Pattern,
    times: Vec<NaiveTime>,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    time_zone: TimeZoneName,
}

/// One time a routine happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// The local date.
    pub date: NaiveDate,
    /// The scheduled local time of day (`None` for `times_per_week`, which has none).
    /// Together with `date` it names the occurrence.
    pub time: Option<NaiveTime>,
    /// The instant it happens. A time that does not exist that day (the clocks went
    /// forward over it) happens at the same distance after the change, as RFC 5545
    /// says; a time that happens twice (the clocks went back) happens the first time.
    pub at: Option<Instant>,
    /// The local wall-clock time at `at`, with its UTC offset.
    pub local_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl Schedule {
    /// A checked schedule: `times` are 1 to 12 distinct times of day on minutes
    /// (sorted here), none for `times_per_week`; `interval` 2 to 90; `count` 1 to 7;
    /// `ends_on` not before `starts_on`.
    ///
    /// # Errors
    /// Every [`ScheduleProblem`] found.
    pub fn new(
        pattern: Pattern,
        times: &[NaiveTime],
        starts_on: NaiveDate,
        ends_on: Option<NaiveDate>,
        time_zone: TimeZoneName,
    ) -> Result<Self, Vec<ScheduleProblem>> {
        let mut problems = Vec::new();
        let mut problem = |field, message: &str| {
            problems.push(ScheduleProblem { field, message: message.to_owned() });
        };
        match pattern {
            Pattern::EveryNDays(interval) if !(2..=90).contains(&interval) => {
                problem("interval", "must be 2 to 90 days");
            }
            Pattern::TimesPerWeek(count) if !(1..=7).contains(&count) => {
                problem("count", "must be 1 to 7 times a week");
            }
            _ => {}
        }
        let distinct: BTreeSet<NaiveTime> = times.iter().copied().collect();
        if matches!(pattern, Pattern::TimesPerWeek(_)) {
            if !times.is_empty() {
                problem("times", "must be absent: a times_per_week routine has no fixed times");
            }
        } else if times.is_empty() || times.len() > MAX_TIMES {
            problem("times", "must list 1 to 12 times of day");
        } else if distinct.len() != times.len() {
            problem("times", "must not repeat a time");
        } else if times.iter().any(|time| time.second() != 0 || time.nanosecond() != 0) {
            problem("times", "must be whole minutes (HH:MM)");
        }
        if !is_supported(starts_on) {
            problem("starts_on", "must be in the years 1900 to 2200");
        }
        if ends_on.is_some_and(|ends_on| !is_supported(ends_on)) {
            problem("ends_on", "must be in the years 1900 to 2200");
        } else if ends_on.is_some_and(|ends_on| ends_on < starts_on) {
            problem("ends_on", "must not be before starts_on");
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self { pattern, times: distinct.into_iter().collect(), starts_on, ends_on, time_zone })
    }

    /// Which days.
    #[must_use]
    pub fn pattern(&self) -> Pattern {
        self.pattern
    }

    /// The times of day, earliest first (empty for `times_per_week`).
    #[must_use]
    pub fn times(&self) -> &[NaiveTime] {
        &self.times
    }

    /// The first day.
    #[must_use]
    pub fn starts_on(&self) -> NaiveDate {
        self.starts_on
    }

    /// The last day, if there is one.
    #[must_use]
    pub fn ends_on(&self) -> Option<NaiveDate> {
        self.ends_on
    }

    /// The zone its dates and times are in.
    #[must_use]
    pub fn time_zone(&self) -> TimeZoneName {
        self.time_zone
    }

    /// Whether it is due on `date`: within its dates and on one of its days. Every day
    /// within its dates is a possible day for `times_per_week`.
    #[must_use]
    pub fn is_due_on(&self, date: NaiveDate) -> bool {
        if date < self.starts_on || self.ends_on.is_some_and(|ends_on| date > ends_on) {
            return false;
        }
        match self.pattern {
            Pattern::Daily | Pattern::TimesPerWeek(_) => true,
            Pattern::Weekly(days) => days.contains(date.weekday()),
            Pattern::EveryNDays(interval) => {
                (date - self.starts_on).num_days() % i64::from(interval) == 0
            }
        }
    }

    /// The first day it is due on, if any.
    #[must_use]
    pub fn first_due_day(&self) -> Option<NaiveDate> {
        (0..7).map(|days| self.starts_on + Duration::days(days)).find(|date| self.is_due_on(*date))
    }

    /// Every occurrence on the dates `from` to `to` (both included), in time order.
    /// `times_per_week` routines have one (timeless) occurrence per possible day.
    #[must_use]
    pub fn occurrences(&self, from: NaiveDate, to: NaiveDate) -> Vec<Occurrence> {
        let zone = self.time_zone.zone();
        let mut found = Vec::new();
        let first = from.max(self.starts_on);
        let last = self.ends_on.map_or(to, |ends_on| to.min(ends_on));
        let mut date = first;
        while date <= last {
            if self.is_due_on(date) {
                if self.times.is_empty() {
                    found.push(Occurrence { date, time: None, at: None, local_at: None });
                }
                for time in &self.times {
                    let at = instant_of(zone, date.and_time(*time));
                    found.push(Occurrence {
                        date,
                        time: Some(*time),
                        at: Some(at),
                        local_at: Some(at.with_timezone(&zone).fixed_offset()),
                    });
                }
            }
            let Some(next) = date.succ_opt() else {
                break;
            };
            date = next;
        }
        // By instant: on the day the clocks go forward, a skipped time can land after
        // a later one.
        found.sort_by_key(|occurrence| (occurrence.at, occurrence.date, occurrence.time));
        found
    }

    /// The schedule's days as an RFC 5545 `RRULE` value (each time of day starts its
    /// own series), or `None` for `times_per_week`, which has no fixed days.
    #[must_use]
    pub fn rrule(&self) -> Option<String> {
        let mut rule = match self.pattern {
            Pattern::Daily => "FREQ=DAILY".to_owned(),
            Pattern::Weekly(days) => format!(
                "FREQ=WEEKLY;BYDAY={}",
                days.days()
                    .iter()
                    .map(|day| weekday_name(*day)[..2].to_ascii_uppercase())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Pattern::EveryNDays(interval) => format!("FREQ=DAILY;INTERVAL={interval}"),
            Pattern::TimesPerWeek(_) => return None,
        };
        if let Some(ends_on) = self.ends_on {
            // The end of the last local day, in UTC: with a DTSTART in a time zone,
            // RFC 5545 requires UNTIL in UTC.
            let last_moment = ends_on.and_hms_opt(23, 59, 59).unwrap_or_default();
            let until = instant_of(self.time_zone.zone(), last_moment);
            rule.push_str(&format!(";UNTIL={}", until.format("%Y%m%dT%H%M%SZ")));
        }
        Some(rule)
    }
}

/// The instant of `local` in `zone`: the earlier one when it happens twice, and for a
/// time the clocks skipped, that time read with the offset in force before the skip
/// (RFC 5545 section 3.3.5), which lands as far after the change as it was meant to be
/// after the skipped hour's start.
fn instant_of(zone: Tz, local: NaiveDateTime) -> Instant {
    use chrono::LocalResult;
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            let before = local - Duration::hours(6);
            let offset = zone
                .from_local_datetime(&before)
                .earliest()
                .map_or(0, |at| at.offset().fix().local_minus_utc());
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(offset))))
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn time(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    fn zone(name: &str) -> TimeZoneName {
        TimeZoneName::parse(name).unwrap()
    }

    fn daily_at(times: &[&str], zone_name: &str) -> Schedule {
        let times: Vec<NaiveTime> = times.iter().map(|text| time(text)).collect();
        Schedule::new(Pattern::Daily, &times, date("2027-01-01"), None, zone(zone_name)).unwrap()
    }

    fn on(schedule: &Schedule, day: &str) -> Vec<(String, String)> {
        schedule
            .occurrences(date(day), date(day))
            .iter()
            .map(|occurrence| {
                (occurrence.at.unwrap().to_rfc3339(), occurrence.local_at.unwrap().to_rfc3339())
            })
            .collect()
    }

    #[test]
    fn a_skipped_time_in_london_happens_once_after_the_clocks_go_forward() {
        let schedule = daily_at(&["01:30"], "Europe/London");
        assert_eq!(
            on(&schedule, "2027-03-28"),
            [("2027-03-28T01:30:00+00:00".to_owned(), "2027-03-28T02:30:00+01:00".to_owned())]
        );
    }

    #[test]
    fn a_repeated_time_in_london_happens_once_when_the_clocks_go_back() {
        let schedule = daily_at(&["01:30"], "Europe/London");
        assert_eq!(
            on(&schedule, "2027-10-31"),
            [("2027-10-31T00:30:00+00:00".to_owned(), "2027-10-31T01:30:00+01:00".to_owned())]
        );
        assert_eq!(
            on(&schedule, "2027-11-01"),
            [("2027-11-01T01:30:00+00:00".to_owned(), "2027-11-01T01:30:00+00:00".to_owned())]
        );
    }

    #[test]
    fn new_york_changes_are_handled_the_same_way() {
        let schedule = daily_at(&["02:30", "09:00"], "America/New_York");
        assert_eq!(
            on(&schedule, "2027-03-14"),
            [
                ("2027-03-14T07:30:00+00:00".to_owned(), "2027-03-14T03:30:00-04:00".to_owned()),
                ("2027-03-14T13:00:00+00:00".to_owned(), "2027-03-14T09:00:00-04:00".to_owned()),
            ]
        );
        let back = daily_at(&["01:30"], "America/New_York");
        assert_eq!(
            on(&back, "2027-11-07"),
            [("2027-11-07T05:30:00+00:00".to_owned(), "2027-11-07T01:30:00-04:00".to_owned())]
        );
    }

    #[test]
    fn days_follow_the_pattern_within_the_dates() {
        let weekdays = Weekdays::of(&[Weekday::Mon, Weekday::Thu]).unwrap();
        let weekly = Schedule::new(
            Pattern::Weekly(weekdays),
            &[time("18:00")],
            date("2027-02-01"),
            Some(date("2027-02-11")),
            zone("Europe/London"),
        )
        .unwrap();
        let days: Vec<NaiveDate> = weekly
            .occurrences(date("2027-01-01"), date("2027-03-01"))
            .iter()
            .map(|occurrence| occurrence.date)
            .collect();
        assert_eq!(
            days,
            [date("2027-02-01"), date("2027-02-04"), date("2027-02-08"), date("2027-02-11")]
        );
        assert_eq!(weekly.rrule().unwrap(), "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270211T235959Z");

        let every_third = Schedule::new(
            Pattern::EveryNDays(3),
            &[time("08:00")],
            date("2027-02-01"),
            None,
            zone("Europe/London"),
        )
        .unwrap();
        let days: Vec<NaiveDate> = every_third
            .occurrences(date("2027-02-02"), date("2027-02-10"))
            .iter()
            .map(|occurrence| occurrence.date)
            .collect();
        assert_eq!(days, [date("2027-02-04"), date("2027-02-07"), date("2027-02-10")]);
        assert_eq!(every_third.rrule().unwrap(), "FREQ=DAILY;INTERVAL=3");
    }

    #[test]
    fn invalid_schedules_name_every_problem() {
        let problems = Schedule::new(
            Pattern::EveryNDays(1),
            &[],
            date("2027-02-01"),
            Some(date("2027-01-01")),
            zone("Europe/London"),
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|problem| problem.field).collect();
        assert_eq!(fields, ["interval", "times", "ends_on"]);
        assert!(
            Schedule::new(
                Pattern::TimesPerWeek(3),
                &[time("08:00")],
                date("2027-02-01"),
                None,
                zone("UTC")
            )
            .is_err()
        );
        assert!(
            Schedule::new(
                Pattern::Daily,
                &[time("08:00"), time("08:00")],
                date("2027-02-01"),
                None,
                zone("UTC")
            )
            .is_err()
        );
        assert!(
            Schedule::new(Pattern::TimesPerWeek(8), &[], date("2027-02-01"), None, zone("UTC"))
                .is_err()
        );
        assert!(Weekdays::of(&[]).is_none());
    }

    const ZONES: [&str; 6] = [
        "Europe/London",
        "America/New_York",
        "Australia/Sydney",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "UTC",
    ];

    fn any_pattern() -> impl Strategy<Value = Pattern> {
        prop_oneof![
            Just(Pattern::Daily),
            (1_u8..0x80).prop_map(|bits| Pattern::Weekly(Weekdays::from_bits(bits).unwrap())),
            (2_u8..=90).prop_map(Pattern::EveryNDays),
            (1_u8..=7).prop_map(Pattern::TimesPerWeek),
        ]
    }

    fn any_schedule() -> impl Strategy<Value = (Pattern, Vec<NaiveTime>, NaiveDate, Option<u32>)> {
        (
            any_pattern(),
            proptest::collection::btree_set((0_u32..24, 0_u32..4), 1..=MAX_TIMES),
            0_u32..1100,
            proptest::option::of(0_u32..400),
        )
            .prop_map(|(pattern, times, start, length)| {
                let times = if matches!(pattern, Pattern::TimesPerWeek(_)) {
                    Vec::new()
                } else {
                    times
                        .into_iter()
                        .map(|(hour, quarter)| {
                            NaiveTime::from_hms_opt(hour, quarter * 15, 0).unwrap()
                        })
                        .collect()
                };
                let starts_on = date("2026-01-01") + Duration::days(i64::from(start));
                (pattern, times, starts_on, length)
            })
    }

    proptest! {
        #[test]
        fn occurrences_are_sorted_unique_in_range_and_the_same_in_every_zone(
            (pattern, times, starts_on, length) in any_schedule(),
            from_offset in 0_i64..1200,
            span in 0_i64..MAX_RANGE_DAYS,
        ) {
            let ends_on = length.map(|days| starts_on + Duration::days(i64::from(days)));
            let from = date("2026-01-01") + Duration::days(from_offset);
            let to = from + Duration::days(span);
            let mut keys_in_first_zone = None;
            for zone_name in ZONES {
                let schedule = Schedule::new(pattern, &times, starts_on, ends_on, zone(zone_name)).unwrap();
                let found = schedule.occurrences(from, to);
                let keys: Vec<(NaiveDate, Option<NaiveTime>)> = found.iter().map(|occurrence| (occurrence.date, occurrence.time)).collect();
                let mut unique = keys.clone();
                unique.sort();
                unique.dedup();
                prop_assert_eq!(unique.len(), keys.len(), "no duplicates");
                prop_assert!(found.windows(2).all(|pair| (pair[0].at, pair[0].date) <= (pair[1].at, pair[1].date)), "sorted");
                for occurrence in &found {
                    prop_assert!(occurrence.date >= from && occurrence.date <= to);
                    prop_assert!(occurrence.date >= starts_on);
                    prop_assert!(ends_on.is_none_or(|ends_on| occurrence.date <= ends_on));
                    prop_assert!(schedule.is_due_on(occurrence.date));
                    if let (Some(at), Some(local_at)) = (occurrence.at, occurrence.local_at) {
                        prop_assert_eq!(at, local_at.with_timezone(&Utc));
                        // Never more than the largest daylight-saving shift away.
                        let scheduled = occurrence.date.and_time(occurrence.time.unwrap());
                        let shift = (local_at.naive_local() - scheduled).num_minutes();
                        prop_assert!((0..=60).contains(&shift), "shift {}", shift);
                    }
                }
                let due_days = (0..=span).map(|day| from + Duration::days(day)).filter(|day| schedule.is_due_on(*day)).count();
                prop_assert_eq!(found.len(), due_days * times.len().max(1));
                match &keys_in_first_zone {
                    None => keys_in_first_zone = Some(unique),
                    Some(first) => prop_assert_eq!(first, &unique, "the same occurrences in every zone"),
                }
            }
        }
    }
}
