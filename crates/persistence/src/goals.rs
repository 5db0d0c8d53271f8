//! Goals in the `goals` table, with their history. Every write appends to the change
//! journal in its own transaction. Every query is
//! filtered by the owner; lists are keyset-paginated on the indexes the migration
//! names, never with OFFSET.

use std::sync::Arc;

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
};
use waymark_domain::acting::Acting;
use waymark_domain::goals::ports::{
    GoalOrder, GoalPage, GoalPosition, GoalQuery, GoalStore, GoalWriteError,
};
use waymark_domain::goals::{
    Area, Goal, GoalChanges, GoalId, GoalStatus, GoalTitle, GoalWhy, NewGoal, StatusChange,
    SupportNotes,
};
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{Actor, Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{goal_status_changes, goals, routines};
use crate::error::store_error;
use crate::journal::Journal;
use crate::like::contains_pattern;
use crate::owned::owned_row;
use crate::paging::{Direction, beyond, page_of};
use crate::writes::{WriteTransaction, Writes};

/// How many times an unconditional update is retried when another writer changed
/// the goal between its read and its write.
const UPDATE_ATTEMPTS: usize = 3;

/// [`GoalStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlGoalStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
    /// Every write commits through it: its entries, then whoever hears changes.
    pub(crate) journal: Journal,
}

pub(crate) fn to_goal(row: &goals::Model) -> Result<Goal, StoreError> {
    let corrupt = |field: &str| {
        StoreError::Unexpected(anyhow::anyhow!("goal {} has an invalid {field}", row.id))
    };
    Ok(Goal {
        id: GoalId(row.id),
        owner: AccountId(row.account_id),
        title: GoalTitle::parse(&row.title).map_err(|_| corrupt("title"))?,
        why: GoalWhy::parse(&row.why).map_err(|_| corrupt("why"))?,
        area: row.area.parse::<Area>().map_err(|_| corrupt("area"))?,
        target_date: row.target_date,
        status: row.status.parse::<GoalStatus>().map_err(|_| corrupt("status"))?,
        status_changed_at: row.status_changed_at,
        needs_support: row.needs_support,
        support_notes: SupportNotes::parse(&row.support_notes)
            .map_err(|_| corrupt("support_notes"))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        steps_total: row.steps_total,
        steps_done: row.steps_done,
        last_check_in_at: row.last_check_in_at,
        supporters: crate::contacts::supporter_ids(&row.supporter_ids)
            .ok_or_else(|| corrupt("supporter_ids"))?,
    })
}

/// A goal's status change as stored.
pub(crate) fn to_status_change(
    row: &goal_status_changes::Model,
) -> Result<StatusChange, StoreError> {
    let corrupt = || StoreError::Unexpected(anyhow::anyhow!("status change {} is invalid", row.id));
    Ok(StatusChange {
        from: row
            .from_status
            .as_deref()
            .map(str::parse::<GoalStatus>)
            .transpose()
            .map_err(|_| corrupt())?,
        to: row.to_status.parse::<GoalStatus>().map_err(|_| corrupt())?,
        at: row.at,
    })
}

fn history_row(
    goal: GoalId,
    owner: AccountId,
    from: Option<GoalStatus>,
    to: GoalStatus,
    at: Instant,
) -> goal_status_changes::ActiveModel {
    goal_status_changes::ActiveModel {
        id: Set(waymark_domain::id::new_id()),
        goal_id: Set(goal.0),
        account_id: Set(owner.0),
        from_status: Set(from.map(|status| status.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        at: Set(at),
    }
}

fn after_condition(position: &GoalPosition) -> Condition {
    match position {
        GoalPosition::Newest { created_at, id } => beyond(
            Direction::Descending,
            (goals::Column::CreatedAt, goals::Column::Id),
            ((*created_at).into(), id.0.into()),
        ),
        GoalPosition::TargetDate { target_date: Some(date), id } => beyond(
            Direction::Ascending,
            (goals::Column::TargetDate, goals::Column::Id),
            ((*date).into(), id.0.into()),
        )
        .add(goals::Column::TargetDate.is_null()),
        GoalPosition::TargetDate { target_date: None, id } => Condition::all()
            .add(goals::Column::TargetDate.is_null())
            .add(goals::Column::Id.gt(id.0)),
    }
}

impl SqlGoalStore {
    /// A page of the owner's goals, from the database.
    async fn read_page(&self, owner: AccountId, query: &GoalQuery) -> Result<GoalPage, StoreError> {
        let mut select = goals::Entity::find().filter(goals::Column::AccountId.eq(owner.0));
        if let Some(ids) = &query.ids {
            select = select.filter(goals::Column::Id.is_in(ids.iter().map(|id| id.0)));
        }
        if !query.statuses.is_empty() {
            select = select.filter(
                goals::Column::Status.is_in(query.statuses.iter().map(|status| status.as_str())),
            );
        }
        if let Some(area) = query.area {
            select = select.filter(goals::Column::Area.eq(area.as_str()));
        }
        if let Some(before) = query.due_before {
            select = select.filter(goals::Column::TargetDate.lt(before));
        }
        if let Some(text) = query.title_contains.as_deref() {
            select =
                select.filter(Expr::col(goals::Column::TitleSearch).like(contains_pattern(text)));
        }
        if let Some(from) = query.updated_from {
            select = select.filter(goals::Column::UpdatedAt.gte(from));
        }
        if let Some(before) = query.updated_before {
            select = select.filter(goals::Column::UpdatedAt.lt(before));
        }
        if let Some(position) = &query.after {
            select = select.filter(after_condition(position));
        }
        select = match query.order {
            GoalOrder::Newest => {
                select.order_by_desc(goals::Column::CreatedAt).order_by_desc(goals::Column::Id)
            }
            GoalOrder::TargetDate => select
                .order_by(Expr::col(goals::Column::TargetDate).is_null(), Order::Asc)
                .order_by_asc(goals::Column::TargetDate)
                .order_by_asc(goals::Column::Id),
        };
        let rows = select
            .limit(query.limit.saturating_add(1))
            .all(&self.connection)
            .await
            .map_err(store_error)?;
        let (rows, has_more) = page_of(rows, query.limit);
        let goals = rows.iter().map(to_goal).collect::<Result<Arc<[Goal]>, _>>()?;
        Ok(GoalPage { goals, has_more })
    }

    async fn row(&self, owner: AccountId, id: GoalId) -> Result<Option<goals::Model>, StoreError> {
        owned_row::<goals::Entity>(&self.connection, id.0, goals::Column::AccountId, owner).await
    }

    /// One attempt: write `changes` if the goal is still at `seen_version`, recording a
    /// status change. `Ok(None)` when another writer got there first.
    async fn update_at_version(
        &self,
        transaction: WriteTransaction,
        current: &goals::Model,
        changes: &GoalChanges,
        actor: Actor,
        now: Instant,
    ) -> Result<Option<Goal>, StoreError> {
        let mut update = goals::ActiveModel::default();
        if let Some(title) = &changes.title {
            update.title = Set(title.as_str().to_owned());
            update.title_search = Set(title.as_str().to_lowercase());
        }
        if let Some(why) = &changes.why {
            update.why = Set(why.as_str().to_owned());
        }
        if let Some(area) = changes.area {
            update.area = Set(area.as_str().to_owned());
        }
        if let Some(target_date) = changes.target_date {
            update.target_date = Set(target_date);
        }
        let old_status = current.status.parse::<GoalStatus>().ok();
        let status_change = changes.status.filter(|new| Some(*new) != old_status);
        if let Some(status) = status_change {
            update.status = Set(status.as_str().to_owned());
            update.status_changed_at = Set(now);
        }
        if let Some(needs_support) = changes.needs_support {
            update.needs_support = Set(needs_support);
        }
        if let Some(notes) = &changes.support_notes {
            update.support_notes = Set(notes.as_str().to_owned());
        }
        let Some(row) = goals::Entity::update_many()
            .set(update)
            .col_expr(goals::Column::Version, Expr::col(goals::Column::Version).add(1))
            .col_expr(goals::Column::UpdatedAt, Expr::value(now))
            .filter(goals::Column::Id.eq(current.id))
            .filter(goals::Column::AccountId.eq(current.account_id))
            .filter(goals::Column::Version.eq(current.version))
            .exec_with_returning(&transaction)
            .await
            .map_err(store_error)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        if let Some(status) = status_change {
            goal_status_changes::Entity::insert(history_row(
                GoalId(current.id),
                AccountId(current.account_id),
                old_status,
                status,
                now,
            ))
            .exec(&transaction)
            .await
            .map_err(store_error)?;
        }
        let acting = Acting { owner: AccountId(current.account_id), actor };
        let change = Change::updated(ResourceType::Goal, row.id, Some(row.version));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        to_goal(&row).map(Some)
    }
}

#[async_trait]
impl GoalStore for SqlGoalStore {
    async fn create(
        &self,
        acting: Acting,
        goal: NewGoal,
        now: Instant,
    ) -> Result<Goal, StoreError> {
        let owner = acting.owner;
        async {
            let id = GoalId(waymark_domain::id::new_id());
            let row = goals::ActiveModel {
                id: Set(id.0),
                account_id: Set(owner.0),
                title: Set(goal.title.as_str().to_owned()),
                title_search: Set(goal.title.as_str().to_lowercase()),
                why: Set(goal.why.as_str().to_owned()),
                area: Set(goal.area.as_str().to_owned()),
                target_date: Set(goal.target_date),
                status: Set(goal.status.as_str().to_owned()),
                status_changed_at: Set(now),
                needs_support: Set(goal.needs_support),
                support_notes: Set(goal.support_notes.as_str().to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                steps_total: Set(0),
                steps_done: Set(0),
                last_check_in_at: Set(None),
                supporter_ids: Set(String::new()),
            };
            let transaction = self.writes.begin().await?;
            let inserted = goals::Entity::insert(row)
                .exec_with_returning(&transaction)
                .await
                .map_err(store_error)?;
            goal_status_changes::Entity::insert(history_row(id, owner, None, goal.status, now))
                .exec(&transaction)
                .await
                .map_err(store_error)?;
            self.journal
                .commit(
                    transaction,
                    acting,
                    now,
                    &[Change::created(ResourceType::Goal, id.0, Some(inserted.version))],
                )
                .await?;
            to_goal(&inserted)
        }
        .await
    }

    async fn get(&self, owner: AccountId, id: GoalId) -> Result<Option<Goal>, StoreError> {
        self.row(owner, id).await?.as_ref().map(to_goal).transpose()
    }

    async fn list(&self, owner: AccountId, query: GoalQuery) -> Result<GoalPage, StoreError> {
        self.read_page(owner, &query).await
    }

    async fn update(
        &self,
        acting: Acting,
        id: GoalId,
        changes: GoalChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Goal, GoalWriteError> {
        let owner = acting.owner;
        async {
            for _ in 0..UPDATE_ATTEMPTS {
                // Read inside the write: the read pool does not see the writes released
                // earlier in the same SQLite batch.
                let transaction = self.writes.begin().await?;
                let current =
                    owned_row::<goals::Entity>(&transaction, id.0, goals::Column::AccountId, owner)
                        .await?
                        .ok_or(GoalWriteError::NotFound)?;
                if expected_version.is_some_and(|expected| expected != current.version) {
                    return Err(GoalWriteError::PreconditionFailed);
                }
                if let Some(goal) = self
                    .update_at_version(transaction, &current, &changes, acting.actor, now)
                    .await?
                {
                    return Ok(goal);
                }
                if expected_version.is_some() {
                    return Err(GoalWriteError::PreconditionFailed);
                }
            }
            Err(GoalWriteError::Busy)
        }
        .await
    }

    async fn delete(
        &self,
        acting: Acting,
        id: GoalId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), GoalWriteError> {
        let owner = acting.owner;
        async {
            let transaction = self.writes.begin().await?;
            // On PostgreSQL the goal's row is locked first (FOR UPDATE, which waits for
            // any transaction still linking a routine to it, and makes later ones wait
            // and then fail), so every routine linked to it is seen by the unlinking
            // below. SQLite has one writer: the unlinking's write takes its lock.
            if transaction.get_database_backend() == DbBackend::Postgres {
                goals::Entity::find_by_id(id.0)
                    .filter(goals::Column::AccountId.eq(owner.0))
                    .lock_exclusive()
                    .one(&transaction)
                    .await
                    .map_err(store_error)?;
            }
            // The goal's routines are unlinked here rather than by ON DELETE SET NULL,
            // so each gets a new version and a journal entry of its own.
            let unlinked = routines::Entity::update_many()
                .col_expr(routines::Column::GoalId, Expr::value(Option::<uuid::Uuid>::None))
                .col_expr(routines::Column::Version, Expr::col(routines::Column::Version).add(1))
                .col_expr(routines::Column::UpdatedAt, Expr::value(now))
                .filter(routines::Column::AccountId.eq(owner.0))
                .filter(routines::Column::GoalId.eq(id.0))
                .exec_with_returning(&transaction)
                .await
                .map_err(store_error)?;
            let mut statement = goals::Entity::delete_many()
                .filter(goals::Column::Id.eq(id.0))
                .filter(goals::Column::AccountId.eq(owner.0));
            if let Some(expected) = expected_version {
                statement = statement.filter(goals::Column::Version.eq(expected));
            }
            let deleted = statement.exec(&transaction).await.map_err(store_error)?.rows_affected;
            if deleted == 0 {
                // Read inside the write: the read pool does not see the writes released
                // earlier in the same SQLite batch.
                return match (
                    owned_row::<goals::Entity>(&transaction, id.0, goals::Column::AccountId, owner)
                        .await?,
                    expected_version,
                ) {
                    (Some(_), Some(_)) => Err(GoalWriteError::PreconditionFailed),
                    _ => Err(GoalWriteError::NotFound),
                };
            }
            // Steps, check-ins and history go with the goal (ON DELETE CASCADE); the
            // shares that chose it let go of it.
            let forgotten = crate::sharing::forget_goal(&transaction, owner, id, now).await?;
            let changes: Vec<Change> = unlinked
                .iter()
                .map(|routine| {
                    Change::updated(ResourceType::Routine, routine.id, Some(routine.version))
                })
                .chain(forgotten)
                .chain([Change::deleted(ResourceType::Goal, id.0)])
                .collect();
            self.journal.commit(transaction, acting, now, &changes).await?;
            Ok(())
        }
        .await
    }

    async fn history(
        &self,
        owner: AccountId,
        id: GoalId,
    ) -> Result<Option<Vec<StatusChange>>, StoreError> {
        if self.row(owner, id).await?.is_none() {
            return Ok(None);
        }
        let rows = goal_status_changes::Entity::find()
            .filter(goal_status_changes::Column::GoalId.eq(id.0))
            .filter(goal_status_changes::Column::AccountId.eq(owner.0))
            .order_by_asc(goal_status_changes::Column::At)
            .order_by_asc(goal_status_changes::Column::Id)
            .limit(1000)
            .all(&self.connection)
            .await
            .map_err(store_error)?;
        rows.iter().map(to_status_change).collect::<Result<Vec<_>, _>>().map(Some)
    }
}
