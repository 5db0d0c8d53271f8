//! Where every write goes. [`Writes::begin`] opens a [`WriteTransaction`]; a store runs
//! its statements on it and ends it with [`WriteTransaction::commit`] (or drops it to
//! roll back). A single statement can also be run on [`Writes`] itself, as a write of
//! its own.
//!
//! **PostgreSQL**: every write transaction is a transaction of its own from the shared
//! pool; PostgreSQL commits concurrent transactions together by itself.
//!
//! **SQLite: group commit.** SQLite commits one transaction at a time, and each commit
//! waits for the disk (`synchronous = FULL`). Writes take turns on one connection, in
//! arrival order (a fair lock). The first in a row opens a transaction (a *batch*);
//! each write runs inside it under a savepoint of its own, so a write that fails or
//! is dropped rolls back alone, to its savepoint. A write that succeeds releases its
//! savepoint and hands the turn on; the batch commits once nobody is waiting for a
//! turn (or once it holds [`MOST_PER_BATCH`] writes), with one wait for the disk for
//! all of them. Every write in the batch answers only after that commit: nothing is
//! acknowledged before it is durable, and nothing another connection reads is
//! uncommitted. If the commit fails, every write in the batch fails with it (none was
//! acknowledged). A batch is committed by a task of its own, so a request that gives
//! up part-way never leaves it half-done; a sweeper commits a batch whose last writer
//! went away without ending it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionTrait,
};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, watch};
use waymark_domain::health::StorageUnavailable;
use waymark_domain::ports::StoreError;

use crate::error::store_error;

/// The most writes one SQLite batch holds before it commits, so that a steady stream
/// of writers never keeps the first of them waiting for long.
pub(crate) const MOST_PER_BATCH: usize = 32;

/// The way to the database for writes.
#[derive(Debug, Clone)]
pub(crate) struct Writes(Way);

#[derive(Debug, Clone)]
enum Way {
    /// PostgreSQL: transactions of their own from the shared pool.
    Pooled(DatabaseConnection),
    /// SQLite: group commit on one connection.
    Grouped(Arc<Group>),
}

/// SQLite's one write connection and whose turn it is.
#[derive(Debug)]
struct Group {
    connection: DatabaseConnection,
    /// How long a writer may wait for its turn before it is answered 503.
    patience: Duration,
    turn: Arc<Mutex<Turn>>,
    /// Writers waiting for a turn.
    waiting: AtomicUsize,
    /// Wakes the sweeper: a batch may have been left open.
    left_open: Notify,
}

/// What the writer whose turn it is may use.
#[derive(Debug, Default)]
struct Turn {
    batch: Option<Batch>,
}

/// An open transaction holding the released savepoints of writes waiting for it to
/// commit.
#[derive(Debug)]
struct Batch {
    transaction: DatabaseTransaction,
    writes: usize,
    outcome: watch::Sender<Option<Outcome>>,
}

/// How a batch ended, told to every write in it.
#[derive(Debug, Clone)]
enum Outcome {
    Committed,
    Failed(Arc<StoreError>),
}

impl Writes {
    /// Writes to PostgreSQL through `pool`.
    pub(crate) fn pooled(pool: DatabaseConnection) -> Self {
        Self(Way::Pooled(pool))
    }

    /// Writes to SQLite through `connection` (a pool of one), committed in groups; a
    /// writer that waits longer than `patience` for its turn gives up (503). A
    /// sweeper runs on the current runtime for as long as these writes are used.
    pub(crate) fn grouped(connection: DatabaseConnection, patience: Duration) -> Self {
        let group = Arc::new(Group {
            connection,
            patience,
            turn: Arc::new(Mutex::new(Turn::default())),
            waiting: AtomicUsize::new(0),
            left_open: Notify::new(),
        });
        tokio::spawn(sweep(Arc::downgrade(&group)));
        Self(Way::Grouped(group))
    }

    /// The connection underneath (for closing it).
    pub(crate) fn connection(&self) -> &DatabaseConnection {
        match &self.0 {
            Way::Pooled(pool) => pool,
            Way::Grouped(group) => &group.connection,
        }
    }

    /// Opens a write transaction: on SQLite, waits for the turn and joins the batch.
    ///
    /// # Errors
    /// [`StoreError`] when no transaction could be opened.
    pub(crate) async fn begin(&self) -> Result<WriteTransaction, StoreError> {
        match &self.0 {
            Way::Pooled(pool) => Ok(WriteTransaction {
                savepoint: Some(pool.begin().await.map_err(store_error)?),
                turn: None,
            }),
            Way::Grouped(group) => group.begin().await,
        }
    }

    /// Runs one statement as a write of its own.
    async fn alone<T>(
        &self,
        run: impl AsyncFnOnce(&WriteTransaction) -> Result<T, DbErr>,
    ) -> Result<T, DbErr> {
        let transaction = self.begin().await.map_err(unstored)?;
        let done = run(&transaction).await?;
        transaction.commit().await.map_err(unstored)?;
        Ok(done)
    }
}

/// A [`StoreError`] where sea-orm wants a [`DbErr`] (a single statement run on
/// [`Writes`]); `store_error` reads it back as unavailable.
fn unstored(error: StoreError) -> DbErr {
    DbErr::Conn(sea_orm::RuntimeErr::Internal(error.to_string()))
}

impl Group {
    async fn begin(self: &Arc<Self>) -> Result<WriteTransaction, StoreError> {
        let mut waiting = Waiting::count(self);
        let mut turn = tokio::time::timeout(self.patience, Arc::clone(&self.turn).lock_owned())
            .await
            .map_err(|_| StoreError::Unavailable(StorageUnavailable::timed_out(self.patience)))?;
        waiting.served = true;
        drop(waiting);
        if turn.batch.is_none() {
            let transaction = self.connection.begin().await.map_err(store_error)?;
            turn.batch = Some(Batch {
                transaction,
                writes: 0,
                outcome: watch::Sender::new(None),
            });
        }
        let Some(batch) = turn.batch.as_ref() else {
            return Err(StoreError::Unexpected(anyhow::anyhow!("no open batch")));
        };
        let savepoint = batch.transaction.begin().await.map_err(store_error)?;
        Ok(WriteTransaction {
            savepoint: Some(savepoint),
            turn: Some((Arc::clone(self), turn)),
        })
    }
}

/// Counts a writer waiting for its turn, for as long as it waits. One that gives up
/// waiting may have been the writer the last one left the batch to, so the sweeper
/// looks.
struct Waiting<'a> {
    group: &'a Group,
    served: bool,
}

impl<'a> Waiting<'a> {
    fn count(group: &'a Group) -> Self {
        group.waiting.fetch_add(1, Ordering::SeqCst);
        Self {
            group,
            served: false,
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.group.waiting.fetch_sub(1, Ordering::SeqCst);
        if !self.served {
            self.group.left_open.notify_one();
        }
    }
}

/// How often the sweeper checks that its writes are still used.
const SWEEPER_CHECKS_EVERY: Duration = Duration::from_secs(5);

/// Commits, for as long as the writes are used, a batch whose last writer went away
/// without ending it (dropped its write, or gave up waiting for its turn) while nobody
/// else waits to go on with it.
async fn sweep(group: Weak<Group>) {
    while let Some(group) = group.upgrade() {
        let woken = tokio::time::timeout(SWEEPER_CHECKS_EVERY, group.left_open.notified())
            .await
            .is_ok();
        if woken && group.waiting.load(Ordering::SeqCst) == 0 {
            let mut turn = Arc::clone(&group.turn).lock_owned().await;
            if let Some(batch) = turn.batch.take() {
                batch.finish().await;
            }
        }
    }
}

impl Batch {
    /// Commits, tells every write in the batch how it went, and answers that.
    async fn finish(self) -> Outcome {
        let outcome = match self.transaction.commit().await {
            Ok(()) => Outcome::Committed,
            Err(error) => Outcome::Failed(Arc::new(store_error(error))),
        };
        self.outcome.send_replace(Some(outcome.clone()));
        outcome
    }
}

/// One write: a transaction on PostgreSQL, a savepoint in the batch on SQLite.
#[derive(Debug)]
pub(crate) struct WriteTransaction {
    savepoint: Option<DatabaseTransaction>,
    /// SQLite: the turn, held until the write ends.
    turn: Option<(Arc<Group>, OwnedMutexGuard<Turn>)>,
}

impl WriteTransaction {
    fn statements(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.savepoint
            .as_ref()
            .ok_or_else(|| DbErr::Custom("the write has ended".to_owned()))
    }

    /// Commits the write: on PostgreSQL at once; on SQLite with its batch, answering
    /// once the batch is durable.
    ///
    /// # Errors
    /// [`StoreError`] when the commit failed; on SQLite, when the batch's did.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let Some(savepoint) = self.savepoint.take() else {
            return Err(StoreError::Unexpected(anyhow::anyhow!(
                "the write has ended"
            )));
        };
        savepoint.commit().await.map_err(store_error)?;
        let Some((group, mut turn)) = self.turn.take() else {
            return Ok(());
        };
        let Some(batch) = turn.batch.as_mut() else {
            return Err(StoreError::Unexpected(anyhow::anyhow!("no open batch")));
        };
        batch.writes += 1;
        let mut outcome = batch.outcome.subscribe();
        if group.waiting.load(Ordering::SeqCst) == 0 || batch.writes >= MOST_PER_BATCH {
            if let Some(batch) = turn.batch.take() {
                // A task of its own: the commit finishes even if this request does not
                // wait for it. The turn passes on once it has.
                tokio::spawn(async move {
                    batch.finish().await;
                    drop(turn);
                });
            }
        } else {
            drop(turn);
        }
        let told = outcome.wait_for(Option::is_some).await;
        match told.as_deref() {
            Ok(Some(Outcome::Committed)) => Ok(()),
            Ok(Some(Outcome::Failed(error))) => Err(failed_with(error)),
            Ok(None) | Err(_) => Err(StoreError::Unexpected(anyhow::anyhow!(
                "the batch ended without committing"
            ))),
        }
    }
}

/// What a write hears when its batch failed to commit: the same unavailability (so a
/// full disk is a 503 for every write in the batch), or an unexpected error.
fn failed_with(error: &StoreError) -> StoreError {
    match error {
        StoreError::Unavailable(unavailable) => StoreError::Unavailable(
            StorageUnavailable::because(unavailable.reason(), anyhow::anyhow!("{unavailable}")),
        ),
        StoreError::Unexpected(cause) => {
            StoreError::Unexpected(anyhow::anyhow!("the batch did not commit: {cause}"))
        }
    }
}

impl Drop for WriteTransaction {
    fn drop(&mut self) {
        // Roll back to the savepoint before the turn passes on, so the next write's
        // statements come after the rollback.
        drop(self.savepoint.take());
        if let Some((group, turn)) = self.turn.take() {
            drop(turn);
            group.left_open.notify_one();
        }
    }
}

#[async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.savepoint
            .as_ref()
            .map_or(DbBackend::Sqlite, ConnectionTrait::get_database_backend)
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        self.statements()?.execute_raw(statement).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.statements()?.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.statements()?.query_one_raw(statement).await
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.statements()?.query_all_raw(statement).await
    }
}

#[async_trait]
impl ConnectionTrait for Writes {
    fn get_database_backend(&self) -> DbBackend {
        self.connection().get_database_backend()
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        self.alone(async |transaction| transaction.execute_raw(statement).await)
            .await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.alone(async |transaction| transaction.execute_unprepared(sql).await)
            .await
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.alone(async |transaction| transaction.query_one_raw(statement).await)
            .await
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.alone(async |transaction| transaction.query_all_raw(statement).await)
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_orm::{ConnectOptions, ConnectionTrait, DbBackend, Statement};

    use super::*;

    async fn grouped() -> (Writes, DatabaseConnection) {
        let file = std::env::temp_dir().join(format!("waymark-batch-{}.db", uuid::Uuid::now_v7()));
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let mut one = ConnectOptions::new(url.clone());
        one.max_connections(1).min_connections(0);
        let writes = Writes::grouped(
            sea_orm::Database::connect(one).await.unwrap(),
            Duration::from_secs(5),
        );
        writes
            .execute_unprepared("CREATE TABLE turns (n INTEGER NOT NULL)")
            .await
            .unwrap();
        (writes, sea_orm::Database::connect(url).await.unwrap())
    }

    async fn committed(reader: &DatabaseConnection) -> Vec<i32> {
        reader
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT n FROM turns ORDER BY rowid",
            ))
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get::<i32>("", "n").unwrap())
            .collect()
    }

    /// Queues a write of `n` behind whoever has the turn; it commits unless `keep` is
    /// false, when it is dropped after its insert.
    fn queue(
        writes: &Writes,
        n: i32,
        keep: bool,
    ) -> tokio::task::JoinHandle<Result<(), StoreError>> {
        let writes = writes.clone();
        tokio::spawn(async move {
            let write = writes.begin().await?;
            write
                .execute_unprepared(&format!("INSERT INTO turns VALUES ({n})"))
                .await
                .unwrap();
            if keep { write.commit().await } else { Ok(()) }
        })
    }

    #[tokio::test]
    async fn queued_writes_commit_together_and_one_dropped_rolls_back_alone() {
        let (writes, reader) = grouped().await;
        let first = writes.begin().await.unwrap();
        first
            .execute_unprepared("INSERT INTO turns VALUES (0)")
            .await
            .unwrap();
        let mut queued = Vec::new();
        for (n, keep) in [(1, true), (2, false), (3, true)] {
            queued.push(queue(&writes, n, keep));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            committed(&reader).await.is_empty(),
            "nothing is visible before the commit"
        );
        first.commit().await.unwrap();
        for write in queued {
            write.await.unwrap().unwrap();
        }
        assert_eq!(
            committed(&reader).await,
            vec![0, 1, 3],
            "every write that committed is there, in arrival order, and the dropped one is not"
        );
    }

    #[tokio::test]
    async fn a_writer_that_waits_too_long_for_its_turn_is_told_storage_is_unavailable() {
        let (writes, _reader) = grouped().await;
        let Writes(Way::Grouped(group)) = &writes else {
            panic!("not grouped");
        };
        let impatient = Writes(Way::Grouped(Arc::new(Group {
            connection: group.connection.clone(),
            patience: Duration::from_millis(100),
            turn: Arc::clone(&group.turn),
            waiting: AtomicUsize::new(0),
            left_open: Notify::new(),
        })));
        let first = writes.begin().await.unwrap();
        let waited = impatient.begin().await;
        assert!(
            matches!(waited, Err(StoreError::Unavailable(_))),
            "{waited:?}"
        );
        first.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_batch_whose_next_writer_goes_away_still_commits() {
        let (writes, reader) = grouped().await;
        let first = writes.begin().await.unwrap();
        first
            .execute_unprepared("INSERT INTO turns VALUES (0)")
            .await
            .unwrap();
        let gives_up = {
            let writes = writes.clone();
            tokio::spawn(async move {
                let _write = writes.begin().await;
                std::future::pending::<()>().await;
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        // The first hands the batch on to the one waiting, which then goes away.
        let committing = tokio::spawn(first.commit());
        tokio::time::sleep(Duration::from_millis(50)).await;
        gives_up.abort();
        let outcome = tokio::time::timeout(Duration::from_secs(2), committing).await;
        assert!(
            matches!(outcome, Ok(Ok(Ok(())))),
            "the batch was left open: {outcome:?}"
        );
        assert_eq!(committed(&reader).await, vec![0]);
    }
}
