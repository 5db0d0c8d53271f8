//! [`PersonalRecords`] in SQL: the parts of a person's export that have no list of
//! their own across all the person's goals or routines, a page at a time in key order.
//! Every query is scoped by the person.

use async_trait::async_trait;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use waymark_domain::export::{
    GoalStatusChange, PersonalRecords, Record, RecordPart, RecordPosition, RoutinePause,
};
use waymark_domain::goals::GoalId;
use waymark_domain::identity::AccountId;
use waymark_domain::ports::StoreError;
use waymark_domain::routines::RoutineId;
use waymark_domain::routines::stats::Paused;

use crate::entities::{
    encouragements, goal_status_changes, goal_supporters, routine_pauses, shares,
};
use crate::paging::{After, Direction::Ascending, keyset_page};
use crate::sharing::{SqlEncouragementStore, supported_of};

/// [`PersonalRecords`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlPersonalRecords {
    pub(crate) connection: DatabaseConnection,
}

/// Where to go on from, for a part whose key is its id.
fn after_id(after: Option<RecordPosition>) -> Option<After> {
    after.map(|RecordPosition(id, _)| (id.into(), id.into()))
}

#[async_trait]
impl PersonalRecords for SqlPersonalRecords {
    async fn page(
        &self,
        person: AccountId,
        part: RecordPart,
        after: Option<RecordPosition>,
        limit: u64,
    ) -> Result<Vec<Record>, StoreError> {
        let connection = &self.connection;
        let owner = person.0;
        Ok(match part {
            RecordPart::GoalStatusChanges => {
                use goal_status_changes::{Column, Entity};
                let select = Entity::find().filter(Column::AccountId.eq(owner));
                let (rows, _) = keyset_page(
                    connection,
                    select,
                    Ascending,
                    (Column::Id, Column::Id),
                    after_id(after),
                    limit,
                )
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(Record::GoalStatusChange(GoalStatusChange {
                            id: row.id,
                            goal: GoalId(row.goal_id),
                            change: crate::goals::to_status_change(row)?,
                        }))
                    })
                    .collect::<Result<_, StoreError>>()?
            }
            RecordPart::GoalSupporters => {
                use goal_supporters::{Column, Entity};
                let select = Entity::find().filter(Column::AccountId.eq(owner));
                let after =
                    after.map(|RecordPosition(goal, contact)| (goal.into(), contact.into()));
                let (rows, _) = keyset_page(
                    connection,
                    select,
                    Ascending,
                    (Column::GoalId, Column::ContactId),
                    after,
                    limit,
                )
                .await?;
                rows.iter()
                    .map(|row| crate::contacts::to_supporter(row).map(Record::GoalSupporter))
                    .collect::<Result<_, StoreError>>()?
            }
            RecordPart::RoutinePauses => {
                use routine_pauses::{Column, Entity};
                let select = Entity::find().filter(Column::AccountId.eq(owner));
                let (rows, _) = keyset_page(
                    connection,
                    select,
                    Ascending,
                    (Column::Id, Column::Id),
                    after_id(after),
                    limit,
                )
                .await?;
                rows.iter()
                    .map(|row| {
                        Record::RoutinePause(RoutinePause {
                            id: row.id,
                            routine: RoutineId(row.routine_id),
                            paused: Paused { from: row.paused_on, until: row.resumed_on },
                        })
                    })
                    .collect()
            }
            RecordPart::EncouragementsReceived | RecordPart::EncouragementsSent => {
                use encouragements::{Column, Entity};
                let whose = match part {
                    RecordPart::EncouragementsSent => Column::SupporterAccountId,
                    _ => Column::AccountId,
                };
                let select = Entity::find().filter(whose.eq(owner));
                let (rows, _) = keyset_page(
                    connection,
                    select,
                    Ascending,
                    (Column::Id, Column::Id),
                    after_id(after),
                    limit,
                )
                .await?;
                SqlEncouragementStore::named(connection, &rows)
                    .await?
                    .into_iter()
                    .map(Record::Encouragement)
                    .collect()
            }
            RecordPart::SharesReceived => {
                use shares::{Column, Entity};
                let select = Entity::find().filter(Column::SupporterAccountId.eq(owner));
                let (rows, _) = keyset_page(
                    connection,
                    select,
                    Ascending,
                    (Column::Id, Column::Id),
                    after_id(after),
                    limit,
                )
                .await?;
                supported_of(connection, &rows)
                    .await?
                    .into_iter()
                    .map(Record::ShareReceived)
                    .collect()
            }
        })
    }
}
