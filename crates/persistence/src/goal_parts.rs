//! Steps and check-ins of goals. Each change also bumps the goal's version and keeps
//! its derived counts (`steps_total`, `steps_done`, `last_check_in_at`) right, in
//! one transaction that starts by updating the goal row: that write scopes the change
//! to the owner's goal, takes the goal's lock first (no SQLite upgrade deadlock, no
//! lost count on PostgreSQL), and answers "no such goal" by touching no row. Each
//! transaction ends by appending the goal's and the part's changes to the journal.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use waymark_domain::acting::Acting;
use waymark_domain::goals::ports::{CheckInPage, GoalPartsStore, GoalWriteError, StepWriteError};
use waymark_domain::goals::{
    CheckIn, CheckInId, CheckInNote, Feeling, GoalId, MAX_STEPS_PER_GOAL, NewCheckIn, NewStep,
    Progress, Step, StepChanges, StepId, StepTitle,
};
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{goal_check_ins, goal_steps, goals};
use crate::error::store_error;
use crate::journal::Journal;
use crate::paging::{Direction::Descending, keyset_page};
use crate::writes::{WriteTransaction, Writes};

/// [`GoalPartsStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlGoalPartsStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
    /// Every write commits through it: its entries, then whoever hears changes.
    pub(crate) journal: Journal,
}

pub(crate) fn to_step(row: &goal_steps::Model) -> Result<Step, StoreError> {
    Ok(Step {
        id: StepId(row.id),
        goal_id: GoalId(row.goal_id),
        title: StepTitle::parse(&row.title).map_err(|_| {
            StoreError::Unexpected(anyhow::anyhow!("step {} has an invalid title", row.id))
        })?,
        done: row.done,
        done_at: row.done_at,
        position: row.position,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

pub(crate) fn to_check_in(row: &goal_check_ins::Model) -> Result<CheckIn, StoreError> {
    let corrupt = || StoreError::Unexpected(anyhow::anyhow!("check-in {} is invalid", row.id));
    Ok(CheckIn {
        id: CheckInId(row.id),
        goal_id: GoalId(row.goal_id),
        note: CheckInNote::parse(&row.note).map_err(|_| corrupt())?,
        progress: row
            .progress
            .map(|value| Progress::new(i64::from(value)))
            .transpose()
            .map_err(|_| corrupt())?,
        feeling: row
            .feeling
            .as_deref()
            .map(str::parse::<Feeling>)
            .transpose()
            .map_err(|_| corrupt())?,
        setback: row.setback,
        created_at: row.created_at,
    })
}

/// Bumps the owner's goal (version, `updated_at`) plus `extra` column changes, if it
/// exists and passes `condition`. Answers the goal as it now is, or `None` when there
/// was no such goal to touch.
async fn touch_goal(
    transaction: &WriteTransaction,
    owner: AccountId,
    goal: GoalId,
    now: Instant,
    extra: Vec<(goals::Column, Expr)>,
    condition: Option<Condition>,
) -> Result<Option<goals::Model>, StoreError> {
    let mut statement = goals::Entity::update_many()
        .col_expr(goals::Column::Version, Expr::col(goals::Column::Version).add(1))
        .col_expr(goals::Column::UpdatedAt, Expr::value(now))
        .filter(goals::Column::Id.eq(goal.0))
        .filter(goals::Column::AccountId.eq(owner.0));
    for (column, value) in extra {
        statement = statement.col_expr(column, value);
    }
    if let Some(condition) = condition {
        statement = statement.filter(condition);
    }
    Ok(statement.exec_with_returning(transaction).await.map_err(store_error)?.into_iter().next())
}

/// The journal's word for a goal [`touch_goal`] changed.
fn goal_updated(goal: &goals::Model) -> Change {
    Change::updated(ResourceType::Goal, goal.id, Some(goal.version))
}

async fn goal_exists(
    connection: &impl sea_orm::ConnectionTrait,
    owner: AccountId,
    goal: GoalId,
) -> Result<bool, StoreError> {
    Ok(goals::Entity::find_by_id(goal.0)
        .filter(goals::Column::AccountId.eq(owner.0))
        .one(connection)
        .await
        .map_err(store_error)?
        .is_some())
}

async fn ordered_steps(
    connection: &impl sea_orm::ConnectionTrait,
    owner: AccountId,
    goal: GoalId,
) -> Result<Vec<goal_steps::Model>, StoreError> {
    goal_steps::Entity::find()
        .filter(goal_steps::Column::GoalId.eq(goal.0))
        .filter(goal_steps::Column::AccountId.eq(owner.0))
        .order_by_asc(goal_steps::Column::Position)
        .order_by_asc(goal_steps::Column::Id)
        .limit(u64::try_from(MAX_STEPS_PER_GOAL).unwrap_or(100))
        .all(connection)
        .await
        .map_err(store_error)
}

/// What to answer when a version-guarded step write found nothing to change:
/// the step is gone (404), the caller's `If-Match` is stale (412), or another
/// request won a race the caller never asked to guard (409, retry).
async fn lost_race(
    transaction: &WriteTransaction,
    owner: AccountId,
    goal: GoalId,
    step: StepId,
    expected_version: Option<i64>,
) -> Result<StepWriteError, StoreError> {
    Ok(match (find_step(transaction, owner, goal, step).await?, expected_version) {
        (None, _) => StepWriteError::NotFound,
        (Some(_), Some(_)) => StepWriteError::PreconditionFailed,
        (Some(_), None) => StepWriteError::Busy,
    })
}

/// The owner's step of `goal`, if there is one.
async fn find_step(
    connection: &impl sea_orm::ConnectionTrait,
    owner: AccountId,
    goal: GoalId,
    step: StepId,
) -> Result<Option<Step>, StoreError> {
    goal_steps::Entity::find_by_id(step.0)
        .filter(goal_steps::Column::GoalId.eq(goal.0))
        .filter(goal_steps::Column::AccountId.eq(owner.0))
        .one(connection)
        .await
        .map_err(store_error)?
        .as_ref()
        .map(to_step)
        .transpose()
}

#[async_trait]
impl GoalPartsStore for SqlGoalPartsStore {
    async fn steps(&self, owner: AccountId, goal: GoalId) -> Result<Option<Vec<Step>>, StoreError> {
        if !goal_exists(&self.connection, owner, goal).await? {
            return Ok(None);
        }
        let rows = ordered_steps(&self.connection, owner, goal).await?;
        rows.iter().map(to_step).collect::<Result<Vec<_>, _>>().map(Some)
    }

    async fn add_step(
        &self,
        acting: Acting,
        goal: GoalId,
        NewStep { title, done }: NewStep,
        now: Instant,
    ) -> Result<Step, StepWriteError> {
        let owner = acting.owner;
        async {
            let transaction = self.writes.begin().await?;
            let done_increment = i32::from(done);
            let Some(goal_row) = touch_goal(
                &transaction,
                owner,
                goal,
                now,
                vec![
                    (goals::Column::StepsTotal, Expr::col(goals::Column::StepsTotal).add(1)),
                    (
                        goals::Column::StepsDone,
                        Expr::col(goals::Column::StepsDone).add(done_increment),
                    ),
                ],
                Some(Condition::all().add(goals::Column::StepsTotal.lt(MAX_STEPS_PER_GOAL))),
            )
            .await?
            else {
                // Read inside the write: the read pool does not see the writes
                // released earlier in the same SQLite batch.
                return Err(if goal_exists(&transaction, owner, goal).await? {
                    StepWriteError::TooManySteps
                } else {
                    StepWriteError::NotFound
                });
            };
            let total = goal_row.steps_total;
            let row = goal_steps::ActiveModel {
                id: Set(waymark_domain::id::new_id()),
                goal_id: Set(goal.0),
                account_id: Set(owner.0),
                title: Set(title.as_str().to_owned()),
                done: Set(done),
                done_at: Set(done.then_some(now)),
                position: Set(total - 1),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            };
            let inserted = goal_steps::Entity::insert(row)
                .exec_with_returning(&transaction)
                .await
                .map_err(store_error)?;
            let step_change =
                Change::created(ResourceType::GoalStep, inserted.id, Some(inserted.version));
            self.journal
                .commit(transaction, acting, now, &[goal_updated(&goal_row), step_change])
                .await?;
            Ok(to_step(&inserted)?)
        }
        .await
    }

    async fn step(
        &self,
        owner: AccountId,
        goal: GoalId,
        step: StepId,
    ) -> Result<Option<Step>, StoreError> {
        find_step(&self.connection, owner, goal, step).await
    }

    async fn update_step(
        &self,
        acting: Acting,
        goal: GoalId,
        step: StepId,
        changes: StepChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Step, StepWriteError> {
        let owner = acting.owner;
        async {
            // Read inside the write: the read pool does not see the writes released
            // earlier in the same SQLite batch.
            let transaction = self.writes.begin().await?;
            let current = find_step(&transaction, owner, goal, step)
                .await?
                .ok_or(StepWriteError::NotFound)?;
            if expected_version.is_some_and(|expected| expected != current.version) {
                return Err(StepWriteError::PreconditionFailed);
            }
            let done_change = changes.done.filter(|done| *done != current.done);
            let done_delta = match done_change {
                Some(true) => 1,
                Some(false) => -1,
                None => 0,
            };
            let Some(goal_row) = touch_goal(
                &transaction,
                owner,
                goal,
                now,
                vec![(
                    goals::Column::StepsDone,
                    Expr::col(goals::Column::StepsDone).add(done_delta),
                )],
                None,
            )
            .await?
            else {
                return Err(StepWriteError::NotFound);
            };
            let mut update = goal_steps::ActiveModel::default();
            if let Some(title) = &changes.title {
                update.title = Set(title.as_str().to_owned());
            }
            if let Some(done) = done_change {
                update.done = Set(done);
                update.done_at = Set(done.then_some(now));
            }
            let changed = goal_steps::Entity::update_many()
                .set(update)
                .col_expr(
                    goal_steps::Column::Version,
                    Expr::col(goal_steps::Column::Version).add(1),
                )
                .col_expr(goal_steps::Column::UpdatedAt, Expr::value(now))
                .filter(goal_steps::Column::Id.eq(step.0))
                .filter(goal_steps::Column::AccountId.eq(owner.0))
                .filter(goal_steps::Column::Version.eq(current.version))
                .exec_with_returning(&transaction)
                .await
                .map_err(store_error)?;
            let Some(row) = changed.into_iter().next() else {
                // Changed or removed by someone else since it was read: nothing is written.
                return Err(lost_race(&transaction, owner, goal, step, expected_version).await?);
            };
            let step_change = Change::updated(ResourceType::GoalStep, row.id, Some(row.version));
            self.journal
                .commit(transaction, acting, now, &[goal_updated(&goal_row), step_change])
                .await?;
            Ok(to_step(&row)?)
        }
        .await
    }

    async fn remove_step(
        &self,
        acting: Acting,
        goal: GoalId,
        step: StepId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), StepWriteError> {
        let owner = acting.owner;
        async {
            let transaction = self.writes.begin().await?;
            let current = find_step(&transaction, owner, goal, step)
                .await?
                .ok_or(StepWriteError::NotFound)?;
            if expected_version.is_some_and(|expected| expected != current.version) {
                return Err(StepWriteError::PreconditionFailed);
            }
            let Some(goal_row) = touch_goal(
                &transaction,
                owner,
                goal,
                now,
                vec![
                    (goals::Column::StepsTotal, Expr::col(goals::Column::StepsTotal).sub(1)),
                    (
                        goals::Column::StepsDone,
                        Expr::col(goals::Column::StepsDone).sub(i32::from(current.done)),
                    ),
                ],
                None,
            )
            .await?
            else {
                return Err(StepWriteError::NotFound);
            };
            let deleted = goal_steps::Entity::delete_many()
                .filter(goal_steps::Column::Id.eq(step.0))
                .filter(goal_steps::Column::AccountId.eq(owner.0))
                .filter(goal_steps::Column::Version.eq(current.version))
                .exec(&transaction)
                .await
                .map_err(store_error)?
                .rows_affected;
            if deleted == 0 {
                return Err(lost_race(&transaction, owner, goal, step, expected_version).await?);
            }
            // The later steps move up; their representation changes, so their version does.
            let moved = goal_steps::Entity::update_many()
                .col_expr(
                    goal_steps::Column::Position,
                    Expr::col(goal_steps::Column::Position).sub(1),
                )
                .col_expr(
                    goal_steps::Column::Version,
                    Expr::col(goal_steps::Column::Version).add(1),
                )
                .col_expr(goal_steps::Column::UpdatedAt, Expr::value(now))
                .filter(goal_steps::Column::GoalId.eq(goal.0))
                .filter(goal_steps::Column::Position.gt(current.position))
                .exec_with_returning(&transaction)
                .await
                .map_err(store_error)?;
            let changes: Vec<Change> =
                [goal_updated(&goal_row), Change::deleted(ResourceType::GoalStep, step.0)]
                    .into_iter()
                    .chain(moved.iter().map(|row| {
                        Change::updated(ResourceType::GoalStep, row.id, Some(row.version))
                    }))
                    .collect();
            self.journal.commit(transaction, acting, now, &changes).await?;
            Ok(())
        }
        .await
    }

    async fn reorder_steps(
        &self,
        acting: Acting,
        goal: GoalId,
        order: Vec<StepId>,
        now: Instant,
    ) -> Result<Vec<Step>, StepWriteError> {
        let owner = acting.owner;
        async {
            let transaction = self.writes.begin().await?;
            let Some(goal_row) =
                touch_goal(&transaction, owner, goal, now, Vec::new(), None).await?
            else {
                return Err(StepWriteError::NotFound);
            };
            let current = ordered_steps(&transaction, owner, goal).await?;
            let mut named: Vec<uuid::Uuid> = order.iter().map(|step| step.0).collect();
            let mut existing: Vec<uuid::Uuid> = current.iter().map(|row| row.id).collect();
            named.sort_unstable();
            existing.sort_unstable();
            if named != existing {
                return Err(StepWriteError::OrderMismatch);
            }
            for (position, step) in order.iter().enumerate() {
                let position = i32::try_from(position).unwrap_or(i32::MAX);
                let unchanged =
                    current.iter().any(|row| row.id == step.0 && row.position == position);
                if unchanged {
                    continue;
                }
                goal_steps::Entity::update_many()
                    .col_expr(goal_steps::Column::Position, Expr::value(position))
                    .col_expr(
                        goal_steps::Column::Version,
                        Expr::col(goal_steps::Column::Version).add(1),
                    )
                    .col_expr(goal_steps::Column::UpdatedAt, Expr::value(now))
                    .filter(goal_steps::Column::Id.eq(step.0))
                    .exec(&transaction)
                    .await
                    .map_err(store_error)?;
            }
            let rows = ordered_steps(&transaction, owner, goal).await?;
            let moved = rows.iter().filter(|row| {
                !current.iter().any(|before| before.id == row.id && before.version == row.version)
            });
            let changes: Vec<Change> =
                [goal_updated(&goal_row)]
                    .into_iter()
                    .chain(moved.map(|row| {
                        Change::updated(ResourceType::GoalStep, row.id, Some(row.version))
                    }))
                    .collect();
            self.journal.commit(transaction, acting, now, &changes).await?;
            Ok(rows.iter().map(to_step).collect::<Result<Vec<_>, _>>()?)
        }
        .await
    }

    async fn check_in(
        &self,
        acting: Acting,
        goal: GoalId,
        check_in: NewCheckIn,
        now: Instant,
    ) -> Result<CheckIn, GoalWriteError> {
        let owner = acting.owner;
        async {
            let transaction = self.writes.begin().await?;
            let Some(goal_row) = touch_goal(
                &transaction,
                owner,
                goal,
                now,
                // Only ever forwards: a slower concurrent check-in (or a replica with an
                // earlier clock) must not move it back.
                vec![(
                    goals::Column::LastCheckInAt,
                    Expr::case(
                        Expr::col(goals::Column::LastCheckInAt)
                            .is_null()
                            .or(Expr::col(goals::Column::LastCheckInAt).lt(now)),
                        Expr::value(now),
                    )
                    .finally(Expr::col(goals::Column::LastCheckInAt))
                    .into(),
                )],
                None,
            )
            .await?
            else {
                return Err(GoalWriteError::NotFound);
            };
            let row = goal_check_ins::ActiveModel {
                id: Set(waymark_domain::id::new_id()),
                goal_id: Set(goal.0),
                account_id: Set(owner.0),
                note: Set(check_in.note.as_str().to_owned()),
                progress: Set(check_in.progress.map(|progress| i16::from(progress.value()))),
                feeling: Set(check_in.feeling.map(|feeling| feeling.as_str().to_owned())),
                setback: Set(check_in.setback),
                created_at: Set(now),
            };
            let inserted = goal_check_ins::Entity::insert(row)
                .exec_with_returning(&transaction)
                .await
                .map_err(store_error)?;
            let check_in_change = Change::created(ResourceType::GoalCheckIn, inserted.id, None);
            self.journal
                .commit(transaction, acting, now, &[goal_updated(&goal_row), check_in_change])
                .await?;
            Ok(to_check_in(&inserted)?)
        }
        .await
    }

    async fn check_ins(
        &self,
        owner: AccountId,
        goal: GoalId,
        after: Option<(Instant, CheckInId)>,
        limit: u64,
    ) -> Result<Option<CheckInPage>, StoreError> {
        if !goal_exists(&self.connection, owner, goal).await? {
            return Ok(None);
        }
        let select = goal_check_ins::Entity::find()
            .filter(goal_check_ins::Column::GoalId.eq(goal.0))
            .filter(goal_check_ins::Column::AccountId.eq(owner.0));
        let columns = (goal_check_ins::Column::CreatedAt, goal_check_ins::Column::Id);
        let after = after.map(|(created_at, id)| (created_at.into(), id.0.into()));
        let (rows, has_more) =
            keyset_page(&self.connection, select, Descending, columns, after, limit).await?;
        let check_ins = rows.iter().map(to_check_in).collect::<Result<Vec<_>, _>>()?;
        Ok(Some(CheckInPage { check_ins, has_more }))
    }

    async fn check_in_by_id(
        &self,
        owner: AccountId,
        goal: GoalId,
        check_in: CheckInId,
    ) -> Result<Option<CheckIn>, StoreError> {
        goal_check_ins::Entity::find_by_id(check_in.0)
            .filter(goal_check_ins::Column::GoalId.eq(goal.0))
            .filter(goal_check_ins::Column::AccountId.eq(owner.0))
            .one(&self.connection)
            .await
            .map_err(store_error)?
            .as_ref()
            .map(to_check_in)
            .transpose()
    }

    async fn delete_check_in(
        &self,
        acting: Acting,
        goal: GoalId,
        check_in: CheckInId,
        now: Instant,
    ) -> Result<(), GoalWriteError> {
        let owner = acting.owner;
        async {
            let transaction = self.writes.begin().await?;
            let Some(goal_row) =
                touch_goal(&transaction, owner, goal, now, Vec::new(), None).await?
            else {
                return Err(GoalWriteError::NotFound);
            };
            let deleted = goal_check_ins::Entity::delete_many()
                .filter(goal_check_ins::Column::Id.eq(check_in.0))
                .filter(goal_check_ins::Column::GoalId.eq(goal.0))
                .filter(goal_check_ins::Column::AccountId.eq(owner.0))
                .exec(&transaction)
                .await
                .map_err(store_error)?
                .rows_affected;
            if deleted == 0 {
                return Err(GoalWriteError::NotFound);
            }
            let latest = goal_check_ins::Entity::find()
                .filter(goal_check_ins::Column::GoalId.eq(goal.0))
                .order_by_desc(goal_check_ins::Column::CreatedAt)
                .one(&transaction)
                .await
                .map_err(store_error)?
                .map(|row| row.created_at);
            goals::Entity::update_many()
                .col_expr(goals::Column::LastCheckInAt, Expr::value(latest))
                .filter(goals::Column::Id.eq(goal.0))
                .exec(&transaction)
                .await
                .map_err(store_error)?;
            let check_in_change = Change::deleted(ResourceType::GoalCheckIn, check_in.0);
            self.journal
                .commit(transaction, acting, now, &[goal_updated(&goal_row), check_in_change])
                .await?;
            Ok(())
        }
        .await
    }
}
