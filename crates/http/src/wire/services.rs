//! How services look on the wire, and how requests become domain drafts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::Input;
use waymark_application::services::ServiceEdit;
use waymark_domain::contacts::ChannelDraft;
use waymark_domain::content::service::{OpeningHours, Service, ServiceDetails};
use waymark_domain::content::service_draft::{HoursDraft, PeriodDraft, ServiceDraft};
use waymark_domain::content::{ArticleStatus, Slug};
use waymark_domain::routines::schedule::weekday_name;
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use crate::extract::Patch;
use crate::wire::channels::{ChannelBody, channel_drafts};
use crate::wire::names::{ArticleStatusName, WeekdayName};

/// What kind of service it is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ServiceKindName {
    SupportGroup,
    Helpline,
    TextLine,
    Befriending,
    RecoveryCollege,
    Advocacy,
    PeerSupport,
    Charity,
    NhsService,
}

/// What it costs.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CostName {
    Free,
    LowCost,
    Paid,
}

/// One stretch of opening, local time; `closes` at or before `opens` runs past
/// midnight.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PeriodBody {
    /// The days it starts on.
    #[schema(value_type = Vec<WeekdayName>, example = json!(["mon", "tue", "wed", "thu", "fri"]))]
    pub(crate) days: Vec<String>,
    /// `HH:MM`.
    #[schema(example = "09:00")]
    pub(crate) opens: String,
    /// `HH:MM`.
    #[schema(example = "17:00")]
    pub(crate) closes: String,
}

/// When a service is open, in its own time zone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HoursBody {
    /// An IANA time zone.
    #[schema(example = "Europe/London")]
    pub(crate) time_zone: String,
    /// Open all day, every day.
    #[serde(default)]
    pub(crate) always_open: bool,
    /// Otherwise, when (up to 21 periods).
    #[serde(default)]
    pub(crate) periods: Vec<PeriodBody>,
}

impl From<&OpeningHours> for HoursBody {
    fn from(hours: &OpeningHours) -> Self {
        Self {
            time_zone: hours.time_zone.name().to_owned(),
            always_open: hours.always_open,
            periods: hours
                .periods
                .iter()
                .map(|period| PeriodBody {
                    days: period.days.iter().map(|day| weekday_name(*day).to_owned()).collect(),
                    opens: period.opens.format("%H:%M").to_string(),
                    closes: period.closes.format("%H:%M").to_string(),
                })
                .collect(),
        }
    }
}

impl From<HoursBody> for HoursDraft {
    fn from(body: HoursBody) -> Self {
        Self {
            time_zone: body.time_zone,
            always_open: body.always_open,
            periods: body
                .periods
                .into_iter()
                .map(|period| PeriodDraft {
                    days: period.days,
                    opens: period.opens,
                    closes: period.closes,
                })
                .collect(),
        }
    }
}

/// A place.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocationBody {
    /// Latitude, -90 to 90.
    #[schema(example = 53.7997, minimum = -90, maximum = 90)]
    pub(crate) lat: f64,
    /// Longitude, -180 to 180.
    #[schema(example = -1.5492, minimum = -180, maximum = 180)]
    pub(crate) lon: f64,
}

/// A support service.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServiceResponse {
    /// Its id, stable for ever.
    id: uuid::Uuid,
    /// Its stable address.
    #[schema(example = "samaritans")]
    slug: String,
    /// Its name.
    name: String,
    /// Its kind.
    #[schema(value_type = ServiceKindName)]
    kind: &'static str,
    /// What it offers.
    description: String,
    /// How to reach it.
    channels: Vec<ChannelBody>,
    /// When it is open, in its time zone; `null` when not known.
    opening_hours: Option<HoursBody>,
    /// Whether it is open at the moment of the answer; `null` when its hours are not
    /// known.
    open_now: Option<bool>,
    /// Where it serves, in words.
    area: String,
    /// Where it is, if it has a place.
    location: Option<LocationBody>,
    /// Whether it is only online.
    online_only: bool,
    /// What it costs.
    #[schema(value_type = CostName)]
    cost: &'static str,
    /// Languages it works in (BCP 47).
    languages: Vec<String>,
    /// Who it is for.
    eligibility: String,
    /// When its details were last checked.
    #[schema(value_type = Option<String>, format = Date)]
    last_verified: Option<NaiveDate>,
    /// Whether it is a crisis line.
    crisis_line: bool,
    /// The country it serves (ISO 3166 alpha-2).
    country: Option<String>,
    /// Draft, published or archived.
    #[schema(value_type = ArticleStatusName)]
    status: &'static str,
    /// With `near`: how far away it is, in kilometres.
    #[serde(skip_serializing_if = "Option::is_none")]
    distance_km: Option<f64>,
    /// When it was created.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1, +1 with every change; editors send it in `If-Match`.
    version: i64,
}

impl ServiceResponse {
    pub(crate) fn new(service: &Service, now: DateTime<Utc>, distance_km: Option<f64>) -> Self {
        let details = &service.details;
        Self {
            id: service.id.0,
            slug: service.slug.as_str().to_owned(),
            name: details.name.as_str().to_owned(),
            kind: details.kind.as_str(),
            description: details.description.as_str().to_owned(),
            channels: details.channels.iter().map(ChannelBody::from).collect(),
            opening_hours: details.opening_hours.as_ref().map(HoursBody::from),
            open_now: details.opening_hours.as_ref().map(|hours| hours.is_open(now)),
            area: details.area.as_str().to_owned(),
            location: details
                .location
                .map(|location| LocationBody { lat: location.lat, lon: location.lon }),
            online_only: details.online_only,
            cost: details.cost.as_str(),
            languages: details
                .languages
                .iter()
                .map(|language| language.as_str().to_owned())
                .collect(),
            eligibility: details.eligibility.as_str().to_owned(),
            last_verified: details.last_verified,
            crisis_line: details.crisis_line,
            country: details.country.clone(),
            status: service.status.as_str(),
            distance_km: distance_km.map(|km| (km * 100.0).round() / 100.0),
            created_at: service.created_at,
            updated_at: service.updated_at,
            version: service.version,
        }
    }
}

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewServiceRequest {
    /// 1 to 120 of `a-z`, `0-9`, `-`; unique.
    #[schema(
        example = "samaritans",
        min_length = 1,
        max_length = 120,
        pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
    )]
    pub(crate) slug: String,
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub(crate) name: String,
    /// Its kind.
    #[schema(value_type = ServiceKindName)]
    pub(crate) kind: String,
    /// What it offers (up to 2000).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub(crate) description: Option<String>,
    /// How to reach it, as for contacts (up to 10); phone numbers are read in
    /// `country`'s region (GB when none).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub(crate) channels: Vec<ChannelBody>,
    /// When it is open.
    #[serde(default)]
    pub(crate) opening_hours: Option<HoursBody>,
    /// Where it serves, in words (up to 200).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub(crate) area: Option<String>,
    /// Where it is.
    #[serde(default)]
    pub(crate) location: Option<LocationBody>,
    /// Whether it is only online.
    #[serde(default)]
    pub(crate) online_only: bool,
    /// `free` (default), `low_cost` or `paid`.
    #[serde(default)]
    #[schema(value_type = Option<CostName>)]
    pub(crate) cost: Option<String>,
    /// Languages (BCP 47, up to 20; default `en`).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub(crate) languages: Vec<String>,
    /// Who it is for (up to 1000).
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub(crate) eligibility: Option<String>,
    /// When its details were last checked.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) last_verified: Option<NaiveDate>,
    /// Whether it is a crisis line.
    #[serde(default)]
    pub(crate) crisis_line: bool,
    /// ISO 3166 alpha-2.
    #[serde(default)]
    #[schema(example = "GB")]
    pub(crate) country: Option<String>,
    /// `draft` (default), `published` or `archived`.
    #[serde(default)]
    #[schema(value_type = Option<ArticleStatusName>)]
    pub(crate) status: Option<String>,
}

impl NewServiceRequest {
    /// The draft, and the status asked for.
    pub(crate) fn into_draft(self) -> (ServiceDraft, Option<String>) {
        (
            ServiceDraft {
                slug: self.slug,
                name: self.name,
                kind: self.kind,
                description: self.description,
                channels: channel_drafts(self.channels),
                opening_hours: self.opening_hours.map(HoursDraft::from),
                area: self.area,
                location: self.location.map(|location| (location.lat, location.lon)),
                online_only: self.online_only,
                cost: self.cost,
                languages: self.languages,
                eligibility: self.eligibility,
                last_verified: self.last_verified,
                crisis_line: self.crisis_line,
                country: self.country,
            },
            self.status,
        )
    }
}

/// A service as a draft again, to apply a merge patch to and check whole.
pub(crate) fn draft_of(service: &Service) -> ServiceDraft {
    let details = &service.details;
    ServiceDraft {
        slug: service.slug.as_str().to_owned(),
        name: details.name.as_str().to_owned(),
        kind: details.kind.as_str().to_owned(),
        description: Some(details.description.as_str().to_owned()),
        channels: details
            .channels
            .iter()
            .map(|channel| ChannelDraft {
                kind: channel.kind.as_str().to_owned(),
                value: channel.value.clone(),
                label: Some(channel.label.as_str().to_owned()),
                preferred: channel.preferred,
            })
            .collect(),
        opening_hours: details
            .opening_hours
            .as_ref()
            .map(|hours| HoursDraft::from(HoursBody::from(hours))),
        area: Some(details.area.as_str().to_owned()),
        location: details.location.map(|location| (location.lat, location.lon)),
        online_only: details.online_only,
        cost: Some(details.cost.as_str().to_owned()),
        languages: details.languages.iter().map(|language| language.as_str().to_owned()).collect(),
        eligibility: Some(details.eligibility.as_str().to_owned()),
        last_verified: details.last_verified,
        crisis_line: details.crisis_line,
        country: details.country.clone(),
    }
}

/// Changes to a service (JSON merge patch); the slug cannot change. `null` clears
/// `description`, `opening_hours`, `area`, `location`, `eligibility`,
/// `last_verified` and `country`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServicePatch {
    /// A new name.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub(crate) name: Patch<String>,
    /// A new kind.
    #[serde(default)]
    #[schema(value_type = ServiceKindName)]
    pub(crate) kind: Patch<String>,
    /// A new description.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub(crate) description: Patch<String>,
    /// Every channel, replacing the current ones.
    #[serde(default)]
    #[schema(value_type = Vec<ChannelBody>, max_items = 10)]
    pub(crate) channels: Patch<Vec<ChannelBody>>,
    /// New opening hours.
    #[serde(default)]
    #[schema(value_type = Option<HoursBody>)]
    pub(crate) opening_hours: Patch<HoursBody>,
    /// A new area.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub(crate) area: Patch<String>,
    /// A new place.
    #[serde(default)]
    #[schema(value_type = Option<LocationBody>)]
    pub(crate) location: Patch<LocationBody>,
    /// Online only or not.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub(crate) online_only: Patch<bool>,
    /// A new cost.
    #[serde(default)]
    #[schema(value_type = CostName)]
    pub(crate) cost: Patch<String>,
    /// New languages.
    #[serde(default)]
    #[schema(value_type = Vec<String>, max_items = 20)]
    pub(crate) languages: Patch<Vec<String>>,
    /// New eligibility.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub(crate) eligibility: Patch<String>,
    /// When its details were last checked.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) last_verified: Patch<NaiveDate>,
    /// Crisis line or not.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub(crate) crisis_line: Patch<bool>,
    /// A new country.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub(crate) country: Patch<String>,
    /// A new status.
    #[serde(default)]
    #[schema(value_type = ArticleStatusName)]
    pub(crate) status: Patch<String>,
}

/// Applies `patch` to `draft`; answers the status asked for, and the pointers of
/// fields that cannot be cleared but were sent as `null`.
pub(crate) fn apply_patch(
    patch: ServicePatch,
    draft: &mut ServiceDraft,
) -> (Option<String>, Vec<&'static str>) {
    let mut not_clearable = Vec::new();
    let mut required =
        |value: Patch<String>, pointer: &'static str, target: &mut String| match value {
            Patch::Absent => {}
            Patch::Null => not_clearable.push(pointer),
            Patch::Value(value) => *target = value,
        };
    required(patch.name, "/name", &mut draft.name);
    required(patch.kind, "/kind", &mut draft.kind);
    let optional = |value: Patch<String>, target: &mut Option<String>| match value {
        Patch::Absent => {}
        Patch::Null => *target = None,
        Patch::Value(value) => *target = Some(value),
    };
    optional(patch.description, &mut draft.description);
    optional(patch.area, &mut draft.area);
    optional(patch.eligibility, &mut draft.eligibility);
    optional(patch.country, &mut draft.country);
    optional(patch.cost, &mut draft.cost);
    match patch.channels {
        Patch::Absent => {}
        Patch::Null => draft.channels = Vec::new(),
        Patch::Value(channels) => draft.channels = channel_drafts(channels),
    }
    match patch.opening_hours {
        Patch::Absent => {}
        Patch::Null => draft.opening_hours = None,
        Patch::Value(hours) => draft.opening_hours = Some(hours.into()),
    }
    match patch.location {
        Patch::Absent => {}
        Patch::Null => draft.location = None,
        Patch::Value(location) => draft.location = Some((location.lat, location.lon)),
    }
    match patch.online_only {
        Patch::Absent => {}
        Patch::Null => not_clearable.push("/online_only"),
        Patch::Value(value) => draft.online_only = value,
    }
    match patch.languages {
        Patch::Absent => {}
        Patch::Null => draft.languages = Vec::new(),
        Patch::Value(languages) => draft.languages = languages,
    }
    match patch.last_verified {
        Patch::Absent => {}
        Patch::Null => draft.last_verified = None,
        Patch::Value(date) => draft.last_verified = Some(date),
    }
    match patch.crisis_line {
        Patch::Absent => {}
        Patch::Null => not_clearable.push("/crisis_line"),
        Patch::Value(value) => draft.crisis_line = value,
    }
    let status = match patch.status {
        Patch::Absent => None,
        Patch::Null => {
            not_clearable.push("/status");
            None
        }
        Patch::Value(status) => Some(status),
    };
    (status, not_clearable)
}

/// `checked`'s value with the status, or every problem of both.
fn with_status<T>(
    checked: Result<T, Vec<FieldProblem>>,
    status: Option<ArticleStatus>,
    problems: Problems,
) -> Result<(T, ArticleStatus), Vec<FieldProblem>> {
    match (checked, status) {
        (Ok(value), Some(status)) if problems.is_empty() => Ok((value, status)),
        (checked, _) => {
            let mut all = checked.err().unwrap_or_default();
            all.extend(problems.into_vec());
            Err(all)
        }
    }
}

impl Input<(Slug, ServiceDetails, ArticleStatus)> for NewServiceRequest {
    fn parse(self) -> Result<(Slug, ServiceDetails, ArticleStatus), Vec<FieldProblem>> {
        let (draft, status) = self.into_draft();
        let mut problems = Problems::default();
        let status = problems
            .check("/status", status.as_deref().unwrap_or("draft").parse::<ArticleStatus>());
        with_status(draft.check(), status, problems)
            .map(|((slug, details), status)| (slug, details, status))
    }
}

impl ServiceEdit for ServicePatch {
    fn parse(
        self,
        current: &Service,
    ) -> Result<(ServiceDetails, ArticleStatus), Vec<FieldProblem>> {
        let mut draft = draft_of(current);
        let (status, not_clearable) = apply_patch(self, &mut draft);
        let mut problems = Problems::default();
        for pointer in not_clearable {
            problems.cannot_be_cleared(pointer);
        }
        let status = match status {
            None => Some(current.status),
            Some(name) => problems.check("/status", name.parse::<ArticleStatus>()),
        };
        with_status(draft.check(), status, problems).map(|((_, details), status)| (details, status))
    }
}
