//! The change journal in SQL: [`append`] is called by every store that changes a
//! person's data, inside the change's own transaction and as its last statement;
//! [`SqlChangeJournal`] reads what has been committed.
//!
//! Numbering: `change_journal_heads` holds each person's last sequence number.
//! [`append`] moves it on by the number of entries with one upsert, which on
//! PostgreSQL locks the person's head row until the transaction ends. Another writer
//! to the same person's data waits at that statement, then reads the committed
//! head, so numbers are taken in commit order and a reader never sees sequence `n+1`
//! before `n`. The head is the last row a writing transaction locks, so two writers
//! of one person's data never deadlock over it (the entries' foreign key then takes a
//! share lock on the account row, as every insert of personal data already does: a
//! person's writes racing the erasure of their account can deadlock on PostgreSQL,
//! as before the journal; the loser is rolled back whole). SQLite has one writer at a
//! time, which orders numbers the same way. A transaction that rolls back takes its
//! numbers back with it.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{
    Actor, Change, ChangeJournal, ChangeKind, JournalEntry, ResourceType, Sequence,
};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{change_journal, change_journal_heads};
use crate::error::store_error;

/// Appends `changes` to `owner`'s journal, made by `actor` at `at`. Call it inside
/// the transaction that made the changes, after its last other statement (see the
/// module's note on numbering).
///
/// # Errors
/// [`StoreError`] when storage fails; the caller's transaction then rolls back.
pub(crate) async fn append(
    connection: &impl ConnectionTrait,
    owner: AccountId,
    actor: Actor,
    at: Instant,
    changes: &[Change],
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(changes.len()).unwrap_or(i64::MAX);
    let head = change_journal_heads::Entity::insert(change_journal_heads::ActiveModel {
        account_id: Set(owner.0),
        last_sequence: Set(count),
    })
    .on_conflict(
        OnConflict::column(change_journal_heads::Column::AccountId)
            .value(
                change_journal_heads::Column::LastSequence,
                Expr::col((
                    change_journal_heads::Entity,
                    change_journal_heads::Column::LastSequence,
                ))
                .add(count),
            )
            .to_owned(),
    )
    .exec_with_returning(connection)
    .await
    .map_err(store_error)?;
    let first = head.last_sequence - count + 1;
    let rows = changes
        .iter()
        .zip(first..)
        .map(|(change, sequence)| change_journal::ActiveModel {
            account_id: Set(owner.0),
            sequence: Set(sequence),
            resource_type: Set(change.resource.as_str().to_owned()),
            resource_id: Set(change.id),
            kind: Set(change.kind.as_str().to_owned()),
            version: Set(change.version),
            actor_kind: Set(actor.kind().to_owned()),
            actor_id: Set(actor.account().0),
            at: Set(at),
        });
    change_journal::Entity::insert_many(rows)
        .exec(connection)
        .await
        .map(|_| ())
        .map_err(store_error)
}

/// [`append`] for changes the person made themself, the common case.
///
/// # Errors
/// [`StoreError`] when storage fails; the caller's transaction then rolls back.
pub(crate) async fn append_as_person(
    connection: &impl ConnectionTrait,
    owner: AccountId,
    at: Instant,
    changes: &[Change],
) -> Result<(), StoreError> {
    append(connection, owner, Actor::Person(owner), at, changes).await
}

/// Removes the entries made before `cutoff` that no newer entry precedes: each
/// person's journal loses a prefix, never a piece of its middle. A writer that waited
/// for a lock can hold a later number than another with an earlier time; removing by
/// time alone would leave a hole a reader could not tell from a gap. Sequence numbers
/// are never reused.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn forget_before(
    connection: &impl ConnectionTrait,
    cutoff: Instant,
) -> Result<u64, StoreError> {
    let backend = connection.get_database_backend();
    // The cutoff appears twice: PostgreSQL names it once, SQLite binds it twice.
    let (placeholder, values) = match backend {
        DbBackend::Postgres => ("$1", vec![cutoff.into()]),
        _ => ("?", vec![cutoff.into(), cutoff.into()]),
    };
    let sql = format!(
        "DELETE FROM change_journal WHERE at < {placeholder} AND NOT EXISTS \
         (SELECT 1 FROM change_journal newer \
          WHERE newer.account_id = change_journal.account_id \
          AND newer.sequence < change_journal.sequence AND newer.at >= {placeholder})"
    );
    connection
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .map(|done| done.rows_affected())
        .map_err(store_error)
}

/// [`ChangeJournal`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlChangeJournal {
    pub(crate) connection: DatabaseConnection,
}

fn to_entry(row: &change_journal::Model) -> Result<JournalEntry, StoreError> {
    let corrupt = |error: waymark_domain::journal::UnknownWord| {
        StoreError::Unexpected(anyhow::anyhow!(
            "journal entry {} of {} is invalid: {error}",
            row.sequence,
            row.account_id
        ))
    };
    let kind = row.kind.parse::<ChangeKind>().map_err(corrupt)?;
    Ok(JournalEntry {
        account: AccountId(row.account_id),
        sequence: Sequence(row.sequence),
        change: Change {
            resource: row.resource_type.parse::<ResourceType>().map_err(corrupt)?,
            id: row.resource_id,
            kind,
            version: row.version,
        },
        actor: Actor::from_stored(&row.actor_kind, AccountId(row.actor_id)).map_err(corrupt)?,
        at: row.at,
    })
}

#[async_trait]
impl ChangeJournal for SqlChangeJournal {
    async fn entries_after(
        &self,
        account: AccountId,
        after: Sequence,
        limit: u64,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        change_journal::Entity::find()
            .filter(change_journal::Column::AccountId.eq(account.0))
            .filter(change_journal::Column::Sequence.gt(after.0))
            .order_by_asc(change_journal::Column::Sequence)
            .limit(limit)
            .all(&self.connection)
            .await
            .map_err(store_error)?
            .iter()
            .map(to_entry)
            .collect()
    }

    async fn oldest_held(&self, account: AccountId) -> Result<Option<Sequence>, StoreError> {
        Ok(change_journal::Entity::find()
            .filter(change_journal::Column::AccountId.eq(account.0))
            .order_by_asc(change_journal::Column::Sequence)
            .one(&self.connection)
            .await
            .map_err(store_error)?
            .map(|row| Sequence(row.sequence)))
    }
}
