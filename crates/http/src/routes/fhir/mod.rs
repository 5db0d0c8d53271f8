//! `/fhir/r4`: the person's record as HL7 FHIR R4 resources, read-only, for the NHS
//! and charity systems a person connects through SMART on FHIR: the person
//! (`Patient`), their goals (`Goal`), their recovery plan (`CarePlan`) and the
//! contacts they share with services (`RelatedPerson`), and the discovery documents
//! (`metadata`, `.well-known/smart-configuration`). Answers are
//! `application/fhir+json`; errors are `OperationOutcome`s (written by the problem
//! completion middleware), with the statuses the rest of the API gives.

mod discovery;
mod reads;
mod representation;
mod searches;

pub(crate) use discovery::{
    capability_statement, smart_configuration, smart_configuration_at_base,
};
pub(crate) use reads::{read_care_plan, read_goal, read_patient, read_related_person};
pub(crate) use searches::{search_care_plans, search_goals, search_related_people};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::{not_modified, version_etag};
use crate::wire::fhir::FHIR_JSON;

/// 200 with `body` as FHIR JSON.
fn fhir_json(body: &impl Serialize) -> Result<HttpResponse, ApiError> {
    let json = serde_json::to_vec(body).map_err(|error| ApiError::Internal(error.into()))?;
    Ok(HttpResponse::Ok().content_type(FHIR_JSON).body(json))
}

/// `W/"<version>"`, as FHIR writes a resource's version.
fn weak_etag(version: i64) -> String {
    format!("W/{}", version_etag(version))
}

/// One resource at `version`: 304 when `If-None-Match` names it, else 200 with its
/// weak `ETag`.
fn versioned_resource(
    request: &HttpRequest,
    version: i64,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    if not_modified(request, &version_etag(version)).is_some() {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, weak_etag(version)))
            .finish());
    }
    let mut response = fhir_json(body)?;
    let etag = header::HeaderValue::from_str(&weak_etag(version))
        .map_err(|error| ApiError::Internal(error.into()))?;
    response.headers_mut().insert(header::ETAG, etag);
    Ok(response)
}
