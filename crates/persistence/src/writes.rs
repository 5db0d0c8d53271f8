//! Where every write goes. [`Writes::begin`] opens a [`WriteTransaction`]; a store runs
//! its statements on it and ends it with [`WriteTransaction::commit`] (or drops it to
//! roll back). A single statement can also be run on [`Writes`] itself, as a write of
//! its own.
//!
//! **PostgreSQL**: every write is a transaction of its own from the shared pool;
//! PostgreSQL commits concurrent transactions together by itself.
//!
//! **SQLite: group commit.** SQLite commits one transaction at a time, and each commit
//! waits for the disk (`synchronous = FULL`). Writes take turns on one connection in
//! arrival order (a fair lock; one that waits longer than the acquire timeout is
//! answered 503). The first in a row opens a transaction, a *batch*; each write runs
//! in it under a savepoint of its own, so a write that fails or is dropped rolls back
//! alone. A write that succeeds releases its savepoint and hands the turn on; the
//! batch commits once nobody waits for a turn, or once [`MOST_PER_BATCH`] writes have
//! had a turn in it, with one wait for the disk for all of them. Every write in a batch is
//! answered only after that commit, so nothing is acknowledged before it is durable,
//! and nothing another connection reads is uncommitted; if the commit fails, every
//! write in the batch fails with it (none was acknowledged).
//!
//! **Cancellation.** A request may stop waiting at any await (its client went away).
//! Whatever changes the batch (opening it, a savepoint, releasing, undoing,
//! committing) therefore runs in a task of its own that holds the turn, so it runs
//! to its end. A write that ends without releasing or undoing its savepoint marks the
//! batch, and whoever holds the turn next undoes that write before anything else.
//! Whenever a write cannot be undone alone (its savepoint is gone: SQLite rolled the
//! transaction back by itself after a full disk, say), the whole batch rolls back and
//! every write in it fails. A sweeper commits a batch whose next writer went away.
//!
//! **Reads inside a write.** A write must read what it depends on through its
//! [`WriteTransaction`]: the read pool does not see the writes released earlier in the
//! same batch until the batch commits.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, watch};
use waymark_domain::health::StorageUnavailable;
use waymark_domain::ports::StoreError;

use crate::error::store_error;

/// The most writes one SQLite batch holds before it commits, so that a steady stream
/// of writers never keeps the first of them waiting for long.
pub(crate) const MOST_PER_BATCH: usize = 32;

/// The savepoint each write in a batch runs under. While a batch is open and between
/// writes, exactly one is open, and empty: the batch opens it, and each write, as it
/// ends, releases it and opens the next in the same round trip, or rolls back to it
/// (which keeps it open). So a write costs no round trip of its own to begin.
const SAVEPOINT: &str = "SAVEPOINT waymark_write";
const RELEASE_AND_REOPEN: &str = "RELEASE waymark_write; SAVEPOINT waymark_write";
const ROLLBACK_TO: &str = "ROLLBACK TO waymark_write";

/// How often the sweeper looks for a batch left open, even if nobody woke it.
const SWEEPER_CHECKS_EVERY: Duration = Duration::from_secs(5);

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
    /// A pool of one connection.
    connection: DatabaseConnection,
    turn: Arc<Mutex<Turn>>,
    /// Writers waiting for a turn.
    waiting: AtomicUsize,
    /// Wakes the sweeper: a batch may have been left open.
    left_open: Notify,
    /// How long a writer waits for its turn before it is answered 503.
    acquire_timeout: Duration,
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
    /// Writes that took a turn in the batch, released or not: a batch commits after
    /// [`MOST_PER_BATCH`] of them, so writes that end without releasing (refused,
    /// dropped) cannot keep it open while released ones wait.
    turns: usize,
    /// A write ended without releasing or undoing its savepoint: undo it first.
    undo_pending: bool,
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
    /// writer waits at most `acquire_timeout` for its turn. A sweeper runs on the
    /// current runtime for as long as these writes are used.
    pub(crate) fn grouped(connection: DatabaseConnection, acquire_timeout: Duration) -> Self {
        let group = Arc::new(Group {
            connection,
            turn: Arc::new(Mutex::new(Turn::default())),
            waiting: AtomicUsize::new(0),
            left_open: Notify::new(),
            acquire_timeout,
        });
        tokio::spawn(sweep(Arc::downgrade(&group)));
        Self(Way::Grouped(group))
    }

    /// The pool underneath (for closing it).
    pub(crate) fn connection(&self) -> &DatabaseConnection {
        match &self.0 {
            Way::Pooled(pool) => pool,
            Way::Grouped(group) => &group.connection,
        }
    }

    /// Opens a write transaction: on SQLite, waits for the turn and joins the batch.
    ///
    /// # Errors
    /// [`StoreError`] when no transaction could be opened (503 when storage is busy
    /// or away).
    pub(crate) async fn begin(&self) -> Result<WriteTransaction, StoreError> {
        match &self.0 {
            Way::Pooled(pool) => {
                Ok(WriteTransaction(Inner::Own(pool.begin().await.map_err(store_error)?)))
            }
            Way::Grouped(group) => {
                let mut turn = group.take_turn().await?;
                // The usual case: the batch's savepoint is open and empty. Nothing to
                // await, so nothing a cancelled request could cut short.
                if let Some(batch) = turn.batch.as_mut().filter(|batch| !batch.undo_pending) {
                    batch.turns += 1;
                    let unit =
                        Unit { group: Arc::clone(group), turn: Some(turn), savepoint_open: true };
                    return Ok(WriteTransaction(Inner::Unit(unit)));
                }
                let group = Arc::clone(group);
                let unit = run_to_end(group.open(turn)).await??;
                Ok(WriteTransaction(Inner::Unit(unit)))
            }
        }
    }

    /// Runs one statement as a write of its own in the SQLite batch. Its errors reach
    /// sea-orm as a connection error (a 503), whatever made the batch fail.
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

/// Runs `work` in a task of its own, so that it runs to its end even if the caller
/// stops waiting.
async fn run_to_end<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::spawn(work).await.map_err(|error| {
        StoreError::Unexpected(anyhow::anyhow!("a write did not run to its end: {error}"))
    })
}

/// A [`StoreError`] where sea-orm wants a [`DbErr`] (a single statement run on
/// [`Writes`]); `store_error` reads it back as unavailable.
fn unstored(error: StoreError) -> DbErr {
    DbErr::Conn(sea_orm::RuntimeErr::Internal(error.to_string()))
}

impl Group {
    /// Waits for the turn, in arrival order, for at most the acquire timeout.
    async fn take_turn(self: &Arc<Self>) -> Result<OwnedMutexGuard<Turn>, StoreError> {
        let mut waiting = Waiting::count(self);
        let turn = tokio::time::timeout(self.acquire_timeout, Arc::clone(&self.turn).lock_owned())
            .await
            .map_err(|_| {
                StoreError::Unavailable(StorageUnavailable::timed_out(self.acquire_timeout))
            })?;
        waiting.served = true;
        Ok(turn)
    }

    /// Undoes what an earlier write left, then joins the batch, opening one (with its
    /// savepoint) when none is open. Runs in a task of its own.
    async fn open(self: Arc<Self>, mut turn: OwnedMutexGuard<Turn>) -> Result<Unit, StoreError> {
        turn.settle().await;
        if turn.batch.is_none() {
            // IMMEDIATE: the batch holds the write lock from its start. A deferred one
            // would read from a snapshot taken by its first statement, and fail to
            // write (SQLITE_BUSY_SNAPSHOT) once another connection to the file (a
            // command run next to the server) had committed since.
            let immediate = TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            };
            let transaction =
                self.connection.begin_with_options(immediate).await.map_err(store_error)?;
            // Dropped on failure, the new batch rolls back: nothing has run in it.
            transaction.execute_unprepared(SAVEPOINT).await.map_err(store_error)?;
            turn.batch = Some(Batch {
                transaction,
                turns: 0,
                undo_pending: false,
                outcome: watch::Sender::new(None),
            });
        }
        match turn.batch.as_mut() {
            Some(batch) => {
                batch.turns += 1;
                Ok(Unit { group: self, turn: Some(turn), savepoint_open: true })
            }
            None => Err(store_error(no_batch())),
        }
    }

    /// Hands the turn on once a write has ended: to the next writer, who goes on with
    /// the batch, or, when nobody waits or the batch is full, after committing it.
    async fn pass(&self, mut turn: OwnedMutexGuard<Turn>) {
        let full = turn.batch.as_ref().is_some_and(|batch| batch.turns >= MOST_PER_BATCH);
        if full || self.waiting.load(Ordering::SeqCst) == 0 {
            turn.finish().await;
        }
    }
}

/// Counts a writer waiting for its turn, for as long as it waits. One that gives up
/// may have been the writer the last one left the batch to, so the sweeper looks.
struct Waiting<'a> {
    group: &'a Group,
    served: bool,
}

impl<'a> Waiting<'a> {
    fn count(group: &'a Group) -> Self {
        group.waiting.fetch_add(1, Ordering::SeqCst);
        Self { group, served: false }
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

/// For as long as the writes are used, commits a batch whose last writer went away
/// without ending it while nobody else waits to go on with it.
async fn sweep(group: Weak<Group>) {
    while let Some(group) = group.upgrade() {
        let _ = tokio::time::timeout(SWEEPER_CHECKS_EVERY, group.left_open.notified()).await;
        if group.waiting.load(Ordering::SeqCst) > 0 {
            continue;
        }
        // Whoever holds the turn hands it on properly; only an idle turn is swept.
        if let Ok(turn) = Arc::clone(&group.turn).try_lock_owned()
            && turn.batch.is_some()
        {
            group.pass(turn).await;
        }
    }
}

impl Turn {
    /// Undoes a write that ended without undoing itself. When that fails, the whole
    /// batch rolls back and every write in it fails.
    async fn settle(&mut self) {
        let Some(batch) = self.batch.as_mut().filter(|batch| batch.undo_pending) else {
            return;
        };
        // Rolling back to the savepoint keeps it open, empty, for the next write.
        match batch.transaction.execute_unprepared(ROLLBACK_TO).await {
            Ok(_) => batch.undo_pending = false,
            Err(error) => self.abandon(&error).await,
        }
    }

    /// Rolls the whole batch back: one of its writes could not be undone alone.
    async fn abandon(&mut self, error: &DbErr) {
        let Some(batch) = self.batch.take() else {
            return;
        };
        tracing::warn!(%error, turns = batch.turns, "a write could not be undone alone; rolling back its batch");
        let failed = StoreError::Unavailable(StorageUnavailable::new(anyhow::anyhow!(
            "another write in the same batch could not be undone alone ({error}); the batch was rolled back"
        )));
        // A connection left inside a transaction is closed when it goes back to the
        // pool (see `discard_if_inside_a_transaction`).
        if let Err(error) = batch.transaction.rollback().await {
            tracing::warn!(%error, "rolling back a batch failed");
        }
        batch.outcome.send_replace(Some(Outcome::Failed(Arc::new(failed))));
    }

    /// Commits the batch, if one is open, and tells every write in it how it went.
    async fn finish(&mut self) {
        self.settle().await;
        let Some(batch) = self.batch.take() else {
            return;
        };
        let outcome = match batch.transaction.commit().await {
            Ok(()) => Outcome::Committed,
            Err(error) => Outcome::Failed(Arc::new(store_error(error))),
        };
        batch.outcome.send_replace(Some(outcome));
    }
}

/// One write inside a SQLite batch: it holds the turn until it ends.
#[derive(Debug)]
struct Unit {
    group: Arc<Group>,
    turn: Option<OwnedMutexGuard<Turn>>,
    /// Its savepoint is neither released nor undone yet.
    savepoint_open: bool,
}

impl Unit {
    fn transaction(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.turn
            .as_ref()
            .and_then(|turn| turn.batch.as_ref())
            .map(|batch| &batch.transaction)
            .ok_or_else(no_batch)
    }

    /// Releases the savepoint into the batch (opening the next write's) and hands the
    /// turn on; answers how to hear the batch's outcome. Runs in a task of its own.
    async fn release(mut self) -> Result<watch::Receiver<Option<Outcome>>, StoreError> {
        let released = match self.transaction() {
            Ok(transaction) => transaction.execute_unprepared(RELEASE_AND_REOPEN).await.map(drop),
            Err(error) => Err(error),
        };
        self.savepoint_open = false;
        let group = Arc::clone(&self.group);
        let Some(mut turn) = self.turn.take() else {
            return Err(store_error(no_batch()));
        };
        let outcome = match released {
            Ok(()) => match turn.batch.as_ref() {
                Some(batch) => Ok(batch.outcome.subscribe()),
                None => Err(store_error(no_batch())),
            },
            Err(error) => {
                // The savepoint is gone (and with it, maybe the batch's earlier writes),
                // or the next one could not be opened.
                turn.abandon(&error).await;
                Err(store_error(error))
            }
        };
        group.pass(turn).await;
        outcome
    }
}

impl Drop for Unit {
    fn drop(&mut self) {
        let Some(mut turn) = self.turn.take() else {
            return;
        };
        if self.savepoint_open
            && let Some(batch) = turn.batch.as_mut()
        {
            batch.undo_pending = true;
        }
        let group = Arc::clone(&self.group);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let mut turn = turn;
                    turn.settle().await;
                    group.pass(turn).await;
                });
            }
            // No runtime to undo it on: the next holder of the turn does, or the
            // sweeper.
            Err(_) => {
                drop(turn);
                group.left_open.notify_one();
            }
        }
    }
}

fn no_batch() -> DbErr {
    DbErr::Custom("the write has ended".to_owned())
}

/// What a write hears when its batch failed: the same unavailability (so a full disk
/// is a 503 for every write in the batch), or an unexpected error.
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

/// One write: a transaction of its own on PostgreSQL, a savepoint in the batch on
/// SQLite. Dropped without [`Self::commit`], it rolls back.
#[derive(Debug)]
pub(crate) struct WriteTransaction(Inner);

#[derive(Debug)]
enum Inner {
    Own(DatabaseTransaction),
    Unit(Unit),
}

impl WriteTransaction {
    fn statements(&self) -> Result<&DatabaseTransaction, DbErr> {
        match &self.0 {
            Inner::Own(transaction) => Ok(transaction),
            Inner::Unit(unit) => unit.transaction(),
        }
    }

    /// Commits the write: on PostgreSQL at once; on SQLite with its batch, answering
    /// once the batch is durable.
    ///
    /// # Errors
    /// [`StoreError`] when the commit failed (it may have happened all the same); on
    /// SQLite, when the batch's did.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        let unit = match self.0 {
            Inner::Own(transaction) => return transaction.commit().await.map_err(store_error),
            Inner::Unit(unit) => unit,
        };
        let mut outcome = run_to_end(unit.release()).await??;
        let told = outcome.wait_for(Option::is_some).await;
        match told.as_deref() {
            Ok(Some(Outcome::Committed)) => Ok(()),
            Ok(Some(Outcome::Failed(error))) => Err(failed_with(error)),
            Ok(None) | Err(_) => {
                Err(StoreError::Unexpected(anyhow::anyhow!("the batch ended without committing")))
            }
        }
    }
}

#[async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        match &self.0 {
            Inner::Own(transaction) => transaction.get_database_backend(),
            Inner::Unit(_) => DbBackend::Sqlite,
        }
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
        match &self.0 {
            Way::Pooled(pool) => pool.execute_raw(statement).await,
            Way::Grouped(_) => {
                self.alone(async |transaction| transaction.execute_raw(statement).await).await
            }
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match &self.0 {
            Way::Pooled(pool) => pool.execute_unprepared(sql).await,
            Way::Grouped(_) => {
                self.alone(async |transaction| transaction.execute_unprepared(sql).await).await
            }
        }
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.0 {
            Way::Pooled(pool) => pool.query_one_raw(statement).await,
            Way::Grouped(_) => {
                self.alone(async |transaction| transaction.query_one_raw(statement).await).await
            }
        }
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.0 {
            Way::Pooled(pool) => pool.query_all_raw(statement).await,
            Way::Grouped(_) => {
                self.alone(async |transaction| transaction.query_all_raw(statement).await).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    use secrecy::SecretString;
    use waymark_domain::ports::StoreError;

    use super::Writes;
    use crate::database::Database;
    use crate::settings::DatabaseSettings;

    /// A SQLite database with a table `turns (n)`, its writes waiting at most
    /// `acquire_timeout` for a turn.
    async fn sqlite(acquire_timeout: Duration) -> (Database, std::path::PathBuf) {
        let file = std::env::temp_dir().join(format!("waymark-batch-{}.db", uuid::Uuid::now_v7()));
        let database = Database::connect(&DatabaseSettings {
            url: SecretString::from(format!("sqlite://{}?mode=rwc", file.display())),
            max_connections: 4,
            min_connections: 0,
            connect_timeout: Duration::from_secs(5),
            acquire_timeout,
            statement_timeout: None,
            sqlite_busy_timeout: Duration::from_secs(5),
            caches: crate::settings::CacheBudgets::none(),
        })
        .await
        .unwrap();
        database
            .writes
            .execute_unprepared("CREATE TABLE turns (n INTEGER NOT NULL)")
            .await
            .unwrap();
        (database, file)
    }

    async fn committed(database: &Database) -> Vec<i32> {
        database
            .connection
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

    async fn remove(database: Database, file: std::path::PathBuf) {
        database.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }

    /// Queues a write of `n` behind whoever has the turn, then lets `end` decide: commit
    /// (true) or drop it after its insert (false).
    fn queue(
        writes: &Writes,
        n: i32,
        keep: bool,
    ) -> tokio::task::JoinHandle<Result<(), StoreError>> {
        let writes = writes.clone();
        tokio::spawn(async move {
            let write = writes.begin().await?;
            write.execute_unprepared(&format!("INSERT INTO turns VALUES ({n})")).await.unwrap();
            if keep { write.commit().await } else { Ok(()) }
        })
    }

    /// Lets queued tasks reach their turn.
    async fn settle() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_writers_take_turns_in_arrival_order_while_readers_go_on() {
        let (database, file) = sqlite(Duration::from_secs(10)).await;
        let first = database.writes.begin().await.unwrap();
        first.execute_unprepared("INSERT INTO turns VALUES (0)").await.unwrap();
        let mut waiting = Vec::new();
        for n in 1..=4 {
            waiting.push(queue(&database.writes, n, true));
            // Each writer is queued before the next one arrives.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let read = tokio::time::timeout(
            Duration::from_secs(2),
            database.connection.query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT COUNT(*) AS n FROM turns",
            )),
        )
        .await;
        assert!(matches!(read, Ok(Ok(Some(_)))), "a reader does not wait for the writers");
        assert!(
            waiting.iter().all(|writer| !writer.is_finished()),
            "writers wait for the one write connection"
        );
        first.commit().await.unwrap();
        for writer in waiting {
            writer.await.unwrap().unwrap();
        }
        assert_eq!(
            committed(&database).await,
            vec![0, 1, 2, 3, 4],
            "writers commit in the order they arrived"
        );
        remove(database, file).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_writes_commit_together_after_the_first_and_one_dropped_rolls_back_alone() {
        let (database, file) = sqlite(Duration::from_secs(10)).await;
        let first = database.writes.begin().await.unwrap();
        first.execute_unprepared("INSERT INTO turns VALUES (0)").await.unwrap();
        let mut queued = Vec::new();
        for (n, keep) in [(1, true), (2, false), (3, true)] {
            queued.push(queue(&database.writes, n, keep));
            settle().await;
        }
        let committing = tokio::spawn(first.commit());
        settle().await;
        for write in queued {
            write.await.unwrap().unwrap();
        }
        committing.await.unwrap().unwrap();
        assert_eq!(
            committed(&database).await,
            vec![0, 1, 3],
            "every write that committed is there, in arrival order, and the dropped one is not"
        );
        remove(database, file).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_write_is_answered_before_its_batch_is_durable() {
        let (database, file) = sqlite(Duration::from_secs(10)).await;
        let first = database.writes.begin().await.unwrap();
        first.execute_unprepared("INSERT INTO turns VALUES (0)").await.unwrap();
        // The second holds the turn: the batch cannot commit yet.
        let second = queue_holding(&database.writes, 1);
        settle().await;
        let committing = tokio::spawn(first.commit());
        settle().await;
        assert!(
            !committing.is_finished(),
            "the first write was answered before its batch committed"
        );
        assert!(committed(&database).await.is_empty(), "nothing is visible before the commit");
        second.send(()).unwrap();
        committing.await.unwrap().unwrap();
        assert_eq!(committed(&database).await, vec![0, 1]);
        remove(database, file).await;
    }

    /// Begins a write of `n` and holds the turn until told to commit.
    fn queue_holding(writes: &Writes, n: i32) -> tokio::sync::oneshot::Sender<()> {
        let (go, wait) = tokio::sync::oneshot::channel();
        let writes = writes.clone();
        tokio::spawn(async move {
            let write = writes.begin().await.unwrap();
            write.execute_unprepared(&format!("INSERT INTO turns VALUES ({n})")).await.unwrap();
            wait.await.unwrap();
            write.commit().await.unwrap();
        });
        go
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_whose_request_stops_waiting_halfway_rolls_back_alone() {
        let (database, file) = sqlite(Duration::from_secs(10)).await;
        let first = database.writes.begin().await.unwrap();
        first.execute_unprepared("INSERT INTO turns VALUES (0)").await.unwrap();
        // The second write stops half-way, holding its turn: its client went away.
        let abandoned = {
            let writes = database.writes.clone();
            tokio::spawn(async move {
                let write = writes.begin().await.unwrap();
                write.execute_unprepared("INSERT INTO turns VALUES (1)").await.unwrap();
                std::future::pending::<()>().await;
                drop(write);
            })
        };
        settle().await;
        let third = queue(&database.writes, 2, true);
        settle().await;
        let committing = tokio::spawn(first.commit());
        settle().await;
        abandoned.abort();
        tokio::time::timeout(Duration::from_secs(5), third).await.unwrap().unwrap().unwrap();
        tokio::time::timeout(Duration::from_secs(5), committing).await.unwrap().unwrap().unwrap();
        assert_eq!(committed(&database).await, vec![0, 2]);
        remove(database, file).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_whose_next_writer_goes_away_holding_the_turn_still_commits() {
        let (database, file) = sqlite(Duration::from_secs(10)).await;
        let first = database.writes.begin().await.unwrap();
        first.execute_unprepared("INSERT INTO turns VALUES (0)").await.unwrap();
        let gives_up = {
            let writes = database.writes.clone();
            tokio::spawn(async move {
                let _write = writes.begin().await;
                std::future::pending::<()>().await;
            })
        };
        settle().await;
        // The first hands the batch on to the one waiting, which then goes away.
        let committing = tokio::spawn(first.commit());
        settle().await;
        gives_up.abort();
        let outcome = tokio::time::timeout(Duration::from_secs(2), committing).await;
        assert!(matches!(outcome, Ok(Ok(Ok(())))), "the batch was left open: {outcome:?}");
        assert_eq!(committed(&database).await, vec![0]);
        remove(database, file).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_whose_next_writer_gives_up_waiting_is_committed_by_the_sweeper() {
        let (database, file) = sqlite(Duration::from_secs(10)).await;
        let first = database.writes.begin().await.unwrap();
        first.execute_unprepared("INSERT INTO turns VALUES (0)").await.unwrap();
        // A writer queues for the turn, and is then never polled again.
        let mut waiting = Box::pin(database.writes.begin());
        assert!(
            tokio::time::timeout(Duration::from_millis(20), &mut waiting).await.is_err(),
            "the turn was free"
        );
        // The first sees it waiting and leaves the batch open for it.
        let committing = tokio::spawn(first.commit());
        settle().await;
        assert!(!committing.is_finished(), "the batch committed with a writer waiting");
        // It gives up before it ever had the turn: only the sweeper can commit now.
        drop(waiting);
        let outcome = tokio::time::timeout(Duration::from_secs(7), committing).await;
        assert!(matches!(outcome, Ok(Ok(Ok(())))), "the batch was left open: {outcome:?}");
        assert_eq!(committed(&database).await, vec![0]);
        remove(database, file).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_rolled_back_underneath_fails_every_write_in_it_and_the_next_one_works() {
        let (database, file) = sqlite(Duration::from_secs(10)).await;
        let first = database.writes.begin().await.unwrap();
        first.execute_unprepared("INSERT INTO turns VALUES (0)").await.unwrap();
        let second = {
            let writes = database.writes.clone();
            tokio::spawn(async move {
                let write = writes.begin().await?;
                write.execute_unprepared("INSERT INTO turns VALUES (1)").await.unwrap();
                // What SQLite does by itself after some failures (a full disk, say):
                // the whole transaction is gone, savepoints and all.
                write.execute_unprepared("ROLLBACK").await.unwrap();
                write.commit().await
            })
        };
        settle().await;
        let first = first.commit().await;
        assert!(
            matches!(first, Err(StoreError::Unavailable(_))),
            "the first write was lost with its batch, so it must not be answered as saved: {first:?}"
        );
        assert!(second.await.unwrap().is_err(), "the second write's savepoint was gone");
        assert!(committed(&database).await.is_empty());
        queue(&database.writes, 2, true).await.unwrap().unwrap();
        assert_eq!(committed(&database).await, vec![2], "the next write goes on as usual");
        remove(database, file).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_that_waits_longer_than_the_acquire_timeout_is_told_storage_is_busy() {
        let (database, file) = sqlite(Duration::from_millis(200)).await;
        let first = database.writes.begin().await.unwrap();
        let second = database.writes.begin().await;
        assert!(matches!(second, Err(StoreError::Unavailable(_))), "{second:?}");
        first.execute_unprepared("INSERT INTO turns VALUES (0)").await.unwrap();
        first.commit().await.unwrap();
        assert_eq!(committed(&database).await, vec![0]);
        remove(database, file).await;
    }
}
