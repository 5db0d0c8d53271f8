//! `Principal`: the authenticated caller of an operation that declares security.
//!
//! Taking a `Principal` argument is all a handler does. The authentication middleware
//! finds what the operation requires in the [`SecurityTable`] and, before any extractor
//! runs, checks the bearer token's signature, then that it still speaks for someone:
//! the token's client, if any, is still enabled, and for a person's token the account
//! still exists and has not ended the token's sessions since (its token epoch); 401 for
//! no, bad or ended token. Then what the token allows: 403 for a missing scope, or an
//! API client's token where the spec offers no client-credentials flow. The account is read through the account
//! store, which remembers it, so a request costs no database round trip for it
//! while nothing about the account changes.

use std::cell::Cell;
use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use waymark_domain::access_log::Accessor;
use waymark_domain::acting::Acting;
use waymark_domain::identity::{AccountId, ClientId, Role, ScopeSet};
use waymark_domain::journal::Actor;

use super::bearer::{Bearer, bearer};
use super::security_table::{Operation, Requirement, SecurityTable};
use super::sessions::{self, Session};
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
    /// What the token may do now: the scopes it carries, within what the client holding
    /// it may hold now.
    pub scopes: ScopeSet,
    /// The API client the token was issued to, if any.
    pub client_id: Option<ClientId>,
    /// The account's role when the token was issued; `None` for API clients.
    pub role: Option<Role>,
    /// The app holding the token through the grant the person gave it on the consent
    /// page (not Waymark's own app): what it does goes in their access log.
    pub granted_to: Option<ClientId>,
    /// The account an administrator said they act on ([`Principal::administering`]),
    /// for the access log. Shared by every clone of this request's `Principal`.
    administered: Rc<Cell<Option<AccountId>>>,
    /// The person whose share this caller, as their supporter, reached
    /// ([`Principal::supporting`]), for the access log. Shared like `administered`.
    supported: Rc<Cell<Option<AccountId>>>,
    /// The operation authentication found for the request, and the path as the router
    /// matches it (decoded).
    route: Rc<(Arc<Operation>, String)>,
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

    /// The API client calling with its own token (client credentials), for what a
    /// client does for itself (its webhook subscriptions).
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] for a person's token.
    pub fn client(&self) -> Result<ClientId, ApiError> {
        match self.subject {
            Subject::Client(client) => Ok(client),
            Subject::Account(_) => Err(ApiError::Forbidden {
                detail: "Only an API client's own token (client credentials) can do this."
                    .to_owned(),
            }),
        }
    }

    /// The caller's account, for what only the person themself may see or change (the
    /// apps they let in, their access log): 403 for an app acting with their grant, as
    /// for an API client's token.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] as above.
    pub fn own_account(&self) -> Result<AccountId, ApiError> {
        if self.granted_to.is_some() {
            return Err(ApiError::Forbidden {
                detail: "Only the person can do this themself, not an app acting for them."
                    .to_owned(),
            });
        }
        self.account()
    }

    /// Who is acting for whom: for a person's own token, the person on their own data;
    /// for an app's, through the grant the person gave it, the app on the person's data
    /// (so the change journal says which app made a change).
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] for an API client's token.
    pub fn acting(&self) -> Result<Acting, ApiError> {
        let account = self.account()?;
        Ok(match self.granted_to {
            Some(app) => Acting { owner: account, actor: Actor::App(app) },
            None => Acting::person(account),
        })
    }

    /// An administrator (this caller) acting on the account `target`.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] for an API client's token.
    pub fn administering(&self, target: AccountId) -> Result<Acting, ApiError> {
        let administrator = self.account()?;
        self.administered.set(Some(target));
        Ok(Acting { owner: target, actor: Actor::Administrator(administrator) })
    }

    /// This caller, as a supporter, reaching what `person` shares with them: noted for
    /// `person`'s access log.
    pub fn supporting(&self, person: AccountId) {
        self.supported.set(Some(person));
    }

    /// The operation this request was authenticated for (`list_goals`), and what it
    /// reached: the kind of resource, and its id when the path named one.
    pub(crate) fn operation(&self) -> (&str, (String, Option<String>)) {
        let (operation, path) = &*self.route;
        (operation.id(), operation.resource_in(path))
    }

    /// Whose data this request reached as someone other than the person, and who did:
    /// an app through its grant, an administrator on another account, a supporter
    /// through a share (and the app they use, if it is not Waymark's own: then both
    /// people's logs have an entry). Empty for the person themself (and Waymark's own
    /// app), and for an API client's own token.
    #[must_use]
    pub fn access(&self) -> Vec<(AccountId, Accessor)> {
        let Subject::Account(account) = self.subject else {
            return Vec::new();
        };
        let mut reached = Vec::new();
        if let Some(client) = self.granted_to {
            reached.push((account, Accessor::App(client)));
        }
        if let Some(person) = self.supported.get().filter(|person| *person != account) {
            reached.push((person, Accessor::Supporter(account)));
        }
        if self.granted_to.is_none()
            && let Some(target) = self.administered.get().filter(|target| *target != account)
        {
            reached.push((target, Accessor::Administrator(account)));
        }
        reached
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
    type Future = Ready<Result<Self, Self::Error>>;

    /// The caller the authentication middleware found for this request. It runs before
    /// any extractor, so a refusal always comes before the body is read, whatever the
    /// handler's other arguments (actix answers the first extractor to *fail*, not the
    /// first in the handler's list).
    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let principal = request.extensions().get::<Principal>().cloned();
        // Authentication chose the operation before routing; if the router chose
        // another, what was checked is not what runs: refuse.
        let routed = request.match_pattern();
        ready(match principal {
            Some(principal) if routed.as_deref() == Some(principal.route.0.path()) => Ok(principal),
            Some(principal) => Err(ApiError::Internal(anyhow::anyhow!(
                "authentication checked {} for {}, the router chose {routed:?}",
                principal.route.0.path(),
                request.path()
            ))
            .into()),
            None => Err(ApiError::Internal(anyhow::anyhow!(
                "Principal used on {} without a security requirement in the spec",
                request.path()
            ))
            .into()),
        })
    }
}

/// The caller of the operation `request` asks for: `Ok(None)` when the operation
/// declares no security. A token that no longer speaks for anyone is 401 whatever it
/// asks for; then a missing scope, or an API client's token where the spec offers no
/// client-credentials flow, is 403. `live` is told of a caller whose token still
/// speaks for someone before what it asks for is checked, so the access log records
/// refused requests too.
///
/// # Errors
/// [`ApiError::Unauthorized`], [`ApiError::InsufficientScope`], [`ApiError::Forbidden`],
/// or [`ApiError::StorageUnavailable`] when the session cannot be checked.
pub(crate) async fn authenticate(
    request: &HttpRequest,
    live: impl FnOnce(&Principal),
) -> Result<Option<Principal>, ApiError> {
    let Some(VerifiedToken { principal, claims, required, state }) = verify(request)? else {
        return Ok(None);
    };
    let (granted_to, within) = match sessions::session(&state, &claims).await? {
        Session::Ended => return Err(ApiError::Unauthorized { invalid_token: true }),
        Session::Live { within } => (None, within),
        Session::LiveThroughGrant { client, within } => (Some(client), Some(within)),
    };
    // A token a client holds does only what the client may hold now.
    let scopes = match within {
        Some(within) => principal.scopes.intersection(&within),
        None => principal.scopes.clone(),
    };
    let principal = Principal { granted_to, scopes, ..principal };
    live(&principal);
    if !required.scopes.is_subset(&principal.scopes) {
        return Err(ApiError::InsufficientScope { required: required.scopes.to_string() });
    }
    if matches!(principal.subject, Subject::Client(_)) && !required.accepts_client_tokens {
        return Err(client_token_refused());
    }
    Ok(Some(principal))
}

/// The token of a secured operation's caller, its signature and claims checked; `None`
/// for an operation that declares no security.
fn verify(request: &HttpRequest) -> Result<Option<VerifiedToken>, ApiError> {
    let misconfigured = |what: &str| {
        ApiError::Internal(anyhow::anyhow!("Principal used on {} without {what}", request.path()))
    };
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| misconfigured("application state"))?;
    let table = request
        .app_data::<web::Data<SecurityTable>>()
        .ok_or_else(|| misconfigured("a security table"))?;
    // Before routing, so the operation is found from the path as the router will
    // match it: decoded.
    let path = request.match_info().as_str();
    let Some(operation) = table.operation_at(request.method().as_str(), path) else {
        return Ok(None);
    };
    let Some(required) = operation.required() else {
        return Ok(None);
    };

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
    Ok(Some(VerifiedToken {
        principal: Principal {
            subject,
            scopes,
            client_id,
            role,
            granted_to: None,
            administered: Rc::default(),
            supported: Rc::default(),
            route: Rc::new((Arc::clone(operation), path.to_owned())),
        },
        claims,
        required: required.clone(),
        state: state.clone(),
    }))
}
