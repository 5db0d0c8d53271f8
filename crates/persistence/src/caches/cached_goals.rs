//! The goal store with goal lists answered from [`GoalListCache`] when they can be.
//! Writes go straight through: the journal tells the cache what they changed.

use std::sync::Arc;

use async_trait::async_trait;
use waymark_domain::acting::Acting;
use waymark_domain::goals::ports::{GoalPage, GoalQuery, GoalStore, GoalWriteError};
use waymark_domain::goals::{Goal, GoalChanges, GoalId, NewGoal, StatusChange};
use waymark_domain::identity::AccountId;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::caches::goal_lists::GoalListCache;
use crate::goals::SqlGoalStore;

/// [`GoalStore`] over SQL, remembering pages of goal lists.
#[derive(Debug, Clone)]
pub(crate) struct CachedGoalStore {
    pub(crate) inner: SqlGoalStore,
    pub(crate) cache: Arc<GoalListCache>,
}

#[async_trait]
impl GoalStore for CachedGoalStore {
    async fn create(
        &self,
        acting: Acting,
        goal: NewGoal,
        now: Instant,
    ) -> Result<Goal, StoreError> {
        self.inner.create(acting, goal, now).await
    }

    async fn get(&self, owner: AccountId, id: GoalId) -> Result<Option<Goal>, StoreError> {
        self.inner.get(owner, id).await
    }

    async fn list(&self, owner: AccountId, query: GoalQuery) -> Result<GoalPage, StoreError> {
        if let Some(page) = self.cache.get(owner, &query) {
            return Ok(page);
        }
        let ticket = self.cache.ticket(owner);
        let page = self.inner.list(owner, query.clone()).await?;
        self.cache.store(ticket, query, page.clone());
        Ok(page)
    }

    async fn update(
        &self,
        acting: Acting,
        id: GoalId,
        changes: GoalChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Goal, GoalWriteError> {
        self.inner.update(acting, id, changes, expected_version, now).await
    }

    async fn delete(
        &self,
        acting: Acting,
        id: GoalId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), GoalWriteError> {
        self.inner.delete(acting, id, expected_version, now).await
    }

    async fn history(
        &self,
        owner: AccountId,
        id: GoalId,
    ) -> Result<Option<Vec<StatusChange>>, StoreError> {
        self.inner.history(owner, id).await
    }
}
