//! The role and scope names as enums in the OpenAPI document, so clients see the
//! allowed values (the wire format stays plain strings, parsed by the domain).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An account's role.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    /// A person using an app.
    User,
    /// Also writes published content.
    Editor,
    /// Also administers accounts and API clients.
    Admin,
}

/// Whether an API client keeps a secret.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientKindName {
    /// A mobile or single-page app: no secret.
    Public,
    /// A backend that keeps a secret.
    Confidential,
}

/// A redirect URI, as registered: `https://…`, loopback `http://127.0.0.1/…` or
/// `http://[::1]/…`, or a private-use scheme such as `org.example.app:/callback`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(max_length = 512, min_length = 1, example = "org.example.app:/callback")]
pub struct RedirectUriText(pub String);

/// An OAuth scope.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum ScopeName {
    /// Read your goals.
    #[serde(rename = "goals:read")]
    GoalsRead,
    /// Change your goals.
    #[serde(rename = "goals:write")]
    GoalsWrite,
    /// Read your routines.
    #[serde(rename = "routines:read")]
    RoutinesRead,
    /// Change your routines.
    #[serde(rename = "routines:write")]
    RoutinesWrite,
    /// Read your support network.
    #[serde(rename = "contacts:read")]
    ContactsRead,
    /// Change your support network.
    #[serde(rename = "contacts:write")]
    ContactsWrite,
    /// See what you share with supporters.
    #[serde(rename = "shares:read")]
    SharesRead,
    /// Share with supporters.
    #[serde(rename = "shares:write")]
    SharesWrite,
    /// As a supporter, read what is shared with you.
    #[serde(rename = "shared:read")]
    SharedRead,
    /// As a supporter, send encouragement.
    #[serde(rename = "shared:write")]
    SharedWrite,
    /// Write recovery content (editors).
    #[serde(rename = "content:write")]
    ContentWrite,
    /// Your own account.
    #[serde(rename = "profile")]
    Profile,
    /// Administration (admins).
    #[serde(rename = "admin")]
    Admin,
    /// An API client's own webhook subscriptions.
    #[serde(rename = "webhooks")]
    Webhooks,
    /// Content events by webhook (given by an administrator).
    #[serde(rename = "content:events")]
    ContentEvents,
    /// FHIR: you, as a Patient.
    #[serde(rename = "patient/Patient.rs")]
    FhirPatientRead,
    /// FHIR: your goals.
    #[serde(rename = "patient/Goal.rs")]
    FhirGoalRead,
    /// FHIR: your recovery plan.
    #[serde(rename = "patient/CarePlan.rs")]
    FhirCarePlanRead,
    /// FHIR: the contacts you share with services.
    #[serde(rename = "patient/RelatedPerson.rs")]
    FhirRelatedPersonRead,
    /// SMART: the token response names you as `patient`.
    #[serde(rename = "launch/patient")]
    LaunchPatient,
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_domain::identity::{Role, Scope};

    #[test]
    fn the_documented_names_are_the_domain_names() {
        for role in Role::ALL {
            let documented: RoleName =
                serde_json::from_value(serde_json::json!(role.as_str())).expect("documented");
            assert_eq!(
                serde_json::to_value(documented).ok(),
                Some(serde_json::json!(role.as_str()))
            );
        }
        for scope in Scope::ALL {
            let documented: ScopeName =
                serde_json::from_value(serde_json::json!(scope.as_str())).expect("documented");
            assert_eq!(
                serde_json::to_value(documented).ok(),
                Some(serde_json::json!(scope.as_str()))
            );
        }
    }
}
