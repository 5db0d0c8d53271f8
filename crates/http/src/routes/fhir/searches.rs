//! Searching: `GET /fhir/r4/{type}?…`, answered as a `searchset` Bundle whose `next`
//! link (absolute, signed) leads to the following page. A search naming another
//! patient finds nothing; a parameter not listed here is refused (400), as FHIR's
//! `handling=strict` asks, so a filter never silently does nothing.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use waymark_application::accounts;
use waymark_application::fhir::{self, GoalSearch};
use waymark_application::formats::fhir::statuses_of_lifecycle;
use waymark_domain::contacts::ContactId;
use waymark_domain::contacts::ports::ContactPosition;
use waymark_domain::goals::GoalId;
use waymark_domain::goals::ports::GoalPosition;
use waymark_domain::identity::AccountId;
use waymark_domain::time::Instant;

use super::{fhir_json, representation};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::BadQuery;
use crate::pagination::{
    DEFAULT_LIMIT, MAX_LIMIT, TimeAndId, bad_query, documented_query, documented_query_types,
};
use crate::state::AppState;
use crate::wire::fhir::{
    BundleLink, CarePlanSearchBundle, CarePlanSearchEntry, GoalSearchBundle, GoalSearchEntry,
    MATCH, RelatedPersonSearchBundle, RelatedPersonSearchEntry,
};

/// The query parameters of a Goal search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct GoalSearchParameters {
    /// The person, as `{id}` or `Patient/{id}`; any other patient finds nothing.
    #[param(max_length = 44)]
    patient: Option<String>,
    /// Comma-separated `goal-status` codes: `active`, `on-hold`, `completed`,
    /// `cancelled` (other codes match no Waymark goal).
    #[serde(rename = "lifecycle-status")]
    #[param(rename = "lifecycle-status", max_length = 128, example = "active,on-hold")]
    lifecycle_status: Option<String>,
    /// When the goal last changed: a date (`2026-12`, `2026-12-07`) or an instant
    /// with its offset, after a prefix `eq` (default), `gt`, `ge`, `lt` or `le`. May be
    /// given twice for a range.
    #[serde(rename = "_lastUpdated")]
    #[param(rename = "_lastUpdated", max_items = 2, value_type = Option<Vec<String>>, example = json!(["ge2026-12-01"]))]
    last_updated: Option<Vec<String>>,
    /// Goals per page, 1 to 100 (default 20).
    #[serde(rename = "_count")]
    #[param(rename = "_count", value_type = Option<u64>, minimum = 1, maximum = 100)]
    count: Option<String>,
    /// The position of the next page, from the previous page's `next` link.
    cursor: Option<String>,
}

/// The query parameters of a CarePlan or RelatedPerson search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PatientSearchParameters {
    /// The person, as `{id}` or `Patient/{id}`; any other patient finds nothing.
    #[param(max_length = 44)]
    patient: Option<String>,
    /// Resources per page, 1 to 100 (default 20).
    #[serde(rename = "_count")]
    #[param(rename = "_count", value_type = Option<u64>, minimum = 1, maximum = 100)]
    count: Option<String>,
    /// The position of the next page, from the previous page's `next` link.
    cursor: Option<String>,
}

documented_query_types!(GoalSearchParameters, PatientSearchParameters);

/// Where a RelatedPerson search goes on: the last contact's name key and id.
#[derive(Debug, Serialize, Deserialize)]
struct NameAndId {
    name: String,
    id: uuid::Uuid,
}

/// The person a `patient` parameter names: `{id}` or `Patient/{id}`.
///
/// # Errors
/// 400 for anything else.
fn patient_named(value: Option<&str>) -> Result<Option<AccountId>, ApiError> {
    value
        .map(|value| {
            let id = value.strip_prefix("Patient/").unwrap_or(value);
            uuid::Uuid::parse_str(id)
                .map(AccountId)
                .map_err(|_| bad_query("patient must be a patient id, as {id} or Patient/{id}"))
        })
        .transpose()
}

fn count_of(value: Option<&str>) -> Result<u64, ApiError> {
    let Some(value) = value else {
        return Ok(DEFAULT_LIMIT);
    };
    value
        .parse::<u64>()
        .ok()
        .filter(|count| (1..=MAX_LIMIT).contains(count))
        .ok_or_else(|| bad_query(format!("_count must be 1 to {MAX_LIMIT}")))
}

/// The instants a `_lastUpdated` value covers: from its start, up to (not including)
/// its end, at the precision it was written in.
fn covered(value: &str) -> Option<(Instant, Instant)> {
    let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    let start_of = |date: NaiveDate| {
        date.and_hms_opt(0, 0, 0).map(|midnight| Utc.from_utc_datetime(&midnight))
    };
    match value.len() {
        4 => {
            let year = value.parse::<i32>().ok()?;
            let start = NaiveDate::from_ymd_opt(year, 1, 1)?;
            Some((start_of(start)?, start_of(start.with_year(year + 1)?)?))
        }
        7 => {
            let start = day(&format!("{value}-01"))?;
            let next = start.checked_add_months(chrono::Months::new(1))?;
            Some((start_of(start)?, start_of(next)?))
        }
        10 => {
            let start = day(value)?;
            Some((start_of(start)?, start_of(start.succ_opt()?)?))
        }
        _ => {
            let at = DateTime::parse_from_rfc3339(value).ok()?.with_timezone(&Utc);
            let precision =
                if value.contains('.') { Duration::microseconds(1) } else { Duration::seconds(1) };
            Some((at, at + precision))
        }
    }
}

/// The range `_lastUpdated` values ask for together: changed at or after the first
/// instant, and before the second.
fn updated_range(values: &[String]) -> Result<(Option<Instant>, Option<Instant>), ApiError> {
    let mut from: Option<Instant> = None;
    let mut before: Option<Instant> = None;
    for value in values {
        let (prefix, rest) = match value.get(..2) {
            Some(prefix) if prefix.chars().all(|c| c.is_ascii_lowercase()) => (prefix, &value[2..]),
            _ => ("eq", value.as_str()),
        };
        let (start, end) = covered(rest).ok_or_else(|| {
            bad_query("_lastUpdated must be a date (YYYY, YYYY-MM, YYYY-MM-DD) or an instant with its offset, after eq, gt, ge, lt or le")
        })?;
        let (lower, upper) = match prefix {
            "eq" => (Some(start), Some(end)),
            "ge" => (Some(start), None),
            "gt" => (Some(end), None),
            "lt" => (None, Some(start)),
            "le" => (None, Some(end)),
            _ => return Err(bad_query("_lastUpdated takes the prefixes eq, gt, ge, lt and le")),
        };
        from = from.max(lower);
        before = match (before, upper) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    Ok((from, before))
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
#[get("/fhir/r4/Goal")]
pub(crate) async fn search_goals(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let sent: GoalSearchParameters = documented_query(request.query_string())?;
    let statuses = match sent.lifecycle_status.as_deref() {
        None => None,
        Some(codes) => Some(codes.split(',').try_fold(Vec::new(), |mut statuses, code| {
            let matched = statuses_of_lifecycle(code.trim()).ok_or_else(|| {
                bad_query(format!(
                    "`{}` is not a goal-status code",
                    code.chars().take(32).collect::<String>()
                ))
            })?;
            statuses.extend(matched);
            Ok::<_, ApiError>(statuses)
        })?),
    };
    let (updated_from, updated_before) =
        updated_range(sent.last_updated.as_deref().unwrap_or(&[]))?;
    let after: Option<TimeAndId> = state.cursors.decode_sent(sent.cursor.as_deref())?;
    let search = GoalSearch {
        patient: patient_named(sent.patient.as_deref())?,
        statuses,
        updated_from,
        updated_before,
        after: after.map(|last| GoalPosition::Newest { created_at: last.at, id: GoalId(last.id) }),
        count: count_of(sent.count.as_deref())?,
    };
    let page = fhir::goals(&state.ports, acting, search).await?;
    let person = accounts::get(&state.ports, acting).await?;
    let next = state.cursors.after_last(page.has_more, &page.goals, |last| TimeAndId {
        at: last.created_at,
        id: last.id.0,
    });
    let base = state.fhir_base();
    let entry = page
        .goals
        .iter()
        .map(|goal| GoalSearchEntry {
            full_url: format!("{base}/Goal/{}", goal.id),
            resource: representation::goal(goal, person.time_zone),
            search: MATCH,
        })
        .collect();
    fhir_json(&GoalSearchBundle::of(links(&state, "Goal", &request, next), entry))
}

/// Searches the person's recovery plan.
///
/// A Bundle of the one plan, or none when `patient` names someone else.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_search_care_plans",
    security(("oauth2" = ["patient/CarePlan.rs"])),
    params(PatientSearchParameters),
    responses(
        (status = 200, description = "The plan, in a Bundle.", content_type = "application/fhir+json", body = CarePlanSearchBundle),
        BadQuery,
    ),
)]
#[get("/fhir/r4/CarePlan")]
pub(crate) async fn search_care_plans(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let sent: PatientSearchParameters = documented_query(request.query_string())?;
    count_of(sent.count.as_deref())?;
    if sent.cursor.is_some() {
        return Err(bad_query("a search of the one recovery plan has one page"));
    }
    let patient = patient_named(sent.patient.as_deref())?.unwrap_or(acting.owner);
    let entry = if patient == acting.owner {
        let plan = fhir::recovery_plan(&state.ports, acting, acting.owner).await?;
        vec![CarePlanSearchEntry {
            full_url: format!("{}/CarePlan/{}", state.fhir_base(), acting.owner),
            resource: representation::care_plan(&plan),
            search: MATCH,
        }]
    } else {
        Vec::new()
    };
    fhir_json(&CarePlanSearchBundle::of(links(&state, "CarePlan", &request, None), entry))
}

/// Searches the contacts the person shares with services.
///
/// By name; only contacts marked `shared_with_services`.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_search_related_people",
    security(("oauth2" = ["patient/RelatedPerson.rs"])),
    params(PatientSearchParameters),
    responses(
        (status = 200, description = "A page of contacts.", content_type = "application/fhir+json", body = RelatedPersonSearchBundle),
        BadQuery,
    ),
)]
#[get("/fhir/r4/RelatedPerson")]
pub(crate) async fn search_related_people(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let sent: PatientSearchParameters = documented_query(request.query_string())?;
    let after: Option<NameAndId> = state.cursors.decode_sent(sent.cursor.as_deref())?;
    let after =
        after.map(|last| ContactPosition::Name { name_key: last.name, id: ContactId(last.id) });
    let count = count_of(sent.count.as_deref())?;
    let patient = patient_named(sent.patient.as_deref())?;
    let page = fhir::related_people(&state.ports, acting, patient, after, count).await?;
    let next = state.cursors.after_last(page.has_more, &page.contacts, |last| NameAndId {
        name: last.details.name.as_str().to_lowercase(),
        id: last.id.0,
    });
    let base = state.fhir_base();
    let entry = page
        .contacts
        .iter()
        .map(|contact| RelatedPersonSearchEntry {
            full_url: format!("{base}/RelatedPerson/{}", contact.id),
            resource: representation::related_person(contact),
            search: MATCH,
        })
        .collect();
    fhir_json(&RelatedPersonSearchBundle::of(links(&state, "RelatedPerson", &request, next), entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)).unwrap()
    }

    #[test]
    fn last_updated_reads_each_precision_as_the_range_it_covers() {
        let range = |values: &[&str]| {
            updated_range(&values.iter().map(|value| (*value).to_owned()).collect::<Vec<_>>())
                .unwrap()
        };
        assert_eq!(
            range(&["2026-12"]),
            (Some(at("2026-12-01T00:00:00Z")), Some(at("2027-01-01T00:00:00Z")))
        );
        assert_eq!(range(&["gt2026-12-07"]), (Some(at("2026-12-08T00:00:00Z")), None));
        assert_eq!(range(&["le2026"]), (None, Some(at("2027-01-01T00:00:00Z"))));
        assert_eq!(
            range(&["ge2026-12-01", "lt2026-12-07T12:00:00+01:00"]),
            (Some(at("2026-12-01T00:00:00Z")), Some(at("2026-12-07T11:00:00Z")))
        );
        assert!(updated_range(&["ne2026".to_owned()]).is_err());
        assert!(updated_range(&["2026-13".to_owned()]).is_err());
    }
}
