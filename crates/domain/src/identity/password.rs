//! Passwords: the rules a new one must meet, and Argon2id hashing.
//!
//! Hashing is deliberately slow (OWASP's Argon2id parameters: 19 MiB, 2 passes, 1
//! lane). Callers run [`PasswordHash::of`] and [`PasswordHash::verify`] on a blocking
//! thread, never on an async worker.

use std::fmt;
use std::sync::OnceLock;

use super::email::Email;

/// Fewest characters a password may have.
pub const MIN_PASSWORD_LENGTH: usize = 8;
/// Most characters a password may have (bounds the hashing cost an attacker can cause).
pub const MAX_PASSWORD_LENGTH: usize = 128;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// A password that meets the rules: 8 to 128 characters, not the account's own e-mail
/// address, not one of the most common passwords. No composition rules (NIST 800-63B).
/// Its `Debug` output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

/// Why a new password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    /// Fewer than 8 or more than 128 characters.
    #[error("must be 8 to 128 characters")]
    Length,
    /// The same as the e-mail address.
    #[error("must not be your e-mail address")]
    SameAsEmail,
    /// On the list of the most common passwords.
    #[error("is one of the most common passwords; please choose another")]
    Common,
}

impl NewPassword {
    /// Checks `raw` against the rules for the account `email`.
    ///
    /// # Errors
    /// [`WeakPassword`] naming the first rule it breaks.
    pub fn parse(raw: &str, email: Option<&Email>) -> Result<Self, WeakPassword> {
        let length = raw.chars().count();
        if !(MIN_PASSWORD_LENGTH..=MAX_PASSWORD_LENGTH).contains(&length) {
            return Err(WeakPassword::Length);
        }
        let lowered = raw.to_lowercase();
        if email.is_some_and(|email| lowered.trim() == email.as_str()) {
            return Err(WeakPassword::SameAsEmail);
        }
        if is_common(&lowered) {
            return Err(WeakPassword::Common);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password itself, for hashing.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("NewPassword(..)")
    }
}

fn is_common(lowered: &str) -> bool {
    COMMON_PASSWORDS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .any(|common| common.trim() == lowered)
}

/// An Argon2id hash in PHC string format. Never shown in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

/// Hashing failed; only possible with a broken random source.
#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed: {0}")]
pub struct HashingFailed(String);

impl PasswordHash {
    /// Hashes `password` with a fresh random salt. Slow by design: call it on a
    /// blocking thread.
    ///
    /// # Errors
    /// [`HashingFailed`] if no salt could be drawn.
    pub fn of(password: &NewPassword) -> Result<Self, HashingFailed> {
        super::argon2id::hash(password.0.as_bytes())
            .map(Self)
            .map_err(|failed| HashingFailed(failed.0))
    }

    /// Wraps a hash read back from storage.
    #[must_use]
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string, for storage.
    #[must_use]
    pub fn as_stored(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is the password behind this hash. Slow by design: call it
    /// on a blocking thread. A malformed stored hash verifies nothing.
    #[must_use]
    pub fn verify(&self, candidate: &str) -> bool {
        super::argon2id::verify(candidate.as_bytes(), &self.0)
    }

    /// A hash of a random password that nobody knows. Verifying against it when no
    /// account matches makes "no such account" cost the same time as "wrong password".
    #[must_use]
    pub fn decoy() -> &'static Self {
        static DECOY: OnceLock<PasswordHash> = OnceLock::new();
        DECOY.get_or_init(|| {
            let unguessable = format!("decoy-{}", uuid::Uuid::now_v7());
            super::argon2id::hash(unguessable.as_bytes())
                .map(Self)
                // Without a random source no hash can be made at all; an empty decoy
                // then verifies nothing, which is still the safe answer.
                .unwrap_or_else(|_| Self(String::new()))
        })
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("PasswordHash(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("sam@example.org").expect("valid")
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(NewPassword::parse("short", None), Err(WeakPassword::Length));
        assert!(NewPassword::parse("ééééééé€", None).is_ok());
        assert_eq!(NewPassword::parse(&"x".repeat(129), None), Err(WeakPassword::Length));
    }

    #[test]
    fn the_email_and_common_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("Sam@Example.org", Some(&email())),
            Err(WeakPassword::SameAsEmail)
        );
        assert_eq!(NewPassword::parse("Password123", None), Err(WeakPassword::Common));
        assert_eq!(NewPassword::parse("qwertyuiop", None), Err(WeakPassword::Common));
        assert!(NewPassword::parse("walking by the canal", Some(&email())).is_ok());
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let password = NewPassword::parse("walking by the canal", None).expect("valid");
        let hash = PasswordHash::of(&password).expect("hashes");
        assert!(hash.as_stored().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hash.verify("walking by the canal"));
        assert!(!hash.verify("walking by the river"));
        assert!(!PasswordHash::decoy().verify("walking by the canal"));
        assert!(!PasswordHash::from_stored("not a hash".to_owned()).verify("anything"));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let password = NewPassword::parse("walking by the canal", None).expect("valid");
        assert!(!format!("{password:?}").contains("canal"));
        let hash = PasswordHash::of(&password).expect("hashes");
        assert!(!format!("{hash:?}").contains("argon2"));
    }
}
