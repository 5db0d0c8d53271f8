//! The few HTML pages Waymark serves itself: signing in and saying yes or no to an app
//! (the authorization code flow). Plain server-rendered HTML, no JavaScript, one
//! inline style sheet allowed by its hash, every page with a way to crisis help,
//! since a person may arrive here in distress. Every value shown is escaped.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::middleware::problem_completion::NotAProblem;

/// A page, as the spec documents it.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, max_length = 65536, example = "<!DOCTYPE html>...")]
pub(crate) struct HtmlPage(#[allow(dead_code)] String);

/// A `Set-Cookie` value, as the spec documents it.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, max_length = 256)]
pub(crate) struct CookieText(#[allow(dead_code)] String);

/// The path the sign-in and consent pages are served at.
pub(crate) const AUTHORIZE_PATH: &str = "/v1/auth/authorize";

/// The crisis lines as a page, for a person.
pub(crate) const CRISIS_PAGE_PATH: &str = "/v1/content/crisis.html";

/// Whether `path` serves pages (the security headers give them their own policy).
pub(crate) fn serves_pages(path: &str) -> bool {
    path == AUTHORIZE_PATH || path == CRISIS_PAGE_PATH || path == INVITATION_PAGE_PATH
}

/// The page an invitation's link opens (`POST` there accepts one).
pub(crate) const INVITATION_PAGE_PATH: &str = "/v1/invitations/accept";

/// The style sheet of every page: readable text, visible focus, high contrast.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#111;background:#fff}\
h1{font-size:1.5rem}label{display:block;margin-top:1rem;font-weight:600}\
input{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;font-size:1rem;border:2px solid #444;border-radius:4px}\
button{margin-top:1.25rem;margin-right:.75rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:4px;border:2px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}\
button.secondary{background:#fff;color:#1d4ed8}\
a{color:#1d4ed8}:focus-visible{outline:3px solid #b45309;outline-offset:2px}\
.error{color:#991b1b;font-weight:600}.help{margin-top:2rem;padding-top:1rem;border-top:1px solid #ccc}";

/// The pages' Content-Security-Policy: nothing but the one style sheet, never framed.
pub(crate) static PAGE_POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    let hash = STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{hash}'; frame-ancestors 'none'; base-uri 'none'"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
});

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for HTML text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A whole page: `title`, then `body` (already escaped), then the way to crisis help.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} - Waymark</title><style>{STYLE}</style></head>\
<body><main>{body}</main>\
<footer class=\"help\"><p>If you need help right now, you are not alone: \
<a href=\"{CRISIS_PAGE_PATH}\">crisis lines you can call or text</a>.</p></footer></body></html>",
        title = escape(title),
    );
    let mut response = HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .body(html);
    // A page saying what went wrong is meant for a person: not turned into problem+json.
    response.extensions_mut().insert(NotAProblem);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_shown_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
