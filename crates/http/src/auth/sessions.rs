//! Whether a verified token's session is still live: for a token issued to an API
//! client, the client is still enabled; for a person's token, the account still
//! exists, has not moved its token epoch on since the token was issued (a password or
//! role change, "sign out everywhere"), and has revoked neither the token (`jti`) nor
//! its sign-in (`sid`); and when an app holds it, the app is still enabled, the grant
//! the token names (`grant`; a third-party app's must name one) is still the person's
//! current grant to it, and the token does only what the app may hold now. Every place that acts on a token asks here: authentication, content
//! reads that show editors more, and idempotent replays. The account, the grant and
//! the client are read through stores that remember them, so asking costs no database
//! round trip while none of them changes.

use waymark_application::authorization::{self, Delegation};
use waymark_application::grants::{self, PersonToken};
use waymark_domain::identity::authorization::GrantId;
use waymark_domain::identity::{ClientId, ScopeSet};

use super::tokens::{AccessClaims, TokenIssuer, TokenSubject};
use crate::error::ApiError;
use crate::state::AppState;

/// Whether a token still speaks for someone, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Session {
    /// It no longer does: 401.
    Ended,
    /// It does: the person's own (or Waymark's own app's), or an API client's own;
    /// when a client holds it, only within what that client may hold now.
    Live {
        /// What the client holding it may hold now; `None` for the person's own token.
        within: Option<ScopeSet>,
    },
    /// It does, held by this app, which the person let in on the consent page, within
    /// what the app may hold now and the grant allows: what it does goes in their
    /// access log.
    LiveThroughGrant {
        /// The app.
        client: ClientId,
        /// What it may do now.
        within: ScopeSet,
    },
}

/// Whether `claims`, already verified, still speak for someone: a person's token only
/// while their account is at the token's epoch and, if an app holds it, while the app
/// is enabled and the grant the token names (a third-party app's must name one) still
/// lasts; a client's own token only while the client is enabled. A token a client holds
/// does only what the client may hold now.
///
/// # Errors
/// [`ApiError::StorageUnavailable`] when the account or client cannot be read.
pub(crate) async fn session(state: &AppState, claims: &AccessClaims) -> Result<Session, ApiError> {
    let client = match claims.client_id.as_deref().map(ClientId::parse) {
        Some(None) => return Ok(Session::Ended),
        Some(Some(client)) => Some(client),
        None => None,
    };
    match (TokenIssuer::subject_of(claims), client) {
        (Ok(TokenSubject::Account(account)), client) => {
            let token = PersonToken {
                account,
                token_epoch: claims.token_epoch.unwrap_or(0),
                token_id: &claims.jti,
                sign_in: claims.sid.as_deref(),
            };
            if !grants::is_session_live(&state.ports, token).await? {
                return Ok(Session::Ended);
            }
            let Some(client) = client else {
                return Ok(Session::Live { within: None });
            };
            let grant = claims.grant.as_deref().and_then(GrantId::parse);
            Ok(match authorization::live_delegation(&state.ports, account, client, grant).await? {
                None => Session::Ended,
                Some(Delegation::FirstParty { scopes }) => Session::Live { within: Some(scopes) },
                Some(Delegation::Granted { scopes }) => {
                    Session::LiveThroughGrant { client, within: scopes }
                }
            })
        }
        (Ok(TokenSubject::Client(client)), _) => {
            Ok(match grants::live_client_scopes(&state.ports, client).await? {
                Some(scopes) => Session::Live { within: Some(scopes) },
                None => Session::Ended,
            })
        }
        (Err(_), _) => Ok(Session::Ended),
    }
}

/// What `claims`, already verified, may do now: the scopes they carry, within what the
/// client holding them may hold now (see [`session`]); `None` once they speak for no one.
///
/// # Errors
/// [`ApiError::StorageUnavailable`] when the account or client cannot be read.
pub(crate) async fn live_scopes(
    state: &AppState,
    claims: &AccessClaims,
) -> Result<Option<ScopeSet>, ApiError> {
    let Ok(carried) = ScopeSet::parse(&claims.scope) else {
        return Ok(None);
    };
    Ok(match session(state, claims).await? {
        Session::Ended => None,
        Session::Live { within: None } => Some(carried),
        Session::Live { within: Some(within) } | Session::LiveThroughGrant { within, .. } => {
            Some(carried.intersection(&within))
        }
    })
}

/// Whether `claims`, already verified, still speak for someone (see [`session`]).
///
/// # Errors
/// [`ApiError::StorageUnavailable`] when the account or client cannot be read.
pub(crate) async fn is_live(state: &AppState, claims: &AccessClaims) -> Result<bool, ApiError> {
    Ok(session(state, claims).await? != Session::Ended)
}
