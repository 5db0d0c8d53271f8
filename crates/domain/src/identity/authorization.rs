//! The authorization code flow's rules (OAuth 2.1 section 4.1, RFC 7636): a code is
//! single use, lives 60 seconds, and is bound to its client, redirect URI and PKCE
//! challenge; PKCE is required of every client, and only `S256`.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::account::AccountId;
use super::client::ClientId;
use super::scope::ScopeSet;
use super::secret::SecretDigest;
use crate::time::Instant;

/// How long a code may be exchanged after it was issued.
pub const CODE_LIFETIME: Duration = Duration::from_secs(60);

/// Prefix of authorization codes, so a leaked one is recognisable.
pub const CODE_PREFIX: &str = "wma_";

/// Names one grant: what a person let an app have, from the moment they said yes until
/// they take it back. Every token issued under it carries it (the `grant` claim), so a
/// token from a grant taken back stays refused even when the app is let in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GrantId(pub uuid::Uuid);

impl GrantId {
    /// A new grant's id.
    #[must_use]
    pub fn generate() -> Self {
        Self(crate::id::new_id())
    }

    /// The grant `text` names, if it names one at all.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        uuid::Uuid::parse_str(text).ok().map(Self)
    }
}

impl std::fmt::Display for GrantId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(formatter)
    }
}

/// A PKCE code challenge (`S256`): the base64url SHA-256 of the verifier the client
/// keeps, so only the client that started the flow can finish it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge(String);

/// Why a code challenge was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeRefused {
    /// No `code_challenge`: PKCE is required of every client.
    #[error("code_challenge is required (PKCE, S256)")]
    Missing,
    /// A method other than `S256` (`plain` included).
    #[error("code_challenge_method must be S256")]
    Method,
    /// Not 43 base64url characters.
    #[error("code_challenge must be the base64url SHA-256 of the verifier (43 characters)")]
    Malformed,
}

impl CodeChallenge {
    /// Checks `challenge` and `method` as sent to the authorization endpoint.
    ///
    /// # Errors
    /// [`ChallengeRefused`].
    pub fn parse(challenge: Option<&str>, method: Option<&str>) -> Result<Self, ChallengeRefused> {
        let challenge = challenge.ok_or(ChallengeRefused::Missing)?;
        if method != Some("S256") {
            return Err(ChallengeRefused::Method);
        }
        let decoded = URL_SAFE_NO_PAD.decode(challenge).map_err(|_| ChallengeRefused::Malformed)?;
        if challenge.len() != 43 || decoded.len() != 32 {
            return Err(ChallengeRefused::Malformed);
        }
        Ok(Self(challenge.to_owned()))
    }

    /// A challenge as stored.
    #[must_use]
    pub fn from_stored(challenge: String) -> Self {
        Self(challenge)
    }

    /// The challenge's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `verifier` is the one this challenge was made from: 43 to 128 of
    /// `A-Z a-z 0-9 - . _ ~`, whose SHA-256 in base64url is the challenge.
    #[must_use]
    pub fn verifies(&self, verifier: &str) -> bool {
        let well_formed = (43..=128).contains(&verifier.len())
            && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        let derived = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        well_formed && bool::from(derived.as_bytes().ct_eq(self.0.as_bytes()))
    }
}

/// What a code grants once exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeGrant {
    /// The person who consented.
    pub account_id: AccountId,
    /// The client the code was issued to.
    pub client_id: ClientId,
    /// The redirect URI the code was sent to; the exchange must name the same.
    pub redirect_uri: String,
    /// The challenge the exchange's verifier must meet.
    pub challenge: CodeChallenge,
    /// What the person consented to.
    pub scopes: ScopeSet,
    /// The grant the person's consent is: the code is good only while it lasts, and
    /// the tokens it yields are issued under it.
    pub grant_id: GrantId,
    /// The person's token epoch when they consented: once they end every session (a
    /// password change, "sign out everywhere"), a code from before is refused too.
    pub token_epoch: i64,
}

/// A code about to be stored.
#[derive(Debug, Clone)]
pub struct NewAuthorizationCode {
    /// The digest of the code handed out (the code itself is never stored).
    pub digest: SecretDigest,
    /// What it grants.
    pub grant: CodeGrant,
    /// When it stops working.
    pub expires_at: Instant,
}

/// What presenting a code led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRedemption {
    /// It was valid and is now spent.
    Redeemed(CodeGrant),
    /// It had been used before: a stolen code is being replayed, so every refresh token
    /// of that person issued to that client is now revoked.
    Replayed,
    /// It is unknown or expired.
    Invalid,
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn only_s256_challenges_are_taken_and_they_check_their_verifier() {
        let challenge = CodeChallenge::parse(Some(CHALLENGE), Some("S256")).unwrap();
        assert!(challenge.verifies(VERIFIER));
        assert!(!challenge.verifies("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"));
        assert!(!challenge.verifies("short"));
        assert!(!challenge.verifies(&format!("{VERIFIER} ")));
        assert_eq!(CodeChallenge::parse(None, Some("S256")), Err(ChallengeRefused::Missing));
        assert_eq!(
            CodeChallenge::parse(Some(CHALLENGE), Some("plain")),
            Err(ChallengeRefused::Method)
        );
        assert_eq!(CodeChallenge::parse(Some(CHALLENGE), None), Err(ChallengeRefused::Method));
        assert_eq!(
            CodeChallenge::parse(Some("abc"), Some("S256")),
            Err(ChallengeRefused::Malformed)
        );
        assert_eq!(
            CodeChallenge::parse(Some(VERIFIER), Some("S256")),
            Ok(CodeChallenge(VERIFIER.to_owned())),
            "any 43-character base64url of 32 bytes"
        );
    }
}
