//! Streaks and rates, derived from a schedule, its check-ins and its paused periods.
//!
//! The rules are kind by design:
//! - An occurrence counts as missed only when its local day is over and it has no
//!   check-in. Today's occurrences without one are not yet missed.
//! - `done` and `partly` extend a streak; `skipped` neither extends nor breaks it: it is
//!   a choice the person made. Occurrences while the routine was paused do not exist.
//!   Only a missed occurrence breaks a streak.
//! - For `times_per_week` routines the unit is the ISO week: a week that ended with at
//!   least `count` `done` or `partly` check-ins extends the streak; one that ended with
//!   at least `count` check-ins of any status (some skipped) leaves it as it is; one
//!   that ended with fewer breaks it; a week with any paused day never breaks it. The
//!   current week extends the streak once it has its count, and never breaks it.
//! - A check-in at a time the schedule no longer has (its times changed since) counts
//!   for the earliest unrecorded occurrence of its day, so changing a routine's times
//!   does not turn its history into missed occurrences.
//! - Completion rate: (`done` + half of `partly`) / expected occurrences in the window,
//!   where expected excludes paused days and today's unrecorded occurrences; for
//!   `times_per_week`, expected is `count` per seven unpaused days.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::routine::{CheckInStatus, OccurrenceKey};
use super::schedule::{Pattern, Schedule, iso_week};

/// How far back streaks are looked for, in days.
pub const STREAK_HISTORY_DAYS: i64 = 400;

/// A period the routine was paused: from `from` (included) to `until` (excluded), or
/// still paused when `until` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paused {
    /// The first paused day.
    pub from: NaiveDate,
    /// The day it was active again, if it is.
    pub until: Option<NaiveDate>,
}

impl Paused {
    /// Whether the routine was paused on `date`.
    #[must_use]
    pub fn covers(self, date: NaiveDate) -> bool {
        date >= self.from && self.until.is_none_or(|until| date < until)
    }
}

/// What a streak counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreakUnit {
    /// Occurrences.
    Occurrences,
    /// ISO weeks (`times_per_week`).
    Weeks,
}

/// Counts over a set of occurrences.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Occurrences that were expected (see the module's rules).
    pub expected: u32,
    /// Done.
    pub done: u32,
    /// Partly done.
    pub partly: u32,
    /// Skipped by choice.
    pub skipped: u32,
    /// Past, unpaused, and without a check-in.
    pub missed: u32,
}

impl Tally {
    /// (`done` + `partly` / 2) / `expected`, or `None` when nothing was expected.
    #[must_use]
    pub fn rate(&self) -> Option<f64> {
        (self.expected > 0).then(|| {
            ((f64::from(self.done) + f64::from(self.partly) / 2.0) / f64::from(self.expected))
                .min(1.0)
        })
    }

    fn add(&mut self, status: Option<CheckInStatus>, missed: bool) {
        match status {
            Some(CheckInStatus::Done) => self.done += 1,
            Some(CheckInStatus::Partly) => self.partly += 1,
            Some(CheckInStatus::Skipped) => self.skipped += 1,
            None if missed => self.missed += 1,
            None => {}
        }
    }
}

/// A routine's streaks and rates.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// What the streaks count.
    pub unit: StreakUnit,
    /// The streak up to today.
    pub current_streak: u32,
    /// The longest streak within [`STREAK_HISTORY_DAYS`].
    pub longest_streak: u32,
    /// Counts over the window.
    pub window: Tally,
    /// Counts over the window per weekday, Monday first.
    pub per_weekday: [Tally; 7],
}

/// The streaks over the history and the rates over the `days` up to `today` (both
/// local dates in the routine's zone). `check_ins` are every check-in from
/// `today - STREAK_HISTORY_DAYS` on.
#[must_use]
pub fn stats(
    schedule: &Schedule,
    check_ins: &[(OccurrenceKey, CheckInStatus)],
    paused: &[Paused],
    today: NaiveDate,
    days: u32,
) -> Stats {
    let recorded: HashMap<OccurrenceKey, CheckInStatus> = check_ins.iter().copied().collect();
    let is_paused = |date: NaiveDate| paused.iter().any(|period| period.covers(date));
    let history_from = today - Duration::days(STREAK_HISTORY_DAYS);
    let window_from = today - Duration::days(i64::from(days.max(1)) - 1);

    let mut window = Tally::default();
    let mut per_weekday = [Tally::default(); 7];
    let (unit, current_streak, longest_streak) = match schedule.pattern() {
        Pattern::TimesPerWeek(count) => {
            let mut active_days = 0_u32;
            let mut by_weekday_days = [0_u32; 7];
            let mut date = window_from.max(schedule.starts_on());
            while date <= today {
                if !is_paused(date) && schedule.is_due_on(date) {
                    active_days += 1;
                    by_weekday_days[weekday_index(date.weekday())] += 1;
                }
                date += Duration::days(1);
            }
            for (key, status) in &recorded {
                if key.date >= window_from && key.date <= today {
                    window.add(Some(*status), false);
                    per_weekday[weekday_index(key.date.weekday())].add(Some(*status), false);
                }
            }
            window.expected = (u32::from(count) * active_days).div_ceil(7);
            for (tally, days) in per_weekday.iter_mut().zip(by_weekday_days) {
                tally.expected = (u32::from(count) * days).div_ceil(7);
            }
            let (current, longest) =
                week_streaks(schedule, count, &recorded, &is_paused, history_from, today);
            (StreakUnit::Weeks, current, longest)
        }
        _ => {
            // Check-ins at times the schedule no longer has (its times were changed
            // later) still count, for that day's earliest unrecorded occurrence.
            let mut earlier_times: HashMap<NaiveDate, Vec<CheckInStatus>> = HashMap::new();
            for (key, status) in &recorded {
                if key.time.is_none_or(|time| !schedule.times().contains(&time)) {
                    earlier_times.entry(key.date).or_default().push(*status);
                }
            }
            let mut run = 0_u32;
            let mut longest = 0_u32;
            for occurrence in schedule.occurrences(history_from.max(schedule.starts_on()), today) {
                if is_paused(occurrence.date) {
                    continue;
                }
                let key = OccurrenceKey { date: occurrence.date, time: occurrence.time };
                let status = recorded
                    .get(&key)
                    .copied()
                    .or_else(|| earlier_times.get_mut(&occurrence.date).and_then(Vec::pop));
                let over = occurrence.date < today;
                if occurrence.date >= window_from && (over || status.is_some()) {
                    window.expected += 1;
                    window.add(status, over);
                    let tally = &mut per_weekday[weekday_index(occurrence.date.weekday())];
                    tally.expected += 1;
                    tally.add(status, over);
                }
                match status {
                    Some(CheckInStatus::Done | CheckInStatus::Partly) => {
                        run += 1;
                        longest = longest.max(run);
                    }
                    Some(CheckInStatus::Skipped) => {}
                    None if over => run = 0,
                    None => {}
                }
            }
            (StreakUnit::Occurrences, run, longest)
        }
    };
    Stats { unit, current_streak, longest_streak, window, per_weekday }
}

fn weekday_index(day: Weekday) -> usize {
    usize::try_from(day.num_days_from_monday()).unwrap_or(0)
}

fn week_streaks(
    schedule: &Schedule,
    count: u8,
    recorded: &HashMap<OccurrenceKey, CheckInStatus>,
    is_paused: &impl Fn(NaiveDate) -> bool,
    history_from: NaiveDate,
    today: NaiveDate,
) -> (u32, u32) {
    let first = history_from.max(schedule.starts_on());
    let (mut monday, _) = iso_week(first);
    let (mut run, mut longest) = (0_u32, 0_u32);
    while monday <= today {
        let sunday = monday + Duration::days(6);
        let in_week = |key: &&OccurrenceKey| key.date >= monday && key.date <= sunday;
        let kept = recorded
            .iter()
            .filter(|(key, status)| {
                in_week(key) && matches!(status, CheckInStatus::Done | CheckInStatus::Partly)
            })
            .count();
        let any = recorded.keys().filter(in_week).count();
        let target = usize::from(count);
        let ended = sunday < today;
        let paused_some = (0..7).any(|day| is_paused(monday + Duration::days(day)));
        // Weeks partly before `starts_on` or after `ends_on` are not held against anyone.
        let whole_week_scheduled = monday >= schedule.starts_on()
            && schedule.ends_on().is_none_or(|ends_on| sunday <= ends_on);
        if kept >= target {
            run += 1;
            longest = longest.max(run);
        } else if ended && any < target && !paused_some && whole_week_scheduled {
            run = 0;
        }
        monday += Duration::days(7);
    }
    (run, longest)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;
    use proptest::prelude::*;

    use super::*;
    use crate::identity::TimeZoneName;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn eight() -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(8, 0, 0)
    }

    fn daily_from(start: &str) -> Schedule {
        Schedule::new(
            Pattern::Daily,
            &[eight().unwrap()],
            date(start),
            None,
            TimeZoneName::parse("UTC").unwrap(),
        )
        .unwrap()
    }

    fn on(day: &str, status: CheckInStatus) -> (OccurrenceKey, CheckInStatus) {
        (OccurrenceKey { date: date(day), time: eight() }, status)
    }

    #[test]
    fn skips_and_pauses_keep_a_streak_and_only_a_missed_day_breaks_it() {
        let schedule = daily_from("2027-01-01");
        let check_ins = [
            on("2027-01-01", CheckInStatus::Done),
            // 01-02 missed: breaks.
            on("2027-01-03", CheckInStatus::Done),
            on("2027-01-04", CheckInStatus::Skipped),
            on("2027-01-05", CheckInStatus::Partly),
            // 01-06 and 01-07 paused.
            on("2027-01-08", CheckInStatus::Done),
            // 01-09 is today, not yet recorded: not missed.
        ];
        let paused = [Paused { from: date("2027-01-06"), until: Some(date("2027-01-08")) }];
        let stats = stats(&schedule, &check_ins, &paused, date("2027-01-09"), 7);
        assert_eq!(stats.unit, StreakUnit::Occurrences);
        assert_eq!(stats.current_streak, 3);
        assert_eq!(stats.longest_streak, 3);
        // Window 01-03..01-09: 03, 04, 05, 08 expected (06, 07 paused; 09 not yet).
        assert_eq!(stats.window, Tally { expected: 4, done: 2, partly: 1, skipped: 1, missed: 0 });
        assert_eq!(stats.window.rate(), Some(2.5 / 4.0));
    }

    #[test]
    fn changing_the_times_keeps_the_history() {
        let schedule = Schedule::new(
            Pattern::Daily,
            &[NaiveTime::from_hms_opt(9, 0, 0).unwrap()],
            date("2027-01-01"),
            None,
            TimeZoneName::parse("UTC").unwrap(),
        )
        .unwrap();
        let at_eight =
            [on("2027-01-01", CheckInStatus::Done), on("2027-01-02", CheckInStatus::Done)];
        let stats = stats(&schedule, &at_eight, &[], date("2027-01-03"), 7);
        assert_eq!(stats.current_streak, 2);
        assert_eq!(stats.window.missed, 0);
    }

    #[test]
    fn weeks_count_for_times_per_week() {
        let schedule = Schedule::new(
            Pattern::TimesPerWeek(2),
            &[],
            date("2027-01-04"),
            None,
            TimeZoneName::parse("UTC").unwrap(),
        )
        .unwrap();
        let day = |text: &str, status| (OccurrenceKey { date: date(text), time: None }, status);
        let check_ins = [
            day("2027-01-04", CheckInStatus::Done),
            day("2027-01-06", CheckInStatus::Done),
            day("2027-01-11", CheckInStatus::Done),
            day("2027-01-12", CheckInStatus::Skipped),
            day("2027-01-18", CheckInStatus::Done),
            day("2027-01-19", CheckInStatus::Partly),
        ];
        let stats = stats(&schedule, &check_ins, &[], date("2027-01-20"), 30);
        assert_eq!(stats.unit, StreakUnit::Weeks);
        // Week 1 kept, week 2 neutral (a skip), week 3 (current) kept.
        assert_eq!((stats.current_streak, stats.longest_streak), (2, 2));
        let missed_week = stats_with(&schedule, &check_ins[..2], date("2027-01-20"));
        assert_eq!(missed_week, 0, "an ended week with too few check-ins breaks it");
    }

    fn stats_with(
        schedule: &Schedule,
        check_ins: &[(OccurrenceKey, CheckInStatus)],
        today: NaiveDate,
    ) -> u32 {
        stats(schedule, check_ins, &[], today, 7).current_streak
    }

    fn any_status() -> impl Strategy<Value = Option<CheckInStatus>> {
        prop_oneof![
            Just(None),
            Just(Some(CheckInStatus::Done)),
            Just(Some(CheckInStatus::Partly)),
            Just(Some(CheckInStatus::Skipped)),
        ]
    }

    proptest! {
        #[test]
        fn streak_rules_hold(statuses in proptest::collection::vec(any_status(), 1..60), changed in 0_usize..60) {
            let schedule = daily_from("2027-01-01");
            let days = u32::try_from(statuses.len()).unwrap();
            let today = date("2027-01-01") + Duration::days(i64::from(days) - 1);
            let to_check_ins = |statuses: &[Option<CheckInStatus>]| -> Vec<(OccurrenceKey, CheckInStatus)> {
                statuses.iter().enumerate().filter_map(|(index, status)| {
                    status.map(|status| (OccurrenceKey { date: date("2027-01-01") + Duration::days(i64::try_from(index).unwrap()), time: eight() }, status))
                }).collect()
            };
            let before = stats(&schedule, &to_check_ins(&statuses), &[], today, days);
            prop_assert!(before.current_streak <= before.longest_streak);
            prop_assert!(before.window.rate().is_none_or(|rate| (0.0..=1.0).contains(&rate)));
            let tally = before.window;
            prop_assert_eq!(tally.expected, tally.done + tally.partly + tally.skipped + tally.missed);

            // Recording a skip where nothing was recorded never shortens the current streak.
            let index = changed % statuses.len();
            if statuses[index].is_none() {
                let mut skipped = statuses.clone();
                skipped[index] = Some(CheckInStatus::Skipped);
                let after = stats(&schedule, &to_check_ins(&skipped), &[], today, days);
                prop_assert!(after.current_streak >= before.current_streak);
                // Pausing that day instead does the same.
                let paused_day = date("2027-01-01") + Duration::days(i64::try_from(index).unwrap());
                let paused = [Paused { from: paused_day, until: Some(paused_day + Duration::days(1)) }];
                let after_pause = stats(&schedule, &to_check_ins(&statuses), &paused, today, days);
                prop_assert!(after_pause.current_streak >= before.current_streak);
            }
            // Every day done: the streak is every day.
            let all_done = vec![Some(CheckInStatus::Done); statuses.len()];
            let perfect = stats(&schedule, &to_check_ins(&all_done), &[], today, days);
            prop_assert_eq!(perfect.current_streak, days);
            prop_assert_eq!(perfect.window.rate(), Some(1.0));
        }
    }
}
