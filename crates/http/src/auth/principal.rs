//! `Principal`: the authenticated caller of an operation that declares security.
//!
//! Taking a `Principal` argument is all a handler does: the extractor finds what the
//! operation requires in the [`SecurityTable`], checks the bearer token's signature,
//! then what the token itself says (403 for a missing scope, or an API client's token
//! where the spec offers no client-credentials flow), and only then what needs a read:
//! that the token's client, if any, is still enabled, and for a person's token that the
//! account still exists and has not ended the token's sessions since (its token epoch);
//! 401 for no, bad or ended token. All before the handler runs. The account is read through the account
//! store, which remembers it, so a request costs no database round trip for it
//! while nothing about the account changes.

use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use waymark_domain::acting::Acting;
use waymark_domain::identity::{AccountId, ClientId, Role, ScopeSet};
use waymark_domain::journal::Actor;

use super::bearer::{Bearer, bearer};
use super::security_table::{Requirement, SecurityTable};
use super::sessions;
use super::tokens::{AccessClaims, TokenIssuer, TokenSubject};

use crate::error::ApiError;
use crate::state::AppState;

/// Who a verified token speaks for.
pub type Subject = TokenSubject;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account or API client.
    pub subject: Subject,
    /// The scopes the token carries.
    pub scopes: ScopeSet,
    /// The API client the token was issued to, if any.
    pub client_id: Option<ClientId>,
    /// The account's role when the token was issued; `None` for API clients.
    pub role: Option<Role>,
}

/// A token whose signature and claims check, before its session and scopes do.
struct VerifiedToken {
    principal: Principal,
    claims: Rc<AccessClaims>,
    /// What the operation requires.
    required: Requirement,
    state: web::Data<AppState>,
}

impl Principal {
    /// The caller's account, for operations on a person's own data. API clients have
    /// none, and get 403.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] for an API client's token.
    pub fn account(&self) -> Result<AccountId, ApiError> {
        match self.subject {
            Subject::Account(account) => Ok(account),
            Subject::Client(_) => Err(client_token_refused()),
        }
    }

    /// Who is acting for whom: for a person's own token, the person on their own data.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] for an API client's token.
    pub fn acting(&self) -> Result<Acting, ApiError> {
        self.account().map(Acting::person)
    }

    /// An administrator (this caller) acting on the account `target`.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] for an API client's token.
    pub fn administering(&self, target: AccountId) -> Result<Acting, ApiError> {
        Ok(Acting { owner: target, actor: Actor::Administrator(self.account()?) })
    }
}

/// The 403 for an API client's token on an operation that acts for a person.
fn client_token_refused() -> ApiError {
    ApiError::Forbidden {
        detail: "This operation acts on a person's own account; client tokens cannot use it."
            .to_owned(),
    }
}

impl FromRequest for Principal {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let verified = authenticate(request);
        Box::pin(async move {
            let VerifiedToken { principal, claims, required, state } = verified?;
            // What the token itself says is checked before anything is read, so a
            // refusal never waits behind the body's extractor (actix answers the first
            // extractor to fail, not the first in the handler's list).
            if !required.scopes.is_subset(&principal.scopes) {
                return Err(
                    ApiError::InsufficientScope { required: required.scopes.to_string() }.into()
                );
            }
            if matches!(principal.subject, Subject::Client(_)) && !required.accepts_client_tokens {
                return Err(client_token_refused().into());
            }
            if !sessions::is_live(&state, &claims).await? {
                return Err(ApiError::Unauthorized { invalid_token: true }.into());
            }
            Ok(principal)
        })
    }
}

/// The caller a verified token names. Its scopes are checked after its account, so a
/// token whose sessions have ended is 401 whatever it asks for.
fn authenticate(request: &HttpRequest) -> Result<VerifiedToken, ApiError> {
    let misconfigured = |what: &str| {
        ApiError::Internal(anyhow::anyhow!("Principal used on {} without {what}", request.path()))
    };
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| misconfigured("application state"))?;
    let table = request
        .app_data::<web::Data<SecurityTable>>()
        .ok_or_else(|| misconfigured("a security table"))?;
    let template = request.match_pattern().ok_or_else(|| misconfigured("a route"))?;
    let required = table
        .required(request.method().as_str(), &template)
        .ok_or_else(|| misconfigured("a security requirement in the spec"))?;

    let claims = match bearer(request, &state.tokens) {
        Bearer::Valid(claims) => claims,
        Bearer::Missing => {
            return Err(ApiError::Unauthorized { invalid_token: false });
        }
        Bearer::Invalid => {
            return Err(ApiError::Unauthorized { invalid_token: true });
        }
    };
    let subject = TokenIssuer::subject_of(&claims)
        .map_err(|_| ApiError::Unauthorized { invalid_token: true })?;
    let scopes = ScopeSet::parse(&claims.scope)
        .map_err(|_| ApiError::Unauthorized { invalid_token: true })?;
    let role = claims
        .role
        .as_deref()
        .map(str::parse::<Role>)
        .transpose()
        .map_err(|_| ApiError::Unauthorized { invalid_token: true })?;
    let client_id =
        claims.client_id.as_deref().and_then(|id| uuid::Uuid::parse_str(id).ok()).map(ClientId);
    Ok(VerifiedToken {
        principal: Principal { subject, scopes, client_id, role },
        claims,
        required: required.clone(),
        state: state.clone(),
    })
}
