//! The person's export (UK GDPR articles 15 and 20): everything Waymark holds about
//! them, read one part at a time and a page at a time, so that what an export holds in
//! memory does not grow with how much the person has.
//!
//! The resources delta sync carries are read through [`crate::sync::CurrentState`];
//! this port reads the rest of what is the person's and has no list of its own across
//! all their goals or routines: status history, supporters, pauses, and encouragement
//! given and received.

use async_trait::async_trait;
use uuid::Uuid;

use crate::contacts::{ContactId, Supporter};
use crate::goals::{GoalId, StatusChange};
use crate::identity::AccountId;
use crate::ports::StoreError;
use crate::routines::RoutineId;
use crate::routines::stats::Paused;
use crate::sharing::Encouragement;

/// A part of the person's records read through [`PersonalRecords`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordPart {
    /// Every status change of every goal.
    GoalStatusChanges,
    /// Which contacts support which goals.
    GoalSupporters,
    /// When routines were paused and resumed.
    RoutinePauses,
    /// Encouragement supporters sent the person.
    EncouragementsReceived,
    /// Encouragement the person sent, as someone's supporter.
    EncouragementsSent,
}

/// One change of a goal's status, with what it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalStatusChange {
    /// The change's own id.
    pub id: Uuid,
    /// The goal.
    pub goal: GoalId,
    /// The change.
    pub change: StatusChange,
}

/// One time a routine was paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutinePause {
    /// The pause's own id.
    pub id: Uuid,
    /// The routine.
    pub routine: RoutineId,
    /// From when, until when.
    pub paused: Paused,
}

/// One record of a [`RecordPart`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// Of [`RecordPart::GoalStatusChanges`].
    GoalStatusChange(GoalStatusChange),
    /// Of [`RecordPart::GoalSupporters`].
    GoalSupporter(Supporter),
    /// Of [`RecordPart::RoutinePauses`].
    RoutinePause(RoutinePause),
    /// Of [`RecordPart::EncouragementsReceived`].
    EncouragementReceived(Encouragement),
    /// Of [`RecordPart::EncouragementsSent`].
    EncouragementSent(Encouragement),
}

/// Where a page of a part ended: its last record's key. A part is read in the order
/// of its records' keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordPosition {
    /// The key of a record that has an id of its own.
    Id(Uuid),
    /// The key of a goal's supporter: the goal, then the contact.
    GoalAndContact(GoalId, ContactId),
}

impl Record {
    /// Where a page that ends with this record ended.
    #[must_use]
    pub fn position(&self) -> RecordPosition {
        match self {
            Self::GoalStatusChange(change) => RecordPosition::Id(change.id),
            Self::GoalSupporter(supporter) => {
                RecordPosition::GoalAndContact(supporter.goal_id, supporter.contact_id)
            }
            Self::RoutinePause(pause) => RecordPosition::Id(pause.id),
            Self::EncouragementReceived(message) | Self::EncouragementSent(message) => {
                RecordPosition::Id(message.id.0)
            }
        }
    }
}

/// The person's records of the parts in [`RecordPart`].
#[async_trait]
pub trait PersonalRecords: Send + Sync + std::fmt::Debug {
    /// Up to `limit` of the person's records of `part` after `after`, in key order,
    /// and whether more follow.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn page(
        &self,
        person: AccountId,
        part: RecordPart,
        after: Option<RecordPosition>,
        limit: u64,
    ) -> Result<(Vec<Record>, bool), StoreError>;
}
