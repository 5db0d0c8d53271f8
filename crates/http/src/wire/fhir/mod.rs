//! HL7 FHIR R4 on the wire (`application/fhir+json`): the data types and resources
//! `/fhir/r4` answers, and `OperationOutcome`, which the problem completion
//! middleware writes for every error under `/fhir/`. Only the elements Waymark fills
//! are declared; every one is an R4 (4.0.1) element, so strict R4 clients read them.

mod capability;
mod outcome;
mod resources;

pub(crate) use capability::{
    CapabilityInteraction, CapabilityResource, CapabilityRest, CapabilitySearchParam,
    CapabilitySecurity, CapabilityStatement, Implementation, OAuthUris, Software, UriExtension,
};
pub(crate) use outcome::OperationOutcome;
pub(crate) use resources::{
    BundleLink, CarePlanActivity, CarePlanDetail, CarePlanSearchBundle, CarePlanSearchEntry,
    FhirCarePlan, FhirGoal, FhirPatient, FhirRelatedPerson, GoalSearchBundle, GoalSearchEntry,
    GoalTarget, MATCH, RelatedPersonSearchBundle, RelatedPersonSearchEntry,
};

use serde::Serialize;
use utoipa::ToSchema;

/// The media type of FHIR's JSON.
pub(crate) const FHIR_JSON: &str = "application/fhir+json";

/// `Resource.meta`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FhirMeta {
    /// Waymark's version of the resource.
    #[schema(max_length = 20, example = "3")]
    pub(crate) version_id: String,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    #[schema(value_type = String, format = DateTime, max_length = 32)]
    pub(crate) last_updated: chrono::DateTime<chrono::Utc>,
    /// The profile it follows: UK Core's where UK Core defines one, base R4's otherwise.
    #[schema(max_items = 1, value_type = Vec<String>)]
    pub(crate) profile: [&'static str; 1],
}

/// A `Reference` to another resource, as `Type/id`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FhirReference {
    /// `Patient/…`, `Goal/…` or `RelatedPerson/…`.
    #[schema(max_length = 64, example = "Patient/0193a5e4-7d1c-7b4e-9b2a-3f0c5d6e7f80")]
    pub(crate) reference: String,
}

impl FhirReference {
    /// A reference to the resource of `kind` with `id`.
    pub(crate) fn to(kind: &str, id: impl std::fmt::Display) -> Self {
        Self { reference: format!("{kind}/{id}") }
    }
}

/// A `Coding`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FhirCoding {
    /// The code system.
    #[schema(max_length = 128)]
    pub(crate) system: &'static str,
    /// The code.
    #[schema(max_length = 128)]
    pub(crate) code: &'static str,
    /// What it means.
    #[schema(max_length = 128)]
    pub(crate) display: &'static str,
}

/// A `CodeableConcept`: codings, or text alone where no code says it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FhirCodeableConcept {
    /// The codes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 1)]
    pub(crate) coding: Vec<FhirCoding>,
    /// In words.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub(crate) text: Option<String>,
}

impl FhirCodeableConcept {
    /// Text alone.
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self { coding: Vec::new(), text: Some(text.into()) }
    }

    /// One coding, with its display as the text.
    pub(crate) fn coded(system: &'static str, code: &'static str, display: &'static str) -> Self {
        Self { coding: vec![FhirCoding { system, code, display }], text: Some(display.to_owned()) }
    }
}

/// A `HumanName` or an `Address`, given as text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FhirText {
    /// The whole name or address, as the person wrote it.
    #[schema(max_length = 500)]
    pub(crate) text: String,
}

/// An `Annotation` (a note).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FhirAnnotation {
    /// The note.
    #[schema(max_length = 4000)]
    pub(crate) text: String,
}

/// An `Extension` with a code.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FhirCodeExtension {
    /// What the extension means.
    #[schema(max_length = 2048)]
    pub(crate) url: String,
    /// Its value.
    #[schema(max_length = 64)]
    pub(crate) value_code: String,
}

/// An `Extension` with a reference: a goal's supporter.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FhirReferenceExtension {
    /// `{FHIR base}/StructureDefinition/goal-supporter`: someone in the person's support
    /// network who supports the goal.
    #[schema(max_length = 2048)]
    pub(crate) url: String,
    /// The supporter, a `RelatedPerson`.
    pub(crate) value_reference: FhirReference,
}

/// A `ContactPoint`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FhirContactPoint {
    /// `phone`, `email` or `url`.
    #[schema(max_length = 8)]
    pub(crate) system: &'static str,
    /// The number, address or link.
    #[schema(max_length = 2000)]
    pub(crate) value: String,
    /// `mobile`, for a mobile number.
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 8)]
    pub(crate) usage: Option<&'static str>,
    /// 1 for the person's preferred way of its kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1)]
    pub(crate) rank: Option<u8>,
}

/// A `Period` of days.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FhirPeriod {
    /// The first day.
    #[schema(value_type = String, format = Date)]
    pub(crate) start: chrono::NaiveDate,
    /// The last day, if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) end: Option<chrono::NaiveDate>,
}

/// A `Timing`: when a routine happens.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FhirTiming {
    /// The IANA time zone the times of day are in
    /// (`{FHIR base}/StructureDefinition/time-zone`).
    #[schema(max_items = 1)]
    pub(crate) extension: [FhirCodeExtension; 1],
    /// The repetition.
    pub(crate) repeat: FhirTimingRepeat,
}

/// `Timing.repeat`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FhirTimingRepeat {
    /// The routine's first and last days.
    pub(crate) bounds_period: FhirPeriod,
    /// How many times in each period.
    #[schema(minimum = 1, maximum = 7)]
    pub(crate) frequency: u8,
    /// The period's length.
    #[schema(minimum = 1, maximum = 90)]
    pub(crate) period: u8,
    /// `d` (days) or `wk` (weeks).
    #[schema(max_length = 2, example = "d")]
    pub(crate) period_unit: &'static str,
    /// On these days only (`mon` .. `sun`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 7, value_type = Vec<String>)]
    pub(crate) day_of_week: Vec<&'static str>,
    /// At these local times (`HH:MM:SS`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 24, value_type = Vec<String>)]
    pub(crate) time_of_day: Vec<String>,
}
