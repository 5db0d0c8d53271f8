//! Supporter links in `goal_supporters`. A link change rewrites the goal's derived
//! `supporter_ids` (and version) in the same transaction.

use async_trait::async_trait;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use waymark_domain::acting::Acting;
use waymark_domain::contacts::ports::{
    MAX_SUPPORTERS_PER_GOAL, SupportedGoal, SupporterPosition, SupporterStore, SupporterWriteError,
};
use waymark_domain::contacts::{Contact, ContactId, Supporter, SupporterRole};
use waymark_domain::goals::{GoalId, GoalStatus, GoalTitle};
use waymark_domain::identity::AccountId;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use super::{SqlContactStore, lock_contact, refresh_goal_supporters, to_contact};
use crate::entities::{contacts, goal_supporters, goals};
use crate::error::{retrying_conflicts, store_error};
use crate::owned::{lock_owned, owned_rows_by_id};
use crate::paging::{Direction::Ascending, keyset_page};

pub(crate) fn to_supporter(row: &goal_supporters::Model) -> Result<Supporter, StoreError> {
    Ok(Supporter {
        goal_id: GoalId(row.goal_id),
        contact_id: ContactId(row.contact_id),
        role: SupporterRole::parse(&row.role).map_err(|_| {
            StoreError::Unexpected(anyhow::anyhow!(
                "supporter {} of goal {} has an invalid role",
                row.contact_id,
                row.goal_id
            ))
        })?,
        created_at: row.created_at,
    })
}

impl SqlContactStore {
    /// A page of `owner`'s links whose `side` column holds the given id (a goal's, or a
    /// contact's), in the order they were made, ties broken by `other` (the other
    /// side's id).
    async fn links_page(
        &self,
        owner: AccountId,
        (side, id): (goal_supporters::Column, uuid::Uuid),
        other: goal_supporters::Column,
        after: Option<SupporterPosition>,
        limit: u64,
    ) -> Result<(Vec<goal_supporters::Model>, bool), StoreError> {
        let select = goal_supporters::Entity::find()
            .filter(side.eq(id))
            .filter(goal_supporters::Column::AccountId.eq(owner.0));
        let columns = (goal_supporters::Column::CreatedAt, other);
        let after = after.map(|after| (after.created_at.into(), after.id.into()));
        keyset_page(&self.connection, select, Ascending, columns, after, limit).await
    }

    async fn set_supporter_once(
        &self,
        acting: Acting,
        goal: GoalId,
        contact: ContactId,
        role: &SupporterRole,
        now: Instant,
    ) -> Result<Result<(Supporter, bool), SupporterWriteError>, StoreError> {
        let owner = acting.owner;
        let transaction = self.writes.begin().await?;
        // Locks are taken contact first, then goal, everywhere: a contact being deleted
        // cannot gain a link, and racing link changes of one goal run one at a time.
        let contact_exists = lock_contact(&transaction, owner, contact).await?.is_some();
        let goal_locked = lock_owned::<goals::Entity>(
            &transaction,
            (goals::Column::Id, goal.0),
            (goals::Column::AccountId, owner),
            goals::Column::Version,
        )
        .await?;
        if !goal_locked || !contact_exists {
            return Ok(Err(SupporterWriteError::NotFound));
        }
        let existing = goal_supporters::Entity::find_by_id((goal.0, contact.0))
            .one(&transaction)
            .await
            .map_err(store_error)?;
        let created = existing.is_none();
        let row = if let Some(existing) = existing {
            goal_supporters::Entity::update_many()
                .col_expr(goal_supporters::Column::Role, Expr::value(role.as_str()))
                .filter(goal_supporters::Column::GoalId.eq(goal.0))
                .filter(goal_supporters::Column::ContactId.eq(contact.0))
                .exec(&transaction)
                .await
                .map_err(store_error)?;
            goal_supporters::Model { role: role.as_str().to_owned(), ..existing }
        } else {
            let count = goal_supporters::Entity::find()
                .filter(goal_supporters::Column::GoalId.eq(goal.0))
                .count(&transaction)
                .await
                .map_err(store_error)?;
            if count >= MAX_SUPPORTERS_PER_GOAL as u64 {
                return Ok(Err(SupporterWriteError::TooMany));
            }
            goal_supporters::Entity::insert(goal_supporters::ActiveModel {
                goal_id: Set(goal.0),
                contact_id: Set(contact.0),
                account_id: Set(owner.0),
                role: Set(role.as_str().to_owned()),
                created_at: Set(now),
            })
            .exec_with_returning(&transaction)
            .await
            .map_err(store_error)?
        };
        let changes = refresh_goal_supporters(&transaction, &[goal.0], now).await?;
        self.journal.commit(transaction, acting, now, &changes).await?;
        Ok(Ok((to_supporter(&row)?, created)))
    }

    async fn remove_supporter_once(
        &self,
        acting: Acting,
        goal: GoalId,
        contact: ContactId,
        now: Instant,
    ) -> Result<Result<(), SupporterWriteError>, StoreError> {
        let owner = acting.owner;
        let transaction = self.writes.begin().await?;
        // Contact first, then goal, as everywhere.
        if lock_contact(&transaction, owner, contact).await?.is_none() {
            return Ok(Err(SupporterWriteError::NotFound));
        }
        let deleted = goal_supporters::Entity::delete_many()
            .filter(goal_supporters::Column::GoalId.eq(goal.0))
            .filter(goal_supporters::Column::ContactId.eq(contact.0))
            .filter(goal_supporters::Column::AccountId.eq(owner.0))
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        if deleted == 0 {
            return Ok(Err(SupporterWriteError::NotFound));
        }
        let changes = refresh_goal_supporters(&transaction, &[goal.0], now).await?;
        self.journal.commit(transaction, acting, now, &changes).await?;
        Ok(Ok(()))
    }
}

#[async_trait]
impl SupporterStore for SqlContactStore {
    async fn set_supporter(
        &self,
        acting: Acting,
        goal: GoalId,
        contact: ContactId,
        role: SupporterRole,
        now: Instant,
    ) -> Result<(Supporter, bool), SupporterWriteError> {
        // The goal row is locked first, so racing PUTs of one link run one after the
        // other and the second finds the first's link.
        let outcome =
            retrying_conflicts(|| self.set_supporter_once(acting, goal, contact, &role, now)).await;
        outcome?
    }

    async fn remove_supporter(
        &self,
        acting: Acting,
        goal: GoalId,
        contact: ContactId,
        now: Instant,
    ) -> Result<(), SupporterWriteError> {
        let outcome =
            retrying_conflicts(|| self.remove_supporter_once(acting, goal, contact, now)).await;
        outcome?
    }

    async fn supporters(
        &self,
        owner: AccountId,
        goal: GoalId,
        after: Option<SupporterPosition>,
        limit: u64,
    ) -> Result<Option<(Vec<(Supporter, Contact)>, bool)>, StoreError> {
        if !self.owns_goal(owner, goal).await? {
            return Ok(None);
        }
        let (links, has_more) = self
            .links_page(
                owner,
                (goal_supporters::Column::GoalId, goal.0),
                goal_supporters::Column::ContactId,
                after,
                limit,
            )
            .await?;
        let contacts = owned_rows_by_id::<contacts::Entity>(
            &self.connection,
            (contacts::Column::Id, links.iter().map(|link| link.contact_id)),
            (contacts::Column::AccountId, owner),
            |row| row.id,
        )
        .await?;
        let mut page = Vec::with_capacity(links.len());
        for link in &links {
            // A link whose contact was deleted in between is gone too.
            if let Some(contact) = contacts.get(&link.contact_id) {
                page.push((to_supporter(link)?, to_contact(contact)?));
            }
        }
        Ok(Some((page, has_more)))
    }

    async fn supported_goals(
        &self,
        owner: AccountId,
        contact: ContactId,
        after: Option<SupporterPosition>,
        limit: u64,
    ) -> Result<Option<(Vec<SupportedGoal>, bool)>, StoreError> {
        if self.row(owner, contact).await?.is_none() {
            return Ok(None);
        }
        let (links, has_more) = self
            .links_page(
                owner,
                (goal_supporters::Column::ContactId, contact.0),
                goal_supporters::Column::GoalId,
                after,
                limit,
            )
            .await?;
        let goals = owned_rows_by_id::<goals::Entity>(
            &self.connection,
            (goals::Column::Id, links.iter().map(|link| link.goal_id)),
            (goals::Column::AccountId, owner),
            |row| row.id,
        )
        .await?;
        let mut page = Vec::with_capacity(links.len());
        for link in &links {
            if let Some(goal) = goals.get(&link.goal_id) {
                let bad = |field: &str| {
                    StoreError::Unexpected(anyhow::anyhow!(
                        "goal {} has an invalid {field}",
                        goal.id
                    ))
                };
                page.push(SupportedGoal {
                    supporter: to_supporter(link)?,
                    title: GoalTitle::parse(&goal.title).map_err(|_| bad("title"))?,
                    status: goal.status.parse::<GoalStatus>().map_err(|_| bad("status"))?,
                });
            }
        }
        Ok(Some((page, has_more)))
    }
}
