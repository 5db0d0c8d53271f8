//! The ids in a route's path: each type reads them from the path and documents them in
//! the spec (`params(StepPath)`), so the contract is written once. An id that is not a
//! UUID answers 404, as an id that names nothing does.

use serde::Deserialize;
use utoipa::IntoParams;
use waymark_domain::contacts::{ContactId, InteractionId};
use waymark_domain::goals::{CheckInId, GoalId, StepId};
use waymark_domain::identity::{AccountId, ClientId};
use waymark_domain::routines::{RoutineCheckInId, RoutineId};
use waymark_domain::sharing::{EncouragementId, ShareId};

/// Declares each path type: its fields (UUIDs named as in the route) and, for each, an
/// accessor answering the typed id.
macro_rules! path_ids {
    ($(
        $(#[$doc:meta])*
        $name:ident { $($field:ident: $id:ident = $description:literal),+ $(,)? }
    )+) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Deserialize, IntoParams)]
            #[into_params(parameter_in = Path)]
            pub(crate) struct $name {
                $(
                    #[doc = $description]
                    $field: uuid::Uuid,
                )+
            }

            impl $name {
                $(
                    #[doc = concat!("The `", stringify!($field), "` in the path.")]
                    pub(crate) fn $field(&self) -> $id {
                        $id(self.$field)
                    }
                )+
            }
        )+
    };
}

path_ids! {
    /// `/v1/goals/{goal_id}`
    GoalPath { goal_id: GoalId = "The goal's id." }
    /// `/v1/goals/{goal_id}/steps/{step_id}`
    StepPath { goal_id: GoalId = "The goal's id.", step_id: StepId = "The step's id." }
    /// `/v1/goals/{goal_id}/check-ins/{check_in_id}`
    GoalCheckInPath {
        goal_id: GoalId = "The goal's id.",
        check_in_id: CheckInId = "The check-in's id.",
    }
    /// `/v1/goals/{goal_id}/supporters/{contact_id}`
    SupporterPath { goal_id: GoalId = "The goal's id.", contact_id: ContactId = "The contact's id." }
    /// `/v1/contacts/{contact_id}`
    ContactPath { contact_id: ContactId = "The contact's id." }
    /// `/v1/contacts/{contact_id}/interactions/{interaction_id}`
    InteractionPath {
        contact_id: ContactId = "The contact's id.",
        interaction_id: InteractionId = "The interaction's id.",
    }
    /// `/v1/routines/{routine_id}`
    RoutinePath { routine_id: RoutineId = "The routine's id." }
    /// `/v1/routines/{routine_id}/check-ins/{check_in_id}`
    RoutineCheckInPath {
        routine_id: RoutineId = "The routine's id.",
        check_in_id: RoutineCheckInId = "The check-in's id.",
    }
    /// `/v1/shares/{share_id}`, `/v1/shared-with-me/{share_id}`
    SharePath { share_id: ShareId = "The share's id." }
    /// `/v1/shared-with-me/{share_id}/goals/{goal_id}`
    SharedGoalPath { share_id: ShareId = "The share's id.", goal_id: GoalId = "The goal's id." }
    /// `/v1/goals/{goal_id}/encouragements/{encouragement_id}`
    EncouragementPath {
        goal_id: GoalId = "The goal's id.",
        encouragement_id: EncouragementId = "The message's id.",
    }
    /// `/v1/admin/clients/{client_id}`
    ClientPath { client_id: ClientId = "The client's id." }
    /// `/v1/admin/users/{user_id}`
    UserPath { user_id: AccountId = "The account's id." }
}
