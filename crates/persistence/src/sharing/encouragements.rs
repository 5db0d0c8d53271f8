//! Encouragement in `encouragements`: sent through a share, read and hidden by the
//! person. A message is journalled in the person's journal: created by the supporter,
//! updated by the person when they hide it or show it again.

use std::collections::HashMap;

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use waymark_domain::acting::Acting;
use waymark_domain::goals::GoalId;
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{Actor, Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::sharing::ports::{
    EncouragementPosition, EncouragementStore, EncouragementWriteError, NewEncouragement,
};
use waymark_domain::sharing::{Encouragement, EncouragementId, EncouragementMessage, ShareId};
use waymark_domain::time::Instant;

use crate::entities::{accounts, encouragements, goals, shares};
use crate::error::{is_foreign_key_violation, store_error};
use crate::journal::Journal;
use crate::paging::{Direction::Descending, keyset_page};
use crate::writes::Writes;

/// [`EncouragementStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlEncouragementStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
    /// Every write commits through it.
    pub(crate) journal: Journal,
}

fn to_encouragement(
    row: &encouragements::Model,
    supporter_name: String,
) -> Result<Encouragement, StoreError> {
    Ok(Encouragement {
        id: EncouragementId(row.id),
        owner: AccountId(row.account_id),
        goal: GoalId(row.goal_id),
        share: row.share_id.map(ShareId),
        supporter: AccountId(row.supporter_account_id),
        supporter_name,
        message: EncouragementMessage::parse(&row.message).map_err(|_| {
            StoreError::Unexpected(anyhow::anyhow!(
                "encouragement {} has an invalid message",
                row.id
            ))
        })?,
        hidden: row.hidden,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

impl SqlEncouragementStore {
    /// `rows` with their senders' names as they are now.
    async fn named(
        &self,
        connection: &impl sea_orm::ConnectionTrait,
        rows: &[encouragements::Model],
    ) -> Result<Vec<Encouragement>, StoreError> {
        let senders: Vec<uuid::Uuid> = rows.iter().map(|row| row.supporter_account_id).collect();
        let names: HashMap<uuid::Uuid, String> = if senders.is_empty() {
            HashMap::new()
        } else {
            accounts::Entity::find()
                .filter(accounts::Column::Id.is_in(senders))
                .all(connection)
                .await
                .map_err(store_error)?
                .into_iter()
                .map(|account| (account.id, account.display_name))
                .collect()
        };
        rows.iter()
            .map(|row| {
                let name = names.get(&row.supporter_account_id).cloned().unwrap_or_default();
                to_encouragement(row, name)
            })
            .collect()
    }

    async fn row(
        &self,
        connection: &impl sea_orm::ConnectionTrait,
        (owner, goal, id): (AccountId, GoalId, EncouragementId),
    ) -> Result<Option<encouragements::Model>, StoreError> {
        encouragements::Entity::find_by_id(id.0)
            .filter(encouragements::Column::AccountId.eq(owner.0))
            .filter(encouragements::Column::GoalId.eq(goal.0))
            .one(connection)
            .await
            .map_err(store_error)
    }
}

#[async_trait]
impl EncouragementStore for SqlEncouragementStore {
    async fn send(
        &self,
        acting: Acting,
        message: NewEncouragement,
        daily_limit: u64,
        now: Instant,
    ) -> Result<Encouragement, EncouragementWriteError> {
        let Actor::Supporter(supporter) = acting.actor else {
            return Err(StoreError::Unexpected(anyhow::anyhow!(
                "encouragement sent by {}, not a supporter",
                acting.actor.kind()
            ))
            .into());
        };
        let transaction = self.writes.begin().await?;
        // The share's row is locked first, so one supporter's messages through it are
        // counted one at a time and the daily limit holds under concurrent sends.
        let locked = shares::Entity::update_many()
            .col_expr(shares::Column::Version, Expr::col(shares::Column::Version))
            .filter(shares::Column::Id.eq(message.share.0))
            .filter(shares::Column::AccountId.eq(acting.owner.0))
            .filter(shares::Column::SupporterAccountId.eq(supporter.0))
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        if locked == 0 {
            return Err(EncouragementWriteError::NotFound);
        }
        let sent_today = encouragements::Entity::find()
            .filter(encouragements::Column::SupporterAccountId.eq(supporter.0))
            .filter(encouragements::Column::GoalId.eq(message.goal.0))
            .filter(encouragements::Column::CreatedAt.gt(now - chrono::Duration::days(1)))
            .count(&transaction)
            .await
            .map_err(store_error)?;
        if sent_today >= daily_limit {
            return Err(EncouragementWriteError::TooMany);
        }
        let goal_is_owners = goals::Entity::find_by_id(message.goal.0)
            .filter(goals::Column::AccountId.eq(acting.owner.0))
            .count(&transaction)
            .await
            .map_err(store_error)?
            > 0;
        if !goal_is_owners {
            return Err(EncouragementWriteError::NotFound);
        }
        let row = encouragements::Model {
            id: waymark_domain::id::new_id(),
            account_id: acting.owner.0,
            goal_id: message.goal.0,
            share_id: Some(message.share.0),
            supporter_account_id: supporter.0,
            message: message.message.as_str().to_owned(),
            hidden: false,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let inserted =
            encouragements::Entity::insert(encouragements::ActiveModel::from(row.clone()))
                .exec_without_returning(&transaction)
                .await;
        match inserted {
            Err(error) if is_foreign_key_violation(&error) => {
                return Err(EncouragementWriteError::NotFound);
            }
            other => other.map_err(store_error)?,
        };
        let mut sent = self.named(&transaction, std::slice::from_ref(&row)).await?;
        let change = Change::created(ResourceType::Encouragement, row.id, Some(1));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        sent.pop()
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("a message just sent")).into())
    }

    async fn list(
        &self,
        owner: AccountId,
        goal: GoalId,
        after: Option<EncouragementPosition>,
        limit: u64,
    ) -> Result<Option<(Vec<Encouragement>, bool)>, StoreError> {
        let goal_is_owners = goals::Entity::find_by_id(goal.0)
            .filter(goals::Column::AccountId.eq(owner.0))
            .count(&self.connection)
            .await
            .map_err(store_error)?
            > 0;
        if !goal_is_owners {
            return Ok(None);
        }
        let select = encouragements::Entity::find()
            .filter(encouragements::Column::AccountId.eq(owner.0))
            .filter(encouragements::Column::GoalId.eq(goal.0));
        let (rows, more) = keyset_page(
            &self.connection,
            select,
            Descending,
            (encouragements::Column::CreatedAt, encouragements::Column::Id),
            after.map(|(at, id)| (at.into(), id.0.into())),
            limit,
        )
        .await?;
        Ok(Some((self.named(&self.connection, &rows).await?, more)))
    }

    async fn get(
        &self,
        owner: AccountId,
        goal: GoalId,
        id: EncouragementId,
    ) -> Result<Option<Encouragement>, StoreError> {
        let Some(row) = self.row(&self.connection, (owner, goal, id)).await? else {
            return Ok(None);
        };
        Ok(self.named(&self.connection, &[row]).await?.pop())
    }

    async fn set_hidden(
        &self,
        acting: Acting,
        goal: GoalId,
        id: EncouragementId,
        hidden: bool,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Encouragement, EncouragementWriteError> {
        let transaction = self.writes.begin().await?;
        let mut write = encouragements::Entity::update_many()
            .col_expr(encouragements::Column::Hidden, Expr::value(hidden))
            .col_expr(
                encouragements::Column::Version,
                Expr::col(encouragements::Column::Version).add(1),
            )
            .col_expr(encouragements::Column::UpdatedAt, Expr::value(now))
            .filter(encouragements::Column::Id.eq(id.0))
            .filter(encouragements::Column::AccountId.eq(acting.owner.0))
            .filter(encouragements::Column::GoalId.eq(goal.0));
        if let Some(version) = expected_version {
            write = write.filter(encouragements::Column::Version.eq(version));
        }
        let changed = write.exec(&transaction).await.map_err(store_error)?.rows_affected;
        let Some(row) = self.row(&transaction, (acting.owner, goal, id)).await? else {
            return Err(EncouragementWriteError::NotFound);
        };
        if changed == 0 {
            return Err(EncouragementWriteError::PreconditionFailed);
        }
        let mut changed = self.named(&transaction, std::slice::from_ref(&row)).await?;
        let change = Change::updated(ResourceType::Encouragement, id.0, Some(row.version));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        changed
            .pop()
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("a message just changed")).into())
    }
}
