//! API clients: an administrator registers, lists, reads, changes, disables and
//! removes them.

use waymark_domain::identity::client::{client_scopes, redirect_uris as client_redirect_uris};
use waymark_domain::identity::ports::{ClientError, ClientPage};
use waymark_domain::identity::secret::OpaqueSecret;
use waymark_domain::identity::{
    ApiClient, ClientChanges, ClientId, ClientKind, DisplayName, NewApiClient, RedirectUri,
    ScopeSet,
};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::precondition::Precondition;
use waymark_domain::time::Instant;
use waymark_domain::validation::{Problem, Problems};

use crate::failure::Failure;
use crate::input::Input;
use crate::preconditions::expected_version;

/// Prefix of client secrets, so a leaked one is recognisable.
const CLIENT_SECRET_PREFIX: &str = "wms_";

/// Why a client operation did not happen.
pub type ClientFailure = Failure<ClientError>;

/// A client to register.
#[derive(Debug)]
pub struct ClientRegistration {
    /// A name administrators recognise (the rules of a display name).
    pub name: DisplayName,
    /// Whether it keeps a secret.
    pub kind: ClientKind,
    /// Where the person may be sent back to after signing in.
    pub redirect_uris: Vec<RedirectUri>,
    /// Whether it may use the password grant.
    pub first_party: bool,
    /// The most its tokens may carry.
    pub scopes: ScopeSet,
}

impl ClientRegistration {
    /// Checks a registration given as text (by the API or the command line), every
    /// problem at its field's pointer (`/name`, `/kind`, `/redirect_uris/0`,
    /// `/scopes`). `kind` defaults to confidential.
    ///
    /// # Errors
    /// Every rule broken.
    pub fn parse(
        name: &str,
        kind: Option<&str>,
        redirect_uris: &[String],
        first_party: bool,
        scopes: &[String],
    ) -> Result<Self, Vec<Problem>> {
        let mut problems = Problems::default();
        let scopes = problems.check("/scopes", client_scopes(scopes));
        let name = client_name(name, &mut problems);
        let kind = match kind {
            None => Some(ClientKind::Confidential),
            Some(kind) => problems.check("/kind", kind.parse::<ClientKind>()),
        };
        let redirect_uris = kind.and_then(|kind| {
            client_redirect_uris(kind, first_party, redirect_uris)
                .map_err(|refused| redirect_problem(&mut problems, refused))
                .ok()
        });
        problems.or(|| {
            Some(Self {
                name: name?,
                kind: kind?,
                redirect_uris: redirect_uris?,
                first_party,
                scopes: scopes?,
            })
        })
    }
}

/// The rules of a client's name: those of a display name, 1 to 100 visible characters.
fn client_name(text: &str, problems: &mut Problems) -> Option<DisplayName> {
    let name = DisplayName::parse(text).ok();
    if name.is_none() {
        problems
            .add("/name", "must be 1 to 100 characters, without control or invisible characters");
    }
    name
}

/// Records a redirect URI problem at the URI that broke the rule, or at the list.
fn redirect_problem(problems: &mut Problems, (index, message): (Option<usize>, String)) {
    let pointer = index.map_or("/redirect_uris".to_owned(), |i| format!("/redirect_uris/{i}"));
    problems.add(&pointer, &message);
}

/// What an administrator changes about a client, checked.
#[derive(Debug, Default)]
pub struct ClientUpdate {
    /// A new name.
    pub name: Option<DisplayName>,
    /// New scopes.
    pub scopes: Option<ScopeSet>,
    /// New redirect URIs, as they would be checked for a new client of the same kind.
    pub redirect_uris: Option<Vec<String>>,
}

impl ClientUpdate {
    /// Checks the fields given as text; `None` keeps a field. Redirect URIs are
    /// checked against the client's kind when the change is made.
    ///
    /// # Errors
    /// Every rule broken.
    pub fn parse(
        name: Option<&str>,
        scopes: Option<&[String]>,
        redirect_uris: Option<Vec<String>>,
    ) -> Result<Self, Vec<Problem>> {
        let mut problems = Problems::default();
        let name = name.and_then(|name| client_name(name, &mut problems));
        let scopes = scopes.and_then(|scopes| problems.check("/scopes", client_scopes(scopes)));
        problems.or(|| Some(Self { name, scopes, redirect_uris }))
    }
}

/// Registers a client, answering it with its secret if it is confidential: the secret
/// is stored only as a digest, so this is the one time it can be shown.
///
/// # Errors
/// [`Failure::Invalid`], or a store error.
pub async fn register(
    ports: &StoragePorts,
    input: impl Input<ClientRegistration>,
) -> Result<(ApiClient, Option<OpaqueSecret>), ClientFailure> {
    let registration = input.parse().map_err(Failure::Invalid)?;
    let secret = match registration.kind {
        ClientKind::Confidential => Some(
            OpaqueSecret::generate(CLIENT_SECRET_PREFIX)
                .map_err(|error| StoreError::Unexpected(error.into()))?,
        ),
        ClientKind::Public => None,
    };
    let client = ports
        .clients
        .create(NewApiClient {
            name: registration.name.as_str().to_owned(),
            kind: registration.kind,
            redirect_uris: registration.redirect_uris,
            first_party: registration.first_party,
            scopes: registration.scopes,
            secret_digest: secret.as_ref().map(OpaqueSecret::digest),
        })
        .await?;
    Ok((client, secret))
}

/// Changes the client `id`'s name, scopes or redirect URIs, if it is still at a
/// version `seen` names. Redirect URIs follow the rules of the client's kind.
///
/// # Errors
/// [`ClientError::NotFound`], [`ClientError::PreconditionFailed`] (before any field
/// problem), then [`Failure::Invalid`].
pub async fn update(
    ports: &StoragePorts,
    now: Instant,
    id: ClientId,
    seen: &Precondition,
    input: impl Input<ClientUpdate>,
) -> Result<ApiClient, ClientFailure> {
    let current = get(ports, id).await?;
    let expected =
        expected_version(seen, async { Ok(current.clone()) }, |client| client.version).await?;
    let update = input.parse().map_err(Failure::Invalid)?;
    let redirect_uris = match update.redirect_uris {
        Some(texts) => {
            let checked = client_redirect_uris(current.kind, current.first_party, &texts);
            Some(checked.map_err(|refused| {
                let mut problems = Problems::default();
                redirect_problem(&mut problems, refused);
                Failure::Invalid(problems.into_vec())
            })?)
        }
        None => None,
    };
    let changes = ClientChanges {
        name: update.name.map(|name| name.as_str().to_owned()),
        scopes: update.scopes,
        redirect_uris,
    };
    ports.clients.update(id, changes, expected, now).await.map_err(Failure::Refused)
}

/// Disables the client `id`: it authenticates no more, gets no tokens, and every token
/// issued to it stops working (its refresh tokens are revoked with it, its access
/// tokens are refused on their next request).
///
/// # Errors
/// [`ClientError::NotFound`].
pub async fn disable(
    ports: &StoragePorts,
    now: Instant,
    id: ClientId,
) -> Result<ApiClient, ClientFailure> {
    ports.clients.disable(id, now).await.map_err(Failure::Refused)
}

/// Up to `limit` clients registered after `after`, oldest first.
///
/// # Errors
/// A store error.
pub async fn list(
    ports: &StoragePorts,
    after: Option<ClientId>,
    limit: u64,
) -> Result<ClientPage, ClientFailure> {
    Ok(ports.clients.list(after, limit).await?)
}

/// The client `id`.
///
/// # Errors
/// [`ClientError::NotFound`].
pub async fn get(ports: &StoragePorts, id: ClientId) -> Result<ApiClient, ClientFailure> {
    let (client, _secret) =
        ports.clients.find(id).await?.ok_or(Failure::Refused(ClientError::NotFound))?;
    Ok(client)
}

/// Removes the client `id`: it can get no more tokens.
///
/// # Errors
/// [`ClientError::NotFound`].
pub async fn remove(ports: &StoragePorts, id: ClientId) -> Result<(), ClientFailure> {
    ports.clients.delete(id).await.map_err(Failure::Refused)
}
