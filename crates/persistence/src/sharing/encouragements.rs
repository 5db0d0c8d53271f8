//! Encouragement in `encouragements`: sent through a share, read and hidden by the
//! person. A message is journalled in the person's journal: created by the supporter,
//! updated by the person when they hide it or show it again.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use waymark_domain::acting::Acting;
use waymark_domain::goals::{GoalId, GoalStatus};
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{Actor, Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::sharing::ports::{
    EncouragementPosition, EncouragementStore, EncouragementWriteError, NewEncouragement,
};
use waymark_domain::sharing::{
    Encouragement, EncouragementId, EncouragementMessage, MayEncourage, Share, ShareId,
};
use waymark_domain::time::Instant;

use super::{display_names, to_share};
use crate::entities::{encouragements, goals, shares};
use crate::error::store_error;
use crate::journal::Journal;
use crate::owned::locked_owned_row;
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

/// Locks the owner's goal `goal` for the rest of `transaction` (a write that changes
/// nothing), answering its row; `None` when there is no such goal.
async fn lock_goal(
    transaction: &impl ConnectionTrait,
    owner: AccountId,
    goal: GoalId,
) -> Result<Option<goals::Model>, StoreError> {
    locked_owned_row::<goals::Entity>(
        transaction,
        (goals::Column::Id, goal.0),
        (goals::Column::AccountId, owner),
        goals::Column::Version,
    )
    .await
}

/// Locks the owner's share `share` the same way, answering it as it is now.
async fn lock_share(
    transaction: &impl ConnectionTrait,
    owner: AccountId,
    share: ShareId,
) -> Result<Option<Share>, StoreError> {
    let row = locked_owned_row::<shares::Entity>(
        transaction,
        (shares::Column::Id, share.0),
        (shares::Column::AccountId, owner),
        shares::Column::Version,
    )
    .await?;
    row.map(|row| to_share(&row, None)).transpose()
}

impl SqlEncouragementStore {
    /// `rows` with their senders' names as they are now.
    pub(crate) async fn named(
        connection: &impl ConnectionTrait,
        rows: &[encouragements::Model],
    ) -> Result<Vec<Encouragement>, StoreError> {
        let names =
            display_names(connection, rows.iter().map(|row| row.supporter_account_id)).await?;
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
        // The goal's row, then the share's, are locked (as deleting a contact locks
        // goals before its shares go): a change to the share committed before this
        // holds here, and one supporter's messages about the goal are counted one at a
        // time, whichever share they come through.
        let goal = lock_goal(&transaction, acting.owner, message.goal).await?;
        let share = lock_share(&transaction, acting.owner, message.share).await?;
        let (Some(goal), Some(share)) = (goal, share) else {
            return Err(EncouragementWriteError::NotFound);
        };
        let status = goal.status.parse::<GoalStatus>().map_err(|_| {
            StoreError::Unexpected(anyhow::anyhow!("goal {} has an invalid status", goal.id))
        })?;
        match share.takes_encouragement(supporter, (message.goal, status), now) {
            MayEncourage::Yes => {}
            MayEncourage::NotShown => return Err(EncouragementWriteError::NotFound),
            MayEncourage::TurnedOff => return Err(EncouragementWriteError::TurnedOff),
        }
        let window = now - chrono::Duration::days(1);
        let sent_today = encouragements::Entity::find()
            .filter(encouragements::Column::SupporterAccountId.eq(supporter.0))
            .filter(encouragements::Column::GoalId.eq(message.goal.0))
            .filter(encouragements::Column::CreatedAt.gt(window))
            .order_by_desc(encouragements::Column::CreatedAt)
            .limit(daily_limit)
            .all(&transaction)
            .await
            .map_err(store_error)?;
        if sent_today.len() as u64 >= daily_limit {
            // The oldest of the last `daily_limit` leaves the window first.
            let oldest = sent_today.last().map_or(now, |row| row.created_at);
            return Err(EncouragementWriteError::TooMany {
                until: oldest + chrono::Duration::days(1),
            });
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
        encouragements::Entity::insert(encouragements::ActiveModel::from(row.clone()))
            .exec_without_returning(&transaction)
            .await
            .map_err(store_error)?;
        let mut sent = Self::named(&transaction, std::slice::from_ref(&row)).await?;
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
        Ok(Some((Self::named(&self.connection, &rows).await?, more)))
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
        Ok(Self::named(&self.connection, &[row]).await?.pop())
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
        let mut changed = Self::named(&transaction, std::slice::from_ref(&row)).await?;
        let change = Change::updated(ResourceType::Encouragement, id.0, Some(row.version));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        changed
            .pop()
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("a message just changed")).into())
    }
}
