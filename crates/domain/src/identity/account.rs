//! Accounts: a person (or an editor or administrator) who can sign in.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use super::email::Email;
use super::locale::Locale;
use super::password::PasswordHash;
use super::profile::DisplayName;
use super::revoked_tokens::RevokedAccessTokens;
use super::scope::{Scope, ScopeSet};
use super::time_zone::TimeZoneName;
use crate::time::Instant;

/// Names one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub Uuid);

impl fmt::Display for AccountId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

/// What an account may do beyond its own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A person using an app: their own goals, routines, contacts and profile.
    User,
    /// Also writes published content.
    Editor,
    /// Also administers accounts and API clients.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 3] = [Self::User, Self::Editor, Self::Admin];

    /// The role's name on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    /// The scopes a token of an account with this role may carry.
    #[must_use]
    pub fn allowed_scopes(self) -> ScopeSet {
        let personal = [
            Scope::GoalsRead,
            Scope::GoalsWrite,
            Scope::RoutinesRead,
            Scope::RoutinesWrite,
            Scope::ContactsRead,
            Scope::ContactsWrite,
            Scope::SharesRead,
            Scope::SharesWrite,
            Scope::SharedRead,
            Scope::SharedWrite,
            Scope::Profile,
            Scope::FhirPatientRead,
            Scope::FhirGoalRead,
            Scope::FhirCarePlanRead,
            Scope::FhirRelatedPersonRead,
            Scope::LaunchPatient,
        ];
        let extra: &[Scope] = match self {
            Self::User => &[],
            Self::Editor => &[Scope::ContentWrite],
            Self::Admin => &[Scope::ContentWrite, Scope::Admin],
        };
        ScopeSet::of(personal.into_iter().chain(extra.iter().copied()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A name that is not a role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of user, editor, admin")]
pub struct UnknownRole;

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|role| role.as_str() == name).ok_or(UnknownRole)
    }
}

/// A stored account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account's id.
    pub id: AccountId,
    /// The normalised e-mail address it signs in with.
    pub email: Email,
    /// The name it is shown by.
    pub display_name: DisplayName,
    /// The zone its days and routines are reckoned in.
    pub time_zone: TimeZoneName,
    /// Its preferred language.
    pub locale: Locale,
    /// What it may do beyond its own data.
    pub role: Role,
    /// When it was created.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Starts at 1 and grows by one with every change (for `ETag`).
    pub version: i64,
    /// Carried in every access token issued to the account; it moves on when every
    /// session must end (a password or role change, "sign out everywhere"), and a
    /// token from an earlier epoch is then refused.
    pub token_epoch: i64,
    /// Its access tokens revoked before they expire.
    pub revoked_access_tokens: RevokedAccessTokens,
}

/// An account about to be created.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The normalised e-mail address.
    pub email: Email,
    /// The hash of its password.
    pub password_hash: PasswordHash,
    /// The name it is shown by.
    pub display_name: DisplayName,
    /// Its time zone.
    pub time_zone: TimeZoneName,
    /// Its preferred language.
    pub locale: Locale,
    /// Its role.
    pub role: Role,
}

/// Changes to an account's profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    /// A new display name.
    pub display_name: Option<DisplayName>,
    /// A new time zone.
    pub time_zone: Option<TimeZoneName>,
    /// A new locale.
    pub locale: Option<Locale>,
}

impl ProfileChanges {
    /// Whether nothing would change.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.display_name.is_none() && self.time_zone.is_none() && self.locale.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_widen_scopes_without_losing_any() {
        let user = Role::User.allowed_scopes();
        let editor = Role::Editor.allowed_scopes();
        let admin = Role::Admin.allowed_scopes();
        assert!(user.is_subset(&editor) && editor.is_subset(&admin));
        assert!(!user.contains(Scope::ContentWrite) && !user.contains(Scope::Admin));
        assert!(editor.contains(Scope::ContentWrite) && !editor.contains(Scope::Admin));
        assert!(admin.contains(Scope::Admin));
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!("root".parse::<Role>(), Err(UnknownRole));
    }
}
