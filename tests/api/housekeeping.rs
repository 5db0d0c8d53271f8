//! The background sweep removes expired rows and nothing else.

use chrono::TimeDelta;
use waymark_domain::idempotency::{Claim, IdempotencyKey, KeyedRequest};
use waymark_persistence::{Database, Retention};

use crate::support::Backend;
use crate::support::app::test_settings;
use crate::support::database::TestDatabase;

async fn the_sweep_removes_only_expired_records(backend: Backend) {
    let Some(test_database) = TestDatabase::create(backend).await else {
        return;
    };
    let database = Database::connect(&test_settings(test_database.url()).database_for_migrations())
        .await
        .unwrap();
    database.migrate_up().await.unwrap();
    let store = database.ports().idempotency;
    let now = waymark_domain::time::now();
    let old = IdempotencyKey::parse("old").unwrap();
    let fresh = IdempotencyKey::parse("fresh").unwrap();
    for (key, at) in [(&old, now - TimeDelta::days(2)), (&fresh, now)] {
        let request = KeyedRequest {
            caller: "address:127.0.0.1",
            account: None,
            key,
            method: "POST",
            path: "/v1/auth/register",
            body_digest: "d",
        };
        assert_eq!(store.claim(&request, at).await.unwrap(), Claim::Claimed);
    }

    let swept = database
        .sweep_expired(
            now,
            Retention {
                journal: std::time::Duration::from_secs(90 * 86_400),
                access_log: std::time::Duration::from_secs(730 * 86_400),
            },
        )
        .await
        .unwrap();
    assert_eq!(swept.idempotency_records, 1);

    let fresh_request = KeyedRequest {
        caller: "address:127.0.0.1",
        account: None,
        key: &fresh,
        method: "POST",
        path: "/v1/auth/register",
        body_digest: "d",
    };
    assert_eq!(
        store.claim(&fresh_request, now).await.unwrap(),
        Claim::InProgress,
        "the fresh record is kept"
    );
    let old_request = KeyedRequest {
        caller: "address:127.0.0.1",
        account: None,
        key: &old,
        method: "POST",
        path: "/v1/auth/register",
        body_digest: "other",
    };
    assert_eq!(
        store.claim(&old_request, now).await.unwrap(),
        Claim::Claimed,
        "the expired key is free again"
    );
    database.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_removes_only_expired_records_on_sqlite() {
    the_sweep_removes_only_expired_records(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_removes_only_expired_records_on_postgres() {
    the_sweep_removes_only_expired_records(Backend::Postgres).await;
}
