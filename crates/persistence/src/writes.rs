//! Where every write goes. [`Writes::begin`] opens a [`WriteTransaction`]; a store runs
//! its statements on it and ends it with [`WriteTransaction::commit`] (or drops it to
//! roll back). A single statement can also be run on [`Writes`] itself.
//!
//! On PostgreSQL the writes share the pool with reads. On SQLite they go through a
//! pool of one connection of their own, whose waiters are served in arrival order, so
//! writers queue instead of spinning in SQLite's busy handler; one that waits longer
//! than the acquire timeout is answered 503. Each write is its own transaction,
//! committed with `synchronous = FULL`.
//!
//! Every store writes through this one type, so that committing queued SQLite writes
//! together (group commit) is a change to this file alone. A first version was built
//! and withdrawn (see ARCHITECTURE.md, "Known debts").

use async_trait::async_trait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionTrait,
};
use waymark_domain::ports::StoreError;

use crate::error::store_error;

/// The way to the database for writes.
#[derive(Debug, Clone)]
pub(crate) struct Writes(DatabaseConnection);

impl Writes {
    /// Writes through `pool` (on SQLite, a pool of one connection).
    pub(crate) fn through(pool: DatabaseConnection) -> Self {
        Self(pool)
    }

    /// The pool underneath (for closing it).
    pub(crate) fn connection(&self) -> &DatabaseConnection {
        &self.0
    }

    /// Opens a write transaction, waiting for the connection in arrival order.
    ///
    /// # Errors
    /// [`StoreError`] when no transaction could be opened (503 when storage is busy
    /// or away).
    pub(crate) async fn begin(&self) -> Result<WriteTransaction, StoreError> {
        self.0.begin().await.map(WriteTransaction).map_err(store_error)
    }
}

/// One write transaction.
#[derive(Debug)]
pub(crate) struct WriteTransaction(DatabaseTransaction);

impl WriteTransaction {
    /// Commits the write.
    ///
    /// # Errors
    /// [`StoreError`] when the commit failed (it may have happened all the same).
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await.map_err(store_error)
    }
}

#[async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        self.0.execute_raw(statement).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.0.query_one_raw(statement).await
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.query_all_raw(statement).await
    }
}

#[async_trait]
impl ConnectionTrait for Writes {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        self.0.execute_raw(statement).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.0.query_one_raw(statement).await
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.query_all_raw(statement).await
    }
}
