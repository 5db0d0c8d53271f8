//! `waymark admin`: creating the first accounts with a role, and API clients, from
//! the command line. Passwords come from a prompt or standard input, never from the
//! arguments (which other users of the machine can read).

use std::io::{BufRead as _, IsTerminal as _};

use waymark_domain::identity::client::scopes_clients_may_hold;
use waymark_domain::identity::ports::CreateAccountError;
use waymark_domain::identity::secret::OpaqueSecret;
use waymark_domain::identity::{
    DisplayName, Email, Locale, NewAccount, NewApiClient, NewPassword, PasswordHash, Role,
    ScopeSet, TimeZoneName,
};
use waymark_persistence::Database;

/// Why an administrative command failed; its message is printed on one line.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// An argument or the password is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// Storage failed.
    #[error("the database refused the change: {0}")]
    Storage(String),
}

/// Reads the password: from a hidden prompt (asked twice) on a terminal, otherwise
/// the first line of standard input.
///
/// # Errors
/// [`AdminError::Invalid`] when it cannot be read or the two entries differ.
pub fn read_password() -> Result<String, AdminError> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")
            .map_err(|error| AdminError::Invalid(error.to_string()))?;
        let second = rpassword::prompt_password("Password again: ")
            .map_err(|error| AdminError::Invalid(error.to_string()))?;
        if first != second {
            return Err(AdminError::Invalid("the two passwords differ".to_owned()));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|error| {
            AdminError::Invalid(format!("cannot read the password from standard input: {error}"))
        })?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Creates an account with `role`; answers its id.
///
/// # Errors
/// [`AdminError`] for an invalid address, name or password, a taken address, or a
/// storage failure.
pub async fn create_user(
    database: &Database,
    email: &str,
    role: Role,
    display_name: Option<&str>,
    password: &str,
) -> Result<String, AdminError> {
    let email =
        Email::parse(email).map_err(|error| AdminError::Invalid(format!("--email {error}")))?;
    let name = display_name.map_or_else(
        || email.as_str().split('@').next().unwrap_or_default().to_owned(),
        str::to_owned,
    );
    let display_name = DisplayName::parse(&name)
        .map_err(|error| AdminError::Invalid(format!("--display-name {error}")))?;
    let password = NewPassword::parse(password, Some(&email))
        .map_err(|error| AdminError::Invalid(format!("the password {error}")))?;
    let password_hash = tokio::task::spawn_blocking(move || PasswordHash::of(&password))
        .await
        .map_err(|error| AdminError::Invalid(error.to_string()))?
        .map_err(|error| AdminError::Invalid(error.to_string()))?;
    let account = database
        .accounts()
        .create(NewAccount {
            email,
            password_hash,
            display_name,
            time_zone: TimeZoneName::default_zone(),
            locale: Locale::default_locale(),
            role,
        })
        .await
        .map_err(|error| match error {
            CreateAccountError::EmailTaken => {
                AdminError::Invalid("an account with this e-mail address exists".to_owned())
            }
            CreateAccountError::Store(store) => AdminError::Storage(store.to_string()),
        })?;
    Ok(account.id.to_string())
}

/// Registers an API client; answers its id and its secret (shown once).
///
/// # Errors
/// [`AdminError`] for an invalid name or scopes, or a storage failure.
pub async fn create_client(
    database: &Database,
    name: &str,
    scopes: &str,
) -> Result<(String, String), AdminError> {
    let name = DisplayName::parse(name).map_err(|_| {
        AdminError::Invalid("--name must be 1 to 100 visible characters".to_owned())
    })?;
    let allowed = scopes_clients_may_hold();
    let scopes = ScopeSet::parse(&scopes.replace(',', " "))
        .ok()
        .filter(|scopes| !scopes.is_empty() && scopes.is_subset(&allowed))
        .ok_or_else(|| AdminError::Invalid(format!("--scopes must be some of: {allowed}")))?;
    let secret =
        OpaqueSecret::generate("wms_").map_err(|error| AdminError::Invalid(error.to_string()))?;
    let client = database
        .clients()
        .create(NewApiClient {
            name: name.as_str().to_owned(),
            scopes,
            secret_digest: secret.digest(),
        })
        .await
        .map_err(|error| AdminError::Storage(error.to_string()))?;
    Ok((client.id.to_string(), secret.expose().to_owned()))
}
