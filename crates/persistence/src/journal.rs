//! The change journal in SQL: every store that changes a person's data commits
//! through [`Journal::commit`], which appends the entries inside the change's own
//! transaction as its last statement, commits, and tells this process's
//! [`HearsChanges`] (the caches); [`SqlChangeJournal`] reads what has been committed.
//!
//! Numbering happens when entries are read, not when they are written. A writer only
//! inserts its entries, without a number, so one person's writers never wait for each
//! other (a number taken at write time would have to be held locked until commit,
//! queueing every write of a person behind the previous one's commit). Before any
//! read, [`number_pending`] locks the person's row in `change_journal_heads`, gives
//! every committed entry still without a number the next numbers in the order the
//! entries were written (their `id`), and moves the head on, in one transaction.
//! Numbers are therefore handed out one reader at a time, only to committed entries,
//! and only upwards: a reader that has seen `n` can never later find a new entry below
//! `n`, and a write that rolls back never had a number. SQLite has one writer at a
//! time, which orders the same way.

use std::sync::Arc;

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use waymark_domain::acting::Acting;
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{
    Actor, Change, ChangeJournal, ChangeKind, JournalEntry, ResourceType, Sequence,
};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;
use waymark_domain::webhooks::{Event, EventType};

use crate::entities::{change_journal, change_journal_heads};
use crate::error::store_error;
use crate::writes::{WriteTransaction, Writes};

/// Hears, in this process, of the changes a write has committed: the caches forget
/// what those changes made stale. Told once the commit has ended, whether or not the
/// request still waits for it (a commit that failed is told too, since it may have
/// happened: forgetting too much is harmless, forgetting too little is not). Never
/// told of a write that stopped before committing. Other processes hear of the same entries from the
/// database (on PostgreSQL, `change_notices`).
pub(crate) trait HearsChanges: Send + Sync + std::fmt::Debug {
    /// `changes` to `owner`'s data were committed, or may have been.
    fn heard(&self, owner: AccountId, changes: &[Change]);
}

/// The one way a store commits a write of personal data: its journal entries go in
/// as the transaction's last statement, then the transaction commits, then whoever
/// hears changes in this process is told.
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    hearers: Arc<[Arc<dyn HearsChanges>]>,
}

impl Journal {
    /// A journal telling `hearers` of every committed write.
    pub(crate) fn telling(hearers: Vec<Arc<dyn HearsChanges>>) -> Self {
        Self { hearers: hearers.into() }
    }

    /// Appends `changes` to the journal of `acting.owner`, as made by `acting.actor` at
    /// `at`, commits
    /// `transaction`, and then tells this process's hearers (also when the commit
    /// fails, since it may have happened all the same).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; the transaction then rolls back, or may have
    /// committed if the commit itself failed.
    pub(crate) async fn commit(
        &self,
        transaction: WriteTransaction,
        acting: Acting,
        at: Instant,
        changes: &[Change],
    ) -> Result<(), StoreError> {
        append(&transaction, acting.owner, acting.actor, at, changes).await?;
        self.commit_appended(transaction, acting.owner, changes).await
    }

    /// Commits `transaction`, whose entries `changes` were [`append`]ed earlier in it
    /// (erasing an account appends before the rows go), and tells this process's
    /// hearers as [`Self::commit`] does.
    ///
    /// # Errors
    /// [`StoreError`] when the commit fails (it may have happened all the same).
    pub(crate) async fn commit_appended(
        &self,
        transaction: WriteTransaction,
        owner: AccountId,
        changes: &[Change],
    ) -> Result<(), StoreError> {
        self.commit_appended_for(transaction, vec![(owner, changes.to_vec())]).await
    }

    /// As [`Self::commit_appended`], for a transaction that appended entries to
    /// several people's journals (`changed`: each person and their changes).
    ///
    /// # Errors
    /// [`StoreError`] when the commit fails (it may have happened all the same).
    pub(crate) async fn commit_appended_for(
        &self,
        transaction: WriteTransaction,
        changed: Vec<(AccountId, Vec<Change>)>,
    ) -> Result<(), StoreError> {
        let tell = TellWhenDone { hearers: Arc::clone(&self.hearers), changed };
        // A task of its own: once begun, the commit runs to its end and the hearers are
        // told after it, even when the request that asked stops waiting (a client that
        // went away, a timeout). Told earlier, a cache could keep what a read made of
        // the data just before the commit landed.
        tokio::spawn(async move {
            let _tell = tell;
            transaction.commit().await
        })
        .await
        .map_err(|error| {
            StoreError::Unexpected(anyhow::anyhow!("a commit did not run to its end: {error}"))
        })?
    }
}

/// Tells the hearers when dropped: once the commit has ended, or when the task
/// running it is dropped (the runtime stopping), since it may have happened.
struct TellWhenDone {
    hearers: Arc<[Arc<dyn HearsChanges>]>,
    /// Each person whose journal the write appended to, and their changes.
    changed: Vec<(AccountId, Vec<Change>)>,
}

impl Drop for TellWhenDone {
    fn drop(&mut self) {
        for hearer in self.hearers.iter() {
            for (owner, changes) in &self.changed {
                hearer.heard(*owner, changes);
            }
        }
    }
}

/// Appends `changes` to `owner`'s journal, made by `actor` at `at`, inside the
/// transaction that made the changes. The entries get their numbers when first read
/// (see the module's note on numbering).
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
    let rows = changes.iter().map(|change| change_journal::ActiveModel {
        id: NotSet,
        account_id: Set(owner.0),
        sequence: Set(None),
        resource_type: Set(change.resource.as_str().to_owned()),
        resource_id: Set(change.id),
        kind: Set(change.kind.as_str().to_owned()),
        version: Set(change.version),
        actor_kind: Set(actor.kind().to_owned()),
        actor_id: Set(actor.id()),
        at: Set(at),
    });
    change_journal::Entity::insert_many(rows)
        .exec_without_returning(connection)
        .await
        .map_err(store_error)?;
    // The outbox: the webhook messages of these changes commit or roll back with them.
    let events: Vec<Event> = changes
        .iter()
        .filter_map(|change| {
            EventType::of_change(change).map(|event_type| Event {
                id: uuid::Uuid::now_v7(),
                event_type,
                at,
                resource_type: change.resource.as_str(),
                resource_id: change.id,
                version: change.version,
                person: Some(owner),
            })
        })
        .collect();
    crate::webhooks::enqueue(connection, Some(owner), &events).await
}

/// Gives `account`'s committed entries that have no number yet the next numbers, in
/// the order they were written, and moves the person's head on. The head's row lock
/// makes numbering run one transaction at a time per person; commit `transaction`
/// to publish the numbers.
async fn number_pending(
    transaction: &WriteTransaction,
    account: AccountId,
) -> Result<(), StoreError> {
    let head = change_journal_heads::Entity::insert(change_journal_heads::ActiveModel {
        account_id: Set(account.0),
        last_sequence: Set(0),
    })
    .on_conflict(
        // Rewriting the head with itself takes its lock.
        OnConflict::column(change_journal_heads::Column::AccountId)
            .value(
                change_journal_heads::Column::LastSequence,
                Expr::col((
                    change_journal_heads::Entity,
                    change_journal_heads::Column::LastSequence,
                )),
            )
            .to_owned(),
    )
    .exec_with_returning(transaction)
    .await
    .map_err(store_error)?;
    let backend = transaction.get_database_backend();
    let (last, owner) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    let numbered = transaction
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE change_journal SET sequence = {last} + pending.place \
                 FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS place FROM change_journal \
                       WHERE account_id = {owner} AND sequence IS NULL) AS pending \
                 WHERE change_journal.id = pending.id"
            ),
            [head.last_sequence.into(), account.0.into()],
        ))
        .await
        .map_err(store_error)?
        .rows_affected();
    if numbered > 0 {
        change_journal_heads::Entity::update_many()
            .col_expr(
                change_journal_heads::Column::LastSequence,
                Expr::value(head.last_sequence + i64::try_from(numbered).unwrap_or(i64::MAX)),
            )
            .filter(change_journal_heads::Column::AccountId.eq(account.0))
            .exec(transaction)
            .await
            .map_err(store_error)?;
    }
    Ok(())
}

/// Removes the entries made before `cutoff` that no newer entry precedes: each
/// person's journal loses a prefix, never a piece of its middle. A writer that waited
/// for a lock can have written after another with an earlier time; removing by time
/// alone would leave a hole a reader could not tell from a gap. Entries are numbered
/// first, so none goes before a reader could have seen it; sequence numbers are never
/// reused.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn forget_before(connection: &Writes, cutoff: Instant) -> Result<u64, StoreError> {
    let unnumbered: Vec<uuid::Uuid> = change_journal::Entity::find()
        .select_only()
        .column(change_journal::Column::AccountId)
        .distinct()
        .filter(change_journal::Column::Sequence.is_null())
        .filter(change_journal::Column::At.lt(cutoff))
        .into_tuple()
        .all(connection)
        .await
        .map_err(store_error)?;
    for account in unnumbered {
        let transaction = connection.begin().await?;
        number_pending(&transaction, AccountId(account)).await?;
        transaction.commit().await?;
    }
    let backend = connection.get_database_backend();
    // The cutoff appears twice: PostgreSQL names it once, SQLite binds it twice.
    let (placeholder, values) = match backend {
        DbBackend::Postgres => ("$1", vec![cutoff.into()]),
        _ => ("?", vec![cutoff.into(), cutoff.into()]),
    };
    let sql = format!(
        "DELETE FROM change_journal WHERE sequence IS NOT NULL AND at < {placeholder} \
         AND NOT EXISTS (SELECT 1 FROM change_journal newer \
          WHERE newer.account_id = change_journal.account_id \
          AND newer.sequence < change_journal.sequence AND newer.at >= {placeholder})"
    );
    connection
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .map(|done| done.rows_affected())
        .map_err(store_error)
}

/// [`ChangeJournal`] on SQLite or PostgreSQL. Reading numbers what is pending, so it
/// goes through the write connection.
#[derive(Debug, Clone)]
pub(crate) struct SqlChangeJournal {
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
}

/// The person's head as `transaction` sees it (0 before their first change).
async fn head_in(
    transaction: &WriteTransaction,
    account: AccountId,
) -> Result<Sequence, StoreError> {
    Ok(Sequence(
        change_journal_heads::Entity::find_by_id(account.0)
            .one(transaction)
            .await
            .map_err(store_error)?
            .map_or(0, |head| head.last_sequence),
    ))
}

fn to_entry(row: &change_journal::Model) -> Result<JournalEntry, StoreError> {
    let corrupt = |problem: String| {
        StoreError::Unexpected(anyhow::anyhow!(
            "journal entry {} of {} is invalid: {problem}",
            row.id,
            row.account_id
        ))
    };
    let words = |error: waymark_domain::journal::UnknownWord| corrupt(error.to_string());
    Ok(JournalEntry {
        account: AccountId(row.account_id),
        sequence: Sequence(row.sequence.ok_or_else(|| corrupt("no number".to_owned()))?),
        change: Change {
            resource: row.resource_type.parse::<ResourceType>().map_err(words)?,
            id: row.resource_id,
            kind: row.kind.parse::<ChangeKind>().map_err(words)?,
            version: row.version,
        },
        actor: Actor::from_stored(&row.actor_kind, row.actor_id).map_err(words)?,
        at: row.at,
    })
}

impl SqlChangeJournal {
    /// Numbers what is pending for `account`, then runs `read` in the same transaction.
    async fn numbered<T>(
        &self,
        account: AccountId,
        read: impl AsyncFnOnce(&WriteTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let transaction = self.writes.begin().await?;
        number_pending(&transaction, account).await?;
        let found = read(&transaction).await?;
        transaction.commit().await?;
        Ok(found)
    }
}

#[async_trait]
impl ChangeJournal for SqlChangeJournal {
    async fn entries_after(
        &self,
        account: AccountId,
        after: Sequence,
        limit: u64,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        Ok(self.entries_and_head_after(account, after, limit).await?.0)
    }

    async fn entries_and_head_after(
        &self,
        account: AccountId,
        after: Sequence,
        limit: u64,
    ) -> Result<(Vec<JournalEntry>, Sequence), StoreError> {
        self.numbered(account, async |transaction| {
            let entries = change_journal::Entity::find()
                .filter(change_journal::Column::AccountId.eq(account.0))
                .filter(change_journal::Column::Sequence.gt(after.0))
                .order_by_asc(change_journal::Column::Sequence)
                .limit(limit)
                .all(transaction)
                .await
                .map_err(store_error)?
                .iter()
                .map(to_entry)
                .collect::<Result<Vec<_>, _>>()?;
            Ok((entries, head_in(transaction, account).await?))
        })
        .await
    }

    async fn head(&self, account: AccountId) -> Result<Sequence, StoreError> {
        self.numbered(account, async |transaction| head_in(transaction, account).await).await
    }

    async fn oldest_held(&self, account: AccountId) -> Result<Option<Sequence>, StoreError> {
        self.numbered(account, async |transaction| {
            Ok(change_journal::Entity::find()
                .filter(change_journal::Column::AccountId.eq(account.0))
                .filter(change_journal::Column::Sequence.is_not_null())
                .order_by_asc(change_journal::Column::Sequence)
                .one(transaction)
                .await
                .map_err(store_error)?
                .and_then(|row| row.sequence.map(Sequence)))
        })
        .await
    }
}
