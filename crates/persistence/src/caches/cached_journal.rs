//! The change journal with each person's head answered from [`JournalHeadCache`] when
//! it can be. Reading the head numbers what is pending, a write; while no change to
//! the person has been heard since the last read, there is nothing to number and the
//! head is the one last read. Entries are always read from the database.

use std::sync::Arc;

use async_trait::async_trait;
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{ChangeJournal, JournalEntry, Sequence};
use waymark_domain::ports::StoreError;

use crate::caches::journal_heads::JournalHeadCache;
use crate::journal::SqlChangeJournal;

/// [`ChangeJournal`] over SQL, remembering each person's head.
#[derive(Debug, Clone)]
pub(crate) struct CachedChangeJournal {
    pub(crate) inner: SqlChangeJournal,
    pub(crate) cache: Arc<JournalHeadCache>,
}

#[async_trait]
impl ChangeJournal for CachedChangeJournal {
    async fn entries_after(
        &self,
        account: AccountId,
        after: Sequence,
        limit: u64,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        self.inner.entries_after(account, after, limit).await
    }

    async fn entries_and_head_after(
        &self,
        account: AccountId,
        after: Sequence,
        limit: u64,
    ) -> Result<(Vec<JournalEntry>, Sequence), StoreError> {
        self.inner.entries_and_head_after(account, after, limit).await
    }

    async fn head(&self, account: AccountId) -> Result<Sequence, StoreError> {
        if let Some(head) = self.cache.get(account, &()) {
            return Ok(head);
        }
        let ticket = self.cache.ticket(account);
        let head = self.inner.head(account).await?;
        self.cache.store(ticket, (), head);
        Ok(head)
    }

    async fn oldest_held(&self, account: AccountId) -> Result<Option<Sequence>, StoreError> {
        self.inner.oldest_held(account).await
    }
}
