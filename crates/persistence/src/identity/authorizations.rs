//! Authorization codes in `authorization_codes` and consents in `consents`.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use waymark_domain::acting::Acting;
use waymark_domain::identity::authorization::{
    CodeChallenge, CodeGrant, CodeRedemption, GrantId, NewAuthorizationCode,
};
use waymark_domain::identity::ports::{AuthorizationCodeStore, Consent, ConsentStore, Grant};
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::identity::{AccountId, ClientId, ScopeSet};
use waymark_domain::journal::{Actor, Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{authorization_codes, consents, refresh_tokens};
use crate::error::store_error;
use crate::identity::refresh_tokens::revoke_matching;
use crate::journal::Journal;
use crate::writes::{WriteTransaction, Writes};

/// [`AuthorizationCodeStore`] and [`ConsentStore`] on SQLite or PostgreSQL. A grant
/// given, widened or taken back is journalled (`grant`), so what remembers it forgets.
#[derive(Debug, Clone)]
pub(crate) struct SqlAuthorizationStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
    pub(crate) journal: Journal,
}

/// Forgets the grant `account` gave `client` inside `transaction`, answering the
/// journal's entry for it if there was one.
async fn forget_grant(
    transaction: &WriteTransaction,
    account: uuid::Uuid,
    client: uuid::Uuid,
) -> Result<Option<Change>, StoreError> {
    let Some(grant) = consents::Entity::find_by_id((account, client))
        .one(transaction)
        .await
        .map_err(store_error)?
    else {
        return Ok(None);
    };
    consents::Entity::delete_by_id((account, client))
        .exec(transaction)
        .await
        .map_err(store_error)?;
    Ok(Some(Change::deleted(ResourceType::Grant, grant.grant_id)))
}

fn scopes_of(text: &str) -> Result<ScopeSet, StoreError> {
    ScopeSet::parse(text)
        .map_err(|error| StoreError::Unexpected(anyhow::anyhow!("stored scopes: {error}")))
}

#[async_trait]
impl AuthorizationCodeStore for SqlAuthorizationStore {
    async fn issue(&self, code: NewAuthorizationCode) -> Result<(), StoreError> {
        let grant = code.grant;
        let row = authorization_codes::ActiveModel {
            digest: Set(code.digest.as_str().to_owned()),
            client_id: Set(grant.client_id.0),
            account_id: Set(grant.account_id.0),
            redirect_uri: Set(grant.redirect_uri),
            code_challenge: Set(grant.challenge.as_str().to_owned()),
            scopes: Set(grant.scopes.to_string()),
            token_epoch: Set(grant.token_epoch),
            grant_id: Set(Some(grant.grant_id.0)),
            created_at: Set(waymark_domain::time::now()),
            expires_at: Set(code.expires_at),
            used_at: Set(None),
        };
        authorization_codes::Entity::insert(row)
            .exec_without_returning(&self.writes)
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    async fn redeem(
        &self,
        digest: &SecretDigest,
        now: Instant,
    ) -> Result<CodeRedemption, StoreError> {
        let transaction = self.writes.begin().await?;
        let Some(row) = authorization_codes::Entity::find_by_id(digest.as_str().to_owned())
            .one(&transaction)
            .await
            .map_err(store_error)?
        else {
            return Ok(CodeRedemption::Invalid);
        };
        // Spent in one conditional write: of two racing exchanges, one wins.
        let spent = authorization_codes::Entity::update_many()
            .col_expr(authorization_codes::Column::UsedAt, Expr::value(Some(now)))
            .filter(authorization_codes::Column::Digest.eq(row.digest.clone()))
            .filter(authorization_codes::Column::UsedAt.is_null())
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        if spent == 0 {
            // Presented again: whoever holds it may have stolen it, so the person's
            // tokens at that client go (RFC 9700 section 4.5.3.1): the refresh tokens
            // here, the access tokens with the consent every one of them is checked
            // against.
            let of_person_at_client = Condition::all()
                .add(refresh_tokens::Column::AccountId.eq(row.account_id))
                .add(refresh_tokens::Column::ClientId.eq(row.client_id));
            revoke_matching(&transaction, of_person_at_client, now).await?;
            let forgotten = forget_grant(&transaction, row.account_id, row.client_id).await?;
            let acting = Acting {
                owner: AccountId(row.account_id),
                actor: Actor::App(ClientId(row.client_id)),
            };
            self.journal.commit(transaction, acting, now, forgotten.as_slice()).await?;
            return Ok(CodeRedemption::Replayed);
        }
        transaction.commit().await?;
        // A code from before codes named their grant is refused like an expired one.
        let (Some(grant_id), false) = (row.grant_id, row.expires_at <= now) else {
            return Ok(CodeRedemption::Invalid);
        };
        Ok(CodeRedemption::Redeemed(CodeGrant {
            account_id: AccountId(row.account_id),
            client_id: ClientId(row.client_id),
            redirect_uri: row.redirect_uri,
            challenge: CodeChallenge::from_stored(row.code_challenge),
            scopes: scopes_of(&row.scopes)?,
            grant_id: GrantId(grant_id),
            token_epoch: row.token_epoch,
        }))
    }
}

#[async_trait]
impl ConsentStore for SqlAuthorizationStore {
    async fn consented(
        &self,
        account: AccountId,
        client: ClientId,
    ) -> Result<Option<Grant>, StoreError> {
        consents::Entity::find_by_id((account.0, client.0))
            .one(&self.connection)
            .await
            .map_err(store_error)?
            .map(|row| Ok(Grant { id: GrantId(row.grant_id), scopes: scopes_of(&row.scopes)? }))
            .transpose()
    }

    async fn remember(
        &self,
        acting: Acting,
        client: ClientId,
        scopes: &ScopeSet,
        now: Instant,
    ) -> Result<GrantId, StoreError> {
        let account = acting.owner;
        let transaction = self.writes.begin().await?;
        let new_grant = GrantId::generate();
        let row = consents::ActiveModel {
            account_id: Set(account.0),
            client_id: Set(client.0),
            scopes: Set(scopes.to_string()),
            granted_at: Set(now),
            grant_id: Set(new_grant.0),
        };
        // A grant already there keeps its id: the tokens issued under it stay good.
        consents::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([consents::Column::AccountId, consents::Column::ClientId])
                    .update_columns([consents::Column::Scopes, consents::Column::GrantedAt])
                    .to_owned(),
            )
            .exec_without_returning(&transaction)
            .await
            .map_err(store_error)?;
        let remembered = consents::Entity::find_by_id((account.0, client.0))
            .one(&transaction)
            .await
            .map_err(store_error)?
            .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("a consent just written")))?;
        let grant = GrantId(remembered.grant_id);
        let change = if grant == new_grant {
            Change::created(ResourceType::Grant, grant.0, None)
        } else {
            Change::updated(ResourceType::Grant, grant.0, None)
        };
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(grant)
    }

    async fn consents_of(&self, account: AccountId) -> Result<Vec<Consent>, StoreError> {
        let rows = consents::Entity::find()
            .filter(consents::Column::AccountId.eq(account.0))
            .order_by_asc(consents::Column::GrantedAt)
            .all(&self.connection)
            .await
            .map_err(store_error)?;
        // When each app last got tokens: its newest refresh token, all apps in one read.
        let last_used: std::collections::HashMap<uuid::Uuid, Instant> =
            refresh_tokens::Entity::find()
                .select_only()
                .column(refresh_tokens::Column::ClientId)
                .column_as(refresh_tokens::Column::CreatedAt.max(), "last_used_at")
                .filter(refresh_tokens::Column::AccountId.eq(account.0))
                .filter(refresh_tokens::Column::ClientId.is_not_null())
                .group_by(refresh_tokens::Column::ClientId)
                .into_tuple::<(Option<uuid::Uuid>, Option<Instant>)>()
                .all(&self.connection)
                .await
                .map_err(store_error)?
                .into_iter()
                .filter_map(|(client, last_used_at)| Some((client?, last_used_at?)))
                .collect();
        let mut consents = Vec::with_capacity(rows.len());
        for row in rows {
            consents.push(Consent {
                grant_id: GrantId(row.grant_id),
                client_id: ClientId(row.client_id),
                scopes: scopes_of(&row.scopes)?,
                granted_at: row.granted_at,
                last_used_at: last_used.get(&row.client_id).copied(),
            });
        }
        Ok(consents)
    }

    async fn withdraw(
        &self,
        acting: Acting,
        client: ClientId,
        now: Instant,
    ) -> Result<bool, StoreError> {
        let account = acting.owner;
        let transaction = self.writes.begin().await?;
        let forgotten = forget_grant(&transaction, account.0, client.0).await?;
        let of_person_at_client = Condition::all()
            .add(refresh_tokens::Column::AccountId.eq(account.0))
            .add(refresh_tokens::Column::ClientId.eq(client.0));
        revoke_matching(&transaction, of_person_at_client, now).await?;
        let found = forgotten.is_some();
        self.journal.commit(transaction, acting, now, forgotten.as_slice()).await?;
        Ok(found)
    }
}
