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
use waymark_domain::webhooks::{MessageId, SubscriptionId};

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
    /// `/fhir/r4/Patient/{id}`
    FhirPatientPath { id: AccountId = "The person's id." }
    /// `/fhir/r4/Goal/{id}`
    FhirGoalPath { id: GoalId = "The goal's id." }
    /// `/fhir/r4/CarePlan/{id}`
    FhirCarePlanPath { id: AccountId = "The plan's id, which is the person's." }
    /// `/fhir/r4/RelatedPerson/{id}`
    FhirRelatedPersonPath { id: ContactId = "The contact's id." }
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
    /// `/v1/webhooks/{webhook_id}`
    WebhookPath { webhook_id: SubscriptionId = "The subscription's id." }
}

/// `/v1/webhooks/{webhook_id}/messages/{message_id}`: a message's id is its
/// `webhook-id` (`msg_` and 32 hexadecimal digits), not a bare UUID.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct WebhookMessagePath {
    /// The subscription's id.
    webhook_id: uuid::Uuid,
    /// The message's id, as sent in `webhook-id` and listed in the delivery log.
    #[param(
        max_length = 36,
        min_length = 36,
        pattern = "^msg_[0-9a-f]{32}$",
        example = "msg_0193a1b2c3d47e8f9a0b1c2d3e4f5a6b"
    )]
    message_id: String,
}

impl WebhookMessagePath {
    /// The subscription in the path.
    pub(crate) fn webhook_id(&self) -> SubscriptionId {
        SubscriptionId(self.webhook_id)
    }

    /// The message in the path, if it names one.
    pub(crate) fn message_id(&self) -> Option<MessageId> {
        MessageId::parse(&self.message_id)
    }
}
