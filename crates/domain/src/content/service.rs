//! The support-service directory: support groups, helplines, text lines, befriending,
//! recovery colleges and more, with how to reach them, when they are open (in their
//! own time zone) and where they are.

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use uuid::Uuid;

use super::article::{ArticleStatus, Slug};
use crate::contacts::Channel;
use crate::identity::{Locale, TimeZoneName};
use crate::time::Instant;
use crate::values::{bounded_text, wire_enum};

/// Names one service, for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(pub Uuid);

impl fmt::Display for ServiceId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

bounded_text!(
    /// A service's name: 1 to 200 characters.
    ServiceName, InvalidServiceName, 1, 200, "must be 1 to 200 characters, without control or invisible characters"
);
bounded_text!(
    /// What the service offers: up to 2000 characters.
    ServiceDescription, InvalidServiceDescription, 0, 2000, "must be at most 2000 characters, without control or invisible characters", paragraphs
);
bounded_text!(
    /// Where it serves, in words ("Leeds", "United Kingdom"): up to 200 characters.
    Area, InvalidArea, 0, 200, "must be at most 200 characters, without control or invisible characters"
);
bounded_text!(
    /// Who it is for: up to 1000 characters.
    Eligibility, InvalidEligibility, 0, 1000, "must be at most 1000 characters, without control or invisible characters", paragraphs
);

wire_enum!(
    /// What kind of service it is.
    ServiceKind, UnknownServiceKind,
    "must be one of support_group, helpline, text_line, befriending, recovery_college, advocacy, peer_support, charity, nhs_service",
    {
        SupportGroup => "support_group",
        Helpline => "helpline",
        TextLine => "text_line",
        Befriending => "befriending",
        RecoveryCollege => "recovery_college",
        Advocacy => "advocacy",
        PeerSupport => "peer_support",
        Charity => "charity",
        NhsService => "nhs_service",
    }
);

wire_enum!(
    /// What it costs.
    Cost, UnknownCost,
    "must be one of free, low_cost, paid",
    {
        Free => "free",
        LowCost => "low_cost",
        Paid => "paid",
    }
);

/// One stretch of opening: on `days`, from `opens` to `closes` local time; a
/// `closes` at or before `opens` runs past midnight into the next day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningPeriod {
    /// The days it starts on.
    pub days: Vec<Weekday>,
    /// When it opens.
    pub opens: NaiveTime,
    /// When it closes.
    pub closes: NaiveTime,
}

/// When a service is open, in its own time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    /// The zone its times are in.
    pub time_zone: TimeZoneName,
    /// Open all day, every day.
    pub always_open: bool,
    /// Otherwise, when.
    pub periods: Vec<OpeningPeriod>,
}

impl OpeningHours {
    /// Whether it is open at `at`, judged by the wall clock in its zone (so across a
    /// daylight-saving change, "09:00" is 09:00 local time on either side).
    #[must_use]
    pub fn is_open(&self, at: Instant) -> bool {
        if self.always_open {
            return true;
        }
        let local = at.with_timezone(&self.time_zone.zone()).naive_local();
        let today = local.weekday();
        let yesterday = today.pred();
        let time = local.time();
        self.periods.iter().any(|period| {
            let overnight = period.closes <= period.opens;
            let open_today = period.days.contains(&today)
                && time >= period.opens
                && (overnight || time < period.closes);
            let still_open_from_yesterday =
                overnight && period.days.contains(&yesterday) && time < period.closes;
            open_today || still_open_from_yesterday
        })
    }
}

/// A point on the Earth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    /// Latitude, -90 to 90.
    pub lat: f64,
    /// Longitude, -180 to 180.
    pub lon: f64,
}

/// The Earth's mean radius in kilometres.
const EARTH_RADIUS_KM: f64 = 6371.0;

impl Location {
    /// `(lat, lon)` if both are in range.
    #[must_use]
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
            .then_some(Self { lat, lon })
    }

    /// The great-circle distance to `other` (haversine), in kilometres.
    #[must_use]
    pub fn distance_km(self, other: Self) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let half_dlat = (other.lat - self.lat).to_radians() / 2.0;
        let half_dlon = (other.lon - self.lon).to_radians() / 2.0;
        let a = half_dlat.sin().powi(2) + lat1.cos() * lat2.cos() * half_dlon.sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }

    /// The latitude and longitude ranges that hold every point within `km`: a cheap
    /// prefilter for an index, to be followed by [`Location::distance_km`].
    #[must_use]
    pub fn bounding_box(self, km: f64) -> BoundingBox {
        let lat_delta = (km / EARTH_RADIUS_KM).to_degrees();
        let lat_range = ((self.lat - lat_delta).max(-90.0), (self.lat + lat_delta).min(90.0));
        let widest_lat = lat_range.0.abs().max(lat_range.1.abs());
        if widest_lat >= 89.0 {
            return BoundingBox { latitudes: lat_range, longitudes: None };
        }
        let lon_delta = lat_delta / widest_lat.to_radians().cos();
        let (west, east) = (self.lon - lon_delta, self.lon + lon_delta);
        BoundingBox {
            latitudes: lat_range,
            longitudes: (west >= -180.0 && east <= 180.0).then_some((west, east)),
        }
    }
}

/// Latitude and longitude ranges around a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    /// South to north.
    pub latitudes: (f64, f64),
    /// West to east; `None` near the poles or across the antimeridian.
    pub longitudes: Option<(f64, f64)>,
}

/// What an editor writes about a service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDetails {
    /// Its name.
    pub name: ServiceName,
    /// Its kind.
    pub kind: ServiceKind,
    /// What it offers.
    pub description: ServiceDescription,
    /// How to reach it.
    pub channels: Vec<Channel>,
    /// When it is open; `None` when not known.
    pub opening_hours: Option<OpeningHours>,
    /// Where it serves, in words.
    pub area: Area,
    /// Where it is, if it has a place.
    pub location: Option<Location>,
    /// Whether it is only online.
    pub online_only: bool,
    /// What it costs.
    pub cost: Cost,
    /// Languages it works in.
    pub languages: Vec<Locale>,
    /// Who it is for.
    pub eligibility: Eligibility,
    /// When its details were last checked.
    pub last_verified: Option<NaiveDate>,
    /// Whether it is a crisis line, shown in crisis views.
    pub crisis_line: bool,
    /// The country it serves (ISO 3166 alpha-2), for crisis views by locale.
    pub country: Option<String>,
}

/// A stored service.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Its id.
    pub id: ServiceId,
    /// Its stable address.
    pub slug: Slug,
    /// What the editors wrote.
    pub details: ServiceDetails,
    /// Draft, published or archived.
    pub status: ArticleStatus,
    /// When it was created.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Starts at 1, +1 with every change.
    pub version: i64,
}

impl Service {
    /// Whether this is a published crisis line for `locale`: its country is the
    /// locale's region (or it names none) and it works in the locale's language.
    #[must_use]
    pub fn is_crisis_line_for(&self, locale: &Locale) -> bool {
        let mut subtags = locale.as_str().split('-');
        let language = subtags.next().unwrap_or_default();
        let region = subtags.find(|subtag| subtag.len() == 2);
        let details = &self.details;
        self.status == ArticleStatus::Published
            && details.crisis_line
            && match (&details.country, region) {
                (Some(country), Some(region)) => country == region,
                _ => true,
            }
            && details
                .languages
                .iter()
                .any(|spoken| spoken.as_str().split('-').next().unwrap_or_default() == language)
    }
}

/// The most a `within_km` may be.
pub const MAX_WITHIN_KM: f64 = 200.0;

/// Days of the week by their wire names.
#[must_use]
pub fn weekday_named(name: &str) -> Option<Weekday> {
    crate::routines::schedule::parse_weekday(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hours(periods: Vec<OpeningPeriod>) -> OpeningHours {
        OpeningHours {
            time_zone: TimeZoneName::parse("Europe/London").unwrap(),
            always_open: false,
            periods,
        }
    }

    fn time(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    #[test]
    fn overnight_periods_run_into_the_next_day() {
        // Friday 19:00 to 02:00.
        let evenings = hours(vec![OpeningPeriod {
            days: vec![Weekday::Fri],
            opens: time("19:00"),
            closes: time("02:00"),
        }]);
        let at = |d, h, m| chrono::Utc.with_ymd_and_hms(2027, 1, d, h, m, 0).unwrap();
        assert!(!evenings.is_open(at(1, 18, 59)), "Friday before opening (GMT = UTC in January)");
        assert!(evenings.is_open(at(1, 23, 0)));
        assert!(evenings.is_open(at(2, 1, 59)), "Saturday small hours");
        assert!(!evenings.is_open(at(2, 2, 0)));
        assert!(!evenings.is_open(at(2, 19, 30)), "not Saturday evening");
    }

    #[test]
    fn local_wall_clock_rules_across_daylight_saving() {
        let weekdays = hours(vec![OpeningPeriod {
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ],
            opens: time("09:00"),
            closes: time("17:00"),
        }]);
        // Sat 28 March 2026 is GMT; Mon 30 March 2026 is BST (UTC+1).
        assert!(weekdays.is_open(chrono::Utc.with_ymd_and_hms(2026, 3, 28, 9, 0, 0).unwrap()));
        assert!(
            !weekdays.is_open(chrono::Utc.with_ymd_and_hms(2026, 3, 30, 7, 59, 0).unwrap()),
            "08:59 BST"
        );
        assert!(
            weekdays.is_open(chrono::Utc.with_ymd_and_hms(2026, 3, 30, 8, 0, 0).unwrap()),
            "09:00 BST"
        );
        assert!(
            !weekdays.is_open(chrono::Utc.with_ymd_and_hms(2026, 3, 30, 16, 0, 0).unwrap()),
            "17:00 BST"
        );
    }

    #[test]
    fn distances_and_boxes() {
        let leeds = Location::new(53.7997, -1.5492).unwrap();
        let york = Location::new(53.9590, -1.0815).unwrap();
        let km = leeds.distance_km(york);
        assert!((34.0..36.0).contains(&km), "{km}");
        let around = leeds.bounding_box(50.0);
        let (south, north) = around.latitudes;
        assert!(south < york.lat && york.lat < north);
        let (west, east) = around.longitudes.unwrap();
        assert!(west < york.lon && york.lon < east);
        assert!(Location::new(91.0, 0.0).is_none());
        assert_eq!(Location::new(0.0, 179.9).unwrap().bounding_box(50.0).longitudes, None);
    }
}
