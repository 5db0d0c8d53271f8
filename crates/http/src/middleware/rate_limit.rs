//! Rate limits on `/v1`: a general bucket per caller (the token's subject, with the app
//! when an app acts for a person, or the client address when there is no valid
//! token), and a tighter bucket per client
//! address, and per account, for the endpoints that take passwords. Every `/v1`
//! response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`;
//! a refused request gets 429 with `Retry-After`, and every 429 says the same in
//! `RateLimit-Reset` as in `Retry-After`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use super::caller::{client_address, key_owner};
use crate::error::ApiError;
use crate::rate_limiter::{Decision, RateLimiter};
use crate::state::AppState;

const LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// The two families of buckets.
#[derive(Debug)]
pub struct RateLimits {
    /// Every `/v1` request, per caller.
    pub general: RateLimiter,
    /// Registration, sign-in, revocation and password changes, per address and
    /// per account.
    pub credentials: RateLimiter,
}

/// Whether the operation takes credentials, and so gets the tighter limit.
fn takes_credentials(method: &Method, path: &str) -> bool {
    matches!(
        (method.as_str(), path),
        (
            "POST",
            "/v1/auth/register"
                | "/v1/auth/token"
                | "/v1/auth/revoke"
                | "/v1/auth/introspect"
                | "/v1/auth/authorize"
                | "/v1/invitations/accept"
                | "/v1/me/password"
        ) | ("DELETE", "/v1/me")
    )
}

/// The most restrictive of several decisions: refused beats allowed, then fewer left.
fn strictest(decisions: impl IntoIterator<Item = Decision>) -> Option<Decision> {
    decisions.into_iter().min_by_key(|decision| (decision.allowed, decision.remaining))
}

fn set_headers(headers: &mut HeaderMap, decision: Decision) {
    headers.insert(LIMIT, HeaderValue::from(decision.limit));
    headers.insert(REMAINING, HeaderValue::from(decision.remaining));
    headers.insert(RESET, HeaderValue::from(decision.reset_seconds));
}

/// Makes a 429 say the same in `RateLimit-Reset` as in `Retry-After`, whichever limit
/// refused it (a bucket here, or a sign-in lockout): nothing remains until then.
fn reset_when_retry_is_allowed(headers: &mut HeaderMap) {
    if let Some(retry_after) = headers.get(header::RETRY_AFTER).cloned() {
        headers.insert(RESET, retry_after);
        headers.insert(REMAINING, HeaderValue::from(0));
    }
}

/// The crisis lines, and their page, exempt from every rate limit.
const CRISIS_LINES_PATHS: [&str; 2] = ["/v1/content/crisis", crate::pages::CRISIS_PAGE_PATH];

/// Whether requests to `path` (a concrete path or a route template) are rate
/// limited: everything under `/v1` and `/fhir` except the crisis lines, which someone in crisis
/// must always get. The OpenAPI document declares the `RateLimit-*` headers from this.
pub(crate) fn is_rate_limited(path: &str) -> bool {
    (path.starts_with("/v1/") || path.starts_with("/fhir/")) && !CRISIS_LINES_PATHS.contains(&path)
}

pub(crate) async fn limit_rate(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    // The path as the router sees it (percent-encoded unreserved characters decoded),
    // so `/v1/auth/%74oken` cannot slip past the limits that `/v1/auth/token` gets.
    let path = request.match_info().as_str().to_owned();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let Some(state) = state.filter(|_| is_rate_limited(&path)) else {
        return next.call(request).await.map(ServiceResponse::map_into_left_body);
    };
    let address = client_address(&request, state.settings.trust_forwarded_for);
    // An app acting for a person has a general budget of its own: however much it
    // sends, the person (and their other apps) can still reach Waymark, and take its
    // grant back. Passwords are tried against the account, whoever holds its tokens.
    let owner = key_owner(&request, &state);
    let caller = owner
        .as_ref()
        .map_or_else(|| format!("address:{address}"), |(owner, _)| format!("subject:{owner}"));
    let mut decisions = vec![state.rate_limits.general.check(&caller)];
    if takes_credentials(request.method(), &path) {
        decisions.push(state.rate_limits.credentials.check(&format!("address:{address}")));
        if let Some((owner, account)) = &owner {
            let account = account.map_or_else(|| owner.clone(), |account| account.to_string());
            decisions.push(state.rate_limits.credentials.check(&format!("subject:{account}")));
        }
    }
    let Some(decision) = strictest(decisions) else {
        return next.call(request).await.map(ServiceResponse::map_into_left_body);
    };
    if !decision.allowed {
        let refusal =
            ApiError::TooManyRequests { retry_after_seconds: decision.retry_after_seconds };
        let mut response = request.error_response(refusal);
        set_headers(response.headers_mut(), decision);
        reset_when_retry_is_allowed(response.headers_mut());
        return Ok(response.map_into_right_body());
    }
    let mut response = next.call(request).await?;
    set_headers(response.headers_mut(), decision);
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        reset_when_retry_is_allowed(response.headers_mut());
    }
    Ok(response.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_credential_endpoints_get_the_tight_limit() {
        assert!(takes_credentials(&Method::POST, "/v1/auth/token"));
        assert!(takes_credentials(&Method::POST, "/v1/invitations/accept"), "guessing codes");
        assert!(!takes_credentials(&Method::GET, "/v1/invitations/accept"), "the page");
        assert!(takes_credentials(&Method::DELETE, "/v1/me"));
        assert!(!takes_credentials(&Method::GET, "/v1/me"));
        assert!(!takes_credentials(&Method::POST, "/v1/goals"));
    }

    #[test]
    fn the_strictest_decision_wins() {
        let allowed = Decision {
            allowed: true,
            limit: 600,
            remaining: 500,
            reset_seconds: 10,
            retry_after_seconds: 0,
        };
        let tight = Decision {
            allowed: true,
            limit: 20,
            remaining: 3,
            reset_seconds: 50,
            retry_after_seconds: 0,
        };
        let refused = Decision {
            allowed: false,
            limit: 20,
            remaining: 0,
            reset_seconds: 60,
            retry_after_seconds: 3,
        };
        assert_eq!(strictest([allowed, tight]), Some(tight));
        assert_eq!(strictest([allowed, tight, refused]), Some(refused));
    }
}
