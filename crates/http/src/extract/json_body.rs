//! `JsonBody<T>`: reads a JSON request body under the API guide's rules.
//!
//! - `Content-Type` must be `application/json` or another `application/*+json` type
//!   such as `application/merge-patch+json` (else 415);
//! - the body may not exceed the configured size (413) or nest deeper than
//!   [`MAX_DEPTH`] levels (400);
//! - malformed JSON is 400; well-formed JSON with unknown, missing or mistyped fields
//!   is 422 with one entry per field. Values that break a rule are found when the
//!   body parses into domain values (`waymark_application::Input` and its kin).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use super::json_pointer::{escape_token, pointer_of, quoted_name};
use crate::error::ApiError;
use crate::problem::FieldError;
use crate::state::AppState;

/// Deepest nesting of arrays and objects a body may have.
pub const MAX_DEPTH: usize = 32;

const FALLBACK_LIMIT: usize = 64 * 1024;

/// A validated JSON request body.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    /// The body's value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> FromRequest for JsonBody<T>
where
    T: DeserializeOwned + 'static,
{
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = request
            .app_data::<web::Data<AppState>>()
            .map_or(FALLBACK_LIMIT, |state| state.settings.max_body_bytes);
        let checked =
            check_content_type(request).and_then(|()| check_declared_length(request, limit));
        let mut payload = payload.take();
        Box::pin(async move {
            checked?;
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|error| {
                    ApiError::BadRequest(format!("the body could not be read: {error}"))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit }.into());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Self(parse(&body)?))
        })
    }
}

/// Deserialises and validates `body`.
///
/// # Errors
/// [`ApiError::MalformedJson`] or [`ApiError::Validation`], as described in the module.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::MalformedJson("the request body is empty".to_owned()));
    }
    // Serde would read a struct from an array too (by field order); bodies here are
    // always JSON objects.
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if first != Some(&b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        return Err(ApiError::Validation(vec![FieldError {
            pointer: String::new(),
            code: "invalid_type".to_owned(),
            message: "the body must be a JSON object".to_owned(),
        }]));
    }
    if exceeds_depth(body, MAX_DEPTH) {
        return Err(ApiError::MalformedJson(format!(
            "the body nests more than {MAX_DEPTH} levels deep"
        )));
    }
    if let Some(pointer) = nul_character_pointer(body) {
        return Err(ApiError::Validation(vec![FieldError {
            pointer,
            code: "nul_character".to_owned(),
            message: crate::middleware::nul_characters::NUL_REFUSED.to_owned(),
        }]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let pointer = pointer_of(error.path());
            let inner = error.into_inner();
            match inner.classify() {
                Category::Data => ApiError::Validation(vec![data_error(pointer, &inner)]),
                Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson(
                    format!("invalid JSON at line {} column {}", inner.line(), inner.column()),
                ),
            }
        })?;
    deserializer
        .end()
        .map_err(|_| ApiError::MalformedJson("unexpected data after the JSON value".to_owned()))?;
    Ok(value)
}

fn check_content_type(request: &HttpRequest) -> Result<(), actix_web::Error> {
    let unsupported = || ApiError::UnsupportedMediaType { expected: "application/json" };
    let value = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(unsupported)?;
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    // JSON, or a JSON merge patch (RFC 7396); other `+json` types (JSON Patch, say)
    // mean something else and are refused rather than misread.
    let is_json = matches!(essence.as_str(), "application/json" | "application/merge-patch+json");
    let charset_ok = parts.all(|parameter| {
        let parameter = parameter.trim().to_ascii_lowercase();
        !parameter.starts_with("charset=")
            || matches!(parameter.as_str(), "charset=utf-8" | "charset=\"utf-8\"")
    });
    if is_json && charset_ok { Ok(()) } else { Err(unsupported().into()) }
}

fn check_declared_length(request: &HttpRequest, limit: usize) -> Result<(), actix_web::Error> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    match declared {
        Some(length) if length > limit => Err(ApiError::PayloadTooLarge { limit }.into()),
        _ => Ok(()),
    }
}

/// Whether arrays and objects in `body` nest deeper than `limit`, ignoring brackets
/// inside strings. Runs before deserialising so a hostile body cannot recurse deeply.
fn exceeds_depth(body: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in body {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The pointer to the first string (or object key) in `body` that holds NUL, which no
/// text column can store (the NUL middleware covers the rest of a request). JSON can only write it as the escape `\u0000`, so bodies without that
/// text are passed over without parsing them twice.
fn nul_character_pointer(body: &[u8]) -> Option<String> {
    if !body.windows(6).any(|window| window == b"\\u0000") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    find_nul(&value, String::new())
}

fn find_nul(value: &serde_json::Value, pointer: String) -> Option<String> {
    match value {
        serde_json::Value::String(text) => text.contains('\0').then_some(pointer),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| find_nul(item, format!("{pointer}/{index}"))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(name, field)| {
            let here = format!("{pointer}/{}", escape_token(name));
            if name.contains('\0') { Some(here) } else { find_nul(field, here) }
        }),
        _ => None,
    }
}

/// Describes a serde data error without echoing the client's values back.
fn data_error(pointer: String, error: &serde_json::Error) -> FieldError {
    let message = error.to_string();
    if message.starts_with("unknown field") {
        // serde_path_to_error already ends the path with the unknown key.
        let name = escape_token(quoted_name(&message).unwrap_or_default());
        let pointer = if pointer.ends_with(&format!("/{name}")) {
            pointer
        } else {
            format!("{pointer}/{name}")
        };
        return FieldError {
            pointer,
            code: "unknown_field".to_owned(),
            message: "is not a field of this resource".to_owned(),
        };
    }
    if message.starts_with("duplicate field") {
        let name = quoted_name(&message).unwrap_or_default();
        return FieldError {
            pointer: format!("{pointer}/{}", escape_token(name)),
            code: "duplicate".to_owned(),
            message: "appears more than once".to_owned(),
        };
    }
    if message.starts_with("missing field") {
        let name = quoted_name(&message).unwrap_or_default();
        return FieldError {
            pointer: format!("{pointer}/{}", escape_token(name)),
            code: "required".to_owned(),
            message: "is required".to_owned(),
        };
    }
    if message.starts_with("unknown variant") {
        let allowed = message
            .split_once("expected ")
            .map_or_else(String::new, |(_, rest)| format!(": expected {}", strip_position(rest)));
        return FieldError {
            pointer,
            code: "unknown_variant".to_owned(),
            message: format!("is not one of the allowed values{allowed}"),
        };
    }
    let expected = message
        .split_once("expected ")
        .map_or_else(|| "a different type".to_owned(), |(_, rest)| strip_position(rest).to_owned());
    FieldError { pointer, code: "invalid_type".to_owned(), message: format!("must be {expected}") }
}

/// Drops serde_json's " at line L column C" suffix.
fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_only_structure_outside_strings() {
        assert!(!exceeds_depth(br#"{"a":"[[[[[[[["}"#, 2));
        assert!(exceeds_depth(b"[[[1]]]", 2));
        assert!(!exceeds_depth(b"[[1],[2]]", 2));
        assert!(!exceeds_depth(br#"{"a":"\"[[["}"#, 1));
    }

    #[test]
    fn nul_is_found_by_pointer_in_values_and_keys_but_not_in_escaped_backslashes() {
        assert_eq!(
            nul_character_pointer(br#"{"a":[{"b/c":"x\u0000"}]}"#),
            Some("/a/0/b~1c".to_owned())
        );
        assert_eq!(nul_character_pointer(br#"{"k\u0000":1}"#), Some("/k\u{0}".to_owned()));
        assert_eq!(nul_character_pointer(br#"{"a":"\\u0000"}"#), None);
        assert_eq!(nul_character_pointer(br#"{"a":"plain"}"#), None);
    }
}
