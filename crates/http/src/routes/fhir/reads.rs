//! Reading one resource: `GET /fhir/r4/{type}/{id}`. Each sends `ETag: W/"<version>"`
//! and answers 304 to an `If-None-Match` naming it; anything not the person's is 404.

use actix_web::{HttpRequest, HttpResponse, get, web};
use waymark_application::{accounts, fhir};

use super::{representation, versioned_resource};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::FhirResourceMissing;
use crate::paths::{FhirCarePlanPath, FhirGoalPath, FhirPatientPath, FhirRelatedPersonPath};
use crate::state::AppState;
use crate::wire::fhir::{FhirCarePlan, FhirGoal, FhirPatient, FhirRelatedPerson};

/// The person, as a FHIR `Patient`.
///
/// Their display name and nothing else that identifies them; profile UK Core Patient.
/// Only the person's own id is found.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_read_patient",
    security(("oauth2" = ["patient/Patient.rs"])),
    params(FhirPatientPath),
    responses(
        (status = 200, description = "The person.", content_type = "application/fhir+json", body = FhirPatient,
            headers(("ETag" = String, description = "Its version, weak: `W/\"3\"`."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        FhirResourceMissing,
    ),
)]
#[get("/fhir/r4/Patient/{id}")]
pub(crate) async fn read_patient(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<FhirPatientPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let person = fhir::patient(&state.ports, principal.acting()?, path.id()).await?;
    versioned_resource(&request, person.version, &representation::patient(&person))
}

/// One of the person's goals, as a FHIR `Goal`.
///
/// Statuses as in the README's table; dates are days in the person's time zone.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_read_goal",
    security(("oauth2" = ["patient/Goal.rs"])),
    params(FhirGoalPath),
    responses(
        (status = 200, description = "The goal.", content_type = "application/fhir+json", body = FhirGoal,
            headers(("ETag" = String, description = "Its version, weak: `W/\"3\"`."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        FhirResourceMissing,
    ),
)]
#[get("/fhir/r4/Goal/{id}")]
pub(crate) async fn read_goal(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<FhirGoalPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let goal = fhir::goal(&state.ports, acting, path.id()).await?;
    let person = accounts::get(&state.ports, acting).await?;
    versioned_resource(&request, goal.version, &representation::goal(&goal, person.time_zone))
}

/// The person's recovery plan, as a FHIR `CarePlan`.
///
/// One per person, under the person's own id: `intent` `plan`, `status` `active`, the
/// goals being worked on (active or paused) and one activity per active routine, its
/// schedule a FHIR `Timing`. Its version moves with every change to the person's data.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_read_care_plan",
    security(("oauth2" = ["patient/CarePlan.rs"])),
    params(FhirCarePlanPath),
    responses(
        (status = 200, description = "The plan.", content_type = "application/fhir+json", body = FhirCarePlan,
            headers(("ETag" = String, description = "Its version, weak: `W/\"3\"`."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        FhirResourceMissing,
    ),
)]
#[get("/fhir/r4/CarePlan/{id}")]
pub(crate) async fn read_care_plan(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<FhirCarePlanPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let plan = fhir::recovery_plan(&state.ports, principal.acting()?, path.id()).await?;
    let version = plan.version.0.max(1);
    versioned_resource(&request, version, &representation::care_plan(&plan))
}

/// A contact the person shares with services, as a FHIR `RelatedPerson`.
///
/// Only contacts marked `shared_with_services` are found; the relationship is an HL7
/// v3 `RoleCode` where one says it; profile UK Core RelatedPerson.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_read_related_person",
    security(("oauth2" = ["patient/RelatedPerson.rs"])),
    params(FhirRelatedPersonPath),
    responses(
        (status = 200, description = "The contact.", content_type = "application/fhir+json", body = FhirRelatedPerson,
            headers(("ETag" = String, description = "Its version, weak: `W/\"3\"`."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        FhirResourceMissing,
    ),
)]
#[get("/fhir/r4/RelatedPerson/{id}")]
pub(crate) async fn read_related_person(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<FhirRelatedPersonPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let contact = fhir::related_person(&state.ports, principal.acting()?, path.id()).await?;
    versioned_resource(&request, contact.version, &representation::related_person(&contact))
}
