//! Keyset pagination (API guide, "Lists"): `?limit=` (1 to 100, default 20) and an
//! opaque, tamper-evident `?cursor=`. A cursor is the position after the last item,
//! serialised and signed with HMAC-SHA256, so a client can neither forge nor edit one
//! (a changed cursor is 400). Pages answer `{ "items": [...], "next_cursor": ... }`
//! and a `Link: <...>; rel="next"` header.

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpResponse, HttpResponseBuilder};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 20;
/// The most items a page may have.
pub const MAX_LIMIT: u64 = 100;
/// The longest cursor, in characters: the longest position (a 200-character name of
/// up to four bytes a character, an id and a number) signed and in base64 fits.
pub const MAX_CURSOR_LENGTH: usize = 2048;

/// `?limit=&cursor=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The limit, checked.
    ///
    /// # Errors
    /// [`ApiError::BadRequest`] outside 1 to 100.
    pub fn limit(&self) -> Result<u64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
            Some(_) => {
                Err(ApiError::BadRequest(format!("limit must be between 1 and {MAX_LIMIT}")))
            }
        }
    }

    /// The position the `cursor` names, if one was sent.
    ///
    /// # Errors
    /// [`ApiError::BadRequest`] when the cursor is malformed, altered or forged.
    pub fn position<T: DeserializeOwned>(
        &self,
        cursors: &CursorSigner,
    ) -> Result<Option<T>, ApiError> {
        cursors.decode_sent(self.cursor.as_deref())
    }
}

/// A 400 for a query parameter that is not valid, saying why.
pub fn bad_query(detail: impl Into<String>) -> ApiError {
    ApiError::BadRequest(detail.into())
}

/// Where a list ordered by a time, then an id, goes on: the last item's time and id.
#[derive(Debug, Serialize, Deserialize)]
pub struct TimeAndId {
    /// The last item's time.
    pub at: chrono::DateTime<chrono::Utc>,
    /// The last item's id.
    pub id: uuid::Uuid,
}

/// `?limit=`'s value, checked.
///
/// # Errors
/// [`ApiError::BadRequest`] unless it is a whole number from 1 to 100.
pub fn parse_limit(value: &str) -> Result<u64, ApiError> {
    value
        .parse::<u64>()
        .ok()
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .ok_or_else(|| ApiError::BadRequest(format!("limit must be between 1 and {MAX_LIMIT}")))
}

/// A struct that documents an operation's query parameters (its `IntoParams`) and
/// that [`documented_query`] reads them into. Implement it with
/// `documented_query_types!`, which works the parameters out once per type.
pub trait DocumentedQuery: DeserializeOwned + IntoParams {
    /// Each documented parameter's name, and whether it may repeat.
    fn parameters() -> &'static [(String, bool)];
}

/// Implements [`DocumentedQuery`] for each type named.
macro_rules! documented_query_types {
    ($($type:ty),+ $(,)?) => {
        $(
            impl crate::pagination::DocumentedQuery for $type {
                fn parameters() -> &'static [(String, bool)] {
                    static PARAMETERS: std::sync::OnceLock<Vec<(String, bool)>> =
                        std::sync::OnceLock::new();
                    PARAMETERS.get_or_init(crate::pagination::parameters_of::<$type>)
                }
            }
        )+
    };
}
pub(crate) use documented_query_types;

/// Each query parameter `T` documents, and whether it may repeat (it is documented as
/// an array).
pub(crate) fn parameters_of<T: IntoParams>() -> Vec<(String, bool)> {
    T::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query))
        .iter()
        .map(|parameter| (parameter.name.clone(), is_array(parameter)))
        .collect()
}

/// Reads the query string into `T`, the struct that documents the operation's query
/// parameters, so the contract and the parser cannot drift apart. Every field of `T`
/// is text (`Option<String>`, or `Option<Vec<String>>` for a parameter documented as
/// an array, which may repeat); its handler parses the text. Any other parameter given
/// twice, or one `T` does not document, is 400.
///
/// # Errors
/// [`ApiError::BadRequest`] as above.
pub fn documented_query<T: DocumentedQuery>(query_string: &str) -> Result<T, ApiError> {
    let documented = T::parameters();
    let mut fields = serde_json::Map::new();
    for (name, value) in url::form_urlencoded::parse(query_string.as_bytes()) {
        let Some((_, repeats)) = documented.iter().find(|(known, _)| *known == name) else {
            return Err(unknown_parameter(&name));
        };
        let value = serde_json::Value::String(value.into_owned());
        match fields.get_mut(name.as_ref()) {
            Some(serde_json::Value::Array(values)) => values.push(value),
            Some(_) => {
                return Err(ApiError::BadRequest(format!(
                    "the query parameter `{name}` is given more than once"
                )));
            }
            None if *repeats => {
                fields.insert(name.into_owned(), serde_json::Value::Array(vec![value]));
            }
            None => {
                fields.insert(name.into_owned(), value);
            }
        }
    }
    serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|error| ApiError::BadRequest(format!("the query is not valid: {error}")))
}

/// Whether the parameter is documented as an array (it may repeat).
fn is_array(parameter: &utoipa::openapi::path::Parameter) -> bool {
    parameter.schema.as_ref().is_some_and(|schema| {
        serde_json::to_value(schema).is_ok_and(|schema| match &schema["type"] {
            serde_json::Value::String(kind) => kind == "array",
            serde_json::Value::Array(kinds) => kinds.iter().any(|kind| kind == "array"),
            _ => false,
        })
    })
}

/// The answer to a query parameter the operation does not have.
#[must_use]
pub fn unknown_parameter(name: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "`{}` is not a query parameter of this operation",
        name.chars().take(64).collect::<String>()
    ))
}

/// `true` or `false`, else 400 naming `name`.
///
/// # Errors
/// [`ApiError::BadRequest`] for anything else.
pub fn parse_bool(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::BadRequest(format!("{name} must be true or false"))),
    }
}

/// `path` with the request's own query parameters except `limit` and `cursor`: the
/// base of the `Link` to the next page (the page adds those two).
#[must_use]
pub fn next_page_base(path: &str, query_string: &str) -> String {
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(query_string.as_bytes())
        .filter(|(name, _)| name != "cursor" && name != "limit")
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    format!("{path}?{query}")
}

/// Signs and checks cursors.
#[derive(Clone)]
pub struct CursorSigner {
    key: [u8; 32],
    /// The longest value it decodes.
    max_length: usize,
}

impl std::fmt::Debug for CursorSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("CursorSigner(..)")
    }
}

impl CursorSigner {
    /// A signer whose key is derived from `secret` (every replica derives the same).
    #[must_use]
    pub fn derived_from(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"waymark cursor key v1\0");
        hasher.update(secret);
        Self { key: hasher.finalize().into(), max_length: MAX_CURSOR_LENGTH }
    }

    /// A signer with a key of its own for `purpose`, derived from this one, that
    /// decodes values up to `max_length`: what it signs never passes for a cursor, nor
    /// a cursor for what it signs.
    #[must_use]
    pub fn for_purpose(&self, purpose: &str, max_length: usize) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"waymark purpose key v1\0");
        hasher.update(self.key);
        hasher.update(purpose.as_bytes());
        Self { key: hasher.finalize().into(), max_length }
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
    }

    /// The cursor for `position`.
    #[must_use]
    pub fn encode<T: Serialize>(&self, position: &T) -> String {
        let payload = serde_json::to_vec(position).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&payload);
        let tag = mac.finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The position in `cursor`.
    ///
    /// # Errors
    /// [`ApiError::BadRequest`] when the cursor is malformed, altered or forged.
    pub fn decode<T: DeserializeOwned>(&self, cursor: &str) -> Result<T, ApiError> {
        let bad = || {
            ApiError::BadRequest("cursor is not valid; start again from the first page".to_owned())
        };
        if cursor.len() > self.max_length {
            return Err(bad());
        }
        let (payload, tag) = cursor.split_once('.').ok_or_else(bad)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| bad())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| bad())?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&tag).map_err(|_| bad())?;
        serde_json::from_slice(&payload).map_err(|_| bad())
    }

    /// The position in `cursor`, if one was sent.
    ///
    /// # Errors
    /// [`ApiError::BadRequest`] when the cursor is malformed, altered or forged.
    pub fn decode_sent<T: DeserializeOwned>(
        &self,
        cursor: Option<&str>,
    ) -> Result<Option<T>, ApiError> {
        cursor.map(|cursor| self.decode(cursor)).transpose()
    }

    /// The cursor to the page after `items`: the `position` of the last one, when
    /// more are waiting.
    #[must_use]
    pub fn after_last<T, P: Serialize>(
        &self,
        has_more: bool,
        items: &[T],
        position: impl FnOnce(&T) -> P,
    ) -> Option<String> {
        let last = items.last().filter(|_| has_more)?;
        Some(self.encode(&position(last)))
    }
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items, in the list's documented order.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Answers `items` with `next_cursor` and a `Link` header to the next page of `path`.
#[must_use]
pub fn page_response<T: Serialize>(
    path: &str,
    limit: u64,
    items: Vec<T>,
    next_cursor: Option<String>,
) -> HttpResponse {
    linked(path, limit, next_cursor.as_deref()).json(Page { items, next_cursor })
}

/// [`page_response`] for items already serialised as a JSON array.
///
/// # Errors
/// When the cursor cannot be serialised (a string always can).
pub fn serialized_page_response(
    path: &str,
    limit: u64,
    items_json: &[u8],
    next_cursor: Option<&str>,
) -> Result<HttpResponse, serde_json::Error> {
    let mut body = Vec::with_capacity(items_json.len() + 160);
    body.extend_from_slice(b"{\"items\":");
    body.extend_from_slice(items_json);
    body.extend_from_slice(b",\"next_cursor\":");
    serde_json::to_writer(&mut body, &next_cursor)?;
    body.push(b'}');
    Ok(linked(path, limit, next_cursor).content_type(ContentType::json()).body(body))
}

/// A 200 response with the `Link` to the next page, if there is one.
fn linked(path: &str, limit: u64, next_cursor: Option<&str>) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = next_cursor {
        response.insert_header((header::LINK, next_page_link(path, limit, cursor)));
    }
    response
}

/// The `Link` header value naming the next page: `base` (the list's path with the
/// request's other query parameters, see [`next_page_base`]) with `limit` and `cursor`.
#[must_use]
pub fn next_page_link(base: &str, limit: u64, cursor: &str) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("<{base}{separator}limit={limit}&cursor={cursor}>; rel=\"next\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_resist_tampering() {
        let signer = CursorSigner::derived_from(b"secret");
        let cursor = signer.encode(&("2026-11-25T10:00:00Z", 42));
        assert_eq!(
            signer.decode::<(String, i32)>(&cursor).ok(),
            Some(("2026-11-25T10:00:00Z".to_owned(), 42))
        );
        let forged = CursorSigner::derived_from(b"other").encode(&("2026-11-25T10:00:00Z", 43));
        assert!(signer.decode::<(String, i32)>(&forged).is_err());
        let (payload, tag) = cursor.split_once('.').expect("two parts");
        let altered =
            format!("{}.{tag}", URL_SAFE_NO_PAD.encode(br#"["2026-11-25T10:00:00Z",43]"#));
        assert!(signer.decode::<(String, i32)>(&altered).is_err());
        assert!(signer.decode::<(String, i32)>(&format!("{payload}.")).is_err());
        assert!(signer.decode::<(String, i32)>("garbage").is_err());
        let longest = signer.encode(&("\u{10FFFF}".repeat(200), uuid::Uuid::nil(), f64::MIN));
        assert!(longest.len() <= MAX_CURSOR_LENGTH, "{}", longest.len());
        let padded = format!("{cursor}{}", "=".repeat(MAX_CURSOR_LENGTH));
        assert!(signer.decode::<(String, i32)>(&padded).is_err());
    }

    #[test]
    fn limits_are_bounded() {
        let request = |limit| PageRequest { limit, cursor: None };
        assert_eq!(request(None).limit().ok(), Some(20));
        assert_eq!(request(Some(100)).limit().ok(), Some(100));
        assert!(request(Some(0)).limit().is_err());
        assert!(request(Some(101)).limit().is_err());
    }
}
