//! API clients: an administrator registers, lists, reads and removes them.

use waymark_domain::identity::ports::{ClientError, ClientPage};
use waymark_domain::identity::secret::OpaqueSecret;
use waymark_domain::identity::{ApiClient, ClientId, DisplayName, NewApiClient, ScopeSet};
use waymark_domain::ports::{StoragePorts, StoreError};

use crate::failure::Failure;
use crate::input::Input;

/// Prefix of client secrets, so a leaked one is recognisable.
const CLIENT_SECRET_PREFIX: &str = "wms_";

/// Why a client operation did not happen.
pub type ClientFailure = Failure<ClientError>;

/// A client to register.
#[derive(Debug)]
pub struct ClientRegistration {
    /// A name administrators recognise (the rules of a display name).
    pub name: DisplayName,
    /// The most its tokens may carry.
    pub scopes: ScopeSet,
}

/// Registers a client, answering it with its secret: the secret is stored only as a
/// digest, so this is the one time it can be shown.
///
/// # Errors
/// [`Failure::Invalid`], or a store error.
pub async fn register(
    ports: &StoragePorts,
    input: impl Input<ClientRegistration>,
) -> Result<(ApiClient, OpaqueSecret), ClientFailure> {
    let registration = input.parse().map_err(Failure::Invalid)?;
    let secret = OpaqueSecret::generate(CLIENT_SECRET_PREFIX)
        .map_err(|error| StoreError::Unexpected(error.into()))?;
    let client = ports
        .clients
        .create(NewApiClient {
            name: registration.name.as_str().to_owned(),
            scopes: registration.scopes,
            secret_digest: secret.digest(),
        })
        .await?;
    Ok((client, secret))
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
