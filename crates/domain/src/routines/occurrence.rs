//! Which occurrence of a routine a check-in is for, and whether it is a real one.

use chrono::{NaiveDate, NaiveTime};

use super::routine::{OccurrenceKey, Routine, RoutineCheckIn, RoutineId};
use super::schedule::{Occurrence, Pattern, iso_week};
use super::stats::Paused;
use crate::validation::Problems;

/// A time of day written `HH:MM`, exactly five characters.
#[must_use]
pub fn clock_time(text: &str) -> Option<NaiveTime> {
    (text.len() == 5).then(|| NaiveTime::parse_from_str(text, "%H:%M").ok()).flatten()
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
            problems.add("/occurrence", "the routine is paused, so it has no occurrences");
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
                problems
                    .add("/occurrence/time", "must be absent: this routine has no times of day");
                return None;
            }
            (None, false) => {
                problems.add("/occurrence/time", "is required: name one of the routine's times");
                return None;
            }
            (Some(text), false) => match clock_time(text) {
                Some(time) if self.schedule.times().contains(&time) => {
                    OccurrenceKey { date, time: Some(time) }
                }
                _ => {
                    problems.add("/occurrence/time", "is not one of the routine's times (HH:MM)");
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
            pauses.iter().any(|(id, paused)| *id == self.id && paused.covers(date))
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
    use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};

    use super::clock_time;
    use crate::goals::GoalId;
    use crate::identity::{AccountId, TimeZoneName};
    use crate::routines::routine::{
        Category, CheckInStatus, OccurrenceKey, Routine, RoutineCheckIn, RoutineCheckInId,
        RoutineCheckInNote, RoutineId, RoutineNotes, RoutineTitle,
    };
    use crate::routines::schedule::{Pattern, Schedule};
    use crate::routines::stats::Paused;
    use crate::validation::Problems;

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    fn routine(pattern: Pattern, times: &[&str]) -> Routine {
        let times: Vec<NaiveTime> = times.iter().map(|text| clock_time(text).unwrap()).collect();
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        Routine {
            id: RoutineId(uuid::Uuid::nil()),
            owner: AccountId(uuid::Uuid::nil()),
            title: RoutineTitle::parse("Walk").unwrap(),
            category: Category::Exercise,
            notes: RoutineNotes::parse("").unwrap(),
            goal_id: None::<GoalId>,
            active: true,
            reminder_minutes_before: None,
            schedule: Schedule::new(pattern, &times, date(1), None, TimeZoneName::default_zone())
                .unwrap(),
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    fn check_in(routine: &Routine, day: u32) -> RoutineCheckIn {
        let at = Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap();
        RoutineCheckIn {
            id: RoutineCheckInId(crate::id::new_id()),
            routine_id: routine.id,
            occurrence: OccurrenceKey { date: date(day), time: None },
            status: CheckInStatus::Done,
            note: RoutineCheckInNote::parse("").unwrap(),
            feeling: None,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    /// The occurrence a check-in names, or the pointers of its problems.
    fn judged(
        routine: &Routine,
        day: u32,
        time: Option<&str>,
        pauses: &[Paused],
    ) -> Result<OccurrenceKey, Vec<String>> {
        let mut problems = Problems::default();
        routine
            .occurrence(date(day), time, date(20), pauses, &mut problems)
            .ok_or_else(|| problems.into_vec().into_iter().map(|problem| problem.pointer).collect())
    }

    #[test]
    fn clock_times_are_read_strictly() {
        assert_eq!(clock_time("07:30"), NaiveTime::from_hms_opt(7, 30, 0));
        for loose in ["7:30", "07:30:00", "24:00", "07-30", ""] {
            assert_eq!(clock_time(loose), None, "{loose}");
        }
    }

    #[test]
    fn a_real_occurrence_is_due_that_day_not_in_the_future_and_at_one_of_its_times() {
        let daily = routine(Pattern::Daily, &["08:00"]);
        let at_eight = Ok(OccurrenceKey { date: date(5), time: clock_time("08:00") });
        assert_eq!(judged(&daily, 5, Some("08:00"), &[]), at_eight);
        assert_eq!(
            judged(&daily, 21, Some("08:00"), &[]),
            Err(vec!["/occurrence/date".to_owned()])
        );
        assert_eq!(judged(&daily, 5, Some("09:00"), &[]), Err(vec!["/occurrence/time".to_owned()]));
        assert_eq!(judged(&daily, 5, None, &[]), Err(vec!["/occurrence/time".to_owned()]));
    }

    #[test]
    fn a_paused_day_or_a_paused_routine_has_no_occurrence() {
        let mut daily = routine(Pattern::Daily, &["08:00"]);
        let paused = [Paused { from: date(4), until: Some(date(6)) }];
        assert_eq!(
            judged(&daily, 5, Some("08:00"), &paused),
            Err(vec!["/occurrence/date".to_owned()])
        );
        assert!(judged(&daily, 6, Some("08:00"), &paused).is_ok());
        daily.active = false;
        assert_eq!(judged(&daily, 6, Some("08:00"), &[]), Err(vec!["/occurrence".to_owned()]));
        assert!(daily.planned(date(1), date(7), &[]).is_empty());
    }

    #[test]
    fn planned_occurrences_skip_the_days_the_routine_was_paused() {
        let daily = routine(Pattern::Daily, &["08:00"]);
        let pauses = [(daily.id, Paused { from: date(4), until: Some(date(6)) })];
        let days: Vec<NaiveDate> = daily
            .planned(date(1), date(7), &pauses)
            .iter()
            .map(|occurrence| occurrence.date)
            .collect();
        assert_eq!(days, vec![date(1), date(2), date(3), date(6), date(7)]);
    }

    #[test]
    fn a_times_per_week_routine_counts_its_own_check_ins_in_the_iso_week() {
        let thrice = routine(Pattern::TimesPerWeek(3), &[]);
        assert_eq!(thrice.week_limit(), Some(3));
        assert_eq!(judged(&thrice, 5, None, &[]), Ok(OccurrenceKey { date: date(5), time: None }));
        assert_eq!(
            judged(&thrice, 5, Some("08:00"), &[]),
            Err(vec!["/occurrence/time".to_owned()])
        );
        // 2026-03-02 is a Monday: the 2nd and 4th share a week, the 9th starts the next.
        let check_ins = [check_in(&thrice, 2), check_in(&thrice, 4), check_in(&thrice, 9)];
        assert_eq!(thrice.week_progress(date(8), &check_ins), Some((3, 2)));
        assert_eq!(routine(Pattern::Daily, &["08:00"]).week_progress(date(8), &check_ins), None);
    }
}
