//! Caching for public content, which partners and their CDNs re-read constantly:
//! `ETag`, `Last-Modified`, `Cache-Control: public, max-age=300,
//! stale-while-revalidate=86400`, and 304 for `If-None-Match` or `If-Modified-Since`.
//! Responses made for an editor (who may see drafts) are `private, no-store` instead.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What public content may be cached for.
pub(crate) const PUBLIC: &str = "public, max-age=300, stale-while-revalidate=86400";
/// What an editor's view may be cached for: not at all.
pub(crate) const PRIVATE: &str = "private, no-store";

/// An HTTP date (RFC 9110), such as `Wed, 25 Nov 2026 10:00:00 GMT`.
fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn parse_http_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text.trim()).ok().map(|at| at.to_utc())
}

/// Whether `Last-Modified` alone can tell that a body is unchanged. It cannot for lists
/// (an item leaving a page does not make the newest remaining one newer) or for bodies
/// that depend on the time of asking (a service's `open_now`): those answer
/// `If-Modified-Since` with the full body and rely on `ETag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModifiedSince {
    /// One resource whose body changes only when its `updated_at` does.
    Reliable,
    /// A list, or a body that changes with the clock.
    Unreliable,
}

/// Whether the request's validators say the client's copy is current.
fn unchanged(
    request: &HttpRequest,
    etag: &str,
    last_modified: DateTime<Utc>,
    modified_since: ModifiedSince,
) -> bool {
    let headers = request.headers();
    if let Some(tags) = headers.get(header::IF_NONE_MATCH).and_then(|value| value.to_str().ok()) {
        // If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 13.2.2).
        return tags.trim() == "*"
            || tags
                .split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == etag);
    }
    modified_since == ModifiedSince::Reliable
        && headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|value| value.to_str().ok())
            .and_then(parse_http_date)
            .is_some_and(|since| last_modified.timestamp() <= since.timestamp())
}

fn with_validators(
    mut response: HttpResponseBuilder,
    etag: &str,
    last_modified: DateTime<Utc>,
    public: bool,
) -> HttpResponseBuilder {
    response
        .insert_header((header::CACHE_CONTROL, if public { PUBLIC } else { PRIVATE }))
        .insert_header((header::VARY, "Accept-Encoding, Authorization"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.insert_header((header::ETAG, value));
    }
    if let Ok(value) = HeaderValue::from_str(&http_date(last_modified)) {
        response.insert_header((header::LAST_MODIFIED, value));
    }
    response
}

/// The strong `ETag` of a body: a digest of its bytes.
pub(crate) fn digest_etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|byte| format!("{byte:02x}")).collect();
    format!("\"{hex}\"")
}

/// 200 with `body` as JSON and its validators, or 304 when the client's copy is
/// current. `public` chooses the caching policy.
pub(crate) fn cached_json<T: Serialize>(
    request: &HttpRequest,
    body: &T,
    last_modified: DateTime<Utc>,
    modified_since: ModifiedSince,
    public: bool,
) -> HttpResponse {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let etag = digest_etag(&bytes);
    cached_bytes(request, bytes, &etag, last_modified, modified_since, public)
}

/// [`cached_json`] for JSON already written, whose `ETag` is `etag`.
pub(crate) fn cached_bytes(
    request: &HttpRequest,
    json: impl actix_web::body::MessageBody + 'static,
    etag: &str,
    last_modified: DateTime<Utc>,
    modified_since: ModifiedSince,
    public: bool,
) -> HttpResponse {
    if unchanged(request, etag, last_modified, modified_since) {
        return with_validators(HttpResponse::NotModified(), etag, last_modified, public).finish();
    }
    with_validators(HttpResponse::Ok(), etag, last_modified, public)
        .content_type("application/json")
        .body(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use chrono::TimeZone;

    #[test]
    fn http_dates_round_trip() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        assert_eq!(http_date(at), "Wed, 25 Nov 2026 10:00:00 GMT");
        assert_eq!(parse_http_date(&http_date(at)), Some(at));
    }

    #[test]
    fn validators_decide_304() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let request = |name, value: &str| {
            TestRequest::default().insert_header((name, value.to_owned())).to_http_request()
        };
        let check = |name, value: &str, modified_since| {
            unchanged(&request(name, value), "\"b\"", at, modified_since)
        };
        let reliable = ModifiedSince::Reliable;
        assert!(check(header::IF_NONE_MATCH, "\"a\", W/\"b\"", reliable));
        assert!(!check(header::IF_NONE_MATCH, "\"a\"", reliable));
        assert!(check(header::IF_MODIFIED_SINCE, "Wed, 25 Nov 2026 10:00:00 GMT", reliable));
        assert!(!check(header::IF_MODIFIED_SINCE, "Wed, 25 Nov 2026 09:59:59 GMT", reliable));
        assert!(!check(header::IF_MODIFIED_SINCE, "yesterday", reliable));
        assert!(
            !check(
                header::IF_MODIFIED_SINCE,
                "Wed, 25 Nov 2026 10:00:00 GMT",
                ModifiedSince::Unreliable
            ),
            "lists rely on ETag alone"
        );
    }
}
