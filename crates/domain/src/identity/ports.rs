//! The storage ports of identity: what the HTTP layer asks of storage, with the
//! errors each operation can end in. Storage adapters implement them; every method
//! that touches a person's data takes that person's [`AccountId`].

use std::time::Duration;

use async_trait::async_trait;

use super::account::{Account, AccountId, NewAccount, ProfileChanges, Role};
use super::authorization::{CodeRedemption, GrantId, NewAuthorizationCode};
use super::client::{ApiClient, ClientChanges, ClientId, NewApiClient};
use super::email::Email;
use super::password::{NewPassword, PasswordHash};
use super::scope::ScopeSet;
use super::secret::SecretDigest;
use crate::acting::Acting;
use crate::ports::StoreError;
use crate::time::Instant;

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    /// An account with this e-mail address exists.
    #[error("an account with this e-mail address exists")]
    EmailTaken,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why an account could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum UpdateAccountError {
    /// No such account.
    #[error("no such account")]
    NotFound,
    /// It changed since the version the caller saw (`If-Match`).
    #[error("the account has changed")]
    PreconditionFailed,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Accounts and their credentials.
#[async_trait]
pub trait AccountStore: Send + Sync + std::fmt::Debug {
    /// Creates an account.
    ///
    /// # Errors
    /// [`CreateAccountError::EmailTaken`] when the address is in use.
    async fn create(&self, account: NewAccount) -> Result<Account, CreateAccountError>;

    /// The account signing in with `email`, with its password hash.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn find_for_sign_in(
        &self,
        email: &Email,
    ) -> Result<Option<(Account, PasswordHash)>, StoreError>;

    /// The account `id`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn get(&self, id: AccountId) -> Result<Option<Account>, StoreError>;

    /// The password hash of account `id`.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn password_hash(&self, id: AccountId) -> Result<Option<PasswordHash>, StoreError>;

    /// Applies `changes` if the account is still at `expected_version` (when given).
    ///
    /// # Errors
    /// [`UpdateAccountError::NotFound`] or [`UpdateAccountError::PreconditionFailed`].
    async fn update_profile(
        &self,
        id: AccountId,
        changes: ProfileChanges,
        expected_version: Option<i64>,
    ) -> Result<Account, UpdateAccountError>;

    /// Replaces the password and, in the same transaction, ends every session of the
    /// account: its refresh tokens are revoked and its token epoch moves on.
    ///
    /// # Errors
    /// [`UpdateAccountError::NotFound`] when there is no such account.
    async fn change_password(
        &self,
        id: AccountId,
        hash: PasswordHash,
    ) -> Result<Account, UpdateAccountError>;

    /// Changes the role and ends every session of the account (as
    /// [`AccountStore::sign_out_everywhere`]), so the new role applies from the next
    /// sign-in.
    ///
    /// # Errors
    /// [`UpdateAccountError::NotFound`] or [`UpdateAccountError::PreconditionFailed`].
    async fn set_role(
        &self,
        acting: Acting,
        role: Role,
        expected_version: Option<i64>,
    ) -> Result<Account, UpdateAccountError>;

    /// Ends every session of the account in one transaction: every refresh token is
    /// revoked and the token epoch moves on, so access tokens issued before are
    /// refused. The account's version does not change.
    ///
    /// # Errors
    /// [`UpdateAccountError::NotFound`] when there is no such account.
    async fn sign_out_everywhere(&self, id: AccountId) -> Result<(), UpdateAccountError>;

    /// Makes the access token `token_id` of account `id` stop working before it
    /// expires at `expires_at`, or every access token of a sign-in when `token_id` is
    /// a [`SignInId`] (see [`crate::identity::RevokedAccessTokens`]); with
    /// too many revoked already, ends every session of the account instead. Nothing
    /// happens for an account that is gone.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn revoke_access_token(
        &self,
        id: AccountId,
        token_id: &str,
        expires_at: Instant,
    ) -> Result<(), StoreError>;

    /// Deletes the account and every row that belongs to it, at once and for good.
    /// Answers whether there was such an account.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; then nothing is deleted.
    async fn delete(&self, id: AccountId) -> Result<bool, StoreError>;
}

/// Names one sign-in: the family of refresh tokens that descend from it by rotation,
/// and the access tokens issued from them, which carry it as their `sid` claim. Ending
/// the sign-in (revoking one of its refresh tokens, or a spent one used again) ends
/// those access tokens too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignInId(pub uuid::Uuid);

impl SignInId {
    /// A new sign-in's id.
    #[must_use]
    pub fn generate() -> Self {
        Self(crate::id::new_id())
    }
}

impl std::fmt::Display for SignInId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(formatter)
    }
}

/// Who a refresh token was issued to, and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshGrant {
    /// The sign-in it descends from.
    pub sign_in: SignInId,
    /// The account.
    pub account_id: AccountId,
    /// The client that asked for it, if one authenticated.
    pub client_id: Option<ClientId>,
    /// The scopes granted.
    pub scopes: ScopeSet,
    /// The account's token epoch when the sign-in began: once the account's epoch
    /// has moved on, the grant is over.
    pub token_epoch: i64,
    /// The grant the person gave the client on the consent page, for a sign-in
    /// through the authorization code flow: the sign-in lasts only while it does.
    pub grant: Option<GrantId>,
}

/// A refresh token about to be stored.
#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    /// The digest of the token handed out.
    pub digest: SecretDigest,
    /// What it grants.
    pub grant: RefreshGrant,
    /// When it stops working.
    pub expires_at: Instant,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// It was valid: it is now spent, and its replacement is stored in its family.
    Rotated(RefreshGrant),
    /// It had been used or revoked before: the whole family is now revoked.
    Reused {
        /// The account whose family was revoked.
        account_id: AccountId,
        /// The sign-in that family descends from.
        sign_in: SignInId,
    },
    /// It is unknown or expired.
    Invalid,
}

/// What a revocation request led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// The token's family is revoked.
    Revoked,
    /// No such token; nothing to do (RFC 7009 answers 200 all the same).
    Unknown,
    /// The token was issued to another client (or to one, and none authenticated).
    OtherClient,
}

/// What revoking a refresh token led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRevocation {
    /// Its family is revoked.
    Revoked {
        /// Whose it was.
        account_id: AccountId,
        /// The sign-in the family descends from.
        sign_in: SignInId,
    },
    /// No such token.
    Unknown,
    /// The token was issued to another client (or to one, and none authenticated).
    OtherClient,
}

/// Opaque refresh tokens, stored as digests, rotated on every use.
#[async_trait]
pub trait RefreshTokenStore: Send + Sync + std::fmt::Debug {
    /// Stores the first token of a new family, the sign-in its grant names.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn issue(&self, token: NewRefreshToken) -> Result<(), StoreError>;

    /// Spends the token with digest `presented` and stores its replacement (digest
    /// `replacement`, valid until `expires_at`) in the same family with the same grant,
    /// atomically: of two concurrent uses, one rotates and the other is a reuse that
    /// revokes the family.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; then nothing changed.
    async fn rotate(
        &self,
        presented: &SecretDigest,
        replacement: &SecretDigest,
        expires_at: Instant,
        now: Instant,
    ) -> Result<Rotation, StoreError>;

    /// The grant of the token with digest `presented` if it can still be used (not
    /// spent, revoked or expired). Checking a request against it before rotating
    /// means a refused request leaves the token usable.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn find_usable(
        &self,
        presented: &SecretDigest,
        now: Instant,
    ) -> Result<Option<RefreshGrant>, StoreError>;

    /// Revokes the family of the token with digest `presented` (RFC 7009), if it was
    /// issued to `client` (`None`: to no client).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn revoke(
        &self,
        presented: &SecretDigest,
        client: Option<ClientId>,
    ) -> Result<RefreshRevocation, StoreError>;
}

/// Why an API client could not be found or changed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No such client.
    #[error("no such client")]
    NotFound,
    /// The client changed since the version the administrator saw.
    #[error("the client changed")]
    PreconditionFailed,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A page of API clients, oldest first.
#[derive(Debug, Clone)]
pub struct ClientPage {
    /// The clients on this page.
    pub clients: Vec<ApiClient>,
    /// Whether more follow the last one.
    pub has_more: bool,
}

/// Registered API clients.
#[async_trait]
pub trait ClientStore: Send + Sync + std::fmt::Debug {
    /// Registers a client.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn create(&self, client: NewApiClient) -> Result<ApiClient, StoreError>;

    /// The client `id` with its secret's digest (`None` for a public client).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn find(
        &self,
        id: ClientId,
    ) -> Result<Option<(ApiClient, Option<SecretDigest>)>, StoreError>;

    /// Changes the client `id`, if it is still at `expected_version` when one is given.
    ///
    /// # Errors
    /// [`ClientError::NotFound`], [`ClientError::PreconditionFailed`].
    async fn update(
        &self,
        id: ClientId,
        changes: ClientChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<ApiClient, ClientError>;

    /// Disables the client `id` and, in the same transaction, revokes every refresh
    /// token issued to it. Disabling a disabled client changes nothing.
    ///
    /// # Errors
    /// [`ClientError::NotFound`].
    async fn disable(&self, id: ClientId, now: Instant) -> Result<ApiClient, ClientError>;

    /// Up to `limit` clients registered after `after` (by id, oldest first).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn list(&self, after: Option<ClientId>, limit: u64) -> Result<ClientPage, StoreError>;

    /// Removes a client; its tokens stop working at their expiry.
    ///
    /// # Errors
    /// [`ClientError::NotFound`] when there is no such client.
    async fn delete(&self, id: ClientId) -> Result<(), ClientError>;
}

/// How many failed sign-ins an address may have before it must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures allowed within one window.
    pub max_failures: u32,
    /// How long the window lasts, and so the longest wait.
    pub window: Duration,
}

/// Sign-in attempts per e-mail address, counted in storage so the limit holds across
/// every server instance. Each attempt is counted *before* the password is checked,
/// so concurrent guesses cannot all slip in before the first failure is recorded; a
/// successful sign-in clears the count. Addresses are counted whether or not an
/// account exists, so the lockout reveals nothing about which addresses have accounts.
#[async_trait]
pub trait SignInThrottle: Send + Sync + std::fmt::Debug {
    /// Counts one attempt atomically. Answers how long `email` must wait when this
    /// attempt is beyond `policy.max_failures` in the current window (the attempt is
    /// then refused without checking the password), or `None` to go ahead.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn count_attempt(
        &self,
        email: &Email,
        policy: LockoutPolicy,
        now: Instant,
    ) -> Result<Option<Duration>, StoreError>;

    /// Forgets the attempts of `email` after a successful sign-in.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn clear(&self, email: &Email) -> Result<(), StoreError>;
}

/// Hashing and checking passwords. Both are slow on purpose (Argon2id), so the
/// adapter decides where they run (never on a thread that answers requests) and how
/// many run at once.
#[async_trait]
pub trait PasswordHasher: Send + Sync + std::fmt::Debug {
    /// `password`'s hash, with a fresh salt.
    ///
    /// # Errors
    /// [`StoreError::Unexpected`] when no hash could be made.
    async fn hash(&self, password: NewPassword) -> Result<PasswordHash, StoreError>;

    /// Whether `candidate` is the password `hash` was made from.
    ///
    /// # Errors
    /// [`StoreError::Unexpected`] when the check could not run.
    async fn verify(&self, hash: PasswordHash, candidate: String) -> Result<bool, StoreError>;
}

/// Authorization codes, stored as digests.
#[async_trait]
pub trait AuthorizationCodeStore: Send + Sync + std::fmt::Debug {
    /// Stores a new code.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn issue(&self, code: NewAuthorizationCode) -> Result<(), StoreError>;

    /// Spends the code whose digest is `digest` if it is still usable at `now`, in one
    /// step that racing exchanges cannot both win. A code presented again revokes, in
    /// the same transaction, every refresh token of its person issued to its client,
    /// and forgets the person's consent to that client, so its access tokens are
    /// refused from their next request too (the person is asked again).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn redeem(
        &self,
        digest: &SecretDigest,
        now: Instant,
    ) -> Result<CodeRedemption, StoreError>;
}

/// What each person has let each app do, so they are asked again only when an app asks
/// for more.
#[async_trait]
pub trait ConsentStore: Send + Sync + std::fmt::Debug {
    /// The grant `account` has given `client`, if any.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn consented(
        &self,
        account: AccountId,
        client: ClientId,
    ) -> Result<Option<Grant>, StoreError>;

    /// Remembers that `acting.owner` let `client` have `scopes` (replacing what was
    /// there), and answers the grant: the one already there, now with `scopes`, or a
    /// new one. The journal records `acting.actor` as having given it.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn remember(
        &self,
        acting: Acting,
        client: ClientId,
        scopes: &ScopeSet,
        now: Instant,
    ) -> Result<GrantId, StoreError>;

    /// Every app `account` has let in, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn consents_of(&self, account: AccountId) -> Result<Vec<Consent>, StoreError>;

    /// Forgets what `acting.owner` let `client` have and, in the same transaction,
    /// revokes every refresh token of theirs issued to `client`. `false` when there
    /// was nothing to forget.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn withdraw(
        &self,
        acting: Acting,
        client: ClientId,
        now: Instant,
    ) -> Result<bool, StoreError>;
}

/// What a person let an app have, from the moment they said yes until they take it
/// back. Letting the app in again after that is a new grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Which grant: every token issued under it names it.
    pub id: GrantId,
    /// What the person let the app have.
    pub scopes: ScopeSet,
}

/// An app a person has let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// The grant the tokens the app holds are issued under.
    pub grant_id: GrantId,
    /// The app.
    pub client_id: ClientId,
    /// What the person let it have.
    pub scopes: ScopeSet,
    /// When they last said yes.
    pub granted_at: Instant,
    /// When it last got tokens (signing in or refreshing), if ever.
    pub last_used_at: Option<Instant>,
}
