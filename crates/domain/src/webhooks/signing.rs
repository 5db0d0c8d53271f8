//! Signing as the Standard Webhooks specification says: the signed content is
//! `{webhook-id}.{webhook-timestamp}.{body}`, signed with HMAC-SHA256 under the
//! secret's bytes, sent as `v1,{base64 signature}`; several signatures are separated
//! by spaces (during a rotation, one per secret).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::identity::secret::NoRandomness;

/// What every secret starts with, as the specification's libraries expect.
pub const SECRET_PREFIX: &str = "whsec_";

/// How many random bytes a secret has (the specification asks for 24 to 64).
const SECRET_BYTES: usize = 32;

/// A subscription's signing secret. Shown to its client once, when it is made.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

impl SigningSecret {
    /// A new secret from the operating system's random source.
    ///
    /// # Errors
    /// [`NoRandomness`] if that source fails.
    pub fn generate() -> Result<Self, NoRandomness> {
        let mut bytes = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|error| NoRandomness(error.to_string()))?;
        Ok(Self(bytes))
    }

    /// The secret as written: `whsec_` and its bytes in base64.
    #[must_use]
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// The secret [`Self::expose`] wrote, if `text` is one.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = STANDARD.decode(text.strip_prefix(SECRET_PREFIX)?).ok()?;
        (bytes.len() >= 24).then_some(Self(bytes))
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("SigningSecret(..)")
    }
}

/// The `webhook-signature` header for `body` sent as `message_id` at `timestamp`
/// (seconds since the epoch): one `v1,` signature per secret, separated by spaces.
#[must_use]
pub fn signature(
    secrets: &[SigningSecret],
    message_id: &str,
    timestamp: i64,
    body: &str,
) -> String {
    let signed = format!("{message_id}.{timestamp}.{body}");
    secrets
        .iter()
        .map(|secret| {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&secret.0)
                .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
            mac.update(signed.as_bytes());
            format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the specification's reference libraries.
    #[test]
    fn signs_as_the_reference_libraries_do() {
        let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signed = signature(
            &[secret],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_secret_reads_back_and_never_prints() {
        let secret = SigningSecret::generate().unwrap();
        assert_eq!(SigningSecret::parse(&secret.expose()), Some(secret.clone()));
        assert!(secret.expose().starts_with("whsec_"));
        assert_eq!(format!("{secret:?}"), "SigningSecret(..)");
        assert_eq!(SigningSecret::parse("whsec_c2hvcnQ="), None);
    }
}
