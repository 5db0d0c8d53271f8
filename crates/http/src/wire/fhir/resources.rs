//! The resources `/fhir/r4` serves, and the `searchset` bundles its searches answer.

use serde::Serialize;
use utoipa::ToSchema;

use super::{
    FhirAnnotation, FhirCodeableConcept, FhirContactPoint, FhirMeta, FhirReference,
    FhirReferenceExtension, FhirText, FhirTiming,
};

/// A FHIR `Patient`: the person, with their name as their display name and nothing
/// else that identifies them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FhirPatient {
    /// `Patient`.
    #[schema(max_length = 7, example = "Patient")]
    pub(crate) resource_type: &'static str,
    /// The person's Waymark id.
    #[schema(max_length = 36, format = Uuid)]
    pub(crate) id: String,
    /// Version, last change and profile (UK Core Patient).
    pub(crate) meta: FhirMeta,
    /// Always `true`: an erased account is gone, not inactive.
    pub(crate) active: bool,
    /// Their display name.
    #[schema(max_items = 1)]
    pub(crate) name: [FhirText; 1],
}

/// A FHIR `Goal`: one of the person's goals.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FhirGoal {
    /// `Goal`.
    #[schema(max_length = 4, example = "Goal")]
    pub(crate) resource_type: &'static str,
    /// The goal's Waymark id.
    #[schema(max_length = 36, format = Uuid)]
    pub(crate) id: String,
    /// Version, last change and profile (base R4 Goal).
    pub(crate) meta: FhirMeta,
    /// The goal's supporters the person shares with services (`goal-supporter`, each a
    /// `RelatedPerson`); others are left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50)]
    pub(crate) extension: Vec<FhirReferenceExtension>,
    /// `active`, `on-hold`, `completed` or `cancelled` (see the README's table).
    #[schema(max_length = 16, example = "active")]
    pub(crate) lifecycle_status: &'static str,
    /// `in-progress` or `achieved`, where FHIR has a code that does not judge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) achievement_status: Option<FhirCodeableConcept>,
    /// The part of life it belongs to, in words (`housing`, `work`, …).
    #[schema(max_items = 1)]
    pub(crate) category: [FhirCodeableConcept; 1],
    /// The goal's title.
    pub(crate) description: FhirCodeableConcept,
    /// The person.
    pub(crate) subject: FhirReference,
    /// The day the goal was set, in the person's time zone.
    #[schema(value_type = String, format = Date)]
    pub(crate) start_date: chrono::NaiveDate,
    /// The target date, if the person chose one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 1)]
    pub(crate) target: Vec<GoalTarget>,
    /// The day of the latest status change, in the person's time zone.
    #[schema(value_type = String, format = Date)]
    pub(crate) status_date: chrono::NaiveDate,
    /// The latest status change, in words.
    #[schema(max_length = 128)]
    pub(crate) status_reason: &'static str,
    /// The person (goals are always theirs).
    pub(crate) expressed_by: FhirReference,
    /// Why the goal matters to the person, when they said.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 1)]
    pub(crate) note: Vec<FhirAnnotation>,
}

/// `Goal.target`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GoalTarget {
    /// The target date.
    #[schema(value_type = String, format = Date)]
    pub(crate) due_date: chrono::NaiveDate,
}

/// A FHIR `CarePlan`: the person's one personal recovery plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FhirCarePlan {
    /// `CarePlan`.
    #[schema(max_length = 8, example = "CarePlan")]
    pub(crate) resource_type: &'static str,
    /// The person's id: each person has one plan.
    #[schema(max_length = 36, format = Uuid)]
    pub(crate) id: String,
    /// Version (moves with every change to the person's data), last change of what it
    /// holds, and profile (base R4 CarePlan).
    pub(crate) meta: FhirMeta,
    /// `active`.
    #[schema(max_length = 6, example = "active")]
    pub(crate) status: &'static str,
    /// `plan`.
    #[schema(max_length = 4, example = "plan")]
    pub(crate) intent: &'static str,
    /// `Personal recovery plan`.
    #[schema(max_length = 64)]
    pub(crate) title: &'static str,
    /// The person.
    pub(crate) subject: FhirReference,
    /// The goals being worked on (active or paused).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 500)]
    pub(crate) goal: Vec<FhirReference>,
    /// One per active routine.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 200)]
    pub(crate) activity: Vec<CarePlanActivity>,
}

/// `CarePlan.activity`: a routine.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CarePlanActivity {
    /// What and when.
    pub(crate) detail: CarePlanDetail,
}

/// `CarePlan.activity.detail`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CarePlanDetail {
    /// `scheduled`.
    #[schema(max_length = 9, example = "scheduled")]
    pub(crate) status: &'static str,
    /// The routine's title.
    #[schema(max_length = 200)]
    pub(crate) description: String,
    /// When it happens.
    pub(crate) scheduled_timing: FhirTiming,
    /// The goal it serves, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 1)]
    pub(crate) goal: Vec<FhirReference>,
}

/// A FHIR `RelatedPerson`: a contact the person shares with services.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FhirRelatedPerson {
    /// `RelatedPerson`.
    #[schema(max_length = 13, example = "RelatedPerson")]
    pub(crate) resource_type: &'static str,
    /// The contact's Waymark id.
    #[schema(max_length = 36, format = Uuid)]
    pub(crate) id: String,
    /// Version, last change and profile (UK Core RelatedPerson).
    pub(crate) meta: FhirMeta,
    /// `true`.
    pub(crate) active: bool,
    /// The person whose contact this is.
    pub(crate) patient: FhirReference,
    /// Who they are to the person: an HL7 v3 `RoleCode` where one says it, else text.
    #[schema(max_items = 1)]
    pub(crate) relationship: [FhirCodeableConcept; 1],
    /// Their name.
    #[schema(max_items = 1)]
    pub(crate) name: [FhirText; 1],
    /// Phones, e-mail addresses and links.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 10)]
    pub(crate) telecom: Vec<FhirContactPoint>,
    /// Postal addresses, as text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 10)]
    pub(crate) address: Vec<FhirText>,
}

/// Declares a `searchset` Bundle of one resource type, a page at a time, and its
/// entry (one type each, so the contract names exactly what a search answers). The
/// searches write the Bundle around entries serialised once (`routes/fhir`), in this
/// shape.
macro_rules! search_bundle {
    ($bundle:ident, $entry:ident, $resource:ty, $name:literal) => {
        #[doc = concat!("A `searchset` Bundle of ", $name, " resources, a page at a time.")]
        #[derive(Debug, Clone, Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub(crate) struct $bundle {
            /// `Bundle`.
            #[schema(max_length = 6, example = "Bundle")]
            pub(crate) resource_type: &'static str,
            /// `searchset`.
            #[serde(rename = "type")]
            #[schema(max_length = 9, example = "searchset")]
            pub(crate) kind: &'static str,
            /// `self`, and `next` while more pages follow (absolute URLs).
            #[schema(max_items = 2)]
            pub(crate) link: Vec<BundleLink>,
            /// This page's matches.
            #[serde(skip_serializing_if = "Vec::is_empty")]
            #[schema(max_items = 100)]
            pub(crate) entry: Vec<$entry>,
        }

        #[doc = concat!("An entry of a search of ", $name, " resources.")]
        #[derive(Debug, Clone, Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub(crate) struct $entry {
            /// The resource's absolute URL.
            #[schema(max_length = 4096)]
            pub(crate) full_url: String,
            /// The resource.
            pub(crate) resource: $resource,
            /// `match`.
            pub(crate) search: SearchMode,
        }
    };
}

search_bundle!(GoalSearchBundle, GoalSearchEntry, FhirGoal, "Goal");
search_bundle!(CarePlanSearchBundle, CarePlanSearchEntry, FhirCarePlan, "CarePlan");
search_bundle!(
    RelatedPersonSearchBundle,
    RelatedPersonSearchEntry,
    FhirRelatedPerson,
    "RelatedPerson"
);

/// `Bundle.link`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct BundleLink {
    /// `self` or `next`.
    #[schema(max_length = 4)]
    pub(crate) relation: &'static str,
    /// The absolute URL.
    #[schema(max_length = 4096)]
    pub(crate) url: String,
}

/// `Bundle.entry.search`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub(crate) struct SearchMode {
    /// `match`.
    #[schema(max_length = 5, example = "match")]
    pub(crate) mode: &'static str,
}

/// `{"mode": "match"}`.
pub(crate) const MATCH: SearchMode = SearchMode { mode: "match" };
