//! OAuth scopes: what a token allows. A token's scopes are always a subset of what
//! its holder's role (or API client registration) allows.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// One permission a token can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Read the person's goals.
    GoalsRead,
    /// Change the person's goals.
    GoalsWrite,
    /// Read the person's routines.
    RoutinesRead,
    /// Change the person's routines.
    RoutinesWrite,
    /// Read the person's support network.
    ContactsRead,
    /// Change the person's support network.
    ContactsWrite,
    /// See what the person shares with supporters, and the encouragement they sent.
    SharesRead,
    /// Share with supporters, change or end what is shared, hide encouragement.
    SharesWrite,
    /// As a supporter, read what others share with the person.
    SharedRead,
    /// As a supporter, send encouragement and step back from a share.
    SharedWrite,
    /// Write published content (editors).
    ContentWrite,
    /// Read and change the person's own account.
    Profile,
    /// Administer accounts and API clients (admins).
    Admin,
    /// As an API client, manage its own webhook subscriptions (client credentials).
    Webhooks,
    /// As an API client, be sent content events by webhook; an administrator gives it.
    ContentEvents,
    /// SMART on FHIR: read the person as a FHIR `Patient`.
    FhirPatientRead,
    /// SMART on FHIR: read the person's goals as FHIR `Goal`s.
    FhirGoalRead,
    /// SMART on FHIR: read the person's recovery plan as a FHIR `CarePlan`.
    FhirCarePlanRead,
    /// SMART on FHIR: read the contacts the person shares with services, as FHIR
    /// `RelatedPerson`s.
    FhirRelatedPersonRead,
    /// SMART on FHIR: the token response names the person (`patient`) whose record the
    /// app opens (standalone launch).
    LaunchPatient,
}

impl Scope {
    /// Every scope, in a stable order.
    pub const ALL: [Self; 20] = [
        Self::GoalsRead,
        Self::GoalsWrite,
        Self::RoutinesRead,
        Self::RoutinesWrite,
        Self::ContactsRead,
        Self::ContactsWrite,
        Self::SharesRead,
        Self::SharesWrite,
        Self::SharedRead,
        Self::SharedWrite,
        Self::ContentWrite,
        Self::Profile,
        Self::Admin,
        Self::Webhooks,
        Self::ContentEvents,
        Self::FhirPatientRead,
        Self::FhirGoalRead,
        Self::FhirCarePlanRead,
        Self::FhirRelatedPersonRead,
        Self::LaunchPatient,
    ];

    /// The scope's name on the wire, such as `goals:read`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::GoalsRead => "goals:read",
            Self::GoalsWrite => "goals:write",
            Self::RoutinesRead => "routines:read",
            Self::RoutinesWrite => "routines:write",
            Self::ContactsRead => "contacts:read",
            Self::ContactsWrite => "contacts:write",
            Self::SharesRead => "shares:read",
            Self::SharesWrite => "shares:write",
            Self::SharedRead => "shared:read",
            Self::SharedWrite => "shared:write",
            Self::ContentWrite => "content:write",
            Self::Profile => "profile",
            Self::Admin => "admin",
            Self::Webhooks => "webhooks",
            Self::ContentEvents => "content:events",
            Self::FhirPatientRead => "patient/Patient.rs",
            Self::FhirGoalRead => "patient/Goal.rs",
            Self::FhirCarePlanRead => "patient/CarePlan.rs",
            Self::FhirRelatedPersonRead => "patient/RelatedPerson.rs",
            Self::LaunchPatient => "launch/patient",
        }
    }

    /// What the scope allows, for documentation.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::GoalsRead => "Read your goals, their steps and check-ins",
            Self::GoalsWrite => "Create and change your goals, steps and check-ins",
            Self::RoutinesRead => "Read your routines and check-ins",
            Self::RoutinesWrite => "Create and change your routines and check-ins",
            Self::ContactsRead => "Read your support network",
            Self::ContactsWrite => "Change your support network",
            Self::SharesRead => "See what you share with supporters, and their encouragement",
            Self::SharesWrite => "Share with supporters, and change or end what you share",
            Self::SharedRead => "As a supporter, read what others share with you",
            Self::SharedWrite => "As a supporter, send encouragement and step back",
            Self::ContentWrite => "Write recovery content (editors)",
            Self::Profile => "Read and change your own account",
            Self::Admin => "Administer accounts and API clients (admins)",
            Self::Webhooks => "Manage this client's webhook subscriptions",
            Self::ContentEvents => "Be sent content events by webhook (given by an administrator)",
            Self::FhirPatientRead => "FHIR: read the person as a Patient",
            Self::FhirGoalRead => "FHIR: read the person's goals as Goals",
            Self::FhirCarePlanRead => "FHIR: read the person's recovery plan as a CarePlan",
            Self::FhirRelatedPersonRead => {
                "FHIR: read the contacts the person shares with services as RelatedPersons"
            }
            Self::LaunchPatient => "SMART: name the person in the token response (`patient`)",
        }
    }

    /// Whether it is one of SMART on FHIR's (`patient/*.rs`, `launch/patient`), which an
    /// app asks for naming the FHIR server (`aud`).
    #[must_use]
    pub const fn is_smart(self) -> bool {
        matches!(
            self,
            Self::FhirPatientRead
                | Self::FhirGoalRead
                | Self::FhirCarePlanRead
                | Self::FhirRelatedPersonRead
                | Self::LaunchPatient
        )
    }

    /// Whether only an API client's own token (client credentials) carries it: never
    /// a person's, nor an app's acting for a person.
    #[must_use]
    pub const fn is_for_clients_only(self) -> bool {
        matches!(self, Self::Webhooks | Self::ContentEvents)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A name that is not a known scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a known scope")]
pub struct UnknownScope(pub String);

impl FromStr for Scope {
    type Err = UnknownScope;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == name)
            .ok_or_else(|| UnknownScope(name.to_owned()))
    }
}

/// A set of scopes, written space-separated on the wire (RFC 6749 section 3.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<Scope>);

impl ScopeSet {
    /// Parses a space-separated list; empty text is the empty set.
    ///
    /// # Errors
    /// [`UnknownScope`] for the first unknown name.
    pub fn parse(text: &str) -> Result<Self, UnknownScope> {
        text.split_ascii_whitespace()
            .map(Scope::from_str)
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }

    /// The set of `scopes`.
    pub fn of(scopes: impl IntoIterator<Item = Scope>) -> Self {
        Self(scopes.into_iter().collect())
    }

    /// Whether `scope` is in the set.
    #[must_use]
    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// Whether every scope of `self` is also in `other`.
    #[must_use]
    pub fn is_subset(&self, other: &Self) -> bool {
        self.0.is_subset(&other.0)
    }

    /// The scopes in either set.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        Self(self.0.union(&other.0).copied().collect())
    }

    /// The scopes in both sets.
    #[must_use]
    pub fn intersection(&self, other: &Self) -> Self {
        Self(self.0.intersection(&other.0).copied().collect())
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The scopes, in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|scope| scope.as_str()).collect();
        formatter.write_str(&names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_sets_round_trip_in_a_stable_order() {
        let set = ScopeSet::parse("profile goals:read  goals:read").expect("known scopes");
        assert_eq!(set.to_string(), "goals:read profile");
        assert_eq!(ScopeSet::parse("").map(|set| set.is_empty()), Ok(true));
    }

    #[test]
    fn unknown_scopes_are_named() {
        assert_eq!(ScopeSet::parse("goals:read root"), Err(UnknownScope("root".to_owned())));
    }

    #[test]
    fn every_scope_parses_from_its_own_name() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
        }
    }
}
