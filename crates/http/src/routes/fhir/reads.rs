//! Reading one resource: `GET /fhir/r4/{type}/{id}`. Each sends `ETag: W/"<version>"`
//! and answers 304 to an `If-None-Match` naming it; anything not the person's is 404.

use actix_web::{HttpRequest, HttpResponse, get, web};
use waymark_application::fhir::{self, goal_version};

use super::parameters::{ReadParameters, read_query};
use super::representation::GoalContext;
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
    params(FhirPatientPath, ReadParameters),
    responses(
        (status = 200, description = "The person.", content_type = "application/fhir+json", body = FhirPatient,
            headers(("ETag" = String, description = "Its version, weak: `W/\"3\"`."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        FhirResourceMissing,
    ),
)]
#[get("/Patient/{id}")]
pub(crate) async fn read_patient(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<FhirPatientPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    read_query(request.query_string())?;
    let person = fhir::patient(&state.ports, principal.acting()?, path.id()).await?;
    versioned_resource(&request, &person.version.to_string(), &representation::patient(&person))
}

/// One of the person's goals, as a FHIR `Goal`.
///
/// Statuses as in the README's table; dates are days in the person's time zone. Its
/// version is the goal's, followed, when it has supporters, by a digest of which of
/// them are shared with services (a change of the person's time zone, which moves its
/// dates, is not a new version).
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_read_goal",
    security(("oauth2" = ["patient/Goal.rs"])),
    params(FhirGoalPath, ReadParameters),
    responses(
        (status = 200, description = "The goal.", content_type = "application/fhir+json", body = FhirGoal,
            headers(("ETag" = String, description = "Its version, weak: `W/\"3\"`."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        FhirResourceMissing,
    ),
)]
#[get("/Goal/{id}")]
pub(crate) async fn read_goal(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<FhirGoalPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    read_query(request.query_string())?;
    let found = fhir::goal(&state.ports, principal.acting()?, path.id()).await?;
    let context = GoalContext {
        time_zone: found.person.time_zone,
        shared_supporters: &found.shared_supporters,
        fhir_base: state.fhir_base(),
    };
    let goal = found.value;
    let resource = representation::goal(&goal, &context);
    versioned_resource(&request, &goal_version(&goal, &found.shared_supporters), &resource)
}

/// The person's recovery plan, as a FHIR `CarePlan`.
///
/// One per person, under the person's own id: `intent` `plan`, `status` `active`, the
/// goals being worked on (active or paused) and one activity per active routine, its
/// schedule a FHIR `Timing`. Its version is a digest of the versions of what it holds,
/// so it changes with them.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_read_care_plan",
    security(("oauth2" = ["patient/CarePlan.rs"])),
    params(FhirCarePlanPath, ReadParameters),
    responses(
        (status = 200, description = "The plan.", content_type = "application/fhir+json", body = FhirCarePlan,
            headers(("ETag" = String, description = "Its version, weak: `W/\"3\"`."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        FhirResourceMissing,
    ),
)]
#[get("/CarePlan/{id}")]
pub(crate) async fn read_care_plan(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<FhirCarePlanPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    read_query(request.query_string())?;
    let plan = fhir::recovery_plan(&state.ports, principal.acting()?, path.id()).await?;
    versioned_resource(
        &request,
        &plan.version(),
        &representation::care_plan(&plan, state.fhir_base()),
    )
}

/// A contact the person shares with services, as a FHIR `RelatedPerson`.
///
/// Only contacts marked `shared_with_services` are found; the relationship is an HL7
/// v3 `RoleCode` where one says it; profile UK Core RelatedPerson.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_read_related_person",
    security(("oauth2" = ["patient/RelatedPerson.rs"])),
    params(FhirRelatedPersonPath, ReadParameters),
    responses(
        (status = 200, description = "The contact.", content_type = "application/fhir+json", body = FhirRelatedPerson,
            headers(("ETag" = String, description = "Its version, weak: `W/\"3\"`."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        FhirResourceMissing,
    ),
)]
#[get("/RelatedPerson/{id}")]
pub(crate) async fn read_related_person(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<FhirRelatedPersonPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    read_query(request.query_string())?;
    let contact = fhir::related_person(&state.ports, principal.acting()?, path.id()).await?;
    let resource = representation::related_person(&contact);
    versioned_resource(&request, &contact.version.to_string(), &resource)
}
