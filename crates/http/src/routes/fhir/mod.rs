//! `/fhir/r4`: the person's record as HL7 FHIR R4 resources, read-only, for the NHS
//! and charity systems a person connects through SMART on FHIR: the person
//! (`Patient`), their goals (`Goal`), their recovery plan (`CarePlan`) and the
//! contacts they share with services (`RelatedPerson`), and the discovery documents
//! (`metadata`, `.well-known/smart-configuration`). Answers are
//! `application/fhir+json`; errors are `OperationOutcome`s (written by the problem
//! completion middleware), with the statuses the rest of the API gives.

mod discovery;
mod parameters;
mod reads;
mod representation;
mod searches;

pub(crate) use discovery::{
    capability_statement, smart_configuration, smart_configuration_at_base,
};
pub(crate) use reads::{read_care_plan, read_goal, read_patient, read_related_person};

/// Where the FHIR endpoints are, under the server's address. They are registered in
/// one scope, early (see `routes::configure`): actix tries routes in order, so a FHIR
/// request would otherwise pay for matching every `/v1` route's template first.
pub(crate) const FHIR_BASE: &str = "/fhir/r4";
pub(crate) use searches::{search_care_plans, search_goals, search_related_people};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::not_modified;
use crate::wire::fhir::FHIR_JSON;

/// 200 with `body` as FHIR JSON.
fn fhir_json(body: &impl Serialize) -> Result<HttpResponse, ApiError> {
    let json = serde_json::to_vec(body).map_err(|error| ApiError::Internal(error.into()))?;
    Ok(HttpResponse::Ok().content_type(FHIR_JSON).body(json))
}

/// One resource whose `meta.versionId` is `version`: 304 when `If-None-Match` names
/// it, else 200 with the weak `ETag` FHIR writes, `W/"<version>"`.
fn versioned_resource(
    request: &HttpRequest,
    version: &str,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    let strong = format!("\"{version}\"");
    let weak = header::HeaderValue::from_str(&format!("W/{strong}"))
        .map_err(|error| ApiError::Internal(error.into()))?;
    if not_modified(request, &strong).is_some() {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, weak)).finish());
    }
    let mut response = fhir_json(body)?;
    response.headers_mut().insert(header::ETAG, weak);
    Ok(response)
}
