//! Routines as an RFC 5545 iCalendar document: one `VEVENT` with an `RRULE` per time
//! of day of each active routine with fixed days (a `times_per_week` routine has none
//! and is left out), a `VALARM` for its reminder, and a `VTIMEZONE` for every zone
//! used, built from the time zone database's transitions around the routines' dates.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use waymark_domain::routines::{Pattern, Routine};
use waymark_domain::time::Instant;

/// How long an event is shown for: a routine has a time, not a length.
const EVENT_LENGTH: &str = "PT15M";

/// Years of time zone transitions written before the earliest and after the latest
/// date in use.
const TRANSITION_YEARS_AROUND: i32 = 1;

/// How far apart the offset is sampled when looking for changes (no zone changes
/// twice within six hours).
const STEP_MINUTES: i64 = 360;

/// Years of time zone transitions written around today, at most.
const TRANSITION_YEARS: i32 = 10;

/// Whether a calendar carries routines' notes (`DESCRIPTION`): the authenticated one
/// does; the secret address, which anyone holding it can read, shows titles and times
/// only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notes {
    /// Include notes.
    Included,
    /// Leave them out.
    Left,
}

/// The calendar of `routines` (only active ones with fixed days appear).
#[must_use]
pub fn calendar(routines: &[Routine], now: Instant, notes: Notes) -> String {
    let included: Vec<&Routine> = routines
        .iter()
        .filter(|routine| {
            routine.active && !matches!(routine.schedule.pattern(), Pattern::TimesPerWeek(_))
        })
        .collect();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Waymark//Routines//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "X-WR-CALNAME:Routines".to_owned(),
    ];
    let zones: BTreeSet<&'static str> =
        included.iter().map(|routine| routine.schedule.time_zone().name()).collect();
    let today = now.date_naive();
    for name in zones {
        let in_zone = included.iter().filter(|routine| routine.schedule.time_zone().name() == name);
        let first = in_zone
            .clone()
            .map(|routine| routine.schedule.starts_on())
            .min()
            .unwrap_or(today)
            .min(today);
        let last = in_zone
            .filter_map(|routine| routine.schedule.ends_on())
            .max()
            .unwrap_or(today)
            .max(today);
        if let Ok(zone) = name.parse::<Tz>() {
            let this_year = today.year();
            let from = first.year().max(this_year - TRANSITION_YEARS);
            let until = (last.year() + 1).clamp(this_year, this_year + TRANSITION_YEARS);
            lines.extend(vtimezone(zone, from, until));
        }
    }
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for routine in included {
        // DTSTART is itself the first occurrence (RFC 5545), so it must be a due day.
        let (Some(rrule), Some(first_day)) =
            (routine.schedule.rrule(), routine.schedule.first_due_day())
        else {
            continue;
        };
        if routine.schedule.ends_on().is_some_and(|ends_on| first_day > ends_on) {
            continue;
        }
        let zone = routine.schedule.time_zone().name();
        for time in routine.schedule.times() {
            let start = first_day.and_time(*time);
            lines.push("BEGIN:VEVENT".to_owned());
            lines.push(format!("UID:{}-{}@waymark", routine.id, time.format("%H%M")));
            lines.push(format!("DTSTAMP:{stamp}"));
            lines.push(format!("LAST-MODIFIED:{}", routine.updated_at.format("%Y%m%dT%H%M%SZ")));
            lines.push(format!("DTSTART;TZID={zone}:{}", start.format("%Y%m%dT%H%M%S")));
            lines.push(format!("DURATION:{EVENT_LENGTH}"));
            lines.push(format!("RRULE:{rrule}"));
            lines.push(format!("SUMMARY:{}", escape(routine.title.as_str())));
            if notes == Notes::Included && !routine.notes.as_str().is_empty() {
                lines.push(format!("DESCRIPTION:{}", escape(routine.notes.as_str())));
            }
            lines.push(format!("CATEGORIES:{}", escape(routine.category.as_str())));
            if let Some(minutes) = routine.reminder_minutes_before {
                lines.push("BEGIN:VALARM".to_owned());
                lines.push("ACTION:DISPLAY".to_owned());
                lines.push(format!("DESCRIPTION:{}", escape(routine.title.as_str())));
                lines.push(format!("TRIGGER:-PT{minutes}M"));
                lines.push("END:VALARM".to_owned());
            }
            lines.push("END:VEVENT".to_owned());
        }
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut document = String::new();
    for line in lines {
        fold_into(&mut document, &line);
    }
    document
}

/// A `VTIMEZONE` with one observance per offset change in the years `from` to
/// `until` (both included), and the offset in force before them.
fn vtimezone(zone: Tz, from: i32, until: i32) -> Vec<String> {
    let first_year = from - TRANSITION_YEARS_AROUND;
    let start = NaiveDate::from_ymd_opt(first_year, 1, 1)
        .unwrap_or_default()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(until + TRANSITION_YEARS_AROUND, 12, 31)
        .unwrap_or_default()
        .and_hms_opt(23, 0, 0)
        .unwrap_or_default();
    let offset_at = |utc: NaiveDateTime| zone.offset_from_utc_datetime(&utc);
    let mut lines = vec!["BEGIN:VTIMEZONE".to_owned(), format!("TZID:{}", zone.name())];
    let initial = offset_at(start);
    lines.extend(observance(
        &initial,
        initial.fix().local_minus_utc(),
        start + Duration::seconds(i64::from(initial.fix().local_minus_utc())),
    ));
    let mut previous = start;
    let mut cursor = start + Duration::minutes(STEP_MINUTES);
    while cursor <= end {
        if offset_at(cursor).fix() != offset_at(previous).fix() {
            // Narrow the change down to the whole minute it happens at.
            let (mut low, mut high) = (0_i64, STEP_MINUTES);
            while high - low > 1 {
                let middle = (low + high) / 2;
                if offset_at(previous + Duration::minutes(middle)).fix()
                    == offset_at(previous).fix()
                {
                    low = middle;
                } else {
                    high = middle;
                }
            }
            let (before, after) =
                (previous + Duration::minutes(low), previous + Duration::minutes(high));
            let from_offset = offset_at(before).fix().local_minus_utc();
            let new = offset_at(after);
            // DTSTART of an observance is the local time just before the change.
            lines.extend(observance(
                &new,
                from_offset,
                after + Duration::seconds(i64::from(from_offset)),
            ));
        }
        previous = cursor;
        cursor += Duration::minutes(STEP_MINUTES);
    }
    lines.push("END:VTIMEZONE".to_owned());
    lines
}

fn observance(
    offset: &chrono_tz::TzOffset,
    from_seconds: i32,
    local_start: NaiveDateTime,
) -> Vec<String> {
    let kind = if offset.dst_offset().is_zero() { "STANDARD" } else { "DAYLIGHT" };
    let mut lines = vec![
        format!("BEGIN:{kind}"),
        format!("DTSTART:{}", local_start.format("%Y%m%dT%H%M%S")),
        format!("TZOFFSETFROM:{}", utc_offset(from_seconds)),
        format!("TZOFFSETTO:{}", utc_offset(offset.fix().local_minus_utc())),
    ];
    if let Some(name) = offset.abbreviation().filter(|name| !name.starts_with(['+', '-'])) {
        lines.push(format!("TZNAME:{}", escape(name)));
    }
    lines.push(format!("END:{kind}"));
    lines
}

/// `+HHMM` (or `+HHMMSS` for the rare offsets with seconds).
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    let (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if rest == 0 {
        format!("{sign}{hours:02}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{minutes:02}{rest:02}")
    }
}

/// TEXT escaping (RFC 5545 section 3.3.11).
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// Appends `line` folded at 75 octets without splitting a character, with CRLF.
fn fold_into(document: &mut String, line: &str) {
    let mut width = 0;
    for character in line.chars() {
        let size = character.len_utf8();
        if width + size > 75 {
            document.push_str("\r\n ");
            width = 1;
        }
        document.push(character);
        width += size;
    }
    let _ = write!(document, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut document = String::new();
        fold_into(&mut document, &format!("SUMMARY:{}", "é".repeat(60)));
        for line in document.split("\r\n").filter(|line| !line.is_empty()) {
            assert!(line.len() <= 75, "{line}");
        }
        let unfolded = document.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(60)));
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn london_has_its_two_changes_a_year() {
        let lines = vtimezone("Europe/London".parse().unwrap_or(Tz::UTC), 2027, 2027);
        assert!(lines.contains(&"DTSTART:20270328T010000".to_owned()), "{lines:?}");
        assert!(lines.contains(&"DTSTART:20271031T020000".to_owned()), "{lines:?}");
        assert!(lines.contains(&"TZNAME:BST".to_owned()));
        let utc = vtimezone(Tz::UTC, 2027, 2027);
        assert_eq!(utc.iter().filter(|line| line.starts_with("BEGIN:STANDARD")).count(), 1);
    }
}
