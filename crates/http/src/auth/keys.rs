//! Ed25519 signing keys: loaded from PKCS#8 PEM, named by their RFC 7638 thumbprint
//! (the `kid`), and published as a JWK set. The first key signs; every key verifies,
//! so a new key can be introduced while tokens signed by the old one run out.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};

/// The PKCS#8 prefix of an Ed25519 private key; the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// Why a key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No key was given.
    #[error("no signing key was configured")]
    NoKeys,
    /// More keys than the key set publishes.
    #[error(
        "at most {MAX_KEYS} signing keys may be configured (one signs, the rest are kept while rotating)"
    )]
    TooManyKeys,
    /// A PEM is not an Ed25519 private key in PKCS#8 form.
    #[error("key {index} is not an Ed25519 private key in PKCS#8 PEM form")]
    NotEd25519 {
        /// Its position in the list, from 1.
        index: usize,
    },
    /// The random source failed while generating a key.
    #[error("no randomness available: {0}")]
    NoRandomness(String),
}

/// One key, ready to sign or verify.
struct Key {
    der: Vec<u8>,
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
}

/// The most keys that may be configured, and so published in the key set: rotating
/// needs two or three.
pub const MAX_KEYS: usize = 16;

/// The configured keys: the first signs, all verify.
pub struct SigningKeys {
    keys: Vec<Key>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|key| key.kid.as_str()).collect();
        formatter.debug_struct("SigningKeys").field("kids", &kids).finish()
    }
}

impl SigningKeys {
    /// Loads PEM-encoded Ed25519 private keys, signing key first.
    ///
    /// # Errors
    /// [`KeyError`] when the list is empty or longer than [`MAX_KEYS`], or a key is
    /// not Ed25519 PKCS#8.
    pub fn from_pems(pems: &[String]) -> Result<Self, KeyError> {
        if pems.is_empty() {
            return Err(KeyError::NoKeys);
        }
        if pems.len() > MAX_KEYS {
            return Err(KeyError::TooManyKeys);
        }
        let keys = pems
            .iter()
            .enumerate()
            .map(|(position, pem)| load(pem).ok_or(KeyError::NotEd25519 { index: position + 1 }))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { keys })
    }

    /// The `kid` and key that sign new tokens.
    pub(crate) fn signing(&self) -> Option<(&str, &EncodingKey)> {
        self.keys.first().map(|key| (key.kid.as_str(), &key.encoding))
    }

    /// The verifying key named `kid`, if configured.
    pub(crate) fn verifying(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.iter().find(|key| key.kid == kid).map(|key| &key.decoding)
    }

    /// Secret material other server secrets are derived from: the signing key's own
    /// bytes (not its PEM text, whose line breaks may differ between replicas), so
    /// every replica configured with the same key derives the same secrets.
    pub(crate) fn secret_material(&self) -> Vec<u8> {
        self.keys.first().map(|key| key.der.clone()).unwrap_or_default()
    }

    /// The public keys, as published at `/.well-known/jwks.json`.
    #[must_use]
    pub fn jwks(&self) -> JwkSet {
        JwkSet { keys: self.keys.iter().map(|key| key.jwk.clone()).collect() }
    }
}

fn load(pem: &str) -> Option<Key> {
    let encoding = EncodingKey::from_ed_pem(pem.as_bytes()).ok()?;
    let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::EdDSA).ok()?;
    let AlgorithmParameters::OctetKeyPair(parameters) = &jwk.algorithm else {
        return None;
    };
    let x = parameters.x.clone();
    let decoding = DecodingKey::from_ed_components(&x).ok()?;
    let kid = thumbprint(&x);
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_algorithm = Some(KeyAlgorithm::EdDSA);
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .flat_map(str::chars)
        .filter(|character| !character.is_whitespace())
        .collect();
    let der = STANDARD.decode(body).ok()?;
    Some(Key { der, kid, encoding, decoding, jwk })
}

/// The RFC 7638 thumbprint of an Ed25519 public key: stable, so a key keeps its `kid`
/// across restarts and replicas without anyone choosing one.
fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// A new Ed25519 private key in PKCS#8 PEM form.
///
/// # Errors
/// [`KeyError::NoRandomness`] if the operating system's random source fails.
pub fn generate_ed25519_pem() -> Result<String, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| KeyError::NoRandomness(error.to_string()))?;
    let mut der = ED25519_PKCS8_PREFIX.to_vec();
    der.extend_from_slice(&seed);
    let body = STANDARD.encode(der);
    Ok(format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_load_and_have_stable_distinct_kids() {
        let first = generate_ed25519_pem().expect("randomness");
        let second = generate_ed25519_pem().expect("randomness");
        let keys = SigningKeys::from_pems(&[first.clone(), second]).expect("valid keys");
        let again = SigningKeys::from_pems(&[first]).expect("valid key");
        let jwks = keys.jwks();
        assert_eq!(jwks.keys.len(), 2);
        let kid = |set: &JwkSet, index: usize| set.keys[index].common.key_id.clone();
        assert_eq!(kid(&jwks, 0), kid(&again.jwks(), 0));
        assert_ne!(kid(&jwks, 0), kid(&jwks, 1));
        assert_eq!(keys.signing().map(|(kid, _)| kid.to_owned()), kid(&jwks, 0));
    }

    #[test]
    fn non_ed25519_keys_are_refused() {
        assert!(matches!(
            SigningKeys::from_pems(&["not a key".to_owned()]),
            Err(KeyError::NotEd25519 { index: 1 })
        ));
        assert!(matches!(SigningKeys::from_pems(&[]), Err(KeyError::NoKeys)));
    }
}
