//! Every migration has a working `down`: up, down to nothing, and up again, on both
//! backends.

use sea_orm::ConnectionTrait;
use waymark_persistence::Database;

use crate::support::Backend;
use crate::support::database::TestDatabase;

async fn up_down_up(backend: Backend) {
    let Some(test_database) = TestDatabase::create(backend).await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let settings =
        crate::support::app::test_settings(test_database.url()).database_for_migrations();
    let database = Database::connect(&settings)
        .await
        .unwrap_or_else(|error| panic!("{error}"));

    let observer = sea_orm::Database::connect(test_database.url())
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    let table_exists = async || {
        observer
            .execute_unprepared("SELECT COUNT(*) FROM idempotency_records")
            .await
            .is_ok()
    };

    database
        .migrate_up()
        .await
        .unwrap_or_else(|error| panic!("first up: {error:?}"));
    assert!(table_exists().await, "up must create the tables");
    let applied = database
        .migration_status()
        .await
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert!(!applied.is_empty());
    assert!(
        applied.iter().all(|migration| migration.applied),
        "{applied:?}"
    );

    let count = u32::try_from(applied.len()).unwrap_or(u32::MAX);
    database
        .migrate_down(count)
        .await
        .unwrap_or_else(|error| panic!("down: {error:?}"));
    let reverted = database
        .migration_status()
        .await
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert!(
        reverted.iter().all(|migration| !migration.applied),
        "{reverted:?}"
    );
    assert!(!table_exists().await, "down must drop the tables");

    database
        .migrate_up()
        .await
        .unwrap_or_else(|error| panic!("second up: {error:?}"));
    let reapplied = database
        .migration_status()
        .await
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert_eq!(reapplied, applied);
    assert!(
        table_exists().await,
        "the second up must recreate the tables"
    );
    let _ = observer.close().await;

    database.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_go_up_down_and_up_again_on_sqlite() {
    up_down_up(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_go_up_down_and_up_again_on_postgres() {
    up_down_up(Backend::Postgres).await;
}
