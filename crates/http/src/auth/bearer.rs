//! The request's bearer token, verified at most once per request: the rate limiter,
//! the idempotency layer and the `Principal` extractor all ask, and get the same
//! answer from the request's extensions.

use std::rc::Rc;

use actix_web::HttpMessage;
use actix_web::HttpRequest;
use actix_web::http::header;

use super::tokens::{AccessClaims, TokenIssuer};

/// What the request's `Authorization` header says.
#[derive(Debug, Clone)]
pub(crate) enum Bearer {
    /// No bearer token.
    Missing,
    /// A bearer token that does not verify.
    Invalid,
    /// A current token of ours, with its claims.
    Valid(Rc<AccessClaims>),
}

/// The request's bearer token, verified on first use and remembered for the rest of
/// the request.
pub(crate) fn bearer(request: &HttpRequest, tokens: &TokenIssuer) -> Bearer {
    if let Some(known) = request.extensions().get::<Bearer>() {
        return known.clone();
    }
    let found = match bearer_token(request) {
        None => Bearer::Missing,
        Some(token) => {
            tokens.verify(token).map_or(Bearer::Invalid, |claims| Bearer::Valid(Rc::new(claims)))
        }
    };
    request.extensions_mut().insert(found.clone());
    found
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
pub(crate) fn bearer_token(request: &HttpRequest) -> Option<&str> {
    let value = request.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
