//! The share store with the share a supporter follows answered from [`ShareCache`]
//! when it can be, so a supporter's every read does not read its share again. Writes
//! pass straight through: each is journalled, and the journal tells the caches (here,
//! and on other replicas through PostgreSQL) to forget the share once it committed.

use std::sync::Arc;

use async_trait::async_trait;
use waymark_domain::acting::Acting;
use waymark_domain::identity::AccountId;
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::ports::StoreError;
use waymark_domain::sharing::ports::{
    NewShare, SharePosition, ShareStore, ShareWriteError, SupportedShare,
};
use waymark_domain::sharing::{Share, ShareId, ShareTerms};
use waymark_domain::time::Instant;

use crate::caches::shares::ShareCache;
use crate::sharing::SqlShareStore;

/// [`ShareStore`] over SQL, remembering the shares supporters found.
#[derive(Debug, Clone)]
pub(crate) struct CachedShareStore {
    pub(crate) inner: SqlShareStore,
    pub(crate) cache: Arc<ShareCache>,
}

#[async_trait]
impl ShareStore for CachedShareStore {
    async fn create(
        &self,
        acting: Acting,
        share: NewShare,
        now: Instant,
    ) -> Result<Share, ShareWriteError> {
        self.inner.create(acting, share, now).await
    }

    async fn get(&self, owner: AccountId, id: ShareId) -> Result<Option<Share>, StoreError> {
        self.inner.get(owner, id).await
    }

    async fn list(
        &self,
        owner: AccountId,
        after: Option<SharePosition>,
        limit: u64,
    ) -> Result<(Vec<Share>, bool), StoreError> {
        self.inner.list(owner, after, limit).await
    }

    async fn update(
        &self,
        acting: Acting,
        id: ShareId,
        terms: ShareTerms,
        expected_version: i64,
        now: Instant,
    ) -> Result<Share, ShareWriteError> {
        self.inner.update(acting, id, terms, expected_version, now).await
    }

    async fn reinvite(
        &self,
        acting: Acting,
        id: ShareId,
        invitation: (SecretDigest, Instant),
        expected_version: i64,
        now: Instant,
    ) -> Result<Share, ShareWriteError> {
        self.inner.reinvite(acting, id, invitation, expected_version, now).await
    }

    async fn delete(
        &self,
        acting: Acting,
        id: ShareId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), ShareWriteError> {
        self.inner.delete(acting, id, expected_version, now).await
    }

    async fn accept(
        &self,
        supporter: AccountId,
        invitation: &SecretDigest,
        now: Instant,
    ) -> Result<Option<Share>, StoreError> {
        self.inner.accept(supporter, invitation, now).await
    }

    async fn supported(
        &self,
        supporter: AccountId,
        now: Instant,
        after: Option<SharePosition>,
        limit: u64,
    ) -> Result<(Vec<SupportedShare>, bool), StoreError> {
        self.inner.supported(supporter, now, after, limit).await
    }

    async fn supported_share(
        &self,
        supporter: AccountId,
        id: ShareId,
    ) -> Result<Option<SupportedShare>, StoreError> {
        if let Some(found) = self.cache.get(id, &supporter) {
            return Ok(Some(found));
        }
        let ticket = self.cache.ticket(id);
        let found = self.inner.supported_share(supporter, id).await?;
        if let Some(found) = &found {
            self.cache.store(ticket, supporter, found.clone());
        }
        Ok(found)
    }

    async fn step_back(
        &self,
        supporter: AccountId,
        id: ShareId,
        now: Instant,
    ) -> Result<Option<AccountId>, StoreError> {
        self.inner.step_back(supporter, id, now).await
    }
}
