//! API clients in the `api_clients` table.

use async_trait::async_trait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use waymark_domain::identity::ports::{ClientError, ClientPage, ClientStore};
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::identity::{ApiClient, ClientId, NewApiClient, ScopeSet};
use waymark_domain::ports::StoreError;
use waymark_domain::time;

use crate::entities::api_clients;
use crate::error::store_error;
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
    Ok(ApiClient {
        id: ClientId(row.id),
        name: row.name.clone(),
        scopes: ScopeSet::parse(&row.scopes).map_err(|error| {
            StoreError::Unexpected(anyhow::anyhow!("client {}: {error}", row.id))
        })?,
        created_at: row.created_at,
    })
}

#[async_trait]
impl ClientStore for SqlClientStore {
    async fn create(&self, client: NewApiClient) -> Result<ApiClient, StoreError> {
        let row = api_clients::ActiveModel {
            id: Set(waymark_domain::id::new_id()),
            name: Set(client.name),
            scopes: Set(client.scopes.to_string()),
            secret_digest: Set(client.secret_digest.as_str().to_owned()),
            created_at: Set(time::now()),
        };
        let inserted = api_clients::Entity::insert(row)
            .exec_with_returning(&self.writes)
            .await
            .map_err(store_error)?;
        to_client(&inserted)
    }

    async fn find(&self, id: ClientId) -> Result<Option<(ApiClient, SecretDigest)>, StoreError> {
        let row = api_clients::Entity::find_by_id(id.0)
            .one(&self.connection)
            .await
            .map_err(store_error)?;
        row.map(|row| Ok((to_client(&row)?, SecretDigest::from_stored(row.secret_digest))))
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

    async fn delete(&self, id: ClientId) -> Result<(), ClientError> {
        let deleted = api_clients::Entity::delete_by_id(id.0)
            .exec(&self.writes)
            .await
            .map_err(store_error)?
            .rows_affected;
        if deleted == 0 { Err(ClientError::NotFound) } else { Ok(()) }
    }
}
