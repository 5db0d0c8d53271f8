//! Signing up, and what a person does with their password: changing it, ending every
//! session, erasing the account. Passwords are hashed and checked by a
//! [`PasswordHasher`], which decides where that slow work runs.

use std::time::Duration;

use waymark_domain::acting::Acting;
use waymark_domain::identity::ports::{
    CreateAccountError, LockoutPolicy, PasswordHasher, UpdateAccountError,
};
use waymark_domain::identity::{
    Account, DisplayName, Email, Locale, NewAccount, NewPassword, Role, TimeZoneName,
};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::time::Instant;
use waymark_domain::validation::{Problem, Problems};

use crate::failure::Failure;
use crate::input::Input;
use crate::person::account;

/// What a new account is made of, before its password is hashed.
#[derive(Debug)]
pub struct SignUp {
    /// The address to sign in with.
    pub email: Email,
    /// The password, already checked against the rules (and the address).
    pub password: NewPassword,
    /// The name to be shown by.
    pub display_name: DisplayName,
    /// Where the person lives.
    pub time_zone: TimeZoneName,
    /// Their language.
    pub locale: Locale,
}

/// Creates an account with role `user`.
///
/// # Errors
/// [`Failure::Invalid`], then [`CreateAccountError::EmailTaken`].
pub async fn sign_up(
    ports: &StoragePorts,
    passwords: &dyn PasswordHasher,
    input: impl Input<SignUp>,
) -> Result<Account, Failure<CreateAccountError>> {
    let sign_up = input.parse().map_err(Failure::Invalid)?;
    let password_hash = passwords.hash(sign_up.password).await?;
    ports
        .accounts
        .create(NewAccount {
            email: sign_up.email,
            password_hash,
            display_name: sign_up.display_name,
            time_zone: sign_up.time_zone,
            locale: sign_up.locale,
            role: Role::User,
        })
        .await
        .map_err(Failure::Refused)
}

/// Why a step that needs the person's password did not happen. A password that is
/// not theirs is a [`Failure::Invalid`] problem at the field that carried it.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The account is gone (the token outlived it).
    #[error("no such account")]
    NotFound,
    /// Too many wrong passwords for this address lately; try again after the wait.
    #[error("too many attempts")]
    TooManyAttempts {
        /// How long to wait.
        wait: Duration,
    },
    /// Storage, or the password work, failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a credential operation did not happen.
pub type CredentialFailure = Failure<CredentialError>;

impl From<UpdateAccountError> for CredentialError {
    fn from(error: UpdateAccountError) -> Self {
        match error {
            UpdateAccountError::NotFound | UpdateAccountError::PreconditionFailed => Self::NotFound,
            UpdateAccountError::Store(error) => Self::Store(error),
        }
    }
}

/// The rules every check of a person's own password follows.
#[derive(Debug, Clone, Copy)]
pub struct PasswordCheck<'a> {
    /// Where the slow work runs.
    pub passwords: &'a dyn PasswordHasher,
    /// How many wrong passwords an address may send before it must wait.
    pub lockout: LockoutPolicy,
    /// The moment of the check.
    pub now: Instant,
}

impl PasswordCheck<'_> {
    /// Checks that `candidate` (sent at `pointer`) is `account`'s password. Attempts
    /// count against the same per-address limit as signing in, so a stolen access
    /// token cannot guess the password faster than the sign-in form allows.
    async fn confirm(
        &self,
        ports: &StoragePorts,
        account: &Account,
        candidate: String,
        pointer: &str,
    ) -> Result<(), CredentialFailure> {
        if let Some(wait) =
            ports.sign_in_throttle.count_attempt(&account.email, self.lockout, self.now).await?
        {
            return Err(Failure::Refused(CredentialError::TooManyAttempts { wait }));
        }
        let hash = ports
            .accounts
            .password_hash(account.id)
            .await?
            .ok_or(Failure::Refused(CredentialError::NotFound))?;
        if !self.passwords.verify(hash, candidate).await? {
            return Err(Failure::Invalid(vec![Problem {
                pointer: pointer.to_owned(),
                code: "mismatch",
                message: "is not your current password".to_owned(),
            }]));
        }
        Ok(ports.sign_in_throttle.clear(&account.email).await?)
    }
}

/// Replaces the person's password with `new_password` once `current_password` is
/// confirmed, and ends every session of the account.
///
/// # Errors
/// [`Failure::Invalid`] when the new password breaks a rule or the current one is
/// not right, [`CredentialError::TooManyAttempts`], [`CredentialError::NotFound`].
pub async fn change_password(
    ports: &StoragePorts,
    check: PasswordCheck<'_>,
    acting: Acting,
    current_password: String,
    new_password: &str,
) -> Result<(), CredentialFailure> {
    let account = account(ports, acting, CredentialError::NotFound).await?;
    let mut problems = Problems::default();
    let new_password =
        problems.check("/new_password", NewPassword::parse(new_password, Some(&account.email)));
    let new_password = problems.or(|| new_password).map_err(Failure::Invalid)?;
    check.confirm(ports, &account, current_password, "/current_password").await?;
    let hash = check.passwords.hash(new_password).await?;
    ports
        .accounts
        .change_password(account.id, hash)
        .await
        .map(|_| ())
        .map_err(|error| Failure::Refused(error.into()))
}

/// Ends every session of the person's account, on every device.
///
/// # Errors
/// [`UpdateAccountError::NotFound`] when the account is gone.
pub async fn sign_out_everywhere(
    ports: &StoragePorts,
    acting: Acting,
) -> Result<(), Failure<UpdateAccountError>> {
    ports.accounts.sign_out_everywhere(acting.owner).await.map_err(Failure::Refused)
}

/// Erases the person's account and everything in it, once `password` is confirmed.
///
/// # Errors
/// [`Failure::Invalid`] when the password is not right,
/// [`CredentialError::TooManyAttempts`], [`CredentialError::NotFound`].
pub async fn erase_account(
    ports: &StoragePorts,
    check: PasswordCheck<'_>,
    acting: Acting,
    password: String,
) -> Result<(), CredentialFailure> {
    let account = account(ports, acting, CredentialError::NotFound).await?;
    check.confirm(ports, &account, password, "/password").await?;
    match ports.accounts.delete(account.id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(Failure::Refused(CredentialError::NotFound)),
        Err(error) => Err(error.into()),
    }
}
