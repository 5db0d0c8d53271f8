//! Instants. Waymark stores every instant in UTC at microsecond precision: PostgreSQL
//! keeps microseconds and SQLite would keep nanoseconds, so truncating here makes both
//! backends return identical JSON, ETags and cursors.

use chrono::{DateTime, SubsecRound, Utc};

/// An instant in UTC, truncated to whole microseconds.
pub type Instant = DateTime<Utc>;

/// The current instant, truncated to microseconds.
#[must_use]
pub fn now() -> Instant {
    truncate(Utc::now())
}

/// Drops any precision finer than a microsecond.
#[must_use]
pub fn truncate(instant: Instant) -> Instant {
    instant.trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike};

    #[test]
    fn truncate_drops_nanoseconds_but_keeps_microseconds() {
        let precise = Utc
            .with_ymd_and_hms(2026, 11, 25, 13, 0, 0)
            .single()
            .and_then(|instant| instant.with_nanosecond(123_456_789))
            .expect("a valid fixed instant");
        assert_eq!(truncate(precise).nanosecond(), 123_456_000);
    }

    #[test]
    fn now_has_no_sub_microsecond_part() {
        assert_eq!(now().nanosecond() % 1_000, 0);
    }
}
