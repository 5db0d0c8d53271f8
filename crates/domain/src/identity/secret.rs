//! Opaque secrets (refresh tokens, API client secrets): long random strings handed out
//! once and stored only as a SHA-256 digest. A fast digest is enough because each
//! secret has 256 bits of entropy; nothing can be guessed from the digest.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A freshly made secret, shown to its holder exactly once. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct OpaqueSecret(String);

/// The length of every [`OpaqueSecret`]: a four-character prefix such as `wmr_`, then
/// 32 bytes in base64url (43 characters).
pub const OPAQUE_SECRET_LENGTH: usize = 4 + 43;

/// The random source failed; no secret could be made.
#[derive(Debug, thiserror::Error)]
#[error("no randomness available: {0}")]
pub struct NoRandomness(pub(crate) String);

impl OpaqueSecret {
    /// 32 random bytes, base64url-encoded after `prefix` (such as `wmr_`), so leaked
    /// secrets are recognisable in logs and secret scanners.
    ///
    /// # Errors
    /// [`NoRandomness`] if the operating system's random source fails.
    pub fn generate(prefix: &str) -> Result<Self, NoRandomness> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| NoRandomness(error.to_string()))?;
        Ok(Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))))
    }

    /// The secret, to hand to its holder.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its digest, for storage.
    #[must_use]
    pub fn digest(&self) -> SecretDigest {
        SecretDigest::of(&self.0)
    }
}

impl fmt::Debug for OpaqueSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("OpaqueSecret(..)")
    }
}

/// The SHA-256 digest of a secret, hex-encoded: what is stored and looked up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretDigest(String);

impl SecretDigest {
    /// The digest of `presented`, whatever a client sent.
    #[must_use]
    pub fn of(presented: &str) -> Self {
        let digest = Sha256::digest(presented.as_bytes());
        Self(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// Wraps a digest read back from storage.
    #[must_use]
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    /// The hex digest.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares in constant time, so response timing reveals nothing of the secret.
    #[must_use]
    pub fn matches(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_digest_consistently() {
        let first = OpaqueSecret::generate("wmr_").expect("randomness");
        let second = OpaqueSecret::generate("wmr_").expect("randomness");
        assert!(first.expose().starts_with("wmr_"));
        assert_eq!(first.expose().len(), OPAQUE_SECRET_LENGTH);
        assert_ne!(first, second);
        assert!(first.digest().matches(&SecretDigest::of(first.expose())));
        assert!(!first.digest().matches(&second.digest()));
        assert_eq!(first.digest().as_str().len(), 64);
        assert!(!format!("{first:?}").contains(&first.expose()[4..]));
    }
}
