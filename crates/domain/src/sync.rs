//! Delta sync: what an app that keeps a copy of a person's data (offline, on a phone)
//! needs to bring its copy up to date. It reads the change journal: for each resource
//! changed since the app last asked, the resource as it is now, or that it is gone.
//! A first sync, with nothing to start from, reads the person's current state instead,
//! a page at a time, then carries on from the journal's position when it began.

use async_trait::async_trait;
use uuid::Uuid;

use crate::contacts::{Contact, Interaction};
use crate::goals::{CheckIn, Goal, Step};
use crate::identity::{AccountId, Scope, ScopeSet};
use crate::journal::ResourceType;
use crate::ports::StoreError;
use crate::routines::{Routine, RoutineCheckIn};
use crate::sharing::Share;

/// The kinds of resource sync carries, in the order a first sync reads them: each
/// resource after the one it belongs to (a goal before its steps).
pub const SYNCED: [ResourceType; 8] = [
    ResourceType::Goal,
    ResourceType::GoalStep,
    ResourceType::GoalCheckIn,
    ResourceType::Routine,
    ResourceType::RoutineCheckIn,
    ResourceType::Contact,
    ResourceType::ContactInteraction,
    ResourceType::Share,
];

/// The scope that lets a token read `resource`, for the kinds sync carries.
#[must_use]
pub fn read_scope(resource: ResourceType) -> Option<Scope> {
    match resource {
        ResourceType::Goal | ResourceType::GoalStep | ResourceType::GoalCheckIn => {
            Some(Scope::GoalsRead)
        }
        ResourceType::Routine | ResourceType::RoutineCheckIn => Some(Scope::RoutinesRead),
        ResourceType::Contact | ResourceType::ContactInteraction => Some(Scope::ContactsRead),
        ResourceType::Share => Some(Scope::SharesRead),
        ResourceType::Account | ResourceType::Grant | ResourceType::Encouragement => None,
    }
}

// One bit per kind sync carries.
const _: () = assert!(SYNCED.len() <= u8::BITS as usize);

/// Which of the kinds sync carries a token with `scopes` may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SyncedKinds(u8);

impl SyncedKinds {
    /// The kinds `scopes` let a token read.
    #[must_use]
    pub fn readable_with(scopes: &ScopeSet) -> Self {
        let mut bits = 0;
        for (place, resource) in SYNCED.iter().enumerate() {
            if read_scope(*resource).is_some_and(|scope| scopes.contains(scope)) {
                bits |= 1 << place;
            }
        }
        Self(bits)
    }

    /// The kinds whose bits are `bits` (as [`Self::bits`] gave them), if they are some.
    #[must_use]
    pub fn from_bits(bits: u8) -> Self {
        Self(bits)
    }

    /// The kinds as bits, one per place in [`SYNCED`].
    #[must_use]
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `resource` is one of them.
    #[must_use]
    pub fn contains(self, resource: ResourceType) -> bool {
        SYNCED
            .iter()
            .position(|kind| *kind == resource)
            .is_some_and(|place| self.0 & (1 << place) != 0)
    }

    /// The kinds, in the order of [`SYNCED`].
    pub fn iter(self) -> impl Iterator<Item = ResourceType> {
        SYNCED.into_iter().filter(move |kind| self.contains(*kind))
    }
}

/// One resource as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A goal.
    Goal(Goal),
    /// A step of a goal.
    GoalStep(Step),
    /// A check-in on a goal.
    GoalCheckIn(CheckIn),
    /// A routine.
    Routine(Routine),
    /// A check-in on a routine.
    RoutineCheckIn(RoutineCheckIn),
    /// A contact.
    Contact(Contact),
    /// An interaction with a contact.
    ContactInteraction(Interaction),
    /// A share the person gave a supporter.
    Share(Share),
}

impl Resource {
    /// Its kind.
    #[must_use]
    pub fn kind(&self) -> ResourceType {
        match self {
            Self::Goal(_) => ResourceType::Goal,
            Self::GoalStep(_) => ResourceType::GoalStep,
            Self::GoalCheckIn(_) => ResourceType::GoalCheckIn,
            Self::Routine(_) => ResourceType::Routine,
            Self::RoutineCheckIn(_) => ResourceType::RoutineCheckIn,
            Self::Contact(_) => ResourceType::Contact,
            Self::ContactInteraction(_) => ResourceType::ContactInteraction,
            Self::Share(_) => ResourceType::Share,
        }
    }

    /// Its id.
    #[must_use]
    pub fn id(&self) -> Uuid {
        match self {
            Self::Goal(goal) => goal.id.0,
            Self::GoalStep(step) => step.id.0,
            Self::GoalCheckIn(check_in) => check_in.id.0,
            Self::Routine(routine) => routine.id.0,
            Self::RoutineCheckIn(check_in) => check_in.id.0,
            Self::Contact(contact) => contact.id.0,
            Self::ContactInteraction(interaction) => interaction.id.0,
            Self::Share(share) => share.id.0,
        }
    }

    /// The resource it belongs to (a step's goal), if it belongs to one.
    #[must_use]
    pub fn parent(&self) -> Option<(ResourceType, Uuid)> {
        match self {
            Self::GoalStep(step) => Some((ResourceType::Goal, step.goal_id.0)),
            Self::GoalCheckIn(check_in) => Some((ResourceType::Goal, check_in.goal_id.0)),
            Self::RoutineCheckIn(check_in) => Some((ResourceType::Routine, check_in.routine_id.0)),
            Self::ContactInteraction(interaction) => {
                Some((ResourceType::Contact, interaction.contact_id.0))
            }
            Self::Share(share) => Some((ResourceType::Contact, share.contact.0)),
            Self::Goal(_) | Self::Routine(_) | Self::Contact(_) => None,
        }
    }
}

/// A person's resources as they are now, of the kinds sync carries.
#[async_trait]
pub trait CurrentState: Send + Sync + std::fmt::Debug {
    /// Those of `ids` that are the owner's resources of kind `resource` and still
    /// exist, in any order.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn find(
        &self,
        owner: AccountId,
        resource: ResourceType,
        ids: &[Uuid],
    ) -> Result<Vec<Resource>, StoreError>;

    /// Up to `limit` of the owner's resources of kind `resource` with ids after
    /// `after`, in id order.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn after(
        &self,
        owner: AccountId,
        resource: ResourceType,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Resource>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_the_kinds_its_read_scopes_cover_and_no_others() {
        let scopes = ScopeSet::parse("goals:read contacts:write shares:read").unwrap();
        let kinds = SyncedKinds::readable_with(&scopes);
        assert_eq!(
            kinds.iter().collect::<Vec<_>>(),
            [
                ResourceType::Goal,
                ResourceType::GoalStep,
                ResourceType::GoalCheckIn,
                ResourceType::Share
            ]
        );
        assert_eq!(SyncedKinds::from_bits(kinds.bits()), kinds);
        assert!(SyncedKinds::readable_with(&ScopeSet::parse("profile").unwrap()).is_empty());
    }
}
