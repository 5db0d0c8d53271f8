//! The token endpoint's grants (RFC 6749 section 4) and revocation (RFC 7009): who
//! is given which scopes. A grant never gives more than the account's role allows,
//! nor, through an API client, more than that client may hold; only a first-party
//! client may use the password grant, and only a confidential one client
//! credentials. Rotating a refresh token (it works once, and a spent one presented
//! again ends its sign-in) is the refresh-token store's work. Signing the access token
//! and wording a refusal in OAuth's terms is the caller's.

use std::time::Duration;

use chrono::TimeDelta;
use waymark_domain::identity::authorization::{CodeRedemption, GrantId};
use waymark_domain::identity::ports::LockoutPolicy;
use waymark_domain::identity::ports::{
    NewRefreshToken, PasswordHasher, RefreshGrant, RefreshRevocation, Revocation, Rotation,
    SignInId,
};
use waymark_domain::identity::secret::{OpaqueSecret, SecretDigest};
use waymark_domain::identity::{
    Account, AccountId, ApiClient, ClientId, ClientKind, Email, PasswordHash, ScopeSet,
};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::time::Instant;

/// Prefix of refresh tokens, so a leaked one is recognisable.
pub const REFRESH_TOKEN_PREFIX: &str = "wmr_";

/// Why a grant was refused, in the words of RFC 6749 section 5.2.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// The credentials or the refresh token are not right (`invalid_grant`).
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    /// More was asked for than may be granted (`invalid_scope`).
    #[error("invalid_scope")]
    ScopeTooWide {
        /// What may be asked for.
        allowed: ScopeSet,
    },
    /// The grant needs an authenticated client (`invalid_client`).
    #[error("invalid_client: {0}")]
    ClientRequired(&'static str),
    /// This client may not use this grant (`unauthorized_client`): the password grant
    /// is for first-party clients only.
    #[error("unauthorized_client: {0}")]
    UnauthorizedClient(&'static str),
    /// The grant is switched off on this server (`unsupported_grant_type`).
    #[error("unsupported_grant_type: {0}")]
    GrantSwitchedOff(&'static str),
    /// Too many wrong passwords for this address lately; try again after the wait.
    #[error("too many attempts")]
    TooManyAttempts {
        /// How long to wait.
        wait: Duration,
    },
    /// A spent refresh token came back: every token of its sign-in is now revoked
    /// (`invalid_grant`, and worth a security log line).
    #[error("a spent refresh token was presented again")]
    SpentTokenReused {
        /// Whose sign-in ended.
        account: AccountId,
    },
    /// Storage, or the password work, failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a grant gives: access for `scopes` to a person's account, with a refresh
/// token for the next access token, or to an API client itself.
#[derive(Debug)]
pub enum Granted {
    /// Access to a person's data.
    Person {
        /// Whose (boxed: an account is far larger than a client's grant).
        account: Box<Account>,
        /// The API client that asked, if one did.
        client: Option<ClientId>,
        /// What is granted.
        scopes: ScopeSet,
        /// The grant the person gave the app on the consent page, which the access
        /// token names; `None` for the person's own sign-in and first-party apps.
        grant: Option<GrantId>,
        /// The sign-in the refresh token descends from, which the access token names.
        sign_in: SignInId,
        /// The refresh token to hand out, this once.
        refresh_token: OpaqueSecret,
    },
    /// A client's access for itself, which reaches no person's data.
    Client {
        /// The client.
        client: ClientId,
        /// What is granted.
        scopes: ScopeSet,
    },
}

/// How long what a grant issues lasts, and what it is checked against.
#[derive(Debug, Clone, Copy)]
pub struct GrantPolicy {
    /// How long a refresh token works.
    pub refresh_token_lifetime: TimeDelta,
    /// How long an access token works: a sign-in that ends early is remembered as
    /// ended for that long, so its access tokens are refused until they expire.
    pub access_token_lifetime: TimeDelta,
    /// How many wrong passwords an address may send before it must wait.
    pub lockout: LockoutPolicy,
    /// The moment of the grant.
    pub now: Instant,
    /// Whether the password grant is on (for first-party clients and Waymark's own
    /// pages); a setting can switch it off.
    pub password_grant: bool,
}

/// The scopes to grant: what was asked for, which must be within `allowed`, or all of
/// `allowed` when nothing was asked for.
fn narrow(requested: Option<ScopeSet>, allowed: ScopeSet) -> Result<ScopeSet, GrantError> {
    match requested {
        None => Ok(allowed),
        Some(requested) if requested.is_subset(&allowed) && !requested.is_empty() => Ok(requested),
        Some(_) => Err(GrantError::ScopeTooWide { allowed }),
    }
}

/// The password grant: the person's e-mail address and password, checked under the
/// sign-in lockout, then a new sign-in with its first refresh token. Only a
/// first-party client, or none (Waymark's own pages), may use it: an app of anyone
/// else's must never see the person's password (OAuth 2.1, RFC 9700).
///
/// # Errors
/// [`GrantError::GrantSwitchedOff`], [`GrantError::UnauthorizedClient`],
/// [`GrantError::TooManyAttempts`]; [`GrantError::InvalidGrant`] for a wrong password
/// and an unknown address alike, which take as long; [`GrantError::ScopeTooWide`].
pub async fn password(
    ports: &StoragePorts,
    passwords: &dyn PasswordHasher,
    policy: GrantPolicy,
    client: Option<&ApiClient>,
    (username, password): (&str, String),
    requested: Option<ScopeSet>,
) -> Result<Granted, GrantError> {
    const WRONG: GrantError =
        GrantError::InvalidGrant("The e-mail address or password is not right.");
    if !policy.password_grant {
        return Err(GrantError::GrantSwitchedOff(
            "The password grant is switched off on this server.",
        ));
    }
    if client.is_some_and(|client| !client.first_party) {
        return Err(GrantError::UnauthorizedClient(
            "Only first-party clients may use the password grant; use the authorization code flow.",
        ));
    }
    let account = sign_in(ports, passwords, policy.lockout, policy.now, username, password)
        .await?
        .ok_or(WRONG)?;
    // Through an API client, never more than that client may hold.
    let allowed = match client {
        Some(client) => account.role.allowed_scopes().intersection(&client.scopes),
        None => account.role.allowed_scopes(),
    };
    let scopes = narrow(requested, allowed)?;
    let grant = RefreshGrant {
        sign_in: SignInId::generate(),
        account_id: account.id,
        client_id: client.map(|client| client.id),
        scopes,
        token_epoch: account.token_epoch,
        grant: None,
    };
    let refresh_token = new_refresh_token()?;
    let expires_at = policy.now + policy.refresh_token_lifetime;
    let stored =
        NewRefreshToken { digest: refresh_token.digest(), grant: grant.clone(), expires_at };
    ports.refresh_tokens.issue(stored).await?;
    Ok(Granted::Person {
        account: Box::new(account),
        client: grant.client_id,
        scopes: grant.scopes,
        grant: None,
        sign_in: grant.sign_in,
        refresh_token,
    })
}

/// The account `username` and `password` sign in to, or `None` when they do not (a
/// wrong password and an unknown address alike, which take as long). Attempts count
/// per address before the password is checked, so concurrent guesses are limited too.
///
/// # Errors
/// [`GrantError::TooManyAttempts`], or a store error.
pub async fn sign_in(
    ports: &StoragePorts,
    passwords: &dyn PasswordHasher,
    lockout: LockoutPolicy,
    now: Instant,
    username: &str,
    password: String,
) -> Result<Option<Account>, GrantError> {
    let Ok(email) = Email::parse(username) else {
        return Ok(None);
    };
    if let Some(wait) = ports.sign_in_throttle.count_attempt(&email, lockout, now).await? {
        return Err(GrantError::TooManyAttempts { wait });
    }
    // Checked against a decoy when no account matches, so both cases take as long.
    let (account, hash) = match ports.accounts.find_for_sign_in(&email).await? {
        Some((account, hash)) => (Some(account), hash),
        None => (None, PasswordHash::decoy().clone()),
    };
    let verified = passwords.verify(hash, password).await?;
    let Some(account) = account.filter(|_| verified) else {
        return Ok(None);
    };
    ports.sign_in_throttle.clear(&email).await?;
    Ok(Some(account))
}

/// The authorization code grant: spends the code, then checks that the client, the
/// redirect URI and the PKCE verifier are those it was issued for (a failed exchange
/// spends the code all the same), and starts a sign-in bound to the client with what
/// the person consented to, within what their role and the client allow now.
///
/// # Errors
/// [`GrantError::ClientRequired`]; [`GrantError::InvalidGrant`] for an unknown,
/// expired, replayed or mismatched code.
pub async fn authorization_code(
    ports: &StoragePorts,
    policy: GrantPolicy,
    client: Option<&ApiClient>,
    (code, redirect_uri, verifier): (&str, Option<&str>, Option<&str>),
) -> Result<Granted, GrantError> {
    const NOT_VALID_CODE: GrantError = GrantError::InvalidGrant(
        "The authorization code is not valid, has expired, or does not match this request.",
    );
    let client = client.ok_or(GrantError::ClientRequired(
        "Name the client (client_id), with its secret if it is confidential.",
    ))?;
    let grant = match ports.authorization_codes.redeem(&SecretDigest::of(code), policy.now).await? {
        CodeRedemption::Redeemed(grant) => grant,
        CodeRedemption::Replayed => {
            return Err(GrantError::InvalidGrant(
                "This authorization code was used before; the tokens issued from it are revoked.",
            ));
        }
        CodeRedemption::Invalid => return Err(NOT_VALID_CODE),
    };
    let verified = verifier.is_some_and(|verifier| grant.challenge.verifies(verifier));
    if grant.client_id != client.id
        || redirect_uri != Some(grant.redirect_uri.as_str())
        || !verified
    {
        return Err(NOT_VALID_CODE);
    }
    let account = ports.accounts.get(grant.account_id).await?.ok_or(NOT_VALID_CODE)?;
    if account.token_epoch != grant.token_epoch {
        // The person ended every session since consenting.
        return Err(NOT_VALID_CODE);
    }
    // The person may have taken the grant back since the code was issued (and even
    // let the app in again: that is another grant).
    let current = ports.consents.consented(account.id, client.id).await?;
    if !current.is_some_and(|current| {
        current.id == grant.grant_id && grant.scopes.is_subset(&current.scopes)
    }) {
        return Err(NOT_VALID_CODE);
    }
    let scopes =
        grant.scopes.intersection(&account.role.allowed_scopes()).intersection(&client.scopes);
    let refresh = RefreshGrant {
        sign_in: SignInId::generate(),
        account_id: account.id,
        client_id: Some(client.id),
        scopes: scopes.clone(),
        token_epoch: account.token_epoch,
        grant: Some(grant.grant_id),
    };
    let refresh_token = new_refresh_token()?;
    let expires_at = policy.now + policy.refresh_token_lifetime;
    ports
        .refresh_tokens
        .issue(NewRefreshToken {
            digest: refresh_token.digest(),
            grant: refresh.clone(),
            expires_at,
        })
        .await?;
    Ok(Granted::Person {
        account: Box::new(account),
        client: Some(client.id),
        scopes,
        grant: refresh.grant,
        sign_in: refresh.sign_in,
        refresh_token,
    })
}

/// The refresh grant: spends `presented` and hands out its replacement. A request the
/// token does not allow (another client, wider scopes) is refused before the token is
/// spent, so it stays usable (RFC 6749 section 5.2).
///
/// # Errors
/// [`GrantError::InvalidGrant`] for an unknown, expired or other client's token;
/// [`GrantError::SpentTokenReused`]; [`GrantError::ScopeTooWide`].
pub async fn refresh(
    ports: &StoragePorts,
    policy: GrantPolicy,
    client: Option<&ApiClient>,
    presented: &str,
    requested: Option<ScopeSet>,
) -> Result<Granted, GrantError> {
    let digest = SecretDigest::of(presented);
    if let Some(grant) = ports.refresh_tokens.find_usable(&digest, policy.now).await? {
        refreshed(ports, &grant, client, requested.clone()).await?;
    }
    let replacement = new_refresh_token()?;
    let expires_at = policy.now + policy.refresh_token_lifetime;
    let rotation =
        ports.refresh_tokens.rotate(&digest, &replacement.digest(), expires_at, policy.now).await?;
    let grant = match rotation {
        Rotation::Rotated(grant) => grant,
        Rotation::Reused { account_id, sign_in } => {
            // Whoever holds the sign-in's access tokens (the thief, perhaps) is
            // stopped too (RFC 9700 section 4.14.2).
            let until = policy.now + policy.access_token_lifetime;
            ports.accounts.revoke_access_token(account_id, &sign_in.to_string(), until).await?;
            return Err(GrantError::SpentTokenReused { account: account_id });
        }
        Rotation::Invalid => return Err(NOT_VALID),
    };
    let (account, scopes) = refreshed(ports, &grant, client, requested).await?;
    Ok(Granted::Person {
        account: Box::new(account),
        client: grant.client_id,
        scopes,
        grant: grant.grant,
        sign_in: grant.sign_in,
        refresh_token: replacement,
    })
}

const NOT_VALID: GrantError =
    GrantError::InvalidGrant("The refresh token is not valid. Please sign in again.");

/// The account and scopes a refresh of `grant` yields: the client must be the one the
/// token was issued to, the account must still exist, a third-party app's sign-in
/// must be under the person's current grant to it, and the scopes are what the
/// sign-in, the account's current role, the client and that grant all allow now
/// (narrowed to `requested`).
async fn refreshed(
    ports: &StoragePorts,
    grant: &RefreshGrant,
    client: Option<&ApiClient>,
    requested: Option<ScopeSet>,
) -> Result<(Account, ScopeSet), GrantError> {
    if client.map(|client| client.id) != grant.client_id {
        return Err(GrantError::InvalidGrant(
            "This refresh token belongs to another client, or its client must authenticate.",
        ));
    }
    let account = ports.accounts.get(grant.account_id).await?.ok_or(NOT_VALID)?;
    // A role, or the client's scopes, may have shrunk since the sign-in; never grant
    // more than they allow now.
    let mut still_allowed = grant.scopes.intersection(&account.role.allowed_scopes());
    if let Some(client) = client {
        still_allowed = still_allowed.intersection(&client.scopes);
        // A sign-in under a grant refreshes only while the grant lasts (first-party
        // apps' password sign-ins have none).
        if grant.grant.is_some() || !client.first_party {
            let current = ports.consents.consented(account.id, client.id).await?;
            let current = current.filter(|current| Some(current.id) == grant.grant);
            still_allowed = still_allowed.intersection(&current.ok_or(NOT_VALID)?.scopes);
        }
    }
    Ok((account, narrow(requested, still_allowed)?))
}

/// The client credentials grant: an API client's access for itself, within its scopes.
///
/// # Errors
/// [`GrantError::ClientRequired`] when no client authenticated;
/// [`GrantError::ScopeTooWide`].
pub fn client_credentials(
    client: Option<&ApiClient>,
    requested: Option<ScopeSet>,
) -> Result<Granted, GrantError> {
    let client = client.ok_or(GrantError::ClientRequired(
        "client_credentials needs the client's id and secret.",
    ))?;
    if client.kind != ClientKind::Confidential {
        return Err(GrantError::UnauthorizedClient(
            "client_credentials is for confidential clients, which keep a secret.",
        ));
    }
    let scopes = narrow(requested, client.scopes.clone())?;
    Ok(Granted::Client { client: client.id, scopes })
}

/// Ends the sign-in `token` (a refresh token) belongs to, if `client` may (a client
/// may revoke only its own tokens, RFC 7009 section 2.1): its refresh tokens are
/// revoked, and the access tokens issued from them are refused from their next
/// request: the sign-in is remembered as ended for `access_token_lifetime` from
/// `now`, by when every access token issued from it has expired anyway.
///
/// # Errors
/// [`StoreError`] when storage fails; asking again finishes what was begun.
pub async fn revoke(
    ports: &StoragePorts,
    token: &str,
    client: Option<ClientId>,
    (now, access_token_lifetime): (Instant, TimeDelta),
) -> Result<Revocation, StoreError> {
    let access_tokens_expire_by = now + access_token_lifetime;
    Ok(match ports.refresh_tokens.revoke(&SecretDigest::of(token), client).await? {
        RefreshRevocation::Revoked { account_id, sign_in } => {
            let sign_in = sign_in.to_string();
            ports
                .accounts
                .revoke_access_token(account_id, &sign_in, access_tokens_expire_by)
                .await?;
            Revocation::Revoked
        }
        RefreshRevocation::Unknown => Revocation::Unknown,
        RefreshRevocation::OtherClient => Revocation::OtherClient,
    })
}

/// What the refresh token `token` grants, if it still works.
///
/// # Errors
/// [`StoreError`].
pub async fn introspect_refresh_token(
    ports: &StoragePorts,
    token: &str,
) -> Result<Option<RefreshGrant>, StoreError> {
    ports.refresh_tokens.find_usable(&SecretDigest::of(token), waymark_domain::time::now()).await
}

/// The enabled confidential client that `id` and `secret` belong to, or `None` when
/// they match none (an unknown id, a wrong secret and a disabled client are not told
/// apart).
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn authenticate_client(
    ports: &StoragePorts,
    id: &str,
    secret: &str,
) -> Result<Option<ApiClient>, StoreError> {
    let Some(id) = ClientId::parse(id) else {
        return Ok(None);
    };
    let found = ports.clients.find(id).await?;
    Ok(found.and_then(|(client, digest)| {
        let matches = digest.is_some_and(|digest| digest.matches(&SecretDigest::of(secret)));
        (matches && client.is_enabled()).then_some(client)
    }))
}

/// The enabled public client `id` names, for a request that names its client without
/// a secret; `None` for an unknown, confidential or disabled client.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn identify_public_client(
    ports: &StoragePorts,
    id: &str,
) -> Result<Option<ApiClient>, StoreError> {
    let Some(id) = ClientId::parse(id) else {
        return Ok(None);
    };
    let found = ports.clients.find(id).await?;
    Ok(found
        .map(|(client, _)| client)
        .filter(|client| client.kind == ClientKind::Public && client.is_enabled()))
}

/// What a token `client` got for itself may do now: the scopes the client may hold
/// now, while it exists and is enabled; `None` once it is not.
///
/// # Errors
/// [`StoreError`] when the client cannot be read.
pub async fn live_client_scopes(
    ports: &StoragePorts,
    client: ClientId,
) -> Result<Option<ScopeSet>, StoreError> {
    let found = ports.clients.find(client).await?.map(|(client, _)| client);
    Ok(found.filter(ApiClient::is_enabled).map(|client| client.scopes))
}

/// A person's access token as its signature vouches, for the session check.
#[derive(Debug, Clone, Copy)]
pub struct PersonToken<'a> {
    /// Whose it is.
    pub account: AccountId,
    /// The account's token epoch when it was issued.
    pub token_epoch: i64,
    /// Its id (`jti`).
    pub token_id: &'a str,
    /// The sign-in it was issued from (`sid`), if it names one.
    pub sign_in: Option<&'a str>,
}

/// Whether a person's access token still speaks for them: the account exists, has not
/// moved its epoch on since the token was issued (a password or role change, signing
/// out everywhere), and has had neither this token nor its sign-in revoked.
///
/// # Errors
/// [`StoreError`] when the account cannot be read.
pub async fn is_session_live(
    ports: &StoragePorts,
    token: PersonToken<'_>,
) -> Result<bool, StoreError> {
    Ok(ports.accounts.get(token.account).await?.is_some_and(|current| {
        let revoked = &current.revoked_access_tokens;
        current.token_epoch == token.token_epoch
            && !revoked.contains(token.token_id)
            && !token.sign_in.is_some_and(|sign_in| revoked.contains(sign_in))
    }))
}

/// A person's access token presented for revocation, as its signature vouches.
#[derive(Debug, Clone, Copy)]
pub struct AccessTokenRevocation<'a> {
    /// Whose it is.
    pub account: AccountId,
    /// Its id (`jti`).
    pub token_id: &'a str,
    /// When it expires anyway.
    pub expires_at: Instant,
    /// The client it was issued to, if any.
    pub issued_to: Option<ClientId>,
}

/// Makes a person's access token stop working from its next request, on every
/// replica, if `client` may: a token issued to a client only by that client (RFC 7009
/// section 2.1), one issued to no client by whoever holds it.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn revoke_access_token(
    ports: &StoragePorts,
    token: AccessTokenRevocation<'_>,
    client: Option<ClientId>,
) -> Result<Revocation, StoreError> {
    if token.issued_to.is_some() && token.issued_to != client {
        return Ok(Revocation::OtherClient);
    }
    ports.accounts.revoke_access_token(token.account, token.token_id, token.expires_at).await?;
    Ok(Revocation::Revoked)
}

fn new_refresh_token() -> Result<OpaqueSecret, StoreError> {
    OpaqueSecret::generate(REFRESH_TOKEN_PREFIX)
        .map_err(|error| StoreError::Unexpected(error.into()))
}
