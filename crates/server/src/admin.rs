//! `waymark admin`: creating the first accounts with a role, and API clients, from
//! the command line. Passwords come from a prompt or standard input, never from the
//! arguments (which other users of the machine can read).

use std::io::{BufRead as _, IsTerminal as _};

use waymark_application::clients::{self, ClientRegistration};
use waymark_application::{Failure, Input};
use waymark_domain::identity::ports::CreateAccountError;
use waymark_domain::identity::{
    DisplayName, Email, Locale, NewAccount, NewPassword, PasswordHash, Role, TimeZoneName,
};
use waymark_domain::validation::Problem;
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
            // The operator at the command line sees the cause, not only its kind.
            CreateAccountError::Store(store) => {
                AdminError::Storage(format!("{:#}", anyhow::Error::from(store)))
            }
        })?;
    Ok(account.id.to_string())
}

/// `waymark admin create-client`'s arguments.
#[derive(Debug)]
pub struct ClientArguments {
    /// `--name`.
    pub name: String,
    /// `--kind`.
    pub kind: String,
    /// `--redirect-uri`, each time it was given.
    pub redirect_uris: Vec<String>,
    /// `--first-party`.
    pub first_party: bool,
    /// `--scopes`, space- or comma-separated.
    pub scopes: String,
}

impl Input<ClientRegistration> for ClientArguments {
    fn parse(self) -> Result<ClientRegistration, Vec<Problem>> {
        let scopes: Vec<String> =
            self.scopes.replace(',', " ").split_whitespace().map(str::to_owned).collect();
        ClientRegistration::parse(
            &self.name,
            Some(&self.kind),
            &self.redirect_uris,
            self.first_party,
            &scopes,
        )
    }
}

/// The command-line option a registration problem is about.
fn option_of(pointer: &str) -> &'static str {
    match pointer.split('/').nth(1) {
        Some("name") => "--name",
        Some("kind") => "--kind",
        Some("redirect_uris") => "--redirect-uri",
        _ => "--scopes",
    }
}

/// Registers an API client through the same use case as the API; answers its id and,
/// for a confidential client, its secret (shown once).
///
/// # Errors
/// [`AdminError`] for an invalid argument, or a storage failure.
pub async fn create_client(
    database: &Database,
    arguments: ClientArguments,
) -> Result<(String, Option<String>), AdminError> {
    match clients::register(&database.ports(), arguments).await {
        Ok((client, secret)) => {
            Ok((client.id.to_string(), secret.map(|secret| secret.expose().to_owned())))
        }
        Err(Failure::Invalid(problems)) => Err(AdminError::Invalid(
            problems
                .iter()
                .map(|problem| format!("{} {}", option_of(&problem.pointer), problem.message))
                .collect::<Vec<_>>()
                .join("; "),
        )),
        Err(Failure::Refused(error)) => Err(AdminError::Storage(error.to_string())),
    }
}
