//! Routines in the `routines` table, with their pauses in `routine_pauses`; their
//! check-ins are in [`check_ins`], the calendar feeds' secrets in [`feed_tokens`].
//! Every query is filtered by the owner; lists are keyset-paginated, never with
//! OFFSET. Every write of a routine or check-in appends to the change journal in its
//! own transaction.

mod check_ins;
mod feed_tokens;

use async_trait::async_trait;
use chrono::{NaiveDate, NaiveTime};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use waymark_domain::acting::Acting;
use waymark_domain::goals::{Feeling, GoalId};
use waymark_domain::identity::{AccountId, TimeZoneName};
use waymark_domain::journal::{Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::routines::ports::{
    MAX_ROUTINES_PER_PERSON, RoutinePage, RoutineQuery, RoutineStore, RoutineWriteError,
};
use waymark_domain::routines::stats::Paused;
use waymark_domain::routines::{
    Category, CheckInStatus, NewRoutine, OccurrenceKey, Pattern, Routine, RoutineChanges,
    RoutineCheckIn, RoutineCheckInId, RoutineCheckInNote, RoutineId, RoutineNotes, RoutineTitle,
    Schedule, Weekdays,
};
use waymark_domain::time::Instant;

use crate::entities::{goals, routine_check_ins, routine_pauses, routines};
use crate::error::{is_foreign_key_violation, store_error};
use crate::journal::Journal;
use crate::owned::owned_row;
use crate::paging::{Direction::Descending, keyset_page};
use crate::writes::{WriteTransaction, Writes};

/// A routine linked to a goal that was deleted after it was checked (by a
/// transaction that committed first) names an unknown goal.
fn goal_gone_or_store_error(error: sea_orm::DbErr) -> RoutineWriteError {
    if is_foreign_key_violation(&error) {
        RoutineWriteError::UnknownGoal
    } else {
        store_error(error).into()
    }
}

/// How many times an update is retried when another writer changed the routine
/// between its read and its write.
const UPDATE_ATTEMPTS: usize = 3;

/// [`RoutineStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlRoutineStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
    /// Every write commits through it: its entries, then whoever hears changes.
    pub(crate) journal: Journal,
}

fn corrupt(id: uuid::Uuid, field: &str) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("routine {id} has an invalid {field}"))
}

fn time_text(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

fn schedule_of(row: &routines::Model) -> Result<Schedule, StoreError> {
    let bad = |field| corrupt(row.id, field);
    let number = u8::try_from(row.schedule_number).map_err(|_| bad("schedule_number"))?;
    let pattern = match row.schedule_kind.as_str() {
        "daily" => Pattern::Daily,
        "weekly" => Pattern::Weekly(
            u8::try_from(row.weekdays)
                .ok()
                .and_then(Weekdays::from_bits)
                .ok_or_else(|| bad("weekdays"))?,
        ),
        "every_n_days" => Pattern::EveryNDays(number),
        "times_per_week" => Pattern::TimesPerWeek(number),
        _ => return Err(bad("schedule_kind")),
    };
    let times = if row.times.is_empty() {
        Vec::new()
    } else {
        row.times
            .split(',')
            .map(|text| parse_time(text).ok_or_else(|| bad("times")))
            .collect::<Result<Vec<_>, _>>()?
    };
    let zone = TimeZoneName::parse(&row.time_zone).map_err(|_| bad("time_zone"))?;
    Schedule::new(pattern, &times, row.starts_on, row.ends_on, zone).map_err(|_| bad("schedule"))
}

/// The schedule's columns: kind, weekdays, number, times.
fn schedule_columns(schedule: &Schedule) -> (String, i32, i32, String) {
    let (weekdays, number) = match schedule.pattern() {
        Pattern::Daily => (0, 0),
        Pattern::Weekly(days) => (days.bits(), 0),
        Pattern::EveryNDays(number) | Pattern::TimesPerWeek(number) => (0, number),
    };
    let times = schedule.times().iter().map(|time| time_text(*time)).collect::<Vec<_>>().join(",");
    (schedule.pattern().kind().to_owned(), i32::from(weekdays), i32::from(number), times)
}

pub(crate) fn to_routine(row: &routines::Model) -> Result<Routine, StoreError> {
    let bad = |field| corrupt(row.id, field);
    Ok(Routine {
        id: RoutineId(row.id),
        owner: AccountId(row.account_id),
        title: RoutineTitle::parse(&row.title).map_err(|_| bad("title"))?,
        category: row.category.parse::<Category>().map_err(|_| bad("category"))?,
        notes: RoutineNotes::parse(&row.notes).map_err(|_| bad("notes"))?,
        goal_id: row.goal_id.map(GoalId),
        active: row.active,
        reminder_minutes_before: row
            .reminder_minutes_before
            .map(u16::try_from)
            .transpose()
            .map_err(|_| bad("reminder_minutes_before"))?,
        schedule: schedule_of(row)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

pub(crate) fn to_check_in(row: &routine_check_ins::Model) -> Result<RoutineCheckIn, StoreError> {
    let bad = |field: &str| {
        StoreError::Unexpected(anyhow::anyhow!(
            "routine check-in {} has an invalid {field}",
            row.id
        ))
    };
    let time = if row.occurrence_time.is_empty() {
        None
    } else {
        Some(parse_time(&row.occurrence_time).ok_or_else(|| bad("occurrence_time"))?)
    };
    Ok(RoutineCheckIn {
        id: RoutineCheckInId(row.id),
        routine_id: RoutineId(row.routine_id),
        occurrence: OccurrenceKey { date: row.occurrence_date, time },
        status: row.status.parse::<CheckInStatus>().map_err(|_| bad("status"))?,
        note: RoutineCheckInNote::parse(&row.note).map_err(|_| bad("note"))?,
        feeling: row
            .feeling
            .as_deref()
            .map(str::parse::<Feeling>)
            .transpose()
            .map_err(|_| bad("feeling"))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// The local date of `now` in the schedule's zone.
fn local_date(schedule: &Schedule, now: Instant) -> NaiveDate {
    now.with_timezone(&schedule.time_zone().zone()).date_naive()
}

/// Records that `routine` was paused on `today`.
async fn pause(
    transaction: &WriteTransaction,
    routine: RoutineId,
    owner: AccountId,
    today: NaiveDate,
) -> Result<(), StoreError> {
    routine_pauses::Entity::insert(routine_pauses::ActiveModel {
        id: Set(waymark_domain::id::new_id()),
        routine_id: Set(routine.0),
        account_id: Set(owner.0),
        paused_on: Set(today),
        resumed_on: Set(None),
    })
    .exec(transaction)
    .await
    .map(|_| ())
    .map_err(store_error)
}

/// Ends `routine`'s open pause on `today`; a pause that began today is dropped.
async fn resume(
    transaction: &WriteTransaction,
    routine: RoutineId,
    owner: AccountId,
    today: NaiveDate,
) -> Result<(), StoreError> {
    routine_pauses::Entity::delete_many()
        .filter(routine_pauses::Column::RoutineId.eq(routine.0))
        .filter(routine_pauses::Column::AccountId.eq(owner.0))
        .filter(routine_pauses::Column::ResumedOn.is_null())
        .filter(routine_pauses::Column::PausedOn.gte(today))
        .exec(transaction)
        .await
        .map_err(store_error)?;
    routine_pauses::Entity::update_many()
        .col_expr(routine_pauses::Column::ResumedOn, Expr::value(today))
        .filter(routine_pauses::Column::RoutineId.eq(routine.0))
        .filter(routine_pauses::Column::AccountId.eq(owner.0))
        .filter(routine_pauses::Column::ResumedOn.is_null())
        .exec(transaction)
        .await
        .map(|_| ())
        .map_err(store_error)
}

impl SqlRoutineStore {
    async fn owns_goal(&self, owner: AccountId, goal: GoalId) -> Result<bool, StoreError> {
        Ok(goals::Entity::find_by_id(goal.0)
            .filter(goals::Column::AccountId.eq(owner.0))
            .one(&self.connection)
            .await
            .map_err(store_error)?
            .is_some())
    }
}

/// The owner's check-in `id` of `routine`, read on `connection` (see [`owned_row`]).
pub(super) async fn check_in_row(
    connection: &impl sea_orm::ConnectionTrait,
    owner: AccountId,
    routine: RoutineId,
    id: RoutineCheckInId,
) -> Result<Option<routine_check_ins::Model>, StoreError> {
    routine_check_ins::Entity::find_by_id(id.0)
        .filter(routine_check_ins::Column::AccountId.eq(owner.0))
        .filter(routine_check_ins::Column::RoutineId.eq(routine.0))
        .one(connection)
        .await
        .map_err(store_error)
}

#[async_trait]
impl RoutineStore for SqlRoutineStore {
    async fn create(
        &self,
        acting: Acting,
        routine: NewRoutine,
        now: Instant,
    ) -> Result<Routine, RoutineWriteError> {
        let owner = acting.owner;
        if let Some(goal) = routine.goal_id
            && !self.owns_goal(owner, goal).await?
        {
            return Err(RoutineWriteError::UnknownGoal);
        }
        let (kind, weekdays, number, times) = schedule_columns(&routine.schedule);
        let row = routines::ActiveModel {
            id: Set(waymark_domain::id::new_id()),
            account_id: Set(owner.0),
            title: Set(routine.title.as_str().to_owned()),
            category: Set(routine.category.as_str().to_owned()),
            notes: Set(routine.notes.as_str().to_owned()),
            goal_id: Set(routine.goal_id.map(|goal| goal.0)),
            active: Set(routine.active),
            reminder_minutes_before: Set(routine.reminder_minutes_before.map(i32::from)),
            schedule_kind: Set(kind),
            weekdays: Set(weekdays),
            schedule_number: Set(number),
            times: Set(times),
            starts_on: Set(routine.schedule.starts_on()),
            ends_on: Set(routine.schedule.ends_on()),
            time_zone: Set(routine.schedule.time_zone().name().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        };
        let transaction = self.writes.begin().await?;
        let existing = routines::Entity::find()
            .filter(routines::Column::AccountId.eq(owner.0))
            .count(&transaction)
            .await
            .map_err(store_error)?;
        if existing >= MAX_ROUTINES_PER_PERSON as u64 {
            return Err(RoutineWriteError::TooMany);
        }
        let inserted = routines::Entity::insert(row)
            .exec_with_returning(&transaction)
            .await
            .map_err(goal_gone_or_store_error)?;
        if !routine.active {
            let today = local_date(&routine.schedule, now);
            pause(&transaction, RoutineId(inserted.id), owner, today).await?;
        }
        let change = Change::created(ResourceType::Routine, inserted.id, Some(inserted.version));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(to_routine(&inserted)?)
    }

    async fn get(&self, owner: AccountId, id: RoutineId) -> Result<Option<Routine>, StoreError> {
        owned_row::<routines::Entity>(&self.connection, id.0, routines::Column::AccountId, owner)
            .await?
            .as_ref()
            .map(to_routine)
            .transpose()
    }

    async fn list(&self, owner: AccountId, query: RoutineQuery) -> Result<RoutinePage, StoreError> {
        let mut select = routines::Entity::find().filter(routines::Column::AccountId.eq(owner.0));
        if let Some(category) = query.category {
            select = select.filter(routines::Column::Category.eq(category.as_str()));
        }
        if let Some(active) = query.active {
            select = select.filter(routines::Column::Active.eq(active));
        }
        if let Some(goal) = query.goal_id {
            select = select.filter(routines::Column::GoalId.eq(goal.0));
        }
        let columns = (routines::Column::CreatedAt, routines::Column::Id);
        let after = query.after.map(|after| (after.created_at.into(), after.id.0.into()));
        let (rows, has_more) =
            keyset_page(&self.connection, select, Descending, columns, after, query.limit).await?;
        let routines = rows.iter().map(to_routine).collect::<Result<Vec<_>, _>>()?;
        Ok(RoutinePage { routines, has_more })
    }

    async fn active(&self, owner: AccountId) -> Result<Vec<Routine>, StoreError> {
        routines::Entity::find()
            .filter(routines::Column::AccountId.eq(owner.0))
            .filter(routines::Column::Active.eq(true))
            .order_by_asc(routines::Column::CreatedAt)
            .order_by_asc(routines::Column::Id)
            .limit(MAX_ROUTINES_PER_PERSON as u64)
            .all(&self.connection)
            .await
            .map_err(store_error)?
            .iter()
            .map(to_routine)
            .collect()
    }

    async fn update(
        &self,
        acting: Acting,
        id: RoutineId,
        changes: RoutineChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Routine, RoutineWriteError> {
        let owner = acting.owner;
        if let Some(Some(goal)) = changes.goal_id
            && !self.owns_goal(owner, goal).await?
        {
            return Err(RoutineWriteError::UnknownGoal);
        }
        let mut update = routines::ActiveModel::default();
        if let Some(title) = &changes.title {
            update.title = Set(title.as_str().to_owned());
        }
        if let Some(category) = changes.category {
            update.category = Set(category.as_str().to_owned());
        }
        if let Some(notes) = &changes.notes {
            update.notes = Set(notes.as_str().to_owned());
        }
        if let Some(goal) = changes.goal_id {
            update.goal_id = Set(goal.map(|goal| goal.0));
        }
        if let Some(active) = changes.active {
            update.active = Set(active);
        }
        if let Some(reminder) = changes.reminder_minutes_before {
            update.reminder_minutes_before = Set(reminder.map(i32::from));
        }
        if let Some(schedule) = &changes.schedule {
            let (kind, weekdays, number, times) = schedule_columns(schedule);
            update.schedule_kind = Set(kind);
            update.weekdays = Set(weekdays);
            update.schedule_number = Set(number);
            update.times = Set(times);
            update.starts_on = Set(schedule.starts_on());
            update.ends_on = Set(schedule.ends_on());
            update.time_zone = Set(schedule.time_zone().name().to_owned());
        }
        for _ in 0..UPDATE_ATTEMPTS {
            let transaction = self.writes.begin().await?;
            let current = owned_row::<routines::Entity>(
                &transaction,
                id.0,
                routines::Column::AccountId,
                owner,
            )
            .await?
            .ok_or(RoutineWriteError::NotFound)?;
            if expected_version.is_some_and(|expected| expected != current.version) {
                return Err(RoutineWriteError::PreconditionFailed);
            }
            let changed = routines::Entity::update_many()
                .set(update.clone())
                .col_expr(routines::Column::Version, Expr::col(routines::Column::Version).add(1))
                .col_expr(routines::Column::UpdatedAt, Expr::value(now))
                .filter(routines::Column::Id.eq(id.0))
                .filter(routines::Column::AccountId.eq(owner.0))
                .filter(routines::Column::Version.eq(current.version))
                .exec_with_returning(&transaction)
                .await
                .map_err(goal_gone_or_store_error)?;
            if let Some(row) = changed.into_iter().next() {
                let routine = to_routine(&row)?;
                if routine.active != current.active {
                    let today = local_date(&routine.schedule, now);
                    if routine.active {
                        resume(&transaction, id, owner, today).await?;
                    } else {
                        pause(&transaction, id, owner, today).await?;
                    }
                }
                let change = Change::updated(ResourceType::Routine, row.id, Some(row.version));
                self.journal.commit(transaction, acting, now, &[change]).await?;
                return Ok(routine);
            }
            drop(transaction);
            if expected_version.is_some() {
                return Err(RoutineWriteError::PreconditionFailed);
            }
        }
        Err(RoutineWriteError::PreconditionFailed)
    }

    async fn delete(
        &self,
        acting: Acting,
        id: RoutineId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), RoutineWriteError> {
        let owner = acting.owner;
        let transaction = self.writes.begin().await?;
        let mut statement = routines::Entity::delete_many()
            .filter(routines::Column::Id.eq(id.0))
            .filter(routines::Column::AccountId.eq(owner.0));
        if let Some(expected) = expected_version {
            statement = statement.filter(routines::Column::Version.eq(expected));
        }
        let deleted = statement.exec(&transaction).await.map_err(store_error)?.rows_affected;
        if deleted == 0 {
            return match (
                owned_row::<routines::Entity>(
                    &transaction,
                    id.0,
                    routines::Column::AccountId,
                    owner,
                )
                .await?,
                expected_version,
            ) {
                (Some(_), Some(_)) => Err(RoutineWriteError::PreconditionFailed),
                _ => Err(RoutineWriteError::NotFound),
            };
        }
        // Check-ins go with the routine (ON DELETE CASCADE).
        self.journal
            .commit(transaction, acting, now, &[Change::deleted(ResourceType::Routine, id.0)])
            .await?;
        Ok(())
    }

    async fn pauses(
        &self,
        owner: AccountId,
        routines: &[RoutineId],
    ) -> Result<Vec<(RoutineId, Paused)>, StoreError> {
        if routines.is_empty() {
            return Ok(Vec::new());
        }
        Ok(routine_pauses::Entity::find()
            .filter(routine_pauses::Column::RoutineId.is_in(routines.iter().map(|id| id.0)))
            .filter(routine_pauses::Column::AccountId.eq(owner.0))
            .order_by_asc(routine_pauses::Column::PausedOn)
            .all(&self.connection)
            .await
            .map_err(store_error)?
            .iter()
            .map(|row| (RoutineId(row.routine_id), to_paused(row)))
            .collect())
    }
}

/// A routine's pause as stored.
pub(crate) fn to_paused(row: &routine_pauses::Model) -> Paused {
    Paused { from: row.paused_on, until: row.resumed_on }
}
