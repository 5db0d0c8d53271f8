//! Check-ins on routines, in `routine_check_ins`. A `times_per_week` routine's check-ins
//! are counted and inserted under the routine's row lock, so racing check-ins never
//! exceed its weekly limit.

use async_trait::async_trait;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use waymark_domain::acting::Acting;
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::routines::ports::{CheckInWriteError, RoutineCheckInStore};
use waymark_domain::routines::schedule::iso_week;
use waymark_domain::routines::{
    NewRoutineCheckIn, RoutineCheckIn, RoutineCheckInChanges, RoutineCheckInId, RoutineId,
};
use waymark_domain::time::Instant;

use super::{SqlRoutineStore, check_in_row, time_text, to_check_in};
use crate::entities::{routine_check_ins, routines};
use crate::error::{is_unique_violation, store_error};
use crate::owned::lock_owned;

#[async_trait]
impl RoutineCheckInStore for SqlRoutineStore {
    async fn check_in(
        &self,
        acting: Acting,
        routine: RoutineId,
        check_in: NewRoutineCheckIn,
        week_limit: Option<u8>,
        now: Instant,
    ) -> Result<RoutineCheckIn, CheckInWriteError> {
        let owner = acting.owner;
        let transaction = self.writes.begin().await?;
        // Writing the routine row first takes its lock: check-ins of one routine are
        // counted and inserted one at a time, on both databases.
        let locked = lock_owned::<routines::Entity>(
            &transaction,
            (routines::Column::Id, routine.0),
            (routines::Column::AccountId, owner),
            routines::Column::Version,
        )
        .await?;
        if !locked {
            return Err(CheckInWriteError::NotFound);
        }
        if let Some(limit) = week_limit {
            let (monday, sunday) = iso_week(check_in.occurrence.date);
            let that_week = routine_check_ins::Entity::find()
                .filter(routine_check_ins::Column::RoutineId.eq(routine.0))
                .filter(routine_check_ins::Column::AccountId.eq(owner.0))
                .filter(routine_check_ins::Column::OccurrenceDate.between(monday, sunday))
                .count(&transaction)
                .await
                .map_err(store_error)?;
            if that_week >= u64::from(limit) {
                return Err(CheckInWriteError::WeekComplete);
            }
        }
        let row = routine_check_ins::ActiveModel {
            id: Set(waymark_domain::id::new_id()),
            routine_id: Set(routine.0),
            account_id: Set(owner.0),
            occurrence_date: Set(check_in.occurrence.date),
            occurrence_time: Set(check_in.occurrence.time.map(time_text).unwrap_or_default()),
            status: Set(check_in.status.as_str().to_owned()),
            note: Set(check_in.note.as_str().to_owned()),
            feeling: Set(check_in.feeling.map(|feeling| feeling.as_str().to_owned())),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        };
        let inserted =
            match routine_check_ins::Entity::insert(row).exec_with_returning(&transaction).await {
                Ok(inserted) => inserted,
                Err(error) if is_unique_violation(&error) => {
                    return Err(CheckInWriteError::AlreadyCheckedIn);
                }
                Err(error) => return Err(store_error(error).into()),
            };
        let change =
            Change::created(ResourceType::RoutineCheckIn, inserted.id, Some(inserted.version));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(to_check_in(&inserted)?)
    }

    async fn check_ins(
        &self,
        owner: AccountId,
        routines: &[RoutineId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RoutineCheckIn>, StoreError> {
        if routines.is_empty() {
            return Ok(Vec::new());
        }
        routine_check_ins::Entity::find()
            .filter(routine_check_ins::Column::AccountId.eq(owner.0))
            .filter(routine_check_ins::Column::RoutineId.is_in(routines.iter().map(|id| id.0)))
            .filter(routine_check_ins::Column::OccurrenceDate.between(from, to))
            .order_by_asc(routine_check_ins::Column::OccurrenceDate)
            .order_by_asc(routine_check_ins::Column::OccurrenceTime)
            .all(&self.connection)
            .await
            .map_err(store_error)?
            .iter()
            .map(to_check_in)
            .collect()
    }

    async fn get_check_in(
        &self,
        owner: AccountId,
        routine: RoutineId,
        id: RoutineCheckInId,
    ) -> Result<Option<RoutineCheckIn>, StoreError> {
        check_in_row(&self.connection, owner, routine, id)
            .await?
            .as_ref()
            .map(to_check_in)
            .transpose()
    }

    async fn update_check_in(
        &self,
        acting: Acting,
        routine: RoutineId,
        id: RoutineCheckInId,
        changes: RoutineCheckInChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<RoutineCheckIn, CheckInWriteError> {
        let owner = acting.owner;
        let mut update = routine_check_ins::ActiveModel::default();
        if let Some(status) = changes.status {
            update.status = Set(status.as_str().to_owned());
        }
        if let Some(note) = &changes.note {
            update.note = Set(note.as_str().to_owned());
        }
        if let Some(feeling) = changes.feeling {
            update.feeling = Set(feeling.map(|feeling| feeling.as_str().to_owned()));
        }
        // Read inside the write: the read pool does not see the writes released
        // earlier in the same SQLite batch.
        let transaction = self.writes.begin().await?;
        let current = check_in_row(&transaction, owner, routine, id)
            .await?
            .ok_or(CheckInWriteError::NotFound)?;
        let expected = expected_version.unwrap_or(current.version);
        if expected != current.version {
            return Err(CheckInWriteError::PreconditionFailed);
        }
        let changed = routine_check_ins::Entity::update_many()
            .set(update)
            .col_expr(
                routine_check_ins::Column::Version,
                Expr::col(routine_check_ins::Column::Version).add(1),
            )
            .col_expr(routine_check_ins::Column::UpdatedAt, Expr::value(now))
            .filter(routine_check_ins::Column::Id.eq(id.0))
            .filter(routine_check_ins::Column::AccountId.eq(owner.0))
            .filter(routine_check_ins::Column::Version.eq(expected))
            .exec_with_returning(&transaction)
            .await
            .map_err(store_error)?;
        let Some(row) = changed.first() else {
            return Err(CheckInWriteError::PreconditionFailed);
        };
        let change = Change::updated(ResourceType::RoutineCheckIn, row.id, Some(row.version));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(to_check_in(row)?)
    }

    async fn delete_check_in(
        &self,
        acting: Acting,
        routine: RoutineId,
        id: RoutineCheckInId,
        now: Instant,
    ) -> Result<(), CheckInWriteError> {
        let owner = acting.owner;
        let transaction = self.writes.begin().await?;
        let deleted = routine_check_ins::Entity::delete_many()
            .filter(routine_check_ins::Column::Id.eq(id.0))
            .filter(routine_check_ins::Column::RoutineId.eq(routine.0))
            .filter(routine_check_ins::Column::AccountId.eq(owner.0))
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        if deleted == 0 {
            return Err(CheckInWriteError::NotFound);
        }
        let change = Change::deleted(ResourceType::RoutineCheckIn, id.0);
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(())
    }
}
