//! Timestamps on the wire: RFC 3339 in UTC with `Z`, with fractional seconds only as
//! precise as the value needs. The text is exactly what chrono's own `Serialize`
//! gives; this writes it in one piece, where chrono's goes a character at a time
//! through the JSON escaper (a tenth of a goal list's serving time).

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::Serializer;

/// `#[serde(serialize_with = "crate::wire::time::instant")]`
pub(crate) fn instant<S: Serializer>(
    value: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut buffer = [0_u8; 30];
    match write_rfc3339(value, &mut buffer) {
        Some(text) => serializer.serialize_str(text),
        // Years outside 0000-9999 and leap seconds: chrono knows how.
        None => serializer.serialize_str(&value.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z` into `buffer`, or `None` when the value
/// needs more than that.
fn write_rfc3339<'b>(value: &DateTime<Utc>, buffer: &'b mut [u8; 30]) -> Option<&'b str> {
    let year = u32::try_from(value.year()).ok().filter(|year| *year <= 9999)?;
    let nanos = value.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let (fraction, digits) = if nanos == 0 {
        (0, 0)
    } else if nanos.is_multiple_of(1_000_000) {
        (nanos / 1_000_000, 3)
    } else if nanos.is_multiple_of(1_000) {
        (nanos / 1_000, 6)
    } else {
        (nanos, 9)
    };
    let mut length = 0;
    let mut put = |number: u32, width: usize, after: Option<u8>| {
        for position in (0..width).rev() {
            let digit = (number / 10_u32.pow(u32::try_from(position).unwrap_or(0))) % 10;
            buffer[length] = b'0' + u8::try_from(digit).unwrap_or(0);
            length += 1;
        }
        if let Some(separator) = after {
            buffer[length] = separator;
            length += 1;
        }
    };
    put(year, 4, Some(b'-'));
    put(value.month(), 2, Some(b'-'));
    put(value.day(), 2, Some(b'T'));
    put(value.hour(), 2, Some(b':'));
    put(value.minute(), 2, Some(b':'));
    if digits == 0 {
        put(value.second(), 2, Some(b'Z'));
    } else {
        put(value.second(), 2, Some(b'.'));
        put(fraction, digits, Some(b'Z'));
    }
    std::str::from_utf8(&buffer[..length]).ok()
}

/// `#[serde(serialize_with = "crate::wire::time::optional_instant")]`
pub(crate) fn optional_instant<S: Serializer>(
    value: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => instant(value, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Fast {
        #[serde(serialize_with = "instant")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "optional_instant")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chrono {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    #[test]
    fn writes_exactly_what_chrono_writes() {
        let days =
            [(2026, 3, 29), (1, 1, 1), (9999, 12, 31), (12_345, 6, 7)].map(|(year, month, day)| {
                NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
            });
        let nanos =
            [0, 1, 999, 1_000, 123_000, 120_000_000, 500_000_000, 999_999_999, 1_500_000_000];
        for day in days {
            for (hour, minute, second) in [(0, 0, 0), (9, 5, 7), (23, 59, 59)] {
                for nanos in nanos {
                    let Some(time) = day.and_hms_nano_opt(hour, minute, second, nanos) else {
                        continue;
                    };
                    let at = Utc.from_utc_datetime(&time);
                    for maybe in [None, Some(at)] {
                        let fast = serde_json::to_string(&Fast { at, maybe }).unwrap_or_default();
                        let chrono =
                            serde_json::to_string(&Chrono { at, maybe }).unwrap_or_default();
                        assert_eq!(fast, chrono, "{time}");
                    }
                }
            }
        }
    }
}
