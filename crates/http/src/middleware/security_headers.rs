//! Headers every response gets (API guide, "Headers every response gets").
//! `Cache-Control: no-store` is the default because most of Waymark is personal; public
//! content sets its own caching and is left alone.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// Swagger UI needs its own scripts and styles; everything else is JSON and needs none.
pub(crate) const DOCS_PREFIX: &str = "/docs";
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

pub(crate) async fn add_security_headers(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let is_docs = request.path().starts_with(DOCS_PREFIX);
    let is_page = crate::pages::serves_pages(request.path());
    let mut response = next.call(request).await?;
    apply_security_headers(response.headers_mut(), is_docs);
    // The pages have one style sheet of their own.
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if is_page && html {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, crate::pages::PAGE_POLICY.clone());
    }
    Ok(response)
}

/// Sets the fixed security headers, and `no-store` unless caching was chosen.
pub(crate) fn apply_security_headers(headers: &mut HeaderMap, is_docs: bool) {
    let fixed: [(HeaderName, &'static str); 4] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, if is_docs { DOCS_POLICY } else { API_POLICY }),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
