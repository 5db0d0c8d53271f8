//! A service as an editor wrote it (JSON or `services.yaml`), checked field by field,
//! every problem named by its JSON pointer.

use chrono::{NaiveDate, NaiveTime};

use super::article::Slug;
use super::service::{
    Area, Cost, Eligibility, Location, OpeningHours, OpeningPeriod, ServiceDescription,
    ServiceDetails, ServiceKind, ServiceName, weekday_named,
};
use crate::contacts::draft::channels;
use crate::contacts::{ChannelDraft, PhoneRegion};
use crate::identity::{Locale, TimeZoneName};
use crate::validation::{Problem, Problems};

/// One opening period as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodDraft {
    /// `mon` to `sun`.
    pub days: Vec<String>,
    /// `HH:MM`.
    pub opens: String,
    /// `HH:MM`; at or before `opens` means past midnight.
    pub closes: String,
}

/// Opening hours as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HoursDraft {
    /// An IANA zone.
    pub time_zone: String,
    /// Open all day, every day.
    pub always_open: bool,
    /// Otherwise, when.
    pub periods: Vec<PeriodDraft>,
}

/// A service as written; absent optional fields take their defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceDraft {
    /// Its stable address.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// What it offers.
    pub description: Option<String>,
    /// How to reach it (up to 10).
    pub channels: Vec<ChannelDraft>,
    /// When it is open.
    pub opening_hours: Option<HoursDraft>,
    /// Where it serves.
    pub area: Option<String>,
    /// Latitude and longitude.
    pub location: Option<(f64, f64)>,
    /// Whether it is only online.
    pub online_only: bool,
    /// `free` (default), `low_cost` or `paid`.
    pub cost: Option<String>,
    /// BCP 47 tags (default `en`).
    pub languages: Vec<String>,
    /// Who it is for.
    pub eligibility: Option<String>,
    /// When its details were last checked.
    pub last_verified: Option<NaiveDate>,
    /// Whether it is a crisis line.
    pub crisis_line: bool,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
}

fn local_time(text: &str) -> Option<NaiveTime> {
    (text.len() == 5).then(|| NaiveTime::parse_from_str(text, "%H:%M").ok()).flatten()
}

fn hours(draft: &HoursDraft, problems: &mut Problems) -> Option<OpeningHours> {
    let before = problems.len();
    let time_zone =
        problems.check("/opening_hours/time_zone", TimeZoneName::parse(&draft.time_zone));
    if draft.always_open && !draft.periods.is_empty() {
        problems.add("/opening_hours/periods", "must be empty when always_open is true");
    }
    if !draft.always_open && draft.periods.is_empty() {
        problems.add(
            "/opening_hours/periods",
            "must list at least one period unless always_open is true",
        );
    }
    if draft.periods.len() > 21 {
        problems.add("/opening_hours/periods", "must have at most 21 periods");
    }
    let mut periods = Vec::with_capacity(draft.periods.len());
    for (index, period) in draft.periods.iter().enumerate() {
        let pointer = |field: &str| format!("/opening_hours/periods/{index}/{field}");
        let mut days = Vec::new();
        for (day_index, day) in period.days.iter().enumerate() {
            match weekday_named(day) {
                Some(weekday) if !days.contains(&weekday) => days.push(weekday),
                Some(_) => problems.add(&pointer(&format!("days/{day_index}")), "is given twice"),
                None => problems.add(
                    &pointer(&format!("days/{day_index}")),
                    "must be one of mon, tue, wed, thu, fri, sat, sun",
                ),
            }
        }
        if period.days.is_empty() {
            problems.add(&pointer("days"), "must name at least one day");
        }
        let opens = local_time(&period.opens);
        let closes = local_time(&period.closes);
        if opens.is_none() {
            problems.add(&pointer("opens"), "must be a time of day as HH:MM");
        }
        if closes.is_none() {
            problems.add(&pointer("closes"), "must be a time of day as HH:MM");
        }
        if let (Some(opens), Some(closes)) = (opens, closes) {
            periods.push(OpeningPeriod { days, opens, closes });
        }
    }
    let time_zone = time_zone?;
    (problems.len() == before).then_some(OpeningHours {
        time_zone,
        always_open: draft.always_open,
        periods,
    })
}

impl ServiceDraft {
    /// Checks every field.
    ///
    /// # Errors
    /// Every problem found, each at its pointer.
    pub fn check(&self) -> Result<(Slug, ServiceDetails), Vec<Problem>> {
        let mut problems = Problems::default();
        let slug = problems.check("/slug", Slug::parse(&self.slug));
        let name = problems.check("/name", ServiceName::parse(&self.name));
        let kind = problems.check("/kind", self.kind.parse::<ServiceKind>());
        let description = problems.check(
            "/description",
            ServiceDescription::parse(self.description.as_deref().unwrap_or_default()),
        );
        let country = match &self.country {
            None => Some(None),
            Some(code) => {
                let upper = code.to_ascii_uppercase();
                let region = Locale::parse(&format!("en-{upper}"))
                    .ok()
                    .map(|locale| PhoneRegion::of(&locale));
                match region {
                    Some(region) if upper.len() == 2 && region.code() == upper => Some(Some(upper)),
                    _ => {
                        problems.add("/country", "must be an ISO 3166 alpha-2 code such as GB");
                        None
                    }
                }
            }
        };
        let region_locale =
            Locale::parse(&format!("en-{}", self.country.as_deref().unwrap_or("GB")))
                .unwrap_or_else(|_| Locale::default_locale());
        let channels = channels(&self.channels, PhoneRegion::of(&region_locale), &mut problems);
        let opening_hours = match &self.opening_hours {
            None => Some(None),
            Some(draft) => hours(draft, &mut problems).map(Some),
        };
        let area = problems.check("/area", Area::parse(self.area.as_deref().unwrap_or_default()));
        let location = match self.location {
            None => Some(None),
            Some((lat, lon)) => match Location::new(lat, lon) {
                Some(location) => Some(Some(location)),
                None => {
                    problems.add("/location", "lat must be -90 to 90 and lon -180 to 180");
                    None
                }
            },
        };
        let cost = problems.check("/cost", self.cost.as_deref().unwrap_or("free").parse::<Cost>());
        let mut languages = Vec::new();
        if self.languages.len() > 20 {
            problems.add("/languages", "must have at most 20 languages");
        }
        for (index, language) in self.languages.iter().enumerate() {
            if let Some(locale) =
                problems.check(&format!("/languages/{index}"), Locale::parse(language))
            {
                languages.push(locale);
            }
        }
        if self.languages.is_empty() {
            languages.push(Locale::parse("en").unwrap_or_else(|_| Locale::default_locale()));
        }
        let eligibility = problems.check(
            "/eligibility",
            Eligibility::parse(self.eligibility.as_deref().unwrap_or_default()),
        );
        let (
            Some(slug),
            Some(name),
            Some(kind),
            Some(description),
            Some(country),
            Some(channels),
            Some(opening_hours),
            Some(area),
            Some(location),
            Some(cost),
            Some(eligibility),
            true,
        ) = (
            slug,
            name,
            kind,
            description,
            country,
            channels,
            opening_hours,
            area,
            location,
            cost,
            eligibility,
            problems.is_empty(),
        )
        else {
            return Err(problems.into_vec());
        };
        Ok((
            slug,
            ServiceDetails {
                name,
                kind,
                description,
                channels,
                opening_hours,
                area,
                location,
                online_only: self.online_only,
                cost,
                languages,
                eligibility,
                last_verified: self.last_verified,
                crisis_line: self.crisis_line,
                country,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_helpline_checks_and_problems_have_pointers() {
        let good = ServiceDraft {
            slug: "samaritans".to_owned(),
            name: "Samaritans".to_owned(),
            kind: "helpline".to_owned(),
            channels: vec![ChannelDraft {
                kind: "phone".to_owned(),
                value: "116 123".to_owned(),
                label: None,
                preferred: true,
            }],
            opening_hours: Some(HoursDraft {
                time_zone: "Europe/London".to_owned(),
                always_open: true,
                periods: Vec::new(),
            }),
            crisis_line: true,
            country: Some("gb".to_owned()),
            ..ServiceDraft::default()
        };
        let (_, details) = good.check().unwrap();
        assert_eq!(details.country.as_deref(), Some("GB"));
        assert_eq!(details.channels[0].value, "116123");
        let bad = ServiceDraft {
            kind: "pub".to_owned(),
            location: Some((100.0, 0.0)),
            opening_hours: Some(HoursDraft {
                time_zone: "Mars/Base".to_owned(),
                always_open: false,
                periods: vec![PeriodDraft {
                    days: vec!["fri".to_owned(), "funday".to_owned()],
                    opens: "9am".to_owned(),
                    closes: "17:00".to_owned(),
                }],
            }),
            country: Some("XX".to_owned()),
            ..good
        };
        let pointers: Vec<String> =
            bad.check().unwrap_err().into_iter().map(|problem| problem.pointer).collect();
        assert_eq!(
            pointers,
            [
                "/kind",
                "/country",
                "/opening_hours/time_zone",
                "/opening_hours/periods/0/days/1",
                "/opening_hours/periods/0/opens",
                "/location"
            ]
        );
    }
}
