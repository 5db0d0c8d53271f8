//! Refresh tokens in the `refresh_tokens` table. Rotation marks the presented token
//! spent with a conditional update before anything else, so it takes the write lock
//! first (no SQLite upgrade deadlock) and exactly one of two concurrent uses wins;
//! then it finds the facts the domain's rotation rules ask for
//! (`identity::rotation::decide`) and carries out their decision in the same
//! transaction.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, IntoCondition};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, Statement,
};
use uuid::Uuid;
use waymark_domain::identity::authorization::GrantId;
use waymark_domain::identity::ports::{
    NewRefreshToken, RefreshGrant, RefreshRevocation, RefreshTokenStore, Rotation, SignInId,
};
use waymark_domain::identity::rotation::{PresentedToken, RotationDecision, decide, may_revoke};
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::identity::{AccountId, ClientId, ScopeSet};
use waymark_domain::ports::StoreError;
use waymark_domain::time::{self, Instant};

use crate::entities::{accounts, refresh_tokens};
use crate::error::{retrying_conflicts, store_error};
use crate::writes::{WriteTransaction, Writes};

/// [`RefreshTokenStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlRefreshTokenStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
}

fn grant_of(row: &refresh_tokens::Model) -> Result<RefreshGrant, StoreError> {
    Ok(RefreshGrant {
        sign_in: SignInId(row.family_id),
        account_id: AccountId(row.account_id),
        client_id: row.client_id.map(ClientId),
        scopes: ScopeSet::parse(&row.scopes).map_err(|error| {
            StoreError::Unexpected(anyhow::anyhow!("refresh token {}: {error}", row.id))
        })?,
        token_epoch: row.token_epoch,
        grant: row.grant_id.map(GrantId),
    })
}

fn new_row(token: &NewRefreshToken, grant: &RefreshGrant) -> refresh_tokens::ActiveModel {
    refresh_tokens::ActiveModel {
        id: Set(waymark_domain::id::new_id()),
        family_id: Set(grant.sign_in.0),
        account_id: Set(grant.account_id.0),
        client_id: Set(grant.client_id.map(|client| client.0)),
        digest: Set(token.digest.as_str().to_owned()),
        scopes: Set(grant.scopes.to_string()),
        created_at: Set(time::now()),
        expires_at: Set(token.expires_at),
        spent_at: Set(None),
        revoked_at: Set(None),
        token_epoch: Set(grant.token_epoch),
        grant_id: Set(grant.grant.map(|grant| grant.0)),
    }
}

/// On PostgreSQL, locks the account that owns the token with digest `presented`.
///
/// At READ COMMITTED a revoking `UPDATE ... WHERE family_id = ...` cannot see a
/// replacement token that a concurrent rotation has inserted but not yet committed,
/// so that replacement would survive a sign-out, a password change or reuse
/// detection. Rotations and revocations of one account's tokens therefore take this
/// lock first and run one at a time; a password change takes it by updating the
/// account row. SQLite needs no lock: it runs one writing transaction at a time, and
/// these transactions write first.
async fn lock_owner(
    transaction: &WriteTransaction,
    presented: &SecretDigest,
) -> Result<(), StoreError> {
    if transaction.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT a.id FROM accounts a JOIN refresh_tokens t ON t.account_id = a.id WHERE t.digest = $1 FOR UPDATE OF a",
        [presented.as_str().into()],
    );
    transaction.query_one_raw(statement).await.map(|_| ()).map_err(store_error)
}

async fn revoke_family(
    transaction: &WriteTransaction,
    family_id: Uuid,
    now: Instant,
) -> Result<(), StoreError> {
    revoke_matching(transaction, refresh_tokens::Column::FamilyId.eq(family_id), now).await
}

/// Revokes, at `now`, every refresh token that `which` matches and is not revoked yet
/// (a family, an account's, a client's, a person's at one client).
pub(crate) async fn revoke_matching(
    connection: &impl ConnectionTrait,
    which: impl IntoCondition,
    now: Instant,
) -> Result<(), StoreError> {
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(which)
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(connection)
        .await
        .map(|_| ())
        .map_err(store_error)
}

/// Whether the account of `token` still exists at the token's epoch. The owner is
/// locked already on PostgreSQL ([`lock_owner`]), so the epoch cannot move meanwhile.
async fn sessions_live_at(
    transaction: &WriteTransaction,
    token: &refresh_tokens::Model,
) -> Result<bool, StoreError> {
    let account = accounts::Entity::find_by_id(token.account_id)
        .one(transaction)
        .await
        .map_err(store_error)?;
    Ok(account.is_some_and(|account| account.token_epoch == token.token_epoch))
}

impl SqlRefreshTokenStore {
    /// One attempt at rotation, in one transaction.
    async fn rotate_once(
        &self,
        presented: &SecretDigest,
        replacement: &SecretDigest,
        expires_at: Instant,
        now: Instant,
    ) -> Result<Rotation, StoreError> {
        let transaction = self.writes.begin().await?;
        lock_owner(&transaction, presented).await?;
        let spent = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::SpentAt, Expr::value(now))
            .filter(refresh_tokens::Column::Digest.eq(presented.as_str()))
            .filter(refresh_tokens::Column::SpentAt.is_null())
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        let row = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::Digest.eq(presented.as_str()))
            .one(&transaction)
            .await
            .map_err(store_error)?;
        let Some(row) = row else {
            return Ok(Rotation::Invalid);
        };
        let spent_now = spent > 0;
        let found = PresentedToken {
            spent_now,
            spent_before: !spent_now && row.spent_at.is_some(),
            expired: row.expires_at <= now,
            sessions_live: spent_now && sessions_live_at(&transaction, &row).await?,
        };
        let outcome = match decide(found) {
            RotationDecision::Refuse => Rotation::Invalid,
            RotationDecision::EndSignIn { reused } => {
                revoke_family(&transaction, row.family_id, now).await?;
                if reused {
                    let sign_in = SignInId(row.family_id);
                    Rotation::Reused { account_id: AccountId(row.account_id), sign_in }
                } else {
                    Rotation::Invalid
                }
            }
            RotationDecision::Rotate => {
                let grant = grant_of(&row)?;
                let replacement = NewRefreshToken {
                    digest: replacement.clone(),
                    grant: grant.clone(),
                    expires_at,
                };
                refresh_tokens::Entity::insert(new_row(&replacement, &grant))
                    .exec(&transaction)
                    .await
                    .map_err(store_error)?;
                Rotation::Rotated(grant)
            }
        };
        transaction.commit().await?;
        Ok(outcome)
    }
}

#[async_trait]
impl RefreshTokenStore for SqlRefreshTokenStore {
    async fn issue(&self, token: NewRefreshToken) -> Result<(), StoreError> {
        let row = new_row(&token, &token.grant);
        refresh_tokens::Entity::insert(row)
            .exec(&self.writes)
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    async fn rotate(
        &self,
        presented: &SecretDigest,
        replacement: &SecretDigest,
        expires_at: Instant,
        now: Instant,
    ) -> Result<Rotation, StoreError> {
        retrying_conflicts(|| async {
            self.rotate_once(presented, replacement, expires_at, now).await
        })
        .await
    }

    async fn find_usable(
        &self,
        presented: &SecretDigest,
        now: Instant,
    ) -> Result<Option<RefreshGrant>, StoreError> {
        let row = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::Digest.eq(presented.as_str()))
            .filter(refresh_tokens::Column::SpentAt.is_null())
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .one(&self.connection)
            .await
            .map_err(store_error)?;
        row.filter(|row| row.expires_at > now).map(|row| grant_of(&row)).transpose()
    }

    async fn revoke(
        &self,
        presented: &SecretDigest,
        client: Option<ClientId>,
    ) -> Result<RefreshRevocation, StoreError> {
        retrying_conflicts(|| async {
            let transaction = self.writes.begin().await?;
            lock_owner(&transaction, presented).await?;
            let row = refresh_tokens::Entity::find()
                .filter(refresh_tokens::Column::Digest.eq(presented.as_str()))
                .one(&transaction)
                .await
                .map_err(store_error)?;
            let outcome = match row {
                None => RefreshRevocation::Unknown,
                Some(row) if !may_revoke(row.client_id.map(ClientId), client) => {
                    RefreshRevocation::OtherClient
                }
                Some(row) => {
                    revoke_family(&transaction, row.family_id, time::now()).await?;
                    RefreshRevocation::Revoked {
                        account_id: AccountId(row.account_id),
                        sign_in: SignInId(row.family_id),
                    }
                }
            };
            transaction.commit().await?;
            Ok(outcome)
        })
        .await
    }
}
