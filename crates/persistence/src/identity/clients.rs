//! API clients in the `api_clients` table.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use waymark_domain::identity::ports::{ClientError, ClientPage, ClientStore};
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::identity::{
    ApiClient, ClientChanges, ClientId, ClientKind, NewApiClient, RedirectUri, ScopeSet,
};
use waymark_domain::ports::StoreError;
use waymark_domain::time::{self, Instant};

use crate::entities::{api_clients, refresh_tokens};
use crate::error::store_error;
use crate::identity::refresh_tokens::revoke_matching;
use crate::paging::page_of;
use crate::writes::Writes;

/// [`ClientStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlClientStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
}

fn to_client(row: &api_clients::Model) -> Result<ApiClient, StoreError> {
    let corrupt = |field: &str| {
        StoreError::Unexpected(anyhow::anyhow!("client {} has an invalid {field}", row.id))
    };
    Ok(ApiClient {
        id: ClientId(row.id),
        name: row.name.clone(),
        kind: row.kind.parse::<ClientKind>().map_err(|_| corrupt("kind"))?,
        redirect_uris: row
            .redirect_uris
            .lines()
            .map(RedirectUri::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| corrupt("redirect URI"))?,
        first_party: row.first_party,
        scopes: ScopeSet::parse(&row.scopes).map_err(|_| corrupt("scope"))?,
        created_at: row.created_at,
        updated_at: row.updated_at.unwrap_or(row.created_at),
        version: row.version,
        disabled_at: row.disabled_at,
    })
}

/// Redirect URIs as stored: one per line (a URI holds no line break).
fn stored_uris(uris: &[RedirectUri]) -> String {
    uris.iter().map(RedirectUri::as_str).collect::<Vec<_>>().join("\n")
}

#[async_trait]
impl ClientStore for SqlClientStore {
    async fn create(&self, client: NewApiClient) -> Result<ApiClient, StoreError> {
        let now = time::now();
        let row = api_clients::ActiveModel {
            id: Set(waymark_domain::id::new_id()),
            name: Set(client.name),
            scopes: Set(client.scopes.to_string()),
            // A public client has no secret: no digest is the empty text, which no
            // secret's digest equals.
            secret_digest: Set(client
                .secret_digest
                .map(|digest| digest.as_str().to_owned())
                .unwrap_or_default()),
            created_at: Set(now),
            kind: Set(client.kind.as_str().to_owned()),
            redirect_uris: Set(stored_uris(&client.redirect_uris)),
            first_party: Set(client.first_party),
            disabled_at: Set(None),
            updated_at: Set(Some(now)),
            version: Set(1),
        };
        let inserted = api_clients::Entity::insert(row)
            .exec_with_returning(&self.writes)
            .await
            .map_err(store_error)?;
        to_client(&inserted)
    }

    async fn find(
        &self,
        id: ClientId,
    ) -> Result<Option<(ApiClient, Option<SecretDigest>)>, StoreError> {
        let row = api_clients::Entity::find_by_id(id.0)
            .one(&self.connection)
            .await
            .map_err(store_error)?;
        row.map(|row| {
            let digest = (!row.secret_digest.is_empty())
                .then(|| SecretDigest::from_stored(row.secret_digest.clone()));
            Ok((to_client(&row)?, digest))
        })
        .transpose()
    }

    async fn list(&self, after: Option<ClientId>, limit: u64) -> Result<ClientPage, StoreError> {
        let mut query = api_clients::Entity::find().order_by_asc(api_clients::Column::Id);
        if let Some(after) = after {
            query = query.filter(api_clients::Column::Id.gt(after.0));
        }
        let rows = query
            .limit(limit.saturating_add(1))
            .all(&self.connection)
            .await
            .map_err(store_error)?;
        let (rows, has_more) = page_of(rows, limit);
        let clients = rows.iter().map(to_client).collect::<Result<Vec<_>, _>>()?;
        Ok(ClientPage { clients, has_more })
    }

    async fn update(
        &self,
        id: ClientId,
        changes: ClientChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<ApiClient, ClientError> {
        let mut update = api_clients::Entity::update_many()
            .col_expr(api_clients::Column::Version, Expr::col(api_clients::Column::Version).add(1))
            .col_expr(api_clients::Column::UpdatedAt, Expr::value(Some(now)))
            .filter(api_clients::Column::Id.eq(id.0));
        if let Some(name) = changes.name {
            update = update.col_expr(api_clients::Column::Name, Expr::value(name));
        }
        if let Some(scopes) = changes.scopes {
            update = update.col_expr(api_clients::Column::Scopes, Expr::value(scopes.to_string()));
        }
        if let Some(uris) = changes.redirect_uris {
            update =
                update.col_expr(api_clients::Column::RedirectUris, Expr::value(stored_uris(&uris)));
        }
        if let Some(expected) = expected_version {
            update = update.filter(api_clients::Column::Version.eq(expected));
        }
        let updated = update.exec_with_returning(&self.writes).await.map_err(store_error)?;
        match updated.first() {
            Some(row) => Ok(to_client(row)?),
            None if self.find(id).await?.is_some() => Err(ClientError::PreconditionFailed),
            None => Err(ClientError::NotFound),
        }
    }

    async fn disable(&self, id: ClientId, now: Instant) -> Result<ApiClient, ClientError> {
        let transaction = self.writes.begin().await?;
        api_clients::Entity::update_many()
            .col_expr(api_clients::Column::DisabledAt, Expr::value(Some(now)))
            .col_expr(api_clients::Column::Version, Expr::col(api_clients::Column::Version).add(1))
            .col_expr(api_clients::Column::UpdatedAt, Expr::value(Some(now)))
            .filter(api_clients::Column::Id.eq(id.0))
            .filter(api_clients::Column::DisabledAt.is_null())
            .exec(&transaction)
            .await
            .map_err(store_error)?;
        revoke_matching(&transaction, refresh_tokens::Column::ClientId.eq(id.0), now).await?;
        let row = api_clients::Entity::find_by_id(id.0)
            .one(&transaction)
            .await
            .map_err(store_error)?
            .ok_or(ClientError::NotFound)?;
        transaction.commit().await?;
        Ok(to_client(&row)?)
    }

    async fn delete(&self, id: ClientId) -> Result<(), ClientError> {
        let deleted = api_clients::Entity::delete_by_id(id.0)
            .exec(&self.writes)
            .await
            .map_err(store_error)?
            .rows_affected;
        if deleted == 0 { Err(ClientError::NotFound) } else { Ok(()) }
    }
}
