//! Access tokens: short-lived JWTs signed with the current Ed25519 key.
//!
//! Verification accepts only `EdDSA`, only keys we publish (by `kid`), and only tokens
//! whose `iss`, `aud`, `exp`, `nbf` and `iat` are right. Everything else (`alg: none`,
//! HMAC signed with the public key, an unknown `kid`, a tampered payload) is refused.

use std::time::Duration;

use jsonwebtoken::{Algorithm, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use waymark_domain::identity::authorization::GrantId;
use waymark_domain::identity::ports::SignInId;
use waymark_domain::identity::{Account, AccountId, ClientId, ScopeSet};

use super::keys::SigningKeys;

/// How much clock difference between servers is tolerated when checking `exp`/`nbf`.
const CLOCK_LEEWAY_SECONDS: u64 = 5;

/// What access tokens say about who issued them and for whom.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// The `iss` claim: this server's public base URL.
    pub issuer: String,
    /// The `aud` claim tokens are issued for and must carry.
    pub audience: String,
    /// How long an access token lives.
    pub access_token_lifetime: Duration,
    /// How long a refresh token lives.
    pub refresh_token_lifetime: Duration,
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Subject: an account id, or for `client_credentials` the client's id.
    pub sub: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Not before, Unix seconds.
    pub nbf: i64,
    /// Unique token id.
    pub jti: String,
    /// Space-separated scopes.
    pub scope: String,
    /// The API client the token was issued to, when one authenticated (RFC 9068).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The same client as the authorized party, for libraries that read OpenID
    /// Connect's name for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// The grant the person gave a third-party app on the consent page, which the token
    /// was issued under: it works only while that grant lasts (`GET /v1/me/grants`
    /// lists it as `grant_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
    /// The sign-in the token was issued from (OpenID Connect's session id): ending
    /// the sign-in (revoking its refresh token) ends the token too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The account's role when the token was issued (absent for API clients), so
    /// handlers can require a role as well as a scope without a database read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The account's token epoch when the token was issued (absent for API clients):
    /// once the account's epoch moves on (every session ended), the token is refused.
    /// Tokens from before epochs existed count as epoch 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_epoch: Option<i64>,
}

/// What a person's access token is issued under.
#[derive(Debug, Clone, Copy, Default)]
pub struct IssuedUnder {
    /// The API client it signed in through, if any.
    pub client: Option<ClientId>,
    /// The grant that client holds, if the person gave it one on the consent page.
    pub grant: Option<GrantId>,
    /// The sign-in it is issued from.
    pub sign_in: Option<SignInId>,
}

/// Who a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSubject {
    /// A person's account.
    Account(AccountId),
    /// An API client acting for itself.
    Client(ClientId),
}

/// Why a token was refused. Deliberately not more specific: clients learn only that
/// the token is not acceptable.
#[derive(Debug, thiserror::Error)]
#[error("the access token is not valid: {0}")]
pub struct InvalidToken(pub String);

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
#[error("an access token could not be signed: {0}")]
pub struct SigningFailed(String);

/// Issues and verifies access tokens.
#[derive(Debug)]
pub struct TokenIssuer {
    keys: SigningKeys,
    settings: TokenSettings,
    verified: VerifiedTokens,
}

/// Tokens already verified, so a client's repeated requests with one token pay for
/// the signature check once. Keyed by the whole token: any change is a miss. An entry
/// is used only until the token's `exp`; the cache is emptied when full.
#[derive(Debug, Default)]
struct VerifiedTokens {
    entries: std::sync::Mutex<std::collections::HashMap<String, AccessClaims>>,
}

/// The most verified tokens remembered at once.
const VERIFIED_CAPACITY: usize = 10_000;

impl VerifiedTokens {
    fn get(&self, token: &str, now: i64) -> Option<AccessClaims> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(token).filter(|claims| claims.exp > now).cloned()
    }

    fn put(&self, token: &str, claims: &AccessClaims) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= VERIFIED_CAPACITY {
            entries.clear();
        }
        entries.insert(token.to_owned(), claims.clone());
    }
}

impl TokenIssuer {
    /// An issuer signing with `keys`.
    #[must_use]
    pub fn new(keys: SigningKeys, settings: TokenSettings) -> Self {
        Self { keys, settings, verified: VerifiedTokens::default() }
    }

    /// The settings tokens are issued with.
    #[must_use]
    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    /// How long an access token issued now works.
    #[must_use]
    pub fn access_token_lifetime(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::from_std(self.settings.access_token_lifetime)
            .unwrap_or(chrono::TimeDelta::days(3650))
    }

    /// The public keys.
    #[must_use]
    pub fn keys(&self) -> &SigningKeys {
        &self.keys
    }

    /// Signs an access token for `account` with `scopes`, carrying its role and token
    /// epoch as they are now, and what it is issued under.
    ///
    /// # Errors
    /// [`SigningFailed`] if signing fails, which would be a bug.
    pub fn issue_for_account(
        &self,
        account: &Account,
        scopes: &ScopeSet,
        under: IssuedUnder,
    ) -> Result<String, SigningFailed> {
        self.sign(AccessClaims {
            client_id: under.client.map(|client| client.to_string()),
            azp: under.client.map(|client| client.to_string()),
            grant: under.grant.map(|grant| grant.to_string()),
            sid: under.sign_in.map(|sign_in| sign_in.to_string()),
            role: Some(account.role.as_str().to_owned()),
            token_epoch: Some(account.token_epoch),
            ..self.claims_for(account.id.to_string(), scopes)
        })
    }

    /// Signs an access token for API client `client` acting for itself.
    ///
    /// # Errors
    /// [`SigningFailed`] if signing fails, which would be a bug.
    pub fn issue_for_client(
        &self,
        client: ClientId,
        scopes: &ScopeSet,
    ) -> Result<String, SigningFailed> {
        self.sign(AccessClaims {
            client_id: Some(client.to_string()),
            azp: Some(client.to_string()),
            ..self.claims_for(client.to_string(), scopes)
        })
    }

    /// The claims every token has, for `sub` with `scopes`, valid from now.
    fn claims_for(&self, sub: String, scopes: &ScopeSet) -> AccessClaims {
        let now = waymark_domain::time::now().timestamp();
        let lifetime =
            i64::try_from(self.settings.access_token_lifetime.as_secs()).unwrap_or(i64::MAX);
        AccessClaims {
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            sub,
            exp: now.saturating_add(lifetime),
            iat: now,
            nbf: now,
            jti: waymark_domain::id::new_id().to_string(),
            scope: scopes.to_string(),
            client_id: None,
            azp: None,
            grant: None,
            sid: None,
            role: None,
            token_epoch: None,
        }
    }

    fn sign(&self, claims: AccessClaims) -> Result<String, SigningFailed> {
        let (kid, key) =
            self.keys.signing().ok_or_else(|| SigningFailed("no signing key".to_owned()))?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.to_owned());
        header.typ = Some("at+jwt".to_owned());
        encode(&header, &claims, key).map_err(|error| SigningFailed(error.to_string()))
    }

    /// Checks `token` and answers its claims.
    ///
    /// # Errors
    /// [`InvalidToken`] for anything but a current token we signed for our audience.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, InvalidToken> {
        let now = waymark_domain::time::now().timestamp();
        if let Some(claims) = self.verified.get(token, now) {
            return Ok(claims);
        }
        let claims = self.verify_signature_and_claims(token)?;
        self.verified.put(token, &claims);
        Ok(claims)
    }

    fn verify_signature_and_claims(&self, token: &str) -> Result<AccessClaims, InvalidToken> {
        let header = decode_header(token).map_err(|error| InvalidToken(error.to_string()))?;
        if header.alg != Algorithm::EdDSA {
            return Err(InvalidToken(format!("unexpected algorithm {:?}", header.alg)));
        }
        // Only access tokens (RFC 9068): a JWT of ours made for anything else is not one.
        if header.typ.as_deref() != Some("at+jwt") {
            return Err(InvalidToken("not an access token".to_owned()));
        }
        let kid = header.kid.ok_or_else(|| InvalidToken("no kid".to_owned()))?;
        let key =
            self.keys.verifying(&kid).ok_or_else(|| InvalidToken("unknown kid".to_owned()))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = CLOCK_LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[self.settings.issuer.as_str()]);
        validation.set_audience(&[self.settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        let claims = decode::<AccessClaims>(token, key, &validation)
            .map_err(|error| InvalidToken(error.to_string()))?
            .claims;
        let now = waymark_domain::time::now().timestamp();
        let leeway = i64::try_from(CLOCK_LEEWAY_SECONDS).unwrap_or(0);
        if claims.iat > now.saturating_add(leeway) {
            return Err(InvalidToken("issued in the future".to_owned()));
        }
        Ok(claims)
    }

    /// Who the verified `claims` are about: a client when the subject is the client
    /// itself, otherwise an account.
    ///
    /// # Errors
    /// [`InvalidToken`] when the subject is not an id.
    pub fn subject_of(claims: &AccessClaims) -> Result<TokenSubject, InvalidToken> {
        let id = uuid::Uuid::parse_str(&claims.sub)
            .map_err(|_| InvalidToken("subject is not an id".to_owned()))?;
        if claims.client_id.as_deref() == Some(claims.sub.as_str()) {
            Ok(TokenSubject::Client(ClientId(id)))
        } else {
            Ok(TokenSubject::Account(AccountId(id)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::generate_ed25519_pem;
    use waymark_domain::identity::{DisplayName, Email, Locale, Role, Scope, TimeZoneName};

    fn issuer(pems: &[String]) -> TokenIssuer {
        TokenIssuer::new(
            SigningKeys::from_pems(pems).expect("keys"),
            TokenSettings {
                issuer: "http://waymark.test".to_owned(),
                audience: "waymark".to_owned(),
                access_token_lifetime: Duration::from_secs(900),
                refresh_token_lifetime: Duration::from_secs(86_400),
            },
        )
    }

    fn account(token_epoch: i64) -> Account {
        Account {
            id: AccountId(uuid::Uuid::now_v7()),
            email: Email::parse("sam@example.org").expect("address"),
            display_name: DisplayName::parse("Sam").expect("name"),
            time_zone: TimeZoneName::parse("Europe/London").expect("zone"),
            locale: Locale::parse("en-GB").expect("locale"),
            role: Role::Editor,
            created_at: waymark_domain::time::now(),
            updated_at: waymark_domain::time::now(),
            version: 1,
            token_epoch,
            revoked_access_tokens: waymark_domain::identity::RevokedAccessTokens::default(),
        }
    }

    #[test]
    fn issued_tokens_verify_and_carry_their_claims() {
        let tokens = issuer(&[generate_ed25519_pem().expect("key")]);
        let account = account(3);
        let token = tokens
            .issue_for_account(
                &account,
                &ScopeSet::of([Scope::Profile, Scope::GoalsRead]),
                IssuedUnder::default(),
            )
            .expect("signs");
        let claims = tokens.verify(&token).expect("verifies");
        assert_eq!(claims.sub, account.id.to_string());
        assert_eq!(claims.scope, "goals:read profile");
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.role.as_deref(), Some("editor"));
        assert_eq!(claims.token_epoch, Some(3));
        assert_eq!(claims.client_id, None);
        assert_eq!(TokenIssuer::subject_of(&claims).ok(), Some(TokenSubject::Account(account.id)));
    }

    #[test]
    fn a_clients_own_token_names_the_client_and_no_person() {
        let tokens = issuer(&[generate_ed25519_pem().expect("key")]);
        let client = ClientId(uuid::Uuid::now_v7());
        let token =
            tokens.issue_for_client(client, &ScopeSet::of([Scope::GoalsRead])).expect("signs");
        let claims = tokens.verify(&token).expect("verifies");
        assert_eq!(claims.role, None);
        assert_eq!(claims.token_epoch, None);
        assert_eq!(TokenIssuer::subject_of(&claims).ok(), Some(TokenSubject::Client(client)));
    }

    #[test]
    fn tokens_from_a_retired_key_still_verify_while_it_is_configured() {
        let old = generate_ed25519_pem().expect("key");
        let new = generate_ed25519_pem().expect("key");
        let before = issuer(std::slice::from_ref(&old));
        let token = before
            .issue_for_account(&account(0), &ScopeSet::default(), IssuedUnder::default())
            .expect("signs");
        assert!(issuer(&[new.clone(), old]).verify(&token).is_ok());
        assert!(issuer(&[new]).verify(&token).is_err());
    }
}
