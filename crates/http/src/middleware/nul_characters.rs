//! One rule at the edge for the one character no text column can hold: NUL (U+0000,
//! `%00`). PostgreSQL refuses to store it and SQLite would, so without this rule the
//! same request would be a 500 on one database and a 200 on the other. A path or
//! query parameter holding it is refused here with 400, before any handler runs;
//! header values cannot hold it (the HTTP parser refuses them with 400); JSON bodies
//! are checked where they are parsed ([`crate::extract::json_body`], 422 naming the
//! field) and OAuth form bodies where those are read.

use actix_web::Error;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;

use crate::error::ApiError;

/// Why NUL is refused, wherever it is found; the value itself is never repeated back.
pub(crate) const NUL_REFUSED: &str =
    "contains a NUL character (U+0000, %00), which Waymark does not accept in any text";

pub(crate) async fn refuse_nul_characters(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if let Some(place) = where_nul_is(request.uri()) {
        let refusal = ApiError::BadRequest(format!("{place} {NUL_REFUSED}."));
        return Ok(request.error_response(refusal).map_into_right_body());
    }
    next.call(request).await.map(ServiceResponse::map_into_left_body)
}

/// Where in `uri` a percent-encoded NUL is: the path, or the query parameter it is in.
fn where_nul_is(uri: &Uri) -> Option<String> {
    if holds_encoded_nul(uri.path()) {
        return Some("The path".to_owned());
    }
    let query = uri.query().filter(|query| holds_encoded_nul(query))?;
    let parameter = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| name.replace('\0', "%00"));
    Some(
        parameter
            .map_or_else(|| "The query".to_owned(), |name| format!("The query parameter `{name}`")),
    )
}

/// Whether `text` (still percent-encoded) decodes to something holding NUL. `%00`
/// is the only way to write it: a raw NUL cannot be in a request line.
fn holds_encoded_nul(text: &str) -> bool {
    text.as_bytes().windows(3).any(|window| window == b"%00")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(uri: &str) -> Option<String> {
        where_nul_is(&uri.parse().unwrap())
    }

    #[test]
    fn nul_is_found_in_the_path_or_named_by_its_parameter() {
        assert_eq!(place("/v1/goals/a%00b"), Some("The path".to_owned()));
        assert_eq!(
            place("/v1/goals?status=active&q=a%00b"),
            Some("The query parameter `q`".to_owned())
        );
        assert_eq!(place("/v1/goals?a%00=1"), Some("The query parameter `a%00`".to_owned()));
    }

    #[test]
    fn an_encoded_percent_sign_before_zeros_is_not_nul() {
        assert_eq!(place("/v1/goals?q=%2500"), None);
        assert_eq!(place("/v1/goals/100?q=x00"), None);
    }
}
