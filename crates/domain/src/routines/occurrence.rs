//! Which occurrence of a routine a check-in is for, and whether it is a real one.

use chrono::{NaiveDate, NaiveTime};

use super::routine::{OccurrenceKey, Routine, RoutineCheckIn, RoutineId};
use super::schedule::{Occurrence, Pattern, iso_week};
use super::stats::Paused;
use crate::validation::Problems;

/// A time of day written `HH:MM`, exactly five characters.
#[must_use]
pub fn clock_time(text: &str) -> Option<NaiveTime> {
    (text.len() == 5)
        .then(|| NaiveTime::parse_from_str(text, "%H:%M").ok())
        .flatten()
}

impl Routine {
    /// The occurrence on `date` (at `time`, written `HH:MM`, for a routine with times
    /// of day), if it is a real one: the routine is active, the date is not after
    /// `today` in the routine's time zone, the routine is due that day and was not
    /// paused on it, and the time is one of its times (or absent for a routine
    /// without). Each problem is recorded under `/occurrence`.
    pub fn occurrence(
        &self,
        date: NaiveDate,
        time: Option<&str>,
        today: NaiveDate,
        pauses: &[Paused],
        problems: &mut Problems,
    ) -> Option<OccurrenceKey> {
        if !self.active {
            problems.add(
                "/occurrence",
                "the routine is paused, so it has no occurrences",
            );
            return None;
        }
        if date > today {
            problems.add("/occurrence/date", "is in the future");
            return None;
        }
        if !self.schedule.is_due_on(date) {
            problems.add("/occurrence/date", "is not a day this routine is due on");
            return None;
        }
        let timeless = matches!(self.schedule.pattern(), Pattern::TimesPerWeek(_));
        let key = match (time, timeless) {
            (None, true) => OccurrenceKey { date, time: None },
            (Some(_), true) => {
                problems.add(
                    "/occurrence/time",
                    "must be absent: this routine has no times of day",
                );
                return None;
            }
            (None, false) => {
                problems.add(
                    "/occurrence/time",
                    "is required: name one of the routine's times",
                );
                return None;
            }
            (Some(text), false) => match clock_time(text) {
                Some(time) if self.schedule.times().contains(&time) => OccurrenceKey {
                    date,
                    time: Some(time),
                },
                _ => {
                    problems.add(
                        "/occurrence/time",
                        "is not one of the routine's times (HH:MM)",
                    );
                    return None;
                }
            },
        };
        if pauses.iter().any(|paused| paused.covers(key.date)) {
            problems.add("/occurrence/date", "the routine was paused that day");
            return None;
        }
        Some(key)
    }

    /// The occurrences the routine has on the dates `from` to `to`: none while it is
    /// paused, and none on a day it was paused. `pauses` may hold other routines'.
    #[must_use]
    pub fn planned(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        pauses: &[(RoutineId, Paused)],
    ) -> Vec<Occurrence> {
        if !self.active {
            return Vec::new();
        }
        let paused_on = |date: NaiveDate| {
            pauses
                .iter()
                .any(|(id, paused)| *id == self.id && paused.covers(date))
        };
        self.schedule
            .occurrences(from, to)
            .into_iter()
            .filter(|occurrence| !paused_on(occurrence.date))
            .collect()
    }

    /// For a `times_per_week` routine, how far it is through the ISO week of `date`:
    /// its weekly count, and how many of `check_ins` (of any routine) are its own that
    /// week. `None` for other routines.
    #[must_use]
    pub fn week_progress(
        &self,
        date: NaiveDate,
        check_ins: &[RoutineCheckIn],
    ) -> Option<(u8, usize)> {
        let target = self.week_limit()?;
        let (monday, sunday) = iso_week(date);
        let checked_in = check_ins
            .iter()
            .filter(|check_in| {
                check_in.routine_id == self.id
                    && (monday..=sunday).contains(&check_in.occurrence.date)
            })
            .count();
        Some((target, checked_in))
    }

    /// How many check-ins an ISO week may hold: a `times_per_week` routine's count;
    /// other routines have no weekly limit (one check-in per occurrence).
    #[must_use]
    pub fn week_limit(&self) -> Option<u8> {
        match self.schedule.pattern() {
            Pattern::TimesPerWeek(count) => Some(count),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clock_time;

    #[test]
    fn clock_times_are_read_strictly() {
        assert_eq!(
            clock_time("07:30"),
            chrono::NaiveTime::from_hms_opt(7, 30, 0)
        );
        for loose in ["7:30", "07:30:00", "24:00", "07-30", ""] {
            assert_eq!(clock_time(loose), None, "{loose}");
        }
    }
}
