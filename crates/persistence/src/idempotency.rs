//! Stored first responses in `idempotency_records` (first migration), keyed by caller
//! and key. A claim inserts the row with `ON CONFLICT DO NOTHING`, so of two
//! concurrent claims exactly one inserts; erasing an account removes its records.

use async_trait::async_trait;
use chrono::TimeDelta;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TryInsertResult,
};
use waymark_domain::idempotency::{
    Claim, IdempotencyKey, IdempotencyStore, KeyedRequest, REPLAY_WINDOW, StoredResponse,
};
use waymark_domain::identity::AccountId;
use waymark_domain::ports::StoreError;
use waymark_domain::time::{self, Instant};

use crate::entities::idempotency_records::{self, Column, Entity};
use crate::error::store_error;
use crate::writes::Writes;

/// Deletes every stored response of requests that acted on `account`'s data: the
/// person's own, and every app's acting for them.
pub(crate) async fn delete_for_account(
    connection: &impl ConnectionTrait,
    account: AccountId,
) -> Result<(), StoreError> {
    let statement = Query::delete()
        .from_table(Alias::new("idempotency_records"))
        .cond_where(
            Expr::col(Alias::new("account_id"))
                .eq(account.0)
                // Kept before keys named their account (24 hours at most).
                .or(Expr::col(Alias::new("caller")).eq(account.to_string())),
        )
        .to_owned();
    connection.execute(&statement).await.map(|_| ()).map_err(store_error)
}

/// [`IdempotencyStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlIdempotencyStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
}

fn replay_window() -> TimeDelta {
    TimeDelta::from_std(REPLAY_WINDOW).unwrap_or(TimeDelta::days(1))
}

impl SqlIdempotencyStore {
    /// Inserts the in-progress row; answers whether this call inserted it.
    async fn try_insert(
        &self,
        request: &KeyedRequest<'_>,
        now: Instant,
    ) -> Result<bool, StoreError> {
        let row = idempotency_records::ActiveModel {
            caller: Set(request.caller.to_owned()),
            account_id: Set(request.account.map(|account| account.0)),
            key: Set(request.key.as_str().to_owned()),
            method: Set(request.method.to_owned()),
            path: Set(request.path.to_owned()),
            request_hash: Set(request.body_digest.to_owned()),
            response_status: Set(None),
            response_headers: Set(None),
            response_body: Set(None),
            created_at: Set(now),
            expires_at: Set(now + replay_window()),
        };
        let inserted = Entity::insert(row)
            .on_conflict_do_nothing_on([Column::Caller, Column::Key])
            .exec_without_returning(&self.writes)
            .await
            .map_err(store_error)?;
        Ok(matches!(inserted, TryInsertResult::Inserted(count) if count > 0))
    }

    fn existing_claim(request: &KeyedRequest<'_>, row: idempotency_records::Model) -> Claim {
        let same = row.method == request.method
            && row.path == request.path
            && row.request_hash == request.body_digest;
        if !same {
            return Claim::DifferentRequest;
        }
        match (row.response_status, row.response_body) {
            (Some(status), Some(body)) => Claim::Replay(StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                headers: row
                    .response_headers
                    .and_then(|headers| serde_json::from_value(headers).ok())
                    .unwrap_or_default(),
                body,
            }),
            _ => Claim::InProgress,
        }
    }
}

#[async_trait]
impl IdempotencyStore for SqlIdempotencyStore {
    async fn claim(&self, request: &KeyedRequest<'_>, now: Instant) -> Result<Claim, StoreError> {
        if self.try_insert(request, now).await? {
            return Ok(Claim::Claimed);
        }
        let existing =
            Entity::find_by_id((request.caller.to_owned(), request.key.as_str().to_owned()))
                .one(&self.connection)
                .await
                .map_err(store_error)?;
        match existing {
            Some(row) if row.expires_at > now => Ok(Self::existing_claim(request, row)),
            // Expired (or removed meanwhile): forget it and claim afresh, once.
            _ => {
                Entity::delete_many()
                    .filter(Column::Caller.eq(request.caller))
                    .filter(Column::Key.eq(request.key.as_str()))
                    .filter(Column::ExpiresAt.lte(now))
                    .exec(&self.writes)
                    .await
                    .map_err(store_error)?;
                if self.try_insert(request, now).await? {
                    Ok(Claim::Claimed)
                } else {
                    Ok(Claim::InProgress)
                }
            }
        }
    }

    async fn complete(
        &self,
        caller: &str,
        key: &IdempotencyKey,
        response: StoredResponse,
    ) -> Result<(), StoreError> {
        let headers = serde_json::to_value(&response.headers)
            .map_err(|error| StoreError::Unexpected(error.into()))?;
        Entity::update_many()
            .col_expr(
                Column::ResponseStatus,
                Expr::value(i16::try_from(response.status).unwrap_or(500)),
            )
            .col_expr(Column::ResponseHeaders, Expr::value(headers))
            .col_expr(Column::ResponseBody, Expr::value(response.body))
            .col_expr(Column::ExpiresAt, Expr::value(time::now() + replay_window()))
            .filter(Column::Caller.eq(caller))
            .filter(Column::Key.eq(key.as_str()))
            .exec(&self.writes)
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    async fn release(&self, caller: &str, key: &IdempotencyKey) -> Result<(), StoreError> {
        Entity::delete_many()
            .filter(Column::Caller.eq(caller))
            .filter(Column::Key.eq(key.as_str()))
            .filter(Column::ResponseStatus.is_null())
            .exec(&self.writes)
            .await
            .map(|_| ())
            .map_err(store_error)
    }
}
