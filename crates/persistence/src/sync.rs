//! [`CurrentState`] in SQL: a person's resources of one kind, by id, for delta sync.
//! Every query is scoped by the owner and served by an index on `(account_id, id)`.

use async_trait::async_trait;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;
use waymark_domain::identity::AccountId;
use waymark_domain::journal::ResourceType;
use waymark_domain::ports::StoreError;
use waymark_domain::sync::{CurrentState, Resource};

use crate::entities::{
    contact_interactions, contacts, goal_check_ins, goal_steps, goals, routine_check_ins, routines,
    shares,
};
use crate::error::store_error;

/// [`CurrentState`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlCurrentState {
    pub(crate) connection: DatabaseConnection,
}

/// Which of the owner's resources of a kind to read.
#[derive(Debug, Clone, Copy)]
enum Which<'a> {
    /// These, in any order.
    Ids(&'a [Uuid]),
    /// Up to this many after this id, in id order.
    After(Option<Uuid>, u64),
}

/// The owner's rows of entity `E` that `which` names; `account` and `id` are its
/// owner and id columns.
fn rows_of<E: EntityTrait>(
    owner: AccountId,
    (account, id): (E::Column, E::Column),
    which: Which<'_>,
) -> Select<E> {
    let select = E::find().filter(account.eq(owner.0));
    match which {
        Which::Ids(ids) => select.filter(id.is_in(ids.iter().copied())),
        Which::After(after, limit) => {
            let select = match after {
                Some(after) => select.filter(id.gt(after)),
                None => select,
            };
            select.order_by_asc(id).limit(limit)
        }
    }
}

impl SqlCurrentState {
    async fn read(
        &self,
        owner: AccountId,
        resource: ResourceType,
        which: Which<'_>,
    ) -> Result<Vec<Resource>, StoreError> {
        let connection = &self.connection;
        macro_rules! read_as {
            ($entity:ident, $convert:path, $variant:ident) => {
                rows_of::<$entity::Entity>(
                    owner,
                    ($entity::Column::AccountId, $entity::Column::Id),
                    which,
                )
                .all(connection)
                .await
                .map_err(store_error)?
                .iter()
                .map(|row| $convert(row).map(Resource::$variant))
                .collect()
            };
        }
        match resource {
            ResourceType::Goal => read_as!(goals, crate::goals::to_goal, Goal),
            ResourceType::GoalStep => read_as!(goal_steps, crate::goal_parts::to_step, GoalStep),
            ResourceType::GoalCheckIn => {
                read_as!(goal_check_ins, crate::goal_parts::to_check_in, GoalCheckIn)
            }
            ResourceType::Routine => read_as!(routines, crate::routines::to_routine, Routine),
            ResourceType::RoutineCheckIn => {
                read_as!(routine_check_ins, crate::routines::to_check_in, RoutineCheckIn)
            }
            ResourceType::Contact => read_as!(contacts, crate::contacts::to_contact, Contact),
            ResourceType::ContactInteraction => read_as!(
                contact_interactions,
                crate::contacts::interactions::to_interaction,
                ContactInteraction
            ),
            ResourceType::Share => {
                let rows = rows_of::<shares::Entity>(
                    owner,
                    (shares::Column::AccountId, shares::Column::Id),
                    which,
                )
                .all(connection)
                .await
                .map_err(store_error)?;
                Ok(crate::sharing::shares_of(connection, &rows)
                    .await?
                    .into_iter()
                    .map(Resource::Share)
                    .collect())
            }
            ResourceType::Account | ResourceType::Grant | ResourceType::Encouragement => {
                Ok(Vec::new())
            }
        }
    }
}

#[async_trait]
impl CurrentState for SqlCurrentState {
    async fn find(
        &self,
        owner: AccountId,
        resource: ResourceType,
        ids: &[Uuid],
    ) -> Result<Vec<Resource>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read(owner, resource, Which::Ids(ids)).await
    }

    async fn after(
        &self,
        owner: AccountId,
        resource: ResourceType,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Resource>, StoreError> {
        self.read(owner, resource, Which::After(after, limit)).await
    }
}
