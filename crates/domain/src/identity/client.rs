//! API clients: apps and partner backends registered by an administrator. A
//! confidential client (a backend) authenticates with its id and secret and may get
//! tokens for itself (`client_credentials`), which reach no person's data; a public
//! client (a mobile or single-page app) has no secret. Only a first-party client may
//! use the password grant. A disabled client authenticates no more and its tokens
//! stop working.

use std::fmt;

use uuid::Uuid;

use super::redirect::{MAX_REDIRECT_URIS, RedirectUri};
use super::scope::{Scope, ScopeSet};
use super::secret::SecretDigest;
use crate::time::Instant;

/// Names one API client; also its OAuth `client_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(pub Uuid);

impl ClientId {
    /// The client `client_id` names, if it is a client id at all.
    #[must_use]
    pub fn parse(client_id: &str) -> Option<Self> {
        Uuid::parse_str(client_id).ok().map(Self)
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

/// Whether a client can keep a secret (OAuth 2.1 section 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// A mobile or single-page app: anything shipped to a device can be read, so it
    /// has no secret and proves itself with PKCE and its redirect URI.
    Public,
    /// A backend that keeps a secret.
    Confidential,
}

impl ClientKind {
    /// Its name on the wire and in storage.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Confidential => "confidential",
        }
    }
}

impl std::str::FromStr for ClientKind {
    type Err = ClientRegistrationRefused;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "public" => Ok(Self::Public),
            "confidential" => Ok(Self::Confidential),
            _ => Err(ClientRegistrationRefused("must be public or confidential")),
        }
    }
}

/// A registered API client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    /// Its id.
    pub id: ClientId,
    /// A name an administrator recognises.
    pub name: String,
    /// Whether it keeps a secret.
    pub kind: ClientKind,
    /// Where the person may be sent back to after signing in, matched exactly.
    pub redirect_uris: Vec<RedirectUri>,
    /// Whether Waymark's own operator runs it: only then may it use the password grant.
    pub first_party: bool,
    /// The most its tokens may carry.
    pub scopes: ScopeSet,
    /// When it was registered.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Its version, one more with every change.
    pub version: i64,
    /// When it was disabled; a disabled client gets no tokens and its tokens stop.
    pub disabled_at: Option<Instant>,
}

impl ApiClient {
    /// Whether `presented` is one of its redirect URIs.
    #[must_use]
    pub fn may_redirect_to(&self, presented: &str) -> bool {
        self.redirect_uris.iter().any(|uri| uri.matches(presented))
    }

    /// Whether it may still act: not disabled.
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        self.disabled_at.is_none()
    }
}

/// A client about to be registered.
#[derive(Debug, Clone)]
pub struct NewApiClient {
    /// A name an administrator recognises.
    pub name: String,
    /// Whether it keeps a secret.
    pub kind: ClientKind,
    /// Where the person may be sent back to.
    pub redirect_uris: Vec<RedirectUri>,
    /// Whether it may use the password grant.
    pub first_party: bool,
    /// The most its tokens may carry.
    pub scopes: ScopeSet,
    /// The digest of its secret; `None` for a public client.
    pub secret_digest: Option<SecretDigest>,
}

/// What an administrator changes about a client; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ClientChanges {
    /// A new name.
    pub name: Option<String>,
    /// New scopes; tokens issued before keep theirs until they expire or refresh.
    pub scopes: Option<ScopeSet>,
    /// New redirect URIs.
    pub redirect_uris: Option<Vec<RedirectUri>>,
}

/// A registration that breaks a rule about a client's kind and redirect URIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ClientRegistrationRefused(pub &'static str);

/// A client's redirect URIs from their text: at most [`MAX_REDIRECT_URIS`], each a
/// [`RedirectUri`], none twice; a public client that is not first-party needs one,
/// since the authorization code flow is its only way to act for a person.
///
/// # Errors
/// The first rule broken, by the index of the URI that broke it where there is one.
pub fn redirect_uris(
    kind: ClientKind,
    first_party: bool,
    texts: &[String],
) -> Result<Vec<RedirectUri>, (Option<usize>, String)> {
    if texts.len() > MAX_REDIRECT_URIS {
        return Err((None, format!("may list at most {MAX_REDIRECT_URIS} redirect URIs")));
    }
    if texts.is_empty() && kind == ClientKind::Public && !first_party {
        return Err((None, "a public client needs at least one redirect URI".to_owned()));
    }
    let mut uris: Vec<RedirectUri> = Vec::with_capacity(texts.len());
    for (index, text) in texts.iter().enumerate() {
        let uri = RedirectUri::parse(text).map_err(|refused| (Some(index), refused.to_string()))?;
        if uris.contains(&uri) {
            return Err((Some(index), "is listed twice".to_owned()));
        }
        uris.push(uri);
    }
    Ok(uris)
}

/// The scopes a client may be registered with: none of a person's own (`profile`),
/// and none that also need a role (`content:write` needs an editor, `admin` an
/// administrator), since a client acting for itself has no role.
#[must_use]
pub fn scopes_clients_may_hold() -> ScopeSet {
    ScopeSet::of(
        Scope::ALL
            .into_iter()
            .filter(|scope| !matches!(scope, Scope::Profile | Scope::Admin | Scope::ContentWrite)),
    )
}

/// The most scopes one client may be registered with.
pub const MAX_CLIENT_SCOPES: usize = Scope::ALL.len();

/// Scopes that a client may not be registered with, or too few or too many.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must list 1 to {MAX_CLIENT_SCOPES} scopes, each one of: {allowed}")]
pub struct ClientScopesRefused {
    allowed: ScopeSet,
}

/// A client's scopes from their names, each item one scope name (a space inside an
/// item is not a second scope): 1 to [`MAX_CLIENT_SCOPES`] of those
/// [`scopes_clients_may_hold`].
///
/// # Errors
/// [`ClientScopesRefused`], saying which scopes are allowed.
pub fn client_scopes(names: &[String]) -> Result<ScopeSet, ClientScopesRefused> {
    let allowed = scopes_clients_may_hold();
    let parsed: Option<Vec<Scope>> = names.iter().map(|name| name.parse().ok()).collect();
    parsed
        .map(ScopeSet::of)
        .filter(|scopes| {
            (1..=MAX_CLIENT_SCOPES).contains(&names.len()) && scopes.is_subset(&allowed)
        })
        .ok_or(ClientScopesRefused { allowed })
}
