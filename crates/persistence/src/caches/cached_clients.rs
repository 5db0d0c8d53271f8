//! The API client store with clients answered from [`ClientCache`] when they can be,
//! so the check every request of an app makes (is its client still enabled?) costs no
//! database round trip. Every client write runs to its end in a task of its own, even
//! when the request that asked stops waiting, and then forgets every cached client,
//! whether it succeeded or not (it may have committed all the same): forgotten any
//! earlier, a read could keep the client as it was just before the commit landed.
//! Other replicas hear of client writes from PostgreSQL.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use waymark_domain::identity::ports::{ClientError, ClientPage, ClientStore};
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::identity::{ApiClient, ClientChanges, ClientId, NewApiClient};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::caches::clients::ClientCache;
use crate::identity::clients::SqlClientStore;

/// [`ClientStore`] over SQL, remembering the clients found by id.
#[derive(Debug, Clone)]
pub(crate) struct CachedClientStore {
    pub(crate) inner: SqlClientStore,
    pub(crate) cache: Arc<ClientCache>,
}

impl CachedClientStore {
    /// Runs the client write `write` to its end in a task of its own, then forgets
    /// every cached client.
    async fn forgetting<T, E, F>(&self, write: impl FnOnce(SqlClientStore) -> F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let cache = Arc::clone(&self.cache);
        let write = write(self.inner.clone());
        tokio::spawn(async move {
            let outcome = write.await;
            cache.forget(());
            outcome
        })
        .await
        .map_err(|error| {
            E::from(StoreError::Unexpected(anyhow::anyhow!(
                "a client write did not run to its end: {error}"
            )))
        })?
    }
}

#[async_trait]
impl ClientStore for CachedClientStore {
    async fn create(&self, client: NewApiClient) -> Result<ApiClient, StoreError> {
        self.inner.create(client).await
    }

    async fn find(
        &self,
        id: ClientId,
    ) -> Result<Option<(ApiClient, Option<SecretDigest>)>, StoreError> {
        if let Some(found) = self.cache.get((), &id) {
            return Ok(Some(found));
        }
        let ticket = self.cache.ticket(());
        let found = self.inner.find(id).await?;
        if let Some(found) = &found {
            self.cache.store(ticket, id, found.clone());
        }
        Ok(found)
    }

    async fn update(
        &self,
        id: ClientId,
        changes: ClientChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<ApiClient, ClientError> {
        self.forgetting(move |inner| async move {
            inner.update(id, changes, expected_version, now).await
        })
        .await
    }

    async fn disable(&self, id: ClientId, now: Instant) -> Result<ApiClient, ClientError> {
        self.forgetting(move |inner| async move { inner.disable(id, now).await }).await
    }

    async fn list(&self, after: Option<ClientId>, limit: u64) -> Result<ClientPage, StoreError> {
        self.inner.list(after, limit).await
    }

    async fn delete(&self, id: ClientId) -> Result<(), ClientError> {
        self.forgetting(move |inner| async move { inner.delete(id).await }).await
    }
}
