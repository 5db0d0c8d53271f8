//! API clients: partner backends that authenticate with their own id and secret
//! (`client_credentials`), and act on no person's data.

use std::fmt;

use uuid::Uuid;

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

/// A registered API client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    /// Its id.
    pub id: ClientId,
    /// A name an administrator recognises.
    pub name: String,
    /// The most its tokens may carry.
    pub scopes: ScopeSet,
    /// When it was registered.
    pub created_at: Instant,
}

/// A client about to be registered.
#[derive(Debug, Clone)]
pub struct NewApiClient {
    /// A name an administrator recognises.
    pub name: String,
    /// The most its tokens may carry.
    pub scopes: ScopeSet,
    /// The digest of its secret.
    pub secret_digest: SecretDigest,
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
pub const MAX_CLIENT_SCOPES: usize = 9;

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
