//! [`PersonalRecords`] in SQL: the parts of a person's export that have no list of
//! their own across all the person's goals or routines, a page at a time in key order.
//! Every query is scoped by the person and served by an index that starts with the
//! person's column and goes on with the key (migration 32).

use async_trait::async_trait;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use waymark_domain::export::{
    GoalStatusChange, PersonalRecords, Record, RecordPart, RecordPosition, RoutinePause,
};
use waymark_domain::goals::GoalId;
use waymark_domain::identity::AccountId;
use waymark_domain::ports::StoreError;
use waymark_domain::routines::RoutineId;

use crate::entities::{encouragements, goal_status_changes, goal_supporters, routine_pauses};
use crate::paging::{After, Direction::Ascending, keyset_page};
use crate::sharing::SqlEncouragementStore;

/// [`PersonalRecords`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlPersonalRecords {
    pub(crate) connection: DatabaseConnection,
}

/// Where to go on from, as the keyset of a part whose key is its id, or of a goal's
/// supporters (the goal, then the contact).
fn after_key(after: Option<RecordPosition>) -> Option<After> {
    after.map(|position| match position {
        RecordPosition::Id(id) => (id.into(), id.into()),
        RecordPosition::GoalAndContact(goal, contact) => (goal.0.into(), contact.0.into()),
    })
}

#[async_trait]
impl PersonalRecords for SqlPersonalRecords {
    async fn page(
        &self,
        person: AccountId,
        part: RecordPart,
        after: Option<RecordPosition>,
        limit: u64,
    ) -> Result<(Vec<Record>, bool), StoreError> {
        let connection = &self.connection;
        let owner = person.0;
        let after = after_key(after);
        match part {
            RecordPart::GoalStatusChanges => {
                use goal_status_changes::{Column, Entity};
                let select = Entity::find().filter(Column::AccountId.eq(owner));
                let columns = (Column::Id, Column::Id);
                let (rows, more) =
                    keyset_page(connection, select, Ascending, columns, after, limit).await?;
                let records = rows.iter().map(|row| {
                    Ok(Record::GoalStatusChange(GoalStatusChange {
                        id: row.id,
                        goal: GoalId(row.goal_id),
                        change: crate::goals::to_status_change(row)?,
                    }))
                });
                Ok((records.collect::<Result<_, StoreError>>()?, more))
            }
            RecordPart::GoalSupporters => {
                use goal_supporters::{Column, Entity};
                let select = Entity::find().filter(Column::AccountId.eq(owner));
                let columns = (Column::GoalId, Column::ContactId);
                let (rows, more) =
                    keyset_page(connection, select, Ascending, columns, after, limit).await?;
                let records = rows
                    .iter()
                    .map(|row| crate::contacts::to_supporter(row).map(Record::GoalSupporter));
                Ok((records.collect::<Result<_, StoreError>>()?, more))
            }
            RecordPart::RoutinePauses => {
                use routine_pauses::{Column, Entity};
                let select = Entity::find().filter(Column::AccountId.eq(owner));
                let columns = (Column::Id, Column::Id);
                let (rows, more) =
                    keyset_page(connection, select, Ascending, columns, after, limit).await?;
                let records = rows.iter().map(|row| {
                    Record::RoutinePause(RoutinePause {
                        id: row.id,
                        routine: RoutineId(row.routine_id),
                        paused: crate::routines::to_paused(row),
                    })
                });
                Ok((records.collect(), more))
            }
            RecordPart::EncouragementsReceived | RecordPart::EncouragementsSent => {
                use encouragements::{Column, Entity};
                let (whose, record): (_, fn(_) -> Record) = match part {
                    RecordPart::EncouragementsSent => {
                        (Column::SupporterAccountId, Record::EncouragementSent)
                    }
                    _ => (Column::AccountId, Record::EncouragementReceived),
                };
                let select = Entity::find().filter(whose.eq(owner));
                let columns = (Column::Id, Column::Id);
                let (rows, more) =
                    keyset_page(connection, select, Ascending, columns, after, limit).await?;
                let named = SqlEncouragementStore::named(connection, &rows).await?;
                Ok((named.into_iter().map(record).collect(), more))
            }
        }
    }
}
