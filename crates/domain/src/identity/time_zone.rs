//! IANA time zone names, checked against the bundled time zone database.

use std::fmt;
use std::str::FromStr;

/// The zone new accounts get when they name none.
pub const DEFAULT_TIME_ZONE: &str = "Europe/London";

/// The longest time zone name accepted: well beyond the longest in the database.
pub const MAX_TIME_ZONE_LENGTH: usize = 64;

/// A known IANA time zone, such as `Europe/London`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZoneName(chrono_tz::Tz);

/// Why a time zone name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an IANA time zone name such as Europe/London")]
pub struct UnknownTimeZone;

impl TimeZoneName {
    /// Looks `raw` up in the time zone database.
    ///
    /// # Errors
    /// [`UnknownTimeZone`] when the database has no such zone.
    pub fn parse(raw: &str) -> Result<Self, UnknownTimeZone> {
        chrono_tz::Tz::from_str(raw.trim()).map(Self).map_err(|_| UnknownTimeZone)
    }

    /// `Europe/London`.
    #[must_use]
    pub fn default_zone() -> Self {
        Self(chrono_tz::Europe::London)
    }

    /// The canonical name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The calendar date here at `instant`.
    #[must_use]
    pub fn date_at(self, instant: crate::time::Instant) -> chrono::NaiveDate {
        instant.with_timezone(&self.0).date_naive()
    }

    /// The zone, for calendar arithmetic.
    #[must_use]
    pub fn zone(&self) -> chrono_tz::Tz {
        self.0
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_zone_name_fits_the_documented_length() {
        let longest = chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name().len()).max();
        assert!(longest.is_some_and(|length| length <= MAX_TIME_ZONE_LENGTH), "{longest:?}");
    }

    #[test]
    fn known_zones_parse_and_unknown_ones_do_not() {
        assert_eq!(
            TimeZoneName::parse("Europe/London").map(|zone| zone.name()),
            Ok("Europe/London")
        );
        assert_eq!(
            TimeZoneName::parse("America/New_York").map(|zone| zone.name()),
            Ok("America/New_York")
        );
        assert_eq!(TimeZoneName::parse("Mars/Olympus_Mons"), Err(UnknownTimeZone));
        assert_eq!(TimeZoneName::parse(""), Err(UnknownTimeZone));
        assert_eq!(TimeZoneName::default_zone().name(), DEFAULT_TIME_ZONE);
    }
}
