//! Conditional requests (RFC 9110 section 13): `ETag` is the resource's version,
//! `If-Match` guards writes (412 when stale), `If-None-Match` saves reads (304).

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures_util::future::{Ready, ready};
use waymark_domain::precondition::Precondition;

use crate::error::ApiError;

/// The strong `ETag` of a resource at `version`: `"<version>"`.
#[must_use]
pub fn version_etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The versions a write is conditional on, from `If-Match`: no header or `*` is
/// unconditional; a header naming no tag this server could have issued matches
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfMatch(Precondition);

impl IfMatch {
    /// What the client last saw, for a use case to check.
    #[must_use]
    pub fn seen(&self) -> &Precondition {
        &self.0
    }

    /// Whether the header is present at all (other than `*`).
    #[must_use]
    pub fn is_conditional(&self) -> bool {
        self.0.is_conditional()
    }

    /// Checks the header against the resource's `current` version, and answers the
    /// version the write must still find (so a concurrent change in between is also
    /// caught), or `None` for an unconditional write.
    ///
    /// # Errors
    /// [`ApiError::PreconditionFailed`] when no listed tag is the current version.
    pub fn resolve(&self, current: i64) -> Result<Option<i64>, ApiError> {
        self.0.expected(current).map_err(|_| ApiError::PreconditionFailed)
    }
}

/// A strong tag we issue: `"<digits>"`, without sign or leading zeros.
fn version_of(tag: &str) -> Option<i64> {
    let digits = tag.strip_prefix('"')?.strip_suffix('"')?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|byte| byte.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if canonical { digits.parse().ok() } else { None }
}

fn parse_if_match(headers: &HeaderMap) -> Precondition {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Precondition::Any;
    };
    let Ok(value) = value.to_str() else {
        return Precondition::OneOf(Vec::new());
    };
    if value.trim() == "*" {
        return Precondition::Any;
    }
    // Weak tags never match for writes (RFC 9110 13.1.1).
    Precondition::OneOf(value.split(',').map(str::trim).filter_map(version_of).collect())
}

impl FromRequest for IfMatch {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Ok(IfMatch(parse_if_match(request.headers()))))
    }
}

/// A 304 response when the request's `If-None-Match` names `etag` (or `*`).
#[must_use]
pub fn not_modified(request: &HttpRequest, etag: &str) -> Option<HttpResponse> {
    let value = request.headers().get(header::IF_NONE_MATCH)?.to_str().ok()?;
    let matches = value.trim() == "*"
        || value.split(',').map(|tag| tag.trim().trim_start_matches("W/")).any(|tag| tag == etag);
    matches.then(|| {
        HttpResponse::NotModified().insert_header((header::ETAG, etag.to_owned())).finish()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn if_match(value: &str) -> IfMatch {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, HeaderValue::from_str(value).expect("header"));
        IfMatch(parse_if_match(&headers))
    }

    const ANY: IfMatch = IfMatch(Precondition::Any);

    fn versions(versions: &[i64]) -> IfMatch {
        IfMatch(Precondition::OneOf(versions.to_vec()))
    }

    #[test]
    fn if_match_is_read_strictly() {
        assert_eq!(parse_if_match(&HeaderMap::new()), Precondition::Any);
        assert_eq!(if_match("*"), ANY);
        assert_eq!(if_match("\"3\""), versions(&[3]));
        assert_eq!(if_match("\"x\", \"4\""), versions(&[4]));
        for loose in ["W/\"3\"", "3", "\"+3\"", "\"03\"", "\"-3\"", "\" 3\""] {
            assert_eq!(if_match(loose), versions(&[]), "{loose}");
        }
    }

    #[test]
    fn any_listed_tag_may_match() {
        assert_eq!(if_match("\"2\", \"1\"").resolve(1).ok(), Some(Some(1)));
        assert!(if_match("\"2\"").resolve(1).is_err());
        assert_eq!(ANY.resolve(7).ok(), Some(None));
    }
}
