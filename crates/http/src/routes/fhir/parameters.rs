//! The query parameters every FHIR operation shares: `_format` (JSON only), the
//! `patient` a search names, and `_count`.

use serde::Deserialize;
use utoipa::IntoParams;
use waymark_domain::identity::AccountId;

use crate::error::ApiError;
use crate::pagination::{
    DEFAULT_LIMIT, MAX_LIMIT, bad_query, documented_query, documented_query_types,
};

/// The `_format` values meaning FHIR's JSON, the one format served.
const JSON_FORMATS: [&str; 4] =
    ["json", "application/json", "application/fhir+json", "application/json+fhir"];

/// A read's only query parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReadParameters {
    /// `json` or `application/fhir+json` (the one format served; any other is 400).
    #[serde(rename = "_format")]
    #[param(rename = "_format", max_length = 24, example = "json")]
    format: Option<String>,
}

documented_query_types!(ReadParameters);

/// Checks a read's query: `_format`, if given, must be JSON; nothing else is taken.
///
/// # Errors
/// 400 for any other parameter or format.
pub(super) fn read_query(query_string: &str) -> Result<(), ApiError> {
    let sent: ReadParameters = documented_query(query_string)?;
    json_only(sent.format.as_deref())
}

/// `_format`, if given, must name JSON.
///
/// # Errors
/// 400 for another format.
pub(super) fn json_only(format: Option<&str>) -> Result<(), ApiError> {
    match format {
        Some(format) if !JSON_FORMATS.contains(&format) => Err(bad_query(
            "_format may only be json or application/fhir+json: this server answers FHIR's JSON",
        )),
        _ => Ok(()),
    }
}

/// The person a `patient` parameter names: `{id}` or `Patient/{id}`.
///
/// # Errors
/// 400 for anything else.
pub(super) fn patient_named(value: Option<&str>) -> Result<Option<AccountId>, ApiError> {
    value
        .map(|value| {
            let id = value.strip_prefix("Patient/").unwrap_or(value);
            uuid::Uuid::parse_str(id)
                .map(AccountId)
                .map_err(|_| bad_query("patient must be a patient id, as {id} or Patient/{id}"))
        })
        .transpose()
}

/// `_count`: 1 to 100, 20 when not given.
///
/// # Errors
/// 400 for anything else.
pub(super) fn count_of(value: Option<&str>) -> Result<u64, ApiError> {
    let Some(value) = value else {
        return Ok(DEFAULT_LIMIT);
    };
    value
        .parse::<u64>()
        .ok()
        .filter(|count| (1..=MAX_LIMIT).contains(count))
        .ok_or_else(|| bad_query(format!("_count must be 1 to {MAX_LIMIT}")))
}
