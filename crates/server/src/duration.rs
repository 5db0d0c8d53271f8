//! Durations as people write them in settings: `250ms`, `5s`, `2m`, `12h`, `30d`, or
//! plain seconds.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A duration that parses from and prints as `250ms`, `5s` or `2m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    /// Whole seconds.
    #[must_use]
    pub const fn secs(seconds: u64) -> Self {
        Self(Duration::from_secs(seconds))
    }

    /// Milliseconds.
    #[must_use]
    pub const fn millis(milliseconds: u64) -> Self {
        Self(Duration::from_millis(milliseconds))
    }
}

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let split = text.find(|character: char| !character.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: u64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not a duration such as 500ms, 5s or 2m"))?;
        let duration = match unit.trim() {
            "ms" => Duration::from_millis(number),
            "" | "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number.saturating_mul(60)),
            "h" => Duration::from_secs(number.saturating_mul(3_600)),
            "d" => Duration::from_secs(number.saturating_mul(86_400)),
            other => {
                return Err(format!("unknown duration unit `{other}`; use ms, s, m, h or d"));
            }
        };
        Ok(Self(duration))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        if millis.is_multiple_of(86_400_000) && millis > 0 {
            write!(formatter, "{}d", millis / 86_400_000)
        } else if millis.is_multiple_of(3_600_000) && millis > 0 {
            write!(formatter, "{}h", millis / 3_600_000)
        } else if millis.is_multiple_of(60_000) && millis > 0 {
            write!(formatter, "{}m", millis / 60_000)
        } else if millis.is_multiple_of(1_000) {
            write!(formatter, "{}s", millis / 1_000)
        } else {
            write!(formatter, "{millis}ms")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_bare_seconds() {
        assert_eq!("250ms".parse(), Ok(HumanDuration::millis(250)));
        assert_eq!("5s".parse(), Ok(HumanDuration::secs(5)));
        assert_eq!("7".parse(), Ok(HumanDuration::secs(7)));
        assert_eq!("2m".parse(), Ok(HumanDuration::secs(120)));
    }

    #[test]
    fn rejects_nonsense() {
        assert!("soon".parse::<HumanDuration>().is_err());
        assert!("5y".parse::<HumanDuration>().is_err());
        assert!("-1s".parse::<HumanDuration>().is_err());
    }

    #[test]
    fn prints_what_it_parses() {
        for text in ["250ms", "5s", "2m", "12h", "30d"] {
            assert_eq!(text.parse::<HumanDuration>().map(|d| d.to_string()), Ok(text.to_owned()));
        }
    }
}
