//! Who is calling, for rate limits and idempotency: the verified subject of the bearer
//! token, with the app that holds it when an app acts for a person, or the client
//! address when there is no valid token.

use actix_web::dev::ServiceRequest;

use waymark_domain::identity::AccountId;

use crate::auth::tokens::TokenSubject;
use crate::auth::{Bearer, TokenIssuer, bearer};
use crate::state::AppState;

/// The client's address: the TCP peer, or with `trust_forwarded_for` the address the
/// proxy in front appended last to `X-Forwarded-For` (earlier entries are whatever
/// the client claimed, so they are never trusted).
pub(crate) fn client_address(request: &ServiceRequest, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| {
            request
                .headers()
                .get("x-forwarded-for")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .map(|last| last.trim().to_owned())
                .filter(|last| !last.is_empty())
        })
        .flatten();
    forwarded.unwrap_or_else(|| {
        request.peer_addr().map(|peer| peer.ip().to_string()).unwrap_or_default()
    })
}

/// Whose `Idempotency-Key`s a request uses
/// ([`waymark_domain::idempotency::key_owner`]), and the person whose data it acts on
/// when a person's token was sent; `None` without a valid token.
pub(crate) fn key_owner(
    request: &ServiceRequest,
    state: &AppState,
) -> Option<(String, Option<AccountId>)> {
    match bearer(request.request(), &state.tokens) {
        Bearer::Valid(claims) => {
            let owner =
                waymark_domain::idempotency::key_owner(&claims.sub, claims.client_id.as_deref());
            let account = match TokenIssuer::subject_of(&claims) {
                Ok(TokenSubject::Account(account)) => Some(account),
                _ => None,
            };
            Some((owner, account))
        }
        Bearer::Missing | Bearer::Invalid => None,
    }
}
