//! Waymark's values as FHIR resources, by the rules of
//! `waymark_application::formats::fhir`.

use chrono::NaiveDate;
use waymark_application::fhir::{RecoveryPlan, goal_version};
use waymark_application::formats::fhir::{
    ChannelPlace, GOAL_ACHIEVEMENT_SYSTEM, ROLE_CODE_SYSTEM, Relationship, place_of,
    relationship_of, repeat_of, standing_of,
};
use waymark_domain::contacts::{Contact, ContactId};
use waymark_domain::goals::Goal;
use waymark_domain::identity::{Account, TimeZoneName};
use waymark_domain::routines::Routine;
use waymark_domain::time::Instant;

use crate::wire::fhir::{
    CarePlanActivity, CarePlanDetail, FhirAnnotation, FhirCarePlan, FhirCodeExtension,
    FhirCodeableConcept, FhirContactPoint, FhirGoal, FhirMeta, FhirPatient, FhirPeriod,
    FhirReference, FhirReferenceExtension, FhirRelatedPerson, FhirText, FhirTiming,
    FhirTimingRepeat, GoalTarget,
};

/// The profiles each resource declares: UK Core's where UK Core defines one (Patient,
/// RelatedPerson), base R4's otherwise (UK Core's CarePlan is still a draft, and it
/// has no Goal).
pub(super) const PATIENT_PROFILE: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient";
pub(super) const GOAL_PROFILE: &str = "http://hl7.org/fhir/StructureDefinition/Goal";
pub(super) const CARE_PLAN_PROFILE: &str = "http://hl7.org/fhir/StructureDefinition/CarePlan";
pub(super) const RELATED_PERSON_PROFILE: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/UKCore-RelatedPerson";

fn meta(version: impl ToString, last_updated: Instant, profile: &'static str) -> FhirMeta {
    FhirMeta { version_id: version.to_string(), last_updated, profile: [profile] }
}

fn patient_reference(person: impl std::fmt::Display) -> FhirReference {
    FhirReference::to("Patient", person)
}

/// The day `at` falls on in `zone`.
fn day_in(zone: TimeZoneName, at: Instant) -> NaiveDate {
    zone.date_at(at)
}

/// The person as a `Patient`.
pub(super) fn patient(account: &Account) -> FhirPatient {
    FhirPatient {
        resource_type: "Patient",
        id: account.id.to_string(),
        meta: meta(account.version, account.updated_at, PATIENT_PROFILE),
        active: true,
        name: [FhirText { text: account.display_name.as_str().to_owned() }],
    }
}

/// What a goal's FHIR view needs besides the goal.
pub(super) struct GoalContext<'a> {
    /// The person's time zone, which its dates are days in.
    pub(super) time_zone: TimeZoneName,
    /// The supporters the person shares with services, by id.
    pub(super) shared_supporters: &'a [(ContactId, i64)],
    /// The FHIR base URL, for the supporter extension's.
    pub(super) fhir_base: &'a str,
}

/// A goal as a `Goal`.
pub(super) fn goal(goal: &Goal, context: &GoalContext<'_>) -> FhirGoal {
    let standing = standing_of(goal);
    let why = goal.why.as_str();
    let zone = context.time_zone;
    let shared = |supporter: &&ContactId| {
        context.shared_supporters.binary_search_by_key(*supporter, |(id, _)| *id).is_ok()
    };
    let extension = goal
        .supporters
        .iter()
        .filter(shared)
        .map(|supporter| FhirReferenceExtension {
            url: format!("{}/StructureDefinition/goal-supporter", context.fhir_base),
            value_reference: FhirReference::to("RelatedPerson", supporter),
        })
        .collect();
    FhirGoal {
        resource_type: "Goal",
        id: goal.id.to_string(),
        meta: meta(goal_version(goal, context.shared_supporters), goal.updated_at, GOAL_PROFILE),
        extension,
        lifecycle_status: standing.lifecycle,
        achievement_status: standing.achievement.map(|(code, display)| {
            FhirCodeableConcept::coded(GOAL_ACHIEVEMENT_SYSTEM, code, display)
        }),
        category: [FhirCodeableConcept::text(goal.area.as_str())],
        description: FhirCodeableConcept::text(goal.title.as_str()),
        subject: patient_reference(goal.owner),
        start_date: day_in(zone, goal.created_at),
        target: goal.target_date.map(|due_date| GoalTarget { due_date }).into_iter().collect(),
        status_date: day_in(zone, goal.status_changed_at),
        status_reason: standing.reason,
        expressed_by: patient_reference(goal.owner),
        note: (!why.is_empty())
            .then(|| FhirAnnotation { text: why.to_owned() })
            .into_iter()
            .collect(),
    }
}

/// The person's recovery plan as a `CarePlan`; `fhir_base` names the extension that
/// gives each timing's time zone.
pub(super) fn care_plan(plan: &RecoveryPlan, fhir_base: &str) -> FhirCarePlan {
    let person = plan.person.id;
    FhirCarePlan {
        resource_type: "CarePlan",
        id: person.to_string(),
        meta: meta(plan.version(), plan.last_updated(), CARE_PLAN_PROFILE),
        status: "active",
        intent: "plan",
        title: "Personal recovery plan",
        subject: patient_reference(person),
        goal: plan.goals.iter().map(|goal| FhirReference::to("Goal", goal.id)).collect(),
        activity: plan.routines.iter().map(|routine| activity(routine, fhir_base)).collect(),
    }
}

/// A routine as an activity. Its timing's times of day are in the routine's IANA time
/// zone, which FHIR R4's `Timing` cannot hold: Waymark's extension
/// `{FHIR base}/StructureDefinition/time-zone` gives it.
fn activity(routine: &Routine, fhir_base: &str) -> CarePlanActivity {
    let schedule = &routine.schedule;
    let repeat = repeat_of(schedule);
    CarePlanActivity {
        detail: CarePlanDetail {
            status: "scheduled",
            description: routine.title.as_str().to_owned(),
            scheduled_timing: FhirTiming {
                extension: [FhirCodeExtension {
                    url: format!("{fhir_base}/StructureDefinition/time-zone"),
                    value_code: schedule.time_zone().name().to_owned(),
                }],
                repeat: FhirTimingRepeat {
                    bounds_period: FhirPeriod {
                        start: schedule.starts_on(),
                        end: schedule.ends_on(),
                    },
                    frequency: repeat.frequency,
                    period: repeat.period,
                    period_unit: repeat.period_unit,
                    day_of_week: repeat.day_of_week,
                    time_of_day: repeat
                        .time_of_day
                        .iter()
                        .map(|time| time.format("%H:%M:%S").to_string())
                        .collect(),
                },
            },
            goal: routine.goal_id.map(|goal| FhirReference::to("Goal", goal)).into_iter().collect(),
        },
    }
}

/// A contact the person shares with services as a `RelatedPerson`.
pub(super) fn related_person(contact: &Contact) -> FhirRelatedPerson {
    let details = &contact.details;
    let relationship = match relationship_of(details.kind) {
        Relationship::Coded(code, display) => {
            FhirCodeableConcept::coded(ROLE_CODE_SYSTEM, code, display)
        }
        Relationship::Text(words) => FhirCodeableConcept::text(words),
    };
    let mut telecom = Vec::new();
    let mut address = Vec::new();
    for channel in &details.channels {
        match place_of(channel.kind) {
            ChannelPlace::Telecom(system, usage) => telecom.push(FhirContactPoint {
                system,
                value: channel.value.clone(),
                usage,
                rank: channel.preferred.then_some(1),
            }),
            ChannelPlace::Address => address.push(FhirText { text: channel.value.clone() }),
        }
    }
    FhirRelatedPerson {
        resource_type: "RelatedPerson",
        id: contact.id.to_string(),
        meta: meta(contact.version, contact.updated_at, RELATED_PERSON_PROFILE),
        active: true,
        patient: patient_reference(contact.owner),
        relationship: [relationship],
        name: [FhirText { text: details.name.as_str().to_owned() }],
        telecom,
        address,
    }
}
