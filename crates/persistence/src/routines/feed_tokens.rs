//! The secret addresses of calendar feeds, in `calendar_feeds`: one per person, stored
//! as a digest. They are credentials, not data, so they are not journalled.

use async_trait::async_trait;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use waymark_domain::identity::AccountId;
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::ports::StoreError;
use waymark_domain::routines::ports::CalendarFeedStore;
use waymark_domain::time::Instant;

use super::SqlRoutineStore;
use crate::entities::calendar_feeds;
use crate::error::store_error;

#[async_trait]
impl CalendarFeedStore for SqlRoutineStore {
    async fn set_feed_token(
        &self,
        owner: AccountId,
        digest: &SecretDigest,
        now: Instant,
    ) -> Result<(), StoreError> {
        let transaction = self.writes.begin().await?;
        calendar_feeds::Entity::delete_by_id(owner.0)
            .exec(&transaction)
            .await
            .map_err(store_error)?;
        calendar_feeds::Entity::insert(calendar_feeds::ActiveModel {
            account_id: Set(owner.0),
            token_digest: Set(digest.as_str().to_owned()),
            created_at: Set(now),
        })
        .exec(&transaction)
        .await
        .map_err(store_error)?;
        transaction.commit().await
    }

    async fn remove_feed_token(&self, owner: AccountId) -> Result<bool, StoreError> {
        Ok(calendar_feeds::Entity::delete_by_id(owner.0)
            .exec(&self.writes)
            .await
            .map_err(store_error)?
            .rows_affected
            > 0)
    }

    async fn feed_owner(&self, digest: &SecretDigest) -> Result<Option<AccountId>, StoreError> {
        Ok(calendar_feeds::Entity::find()
            .filter(calendar_feeds::Column::TokenDigest.eq(digest.as_str()))
            .one(&self.connection)
            .await
            .map_err(store_error)?
            .map(|row| AccountId(row.account_id)))
    }
}
