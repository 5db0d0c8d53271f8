//! The supporter's side of `shares`: accepting an invitation, the shares a supporter
//! follows, and stepping back. Each query is filtered by the supporter.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use waymark_domain::acting::Acting;
use waymark_domain::identity::AccountId;
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::journal::{Actor, Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::sharing::ports::{SharePosition, SupportedShare};
use waymark_domain::sharing::{Share, ShareId};
use waymark_domain::time::Instant;
use waymark_domain::webhooks::{Event, EventType};

use super::{SqlShareStore, after_key, display_names, share_of, to_share};
use crate::entities::shares;
use crate::error::store_error;
use crate::paging::{Direction::Descending, keyset_page};

/// The shares `rows` as their supporter sees them, with the sharing people's names
/// (a share whose person is gone is left out).
async fn supported_of(
    connection: &impl sea_orm::ConnectionTrait,
    rows: &[shares::Model],
) -> Result<Vec<SupportedShare>, StoreError> {
    let people = rows.iter().map(|row| row.account_id);
    let supporters = rows.iter().filter_map(|row| row.supporter_account_id);
    let names = display_names(connection, people.chain(supporters)).await?;
    rows.iter()
        .filter_map(|row| {
            let person_name = names.get(&row.account_id)?.clone();
            let supporter_name = row.supporter_account_id.and_then(|id| names.get(&id).cloned());
            Some(to_share(row, supporter_name).map(|share| SupportedShare { share, person_name }))
        })
        .collect()
}

impl SqlShareStore {
    /// See [`ShareStore::accept`](waymark_domain::sharing::ports::ShareStore::accept).
    pub(super) async fn accept_invitation(
        &self,
        supporter: AccountId,
        invitation: &SecretDigest,
        now: Instant,
    ) -> Result<Option<Share>, StoreError> {
        let transaction = self.writes.begin().await?;
        let Some(row) = shares::Entity::find()
            .filter(shares::Column::InvitationDigest.eq(invitation.as_str()))
            .one(&transaction)
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        if !to_share(&row, None)?.may_be_accepted_by(supporter, now) {
            return Ok(None);
        }
        // Spent in one conditional write: of two racing acceptances one wins, and a
        // code is never good twice.
        let accepted = shares::Entity::update_many()
            .col_expr(shares::Column::InvitationDigest, Expr::value(Option::<String>::None))
            .col_expr(shares::Column::SupporterAccountId, Expr::value(Some(supporter.0)))
            .col_expr(shares::Column::AcceptedAt, Expr::value(Some(now)))
            .col_expr(shares::Column::Version, Expr::col(shares::Column::Version).add(1))
            .col_expr(shares::Column::UpdatedAt, Expr::value(now))
            .filter(shares::Column::Id.eq(row.id))
            .filter(shares::Column::InvitationDigest.eq(invitation.as_str()))
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        if accepted == 0 {
            return Ok(None);
        }
        let row = shares::Entity::find_by_id(row.id)
            .one(&transaction)
            .await
            .map_err(store_error)?
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("a share just accepted")))?;
        let share = share_of(&transaction, &row).await?;
        let acting = Acting { owner: share.owner, actor: Actor::Supporter(supporter) };
        let change = Change::updated(ResourceType::Share, row.id, Some(share.version));
        let accepted = Event {
            id: uuid::Uuid::now_v7(),
            event_type: EventType::ShareAccepted,
            at: now,
            resource_type: ResourceType::Share.as_str(),
            resource_id: row.id,
            version: Some(share.version),
            person: Some(share.owner),
        };
        crate::webhooks::enqueue(&transaction, Some(share.owner), &[accepted]).await?;
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(Some(share))
    }

    /// See [`ShareStore::supported`](waymark_domain::sharing::ports::ShareStore::supported).
    pub(super) async fn followed_by(
        &self,
        supporter: AccountId,
        now: Instant,
        after: Option<SharePosition>,
        limit: u64,
    ) -> Result<(Vec<SupportedShare>, bool), StoreError> {
        let not_expired = Condition::any()
            .add(shares::Column::ExpiresAt.is_null())
            .add(shares::Column::ExpiresAt.gt(now));
        let select = shares::Entity::find()
            .filter(shares::Column::SupporterAccountId.eq(supporter.0))
            .filter(not_expired);
        let (rows, more) = keyset_page(
            &self.connection,
            select,
            Descending,
            (shares::Column::CreatedAt, shares::Column::Id),
            after_key(after),
            limit,
        )
        .await?;
        Ok((supported_of(&self.connection, &rows).await?, more))
    }

    /// See [`ShareStore::supported_share`](waymark_domain::sharing::ports::ShareStore::supported_share).
    pub(super) async fn one_followed_by(
        &self,
        supporter: AccountId,
        id: ShareId,
    ) -> Result<Option<SupportedShare>, StoreError> {
        let row = shares::Entity::find_by_id(id.0)
            .filter(shares::Column::SupporterAccountId.eq(supporter.0))
            .one(&self.connection)
            .await
            .map_err(store_error)?;
        Ok(supported_of(&self.connection, row.as_slice()).await?.pop())
    }

    /// See [`ShareStore::step_back`](waymark_domain::sharing::ports::ShareStore::step_back).
    pub(super) async fn stop_following(
        &self,
        supporter: AccountId,
        id: ShareId,
        now: Instant,
    ) -> Result<Option<AccountId>, StoreError> {
        let transaction = self.writes.begin().await?;
        let ended = shares::Entity::update_many()
            .col_expr(shares::Column::SupporterAccountId, Expr::value(Option::<uuid::Uuid>::None))
            .col_expr(shares::Column::Version, Expr::col(shares::Column::Version).add(1))
            .col_expr(shares::Column::UpdatedAt, Expr::value(now))
            .filter(shares::Column::Id.eq(id.0))
            .filter(shares::Column::SupporterAccountId.eq(supporter.0))
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        if ended == 0 {
            return Ok(None);
        }
        let row = shares::Entity::find_by_id(id.0)
            .one(&transaction)
            .await
            .map_err(store_error)?
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("a share just ended")))?;
        let owner = AccountId(row.account_id);
        let acting = Acting { owner, actor: Actor::Supporter(supporter) };
        let change = Change::updated(ResourceType::Share, id.0, Some(row.version));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(Some(owner))
    }
}
