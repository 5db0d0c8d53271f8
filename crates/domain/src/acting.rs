//! Who makes a change, and to whose data.

use crate::identity::AccountId;
use crate::journal::Actor;

/// A write's owner (whose data changes) and its actor (who changes it): the person
/// themself, an administrator, an app through its grant, and later a supporter. The
/// change journal records both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acting {
    /// Whose data it is.
    pub owner: AccountId,
    /// Who is acting on it.
    pub actor: Actor,
}

impl Acting {
    /// The person acting on their own data.
    #[must_use]
    pub fn person(owner: AccountId) -> Self {
        Self { owner, actor: Actor::Person(owner) }
    }
}
