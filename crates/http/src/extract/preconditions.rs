//! Conditional requests (RFC 9110 section 13): `ETag` is the resource's version,
//! `If-Match` guards writes (412 when stale), `If-None-Match` saves reads (304).

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures_util::future::{Ready, ready};

use crate::error::ApiError;

/// The strong `ETag` of a resource at `version`: `"<version>"`.
#[must_use]
pub fn version_etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version a write is conditional on, from `If-Match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    /// No `If-Match`, or `*`: the write is unconditional.
    Any,
    /// Only if the resource is still at this version.
    Version(i64),
    /// `If-Match` names no version this server could have issued; nothing matches.
    Nothing,
}

impl IfMatch {
    /// The version to compare with, or `None` for unconditional writes.
    ///
    /// # Errors
    /// [`ApiError::PreconditionFailed`] when `If-Match` cannot match any version.
    pub fn expected_version(self) -> Result<Option<i64>, ApiError> {
        match self {
            Self::Any => Ok(None),
            Self::Version(version) => Ok(Some(version)),
            Self::Nothing => Err(ApiError::PreconditionFailed),
        }
    }
}

fn parse_if_match(headers: &HeaderMap) -> IfMatch {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return IfMatch::Any;
    };
    let Ok(value) = value.to_str() else {
        return IfMatch::Nothing;
    };
    let value = value.trim();
    if value == "*" {
        return IfMatch::Any;
    }
    // A list may name several tags; we honour the first of ours. Weak tags never
    // match for writes (RFC 9110 13.1.1).
    value
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.starts_with("W/"))
        .find_map(|tag| {
            tag.strip_prefix('"')?
                .strip_suffix('"')?
                .parse::<i64>()
                .ok()
        })
        .map_or(IfMatch::Nothing, IfMatch::Version)
}

impl FromRequest for IfMatch {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Ok(parse_if_match(request.headers())))
    }
}

/// A 304 response when the request's `If-None-Match` names `etag` (or `*`).
#[must_use]
pub fn not_modified(request: &HttpRequest, etag: &str) -> Option<HttpResponse> {
    let value = request
        .headers()
        .get(header::IF_NONE_MATCH)?
        .to_str()
        .ok()?;
    let matches = value.trim() == "*"
        || value
            .split(',')
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == etag);
    matches.then(|| {
        HttpResponse::NotModified()
            .insert_header((header::ETAG, etag.to_owned()))
            .finish()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn if_match(value: &str) -> IfMatch {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_MATCH,
            HeaderValue::from_str(value).expect("header"),
        );
        parse_if_match(&headers)
    }

    #[test]
    fn if_match_is_read_strictly() {
        assert_eq!(parse_if_match(&HeaderMap::new()), IfMatch::Any);
        assert_eq!(if_match("*"), IfMatch::Any);
        assert_eq!(if_match("\"3\""), IfMatch::Version(3));
        assert_eq!(if_match("\"x\", \"4\""), IfMatch::Version(4));
        assert_eq!(if_match("W/\"3\""), IfMatch::Nothing);
        assert_eq!(if_match("3"), IfMatch::Nothing);
    }
}
