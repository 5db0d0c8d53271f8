//! The access log in `access_log`: appended in batches, read a page at a time with
//! the accessors' names as they are now.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use async_trait::async_trait;
use sea_orm::sea_query::{LockType, Query, Value};
use sea_orm::sqlx::PgPool;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect, RuntimeErr, Statement,
};
use waymark_domain::access_log::{
    AccessLogEntry, AccessLogQuery, AccessLogStore, AccessRecord, Accessor,
};
use waymark_domain::identity::AccountId;
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{access_log, accounts, api_clients};
use crate::error::{is_unique_violation, store_error};
use crate::paging::{Direction, keyset_page};
use crate::writes::Writes;

/// [`AccessLogStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlAccessLog {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
}

/// The most rows one insert writes (a power of two).
const CHUNK: usize = 1024;

#[async_trait]
impl AccessLogStore for SqlAccessLog {
    async fn append(&self, records: &[AccessRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        if self.connection.get_database_backend() == DbBackend::Postgres {
            let pool = self.connection.get_postgres_connection_pool();
            match copied(pool, records).await {
                // A batch whose commit was reported failed but landed is written
                // again: its ids are there already, which `COPY` cannot pass over.
                // The inserts below keep what is there.
                Err(error) if is_unique_violation(&error) => {}
                answer => return answer.map_err(store_error),
            }
        }
        self.inserted(records).await
    }

    async fn page(
        &self,
        query: &AccessLogQuery,
    ) -> Result<(Vec<AccessLogEntry>, bool), StoreError> {
        let mut select =
            access_log::Entity::find().filter(access_log::Column::AccountId.eq(query.owner.0));
        if let Some(client) = query.client {
            select = select.filter(access_log::Column::ClientId.eq(client.0));
        }
        if let Some(person) = query.person {
            select = select.filter(access_log::Column::AccessorAccountId.eq(person.0));
        }
        let after =
            query.after.map(|position| (Value::from(position.at), Value::from(position.id)));
        let (rows, has_more) = keyset_page(
            &self.connection,
            select,
            Direction::Descending,
            (access_log::Column::OccurredAt, access_log::Column::Id),
            after,
            query.limit,
        )
        .await?;
        let names = self.names_of(&rows).await?;
        let entries = rows
            .into_iter()
            .map(|row| {
                let record = record_of(row)?;
                let accessor_name = names.get(&record.accessor).cloned();
                Ok(AccessLogEntry { record, accessor_name })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((entries, has_more))
    }
}

impl SqlAccessLog {
    /// `records` written by inserts of up to [`CHUNK`] rows each, keeping any entry
    /// that is there already: SQLite's way, and PostgreSQL's when `COPY` cannot be.
    async fn inserted(&self, records: &[AccessRecord]) -> Result<(), StoreError> {
        let transaction = self.writes.begin().await?;
        // Owners erased while their records waited get none, and on PostgreSQL the
        // rest are locked as `copied` locks them. SQLite has one writer.
        let mut owners: Vec<uuid::Uuid> = records.iter().map(|record| record.owner.0).collect();
        owners.sort_unstable();
        owners.dedup();
        let mut present = accounts::Entity::find().filter(accounts::Column::Id.is_in(owners));
        if transaction.get_database_backend() == DbBackend::Postgres {
            present = present.lock(LockType::KeyShare);
        }
        let present: HashSet<uuid::Uuid> = present
            .all(&transaction)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|account| account.id)
            .collect();
        let kept: Vec<&AccessRecord> =
            records.iter().filter(|record| present.contains(&record.owner.0)).collect();
        let backend = transaction.get_database_backend();
        let mut rest = kept.as_slice();
        while !rest.is_empty() {
            // Statements are prepared and kept per connection, one for each number of
            // rows: chunks of a power of two rows (at most CHUNK) keep that to a few.
            // Each chunk's values are made only as it is written, straight from the
            // records, so a large batch never holds all of its rows twice.
            let size = 1 << rest.len().min(CHUNK).ilog2();
            let (chunk, after) = rest.split_at(size);
            rest = after;
            let values = chunk.iter().flat_map(|record| values_of(record)).collect::<Vec<_>>();
            transaction
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    insert_sql(backend, size),
                    values,
                ))
                .await
                .map_err(store_error)?;
        }
        transaction.commit().await
    }
}

impl SqlAccessLog {
    /// The current names of the apps and people in `rows`.
    async fn names_of(
        &self,
        rows: &[access_log::Model],
    ) -> Result<HashMap<Accessor, String>, StoreError> {
        let clients: Vec<uuid::Uuid> = rows.iter().filter_map(|row| row.client_id).collect();
        let people: Vec<uuid::Uuid> =
            rows.iter().filter_map(|row| row.accessor_account_id).collect();
        let mut names = HashMap::new();
        if !clients.is_empty() {
            let found = api_clients::Entity::find()
                .filter(api_clients::Column::Id.is_in(clients))
                .all(&self.connection)
                .await
                .map_err(store_error)?;
            names.extend(found.into_iter().map(|client| {
                (Accessor::App(waymark_domain::identity::ClientId(client.id)), client.name)
            }));
        }
        if !people.is_empty() {
            let found = accounts::Entity::find()
                .filter(accounts::Column::Id.is_in(people))
                .all(&self.connection)
                .await
                .map_err(store_error)?;
            for account in found {
                let id = AccountId(account.id);
                names.insert(Accessor::Supporter(id), account.display_name.clone());
                names.insert(Accessor::Administrator(id), account.display_name);
            }
        }
        Ok(names)
    }
}

/// PostgreSQL: `records` written by one `COPY` in one transaction. Owners erased while
/// their records waited get none: the rest are written. No foreign key checks each
/// row (that was half of an entry's cost): the owners are locked here instead, once
/// a batch, as such a key would for every row (`FOR KEY SHARE`), so an erasure waits
/// for this batch to commit and then deletes its entries too (`forget_account`), or
/// went first and its account is not found here.
async fn copied(pool: &PgPool, records: &[AccessRecord]) -> Result<(), DbErr> {
    let failed = |error: sea_orm::sqlx::Error| DbErr::Exec(RuntimeErr::SqlxError(error.into()));
    let mut owners: Vec<uuid::Uuid> = records.iter().map(|record| record.owner.0).collect();
    owners.sort_unstable();
    owners.dedup();
    let mut transaction = pool.begin().await.map_err(failed)?;
    let present: HashSet<uuid::Uuid> =
        sea_orm::sqlx::query_scalar("SELECT id FROM accounts WHERE id = ANY($1) FOR KEY SHARE")
            .bind(owners)
            .fetch_all(&mut *transaction)
            .await
            .map_err(failed)?
            .into_iter()
            .collect();
    let mut rows = Vec::with_capacity(records.len() * 160);
    for record in records.iter().filter(|record| present.contains(&record.owner.0)) {
        copy_row(&mut rows, record);
    }
    if !rows.is_empty() {
        let statement = format!("COPY access_log ({}) FROM STDIN", COLUMNS.join(", "));
        let mut copy = transaction.copy_in_raw(&statement).await.map_err(failed)?;
        if let Err(error) = copy.send(rows).await {
            // Ended in order, so the connection goes back to the pool usable.
            let _ = copy.abort("the access log's rows could not be sent").await;
            return Err(failed(error));
        }
        copy.finish().await.map_err(failed)?;
    }
    transaction.commit().await.map_err(failed)
}

/// Appends `record` to `rows` as one line of `COPY`'s text format, its columns in the
/// order of [`COLUMNS`].
fn copy_row(rows: &mut Vec<u8>, record: &AccessRecord) {
    use std::io::Write as _;
    let (client_id, accessor_account_id) = match record.accessor {
        Accessor::App(client) => (Some(client.0), None),
        Accessor::Administrator(account) | Accessor::Supporter(account) => (None, Some(account.0)),
    };
    let id_or_null =
        |id: Option<uuid::Uuid>| id.map_or_else(|| r"\N".to_owned(), |id| id.to_string());
    // Writing into a vector does not fail.
    let _ = write!(
        rows,
        "{}\t{}\t{}\t{}\t{}\t{}\t",
        record.id,
        record.owner.0,
        record.at.format("%Y-%m-%d %H:%M:%S%.6f+00"),
        record.accessor.kind(),
        id_or_null(client_id),
        id_or_null(accessor_account_id),
    );
    copy_text(rows, &record.operation);
    rows.push(b'\t');
    copy_text(rows, &record.resource_type);
    rows.push(b'\t');
    match &record.resource_id {
        Some(id) => copy_text(rows, id),
        None => rows.extend_from_slice(br"\N"),
    }
    let _ = writeln!(rows, "\t{}", record.status);
}

/// `text` as a column of `COPY`'s text format: backslash, tab, line feed and carriage
/// return escaped, NUL (which no PostgreSQL text holds, and `AccessRecord::new` keeps
/// out) left out rather than failing the batch.
fn copy_text(rows: &mut Vec<u8>, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'\\' => rows.extend_from_slice(br"\\"),
            b'\t' => rows.extend_from_slice(br"\t"),
            b'\n' => rows.extend_from_slice(br"\n"),
            b'\r' => rows.extend_from_slice(br"\r"),
            0 => {}
            _ => rows.push(byte),
        }
    }
}

/// The columns each row gives, in the order [`values_of`] gives them.
const COLUMNS: [&str; 10] = [
    "id",
    "account_id",
    "occurred_at",
    "accessor_kind",
    "client_id",
    "accessor_account_id",
    "operation",
    "resource_type",
    "resource_id",
    "status",
];

/// The insert of `rows` rows, written once per backend and size: a batch that a
/// commit reported as failed is written again on the next try, and what is there
/// already stays, once.
fn insert_sql(backend: DbBackend, rows: usize) -> String {
    /// Each insert as written, by whether it is PostgreSQL's and its rows.
    type Written = HashMap<(bool, usize), Arc<str>>;
    static WRITTEN: OnceLock<Mutex<Written>> = OnceLock::new();
    let postgres = backend == DbBackend::Postgres;
    let written = WRITTEN.get_or_init(Mutex::default);
    let mut written = written.lock().unwrap_or_else(PoisonError::into_inner);
    let sql = written.entry((postgres, rows)).or_insert_with(|| {
        let mut place = 0;
        let mut placeholder = || {
            place += 1;
            if postgres { format!("${place}") } else { "?".to_owned() }
        };
        let rows = (0..rows)
            .map(|_| {
                let row = COLUMNS.iter().map(|_| placeholder()).collect::<Vec<_>>().join(", ");
                format!("({row})")
            })
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "INSERT INTO access_log ({}) VALUES {rows} ON CONFLICT (id) DO NOTHING",
            COLUMNS.join(", ")
        )
        .into()
    });
    sql.to_string()
}

/// `record`'s values, in the order of [`COLUMNS`].
fn values_of(record: &AccessRecord) -> [Value; 10] {
    let (client_id, accessor_account_id) = match record.accessor {
        Accessor::App(client) => (Some(client.0), None),
        Accessor::Administrator(account) | Accessor::Supporter(account) => (None, Some(account.0)),
    };
    [
        record.id.into(),
        record.owner.0.into(),
        record.at.into(),
        record.accessor.kind().into(),
        client_id.into(),
        accessor_account_id.into(),
        record.operation.as_str().into(),
        record.resource_type.as_str().into(),
        record.resource_id.as_deref().into(),
        i32::from(record.status).into(),
    ]
}

fn record_of(row: access_log::Model) -> Result<AccessRecord, StoreError> {
    let unexpected = |what: &str| StoreError::Unexpected(anyhow::anyhow!("stored access: {what}"));
    let accessor =
        Accessor::from_stored(&row.accessor_kind, row.client_id, row.accessor_account_id)
            .ok_or_else(|| unexpected("accessor"))?;
    Ok(AccessRecord {
        id: row.id,
        owner: AccountId(row.account_id),
        at: row.occurred_at,
        accessor,
        operation: row.operation,
        resource_type: row.resource_type,
        resource_id: row.resource_id,
        status: u16::try_from(row.status).map_err(|_| unexpected("status"))?,
    })
}

/// Deletes account `owner`'s entries, in the transaction that erases the account,
/// after the account's own row: on PostgreSQL a batch of entries being written for
/// them holds that row (see `append`), so the deletion waits for it and finds its
/// entries.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn forget_account(
    transaction: &impl ConnectionTrait,
    owner: AccountId,
) -> Result<(), StoreError> {
    access_log::Entity::delete_many()
        .filter(access_log::Column::AccountId.eq(owner.0))
        .exec(transaction)
        .await
        .map_err(store_error)?;
    Ok(())
}

/// Deletes the entries of accounts that are gone. Erasure deletes an account's
/// entries itself (`forget_account`), but a replica still running a release from
/// before migration 35 erased accounts by the foreign key that migration dropped:
/// during a rolling upgrade their entries stayed. Run once after each start, by
/// housekeeping: it reads the whole log.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn forget_orphans(connection: &Writes) -> Result<u64, StoreError> {
    let accounts = Query::select().column(accounts::Column::Id).from(accounts::Entity).to_owned();
    access_log::Entity::delete_many()
        .filter(access_log::Column::AccountId.not_in_subquery(accounts))
        .exec(connection)
        .await
        .map(|deleted| deleted.rows_affected)
        .map_err(store_error)
}

/// Deletes the entries older than `cutoff`.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn forget_before(connection: &Writes, cutoff: Instant) -> Result<u64, StoreError> {
    // Ids are time-ordered and made as the access is (`AccessRecord::new`): the
    // primary key finds the old entries, and no index on the time is kept up by every
    // logged request for this sweep alone.
    access_log::Entity::delete_many()
        .filter(access_log::Column::Id.lt(waymark_domain::id::lowest_id_at(cutoff)))
        .exec(connection)
        .await
        .map(|deleted| deleted.rows_affected)
        .map_err(store_error)
}
