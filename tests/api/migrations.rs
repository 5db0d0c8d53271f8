//! Every migration has a working `down`: up, down to nothing, and up again, on both
//! backends.

use sea_orm::ConnectionTrait;
use waymark_persistence::Database;

use crate::support::Backend;
use crate::support::database::TestDatabase;

/// A fresh, empty database, opened for migrations, with a second connection to look
/// into it.
async fn fresh(backend: Backend) -> Option<(TestDatabase, Database, sea_orm::DatabaseConnection)> {
    let Some(test_database) = TestDatabase::create(backend).await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return None;
    };
    let settings =
        crate::support::app::test_settings(test_database.url()).database_for_migrations();
    let database = Database::connect(&settings).await.unwrap_or_else(|error| panic!("{error}"));
    let observer = sea_orm::Database::connect(test_database.url())
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    Some((test_database, database, observer))
}

async fn up_down_up(backend: Backend) {
    let Some((_test_database, database, observer)) = fresh(backend).await else {
        return;
    };
    let table_exists = async || {
        observer.execute_unprepared("SELECT COUNT(*) FROM idempotency_records").await.is_ok()
    };

    database.migrate_up().await.unwrap_or_else(|error| panic!("first up: {error:?}"));
    assert!(table_exists().await, "up must create the tables");
    let applied = database.migration_status().await.unwrap_or_else(|error| panic!("{error:?}"));
    assert!(!applied.is_empty());
    assert!(applied.iter().all(|migration| migration.applied), "{applied:?}");

    let count = u32::try_from(applied.len()).unwrap_or(u32::MAX);
    database.migrate_down(count).await.unwrap_or_else(|error| panic!("down: {error:?}"));
    let reverted = database.migration_status().await.unwrap_or_else(|error| panic!("{error:?}"));
    assert!(reverted.iter().all(|migration| !migration.applied), "{reverted:?}");
    assert!(!table_exists().await, "down must drop the tables");

    database.migrate_up().await.unwrap_or_else(|error| panic!("second up: {error:?}"));
    let reapplied = database.migration_status().await.unwrap_or_else(|error| panic!("{error:?}"));
    assert_eq!(reapplied, applied);
    assert!(table_exists().await, "the second up must recreate the tables");
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

/// A fresh database migrated all the way up, then stepped down to just before the
/// migration whose name ends with `suffix`, with a second connection to look into it.
async fn stepped_down_before(
    backend: Backend,
    suffix: &str,
) -> Option<(TestDatabase, Database, sea_orm::DatabaseConnection)> {
    let (test_database, database, observer) = fresh(backend).await?;
    database.migrate_up().await.unwrap_or_else(|error| panic!("{error:?}"));
    let position = database
        .migration_status()
        .await
        .unwrap_or_else(|error| panic!("{error:?}"))
        .iter()
        .rev()
        .position(|migration| migration.name.ends_with(suffix))
        .unwrap_or_else(|| panic!("no migration is named *{suffix}"));
    database
        .migrate_down(u32::try_from(position + 1).unwrap_or(u32::MAX))
        .await
        .unwrap_or_else(|error| panic!("{error:?}"));
    Some((test_database, database, observer))
}

/// Addresses stored before they were compared case-folded are folded by the
/// migration that made the change (run again here by stepping down and up), except
/// one whose folded form another account already holds.
async fn stored_addresses_are_folded(backend: Backend) {
    let Some((_test_database, database, observer)) =
        stepped_down_before(backend, "fold_account_emails").await
    else {
        return;
    };
    let id = |n: u8| match backend {
        Backend::Sqlite => format!("x'{:032x}'", n),
        Backend::Postgres => format!("'{}'", uuid::Uuid::from_u128(u128::from(n))),
    };
    for (n, email) in [
        (1, "\u{ff53}\u{ff41}\u{ff4d}@example.org"),
        (2, "alex@example.org"),
        (3, "\u{ff41}\u{ff4c}\u{ff45}\u{ff58}@example.org"),
    ] {
        observer
            .execute_unprepared(&format!(
                "INSERT INTO accounts (id, email, password_hash, display_name, time_zone, locale, role, created_at, updated_at, version) \
                 VALUES ({}, '{email}', 'x', 'Sam', 'Europe/London', 'en-GB', 'user', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1)",
                id(n)
            ))
            .await
            .unwrap_or_else(|error| panic!("{error}"));
    }
    database.migrate_up().await.unwrap_or_else(|error| panic!("{error:?}"));
    let emails: Vec<String> = observer
        .query_all_raw(sea_orm::Statement::from_string(
            observer.get_database_backend(),
            "SELECT email FROM accounts ORDER BY email",
        ))
        .await
        .unwrap_or_else(|error| panic!("{error}"))
        .iter()
        .map(|row| row.try_get::<String>("", "email").unwrap_or_default())
        .collect();
    assert_eq!(
        emails,
        ["alex@example.org", "sam@example.org", "\u{ff41}\u{ff4c}\u{ff45}\u{ff58}@example.org"],
        "full-width addresses are folded, unless the folded one is taken"
    );
    let _ = observer.close().await;
    database.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_addresses_are_folded_on_sqlite() {
    stored_addresses_are_folded(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_addresses_are_folded_on_postgres() {
    stored_addresses_are_folded(Backend::Postgres).await;
}

/// Tombstones written before the change journal existed become its `deleted` entries,
/// numbered per person in the order of deletion, and each person's head continues
/// from there.
async fn tombstones_become_journal_entries(backend: Backend) {
    let Some((_test_database, database, observer)) =
        stepped_down_before(backend, "create_change_journal").await
    else {
        return;
    };
    let id = |n: u8| match backend {
        Backend::Sqlite => format!("x'{n:032x}'"),
        Backend::Postgres => format!("'{}'", uuid::Uuid::from_u128(u128::from(n))),
    };
    for n in [1, 2] {
        observer
            .execute_unprepared(&format!(
                "INSERT INTO accounts (id, email, password_hash, display_name, time_zone, locale, role, created_at, updated_at, version) \
                 VALUES ({}, 'person{n}@example.org', 'x', 'Sam', 'Europe/London', 'en-GB', 'user', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1)",
                id(n)
            ))
            .await
            .unwrap_or_else(|error| panic!("{error}"));
    }
    for (resource, kind, owner, at) in [
        (10, "routine", 1, "2026-03-02T00:00:00Z"),
        (11, "goal", 1, "2026-03-01T00:00:00Z"),
        (12, "contact", 2, "2026-03-03T00:00:00Z"),
    ] {
        observer
            .execute_unprepared(&format!(
                "INSERT INTO tombstones (id, kind, account_id, deleted_at) VALUES ({}, '{kind}', {}, '{at}')",
                id(resource),
                id(owner)
            ))
            .await
            .unwrap_or_else(|error| panic!("{error}"));
    }
    database.migrate_up().await.unwrap_or_else(|error| panic!("{error:?}"));
    let journal = database.ports().journal;
    let described = |entries: Vec<waymark_domain::journal::JournalEntry>| {
        entries
            .iter()
            .map(|entry| {
                (
                    entry.sequence.0,
                    entry.change.resource.as_str(),
                    entry.change.kind.as_str(),
                    entry.change.id.as_u128(),
                )
            })
            .collect::<Vec<_>>()
    };
    let person = |n: u8| waymark_domain::identity::AccountId(uuid::Uuid::from_u128(u128::from(n)));
    let first = journal
        .entries_after(person(1), waymark_domain::journal::Sequence(0), 10)
        .await
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert_eq!(described(first), [(1, "goal", "deleted", 11), (2, "routine", "deleted", 10)]);
    let second = journal
        .entries_after(person(2), waymark_domain::journal::Sequence(0), 10)
        .await
        .unwrap_or_else(|error| panic!("{error:?}"));
    assert_eq!(described(second), [(1, "contact", "deleted", 12)]);
    let heads: Vec<i64> = observer
        .query_all_raw(sea_orm::Statement::from_string(
            observer.get_database_backend(),
            "SELECT last_sequence FROM change_journal_heads ORDER BY last_sequence",
        ))
        .await
        .unwrap_or_else(|error| panic!("{error}"))
        .iter()
        .map(|row| row.try_get::<i64>("", "last_sequence").unwrap_or_default())
        .collect();
    assert_eq!(heads, [1, 2], "each head continues after the migrated entries");
    let _ = observer.close().await;
    database.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tombstones_become_journal_entries_on_sqlite() {
    tombstones_become_journal_entries(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tombstones_become_journal_entries_on_postgres() {
    tombstones_become_journal_entries(Backend::Postgres).await;
}
