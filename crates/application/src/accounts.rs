//! A person's own account (profile), and an administrator's change of its role.

use waymark_domain::acting::Acting;
use waymark_domain::identity::ports::UpdateAccountError;
use waymark_domain::identity::{Account, ProfileChanges, Role};
use waymark_domain::ports::StoragePorts;
use waymark_domain::precondition::Precondition;

use crate::failure::Failure;
use crate::input::Input;
use crate::person::account;
use crate::preconditions::expected_version;

/// Why an account operation did not happen.
pub type AccountFailure = Failure<UpdateAccountError>;

/// The account `acting` is for.
///
/// # Errors
/// [`UpdateAccountError::NotFound`] when it is gone.
pub async fn get(ports: &StoragePorts, acting: Acting) -> Result<Account, AccountFailure> {
    account(ports, acting, UpdateAccountError::NotFound).await
}

/// Changes the person's display name, time zone or locale, if the account is still
/// at a version `seen` names. A change that changes nothing answers the account as
/// it is.
///
/// # Errors
/// [`Failure::Invalid`], then [`UpdateAccountError::NotFound`] or
/// [`UpdateAccountError::PreconditionFailed`].
pub async fn update_profile(
    ports: &StoragePorts,
    acting: Acting,
    seen: &Precondition,
    edit: impl Input<ProfileChanges>,
) -> Result<Account, AccountFailure> {
    let changes = edit.parse().map_err(Failure::Invalid)?;
    if changes.is_empty() {
        let account = get(ports, acting).await?;
        seen.expected(account.version)?;
        return Ok(account);
    }
    let expected = expected_version(seen, get(ports, acting), |account| account.version).await?;
    ports.accounts.update_profile(acting.owner, changes, expected).await.map_err(Failure::Refused)
}

/// An administrator (`acting.actor`) gives the account `acting.owner` a new role;
/// every session of that account ends, so the new role's scopes apply from its next
/// sign-in.
///
/// # Errors
/// [`Failure::Invalid`], then [`UpdateAccountError::NotFound`] or
/// [`UpdateAccountError::PreconditionFailed`].
pub async fn set_role(
    ports: &StoragePorts,
    acting: Acting,
    seen: &Precondition,
    role: impl Input<Role>,
) -> Result<Account, AccountFailure> {
    let role = role.parse().map_err(Failure::Invalid)?;
    let expected = expected_version(seen, get(ports, acting), |account| account.version).await?;
    ports.accounts.set_role(acting, role, expected).await.map_err(Failure::Refused)
}
