//! Searching: `GET /fhir/r4/{type}?…`, answered as a `searchset` Bundle whose `next`
//! link (absolute, signed) leads to the following page. A search naming another
//! patient finds nothing; a parameter not listed here is refused (400), as FHIR's
//! `handling=strict` asks, so a filter never silently does nothing.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use waymark_application::fhir::{self, GoalSearch};
use waymark_application::formats::fhir::{last_updated_range, statuses_of_lifecycle};
use waymark_domain::contacts::ContactId;
use waymark_domain::contacts::ports::ContactPosition;
use waymark_domain::goals::GoalId;
use waymark_domain::goals::ports::GoalPosition;

use super::parameters::{count_of, json_only, patient_named};
use super::representation::{self, GoalContext};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::BadQuery;
use crate::pagination::{TimeAndId, bad_query, documented_query, documented_query_types};
use crate::state::AppState;
use crate::wire::fhir::{
    BundleLink, CarePlanSearchBundle, CarePlanSearchEntry, FHIR_JSON, GoalSearchBundle,
    GoalSearchEntry, MATCH, RelatedPersonSearchBundle, RelatedPersonSearchEntry,
};

/// The query parameters of a Goal search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct GoalSearchParameters {
    /// The person, as `{id}` or `Patient/{id}`; any other patient finds nothing.
    #[param(max_length = 44)]
    patient: Option<String>,
    /// Comma-separated `goal-status` codes (`active`, `on-hold`, `completed`,
    /// `cancelled`; other codes match no Waymark goal), each optionally as
    /// `http://hl7.org/fhir/goal-status|code`.
    #[serde(rename = "lifecycle-status")]
    #[param(rename = "lifecycle-status", max_length = 256, example = "active,on-hold")]
    lifecycle_status: Option<String>,
    /// When the goal last changed: a date (`2026`, `2026-12`, `2026-12-07`, UTC days)
    /// or an instant with its offset, after a prefix `eq` (default), `gt`, `ge`, `lt`
    /// or `le`, each read as the range its precision covers. May be given twice for
    /// a range.
    #[serde(rename = "_lastUpdated")]
    #[param(rename = "_lastUpdated", max_items = 2, value_type = Option<Vec<String>>, example = json!(["ge2026-12-01"]))]
    last_updated: Option<Vec<String>>,
    /// Goals per page, 1 to 100 (default 20).
    #[serde(rename = "_count")]
    #[param(rename = "_count", value_type = Option<u64>, minimum = 1, maximum = 100)]
    count: Option<String>,
    /// `json` or `application/fhir+json` (the one format served).
    #[serde(rename = "_format")]
    #[param(rename = "_format", max_length = 24, example = "json")]
    format: Option<String>,
    /// The position of the next page, from the previous page's `next` link.
    cursor: Option<String>,
}

/// The query parameters of a RelatedPerson search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RelatedPersonSearchParameters {
    /// The person, as `{id}` or `Patient/{id}`; any other patient finds nothing.
    #[param(max_length = 44)]
    patient: Option<String>,
    /// Contacts per page, 1 to 100 (default 20).
    #[serde(rename = "_count")]
    #[param(rename = "_count", value_type = Option<u64>, minimum = 1, maximum = 100)]
    count: Option<String>,
    /// `json` or `application/fhir+json` (the one format served).
    #[serde(rename = "_format")]
    #[param(rename = "_format", max_length = 24, example = "json")]
    format: Option<String>,
    /// The position of the next page, from the previous page's `next` link.
    cursor: Option<String>,
}

/// The query parameters of a CarePlan search (the person has one plan: one page).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CarePlanSearchParameters {
    /// The person, as `{id}` or `Patient/{id}`; any other patient finds nothing.
    #[param(max_length = 44)]
    patient: Option<String>,
    /// `json` or `application/fhir+json` (the one format served).
    #[serde(rename = "_format")]
    #[param(rename = "_format", max_length = 24, example = "json")]
    format: Option<String>,
}

documented_query_types!(
    GoalSearchParameters,
    RelatedPersonSearchParameters,
    CarePlanSearchParameters
);

/// Where a RelatedPerson search goes on: the last contact's name key (its name in
/// lower case, the contact list's order) and id.
#[derive(Debug, Serialize, Deserialize)]
struct NameKeyAndId {
    name_key: String,
    id: uuid::Uuid,
}

/// The `self` link (the search as sent) and, when `next_cursor` is given, the `next`
/// link (the same search, at the next page).
fn links(
    state: &AppState,
    kind: &str,
    request: &HttpRequest,
    next_cursor: Option<String>,
) -> Vec<BundleLink> {
    let base = format!("{}/{kind}", state.fhir_base());
    let query = request.query_string();
    let this = if query.is_empty() { base.clone() } else { format!("{base}?{query}") };
    let mut links = vec![BundleLink { relation: "self", url: this }];
    if let Some(cursor) = next_cursor {
        let kept = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(name, _)| name != "cursor")
            .map(|(name, value)| (name.into_owned(), value.into_owned()));
        let next = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .append_pair("cursor", &cursor)
            .finish();
        links.push(BundleLink { relation: "next", url: format!("{base}?{next}") });
    }
    links
}

/// A `searchset` Bundle's JSON, with `links` and the JSON array `entries` (none: no
/// `entry`, since FHIR has no empty arrays).
fn searchset_json(links: &[BundleLink], entries: &[u8]) -> Result<Vec<u8>, ApiError> {
    let links = serde_json::to_vec(links).map_err(|error| ApiError::Internal(error.into()))?;
    let mut body = Vec::with_capacity(links.len() + entries.len() + 64);
    body.extend_from_slice(br#"{"resourceType":"Bundle","type":"searchset","link":"#);
    body.extend_from_slice(&links);
    if entries != b"[]" {
        body.extend_from_slice(br#","entry":"#);
        body.extend_from_slice(entries);
    }
    body.push(b'}');
    Ok(body)
}

/// A `searchset` Bundle answered.
fn searchset(links: &[BundleLink], entries: &[u8]) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().content_type(FHIR_JSON).body(searchset_json(links, entries)?))
}

/// The query string, and whether more pages follow, as a key's element: a 128-bit
/// FNV-1a digest, as an id no goal, person or contact has (their ids are UUIDv7; this
/// one's version bits say 0), and -1 or -2, which no version is.
fn query_key(query: &str, has_more: bool) -> (uuid::Uuid, i64) {
    let mut digest: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for byte in query.bytes() {
        digest =
            (digest ^ u128::from(byte)).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    (uuid::Uuid::from_u128(digest & !(0xf_u128 << 76)), if has_more { -2 } else { -1 })
}

fn json_array<T: Serialize>(items: &[T]) -> Result<Bytes, ApiError> {
    serde_json::to_vec(items).map(Bytes::from).map_err(|error| ApiError::Internal(error.into()))
}

/// Searches the person's goals.
///
/// By `patient`, `lifecycle-status`, `_lastUpdated` and `_count`, newest first; the
/// Bundle's `next` link (absolute) leads to the following page.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_search_goals",
    security(("oauth2" = ["patient/Goal.rs"])),
    params(GoalSearchParameters),
    responses(
        (status = 200, description = "A page of goals.", content_type = "application/fhir+json", body = GoalSearchBundle),
        BadQuery,
    ),
)]
#[get("/Goal")]
pub(crate) async fn search_goals(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let sent: GoalSearchParameters = documented_query(request.query_string())?;
    json_only(sent.format.as_deref())?;
    let statuses = match sent.lifecycle_status.as_deref() {
        None => None,
        Some(codes) => Some(codes.split(',').try_fold(Vec::new(), |mut statuses, code| {
            let matched = statuses_of_lifecycle(code.trim()).ok_or_else(|| {
                let code: String = code.chars().take(64).collect();
                bad_query(format!("`{code}` is not a goal-status code"))
            })?;
            statuses.extend(matched);
            Ok::<_, ApiError>(statuses)
        })?),
    };
    let (updated_from, updated_before) =
        last_updated_range(sent.last_updated.as_deref().unwrap_or_default())
            .map_err(|unreadable| bad_query(unreadable.to_string()))?;
    let after: Option<TimeAndId> = state.cursors.decode_sent(sent.cursor.as_deref())?;
    let search = GoalSearch {
        patient: patient_named(sent.patient.as_deref())?,
        statuses,
        updated_from,
        updated_before,
        after: after.map(|last| GoalPosition::Newest { created_at: last.at, id: GoalId(last.id) }),
        count: count_of(sent.count.as_deref())?,
    };
    let found = fhir::goals(&state.ports, acting, search).await?;
    let (page, person) = (&found.value, &found.person);
    // The answer follows from the search as sent, whether more follow (the `next`
    // link), the goals' versions, the person's (their time zone dates the goals) and
    // the versions of the supporters shared with services: the same search at the
    // same versions is the same text, kept once.
    let key = [query_key(request.query_string(), page.has_more), (person.id.0, person.version)]
        .into_iter()
        .chain(page.goals.iter().map(|goal| (goal.id.0, goal.version)))
        .chain(found.shared_supporters.iter().map(|(id, version)| (id.0, *version)))
        .collect();
    let body = state.fhir_goal_searches.json(key, || {
        let context = GoalContext {
            time_zone: person.time_zone,
            shared_supporters: &found.shared_supporters,
            fhir_base: state.fhir_base(),
        };
        let next = state.cursors.after_last(page.has_more, &page.goals, |last| TimeAndId {
            at: last.created_at,
            id: last.id.0,
        });
        let entries: Vec<GoalSearchEntry> = page
            .goals
            .iter()
            .map(|goal| GoalSearchEntry {
                full_url: format!("{}/Goal/{}", state.fhir_base(), goal.id),
                resource: representation::goal(goal, &context),
                search: MATCH,
            })
            .collect();
        searchset_json(&links(&state, "Goal", &request, next), &json_array(&entries)?)
    })?;
    Ok(HttpResponse::Ok().content_type(FHIR_JSON).body(body))
}

/// Searches the person's recovery plan.
///
/// A Bundle of the one plan, or none when `patient` names someone else.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_search_care_plans",
    security(("oauth2" = ["patient/CarePlan.rs"])),
    params(CarePlanSearchParameters),
    responses(
        (status = 200, description = "The plan, in a Bundle.", content_type = "application/fhir+json", body = CarePlanSearchBundle),
        BadQuery,
    ),
)]
#[get("/CarePlan")]
pub(crate) async fn search_care_plans(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let sent: CarePlanSearchParameters = documented_query(request.query_string())?;
    json_only(sent.format.as_deref())?;
    let patient = patient_named(sent.patient.as_deref())?.unwrap_or(acting.owner);
    let entries = match fhir::recovery_plan(&state.ports, acting, patient).await {
        Ok(plan) => vec![CarePlanSearchEntry {
            full_url: format!("{}/CarePlan/{}", state.fhir_base(), plan.person.id),
            resource: representation::care_plan(&plan, state.fhir_base()),
            search: MATCH,
        }],
        Err(fhir::FhirReadError::NotFound) => Vec::new(),
        Err(error) => return Err(error.into()),
    };
    searchset(&links(&state, "CarePlan", &request, None), &json_array(&entries)?)
}

/// Searches the contacts the person shares with services.
///
/// By name; only contacts marked `shared_with_services`.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_search_related_people",
    security(("oauth2" = ["patient/RelatedPerson.rs"])),
    params(RelatedPersonSearchParameters),
    responses(
        (status = 200, description = "A page of contacts.", content_type = "application/fhir+json", body = RelatedPersonSearchBundle),
        BadQuery,
    ),
)]
#[get("/RelatedPerson")]
pub(crate) async fn search_related_people(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let sent: RelatedPersonSearchParameters = documented_query(request.query_string())?;
    json_only(sent.format.as_deref())?;
    let after: Option<NameKeyAndId> = state.cursors.decode_sent(sent.cursor.as_deref())?;
    let after =
        after.map(|last| ContactPosition::Name { name_key: last.name_key, id: ContactId(last.id) });
    let count = count_of(sent.count.as_deref())?;
    let patient = patient_named(sent.patient.as_deref())?;
    let page = fhir::related_people(&state.ports, acting, patient, after, count).await?;
    let next = state.cursors.after_last(page.has_more, &page.contacts, |last| NameKeyAndId {
        name_key: last.details.name.as_str().to_lowercase(),
        id: last.id.0,
    });
    let entries: Vec<RelatedPersonSearchEntry> = page
        .contacts
        .iter()
        .map(|contact| RelatedPersonSearchEntry {
            full_url: format!("{}/RelatedPerson/{}", state.fhir_base(), contact.id),
            resource: representation::related_person(contact),
            search: MATCH,
        })
        .collect();
    searchset(&links(&state, "RelatedPerson", &request, next), &json_array(&entries)?)
}
