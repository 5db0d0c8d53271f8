//! A full disk under SQLite: writes the disk cannot hold are refused with 503 (never a
//! 500, never a hang), readiness says why, the server heals by itself once space
//! returns, and every write it answered 2xx is there after `kill -9` and a restart.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use super::api;
use super::server_process::ServerProcess;
use super::small_disk::SmallDisk;
use super::store::{Backend, Store};

/// Large enough for the schema and a few hundred goals, small enough to fill at once.
const DISK_MEBIBYTES: u32 = 16;

/// Set (by `.ci/run`) where the tests that need root must run.
const REQUIRE_ROOT_VARIABLE: &str = "WAYMARK_TEST_REQUIRE_ROOT";

/// How long the server may take to notice that space has come back.
const HEALS_WITHIN: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_a_full_disk_and_the_server_heals_by_itself_on_sqlite() {
    let store = Store::create(Backend::Sqlite)
        .await
        .unwrap_or_else(|| panic!("SQLite is always available"));
    let disk = match SmallDisk::mount(&store.sqlite_directory(), DISK_MEBIBYTES) {
        Ok(disk) => disk,
        // CI runs as root and sets the variable, so there it can never pass unrun.
        Err(reason) if std::env::var_os(REQUIRE_ROOT_VARIABLE).is_some() => {
            panic!(
                "{REQUIRE_ROOT_VARIABLE} is set but no small filesystem could be mounted: {reason}"
            )
        }
        Err(reason) => {
            eprintln!("skipped: no small filesystem to fill ({reason}); it needs root, as CI has");
            return;
        }
    };
    let mut server = ServerProcess::start(&store, &[]).await;
    let client = api::client();
    let person = api::sign_up(&client, &server.base_url).await;
    let mut acknowledged = Vec::new();
    let mut create = async |title: String, server: &ServerProcess| -> (StatusCode, Value) {
        let response = api::create_goal(&client, &server.base_url, &person.access_token, &title)
            .await
            .unwrap_or_else(|error| panic!("POST /v1/goals failed in transport: {error}"));
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        if status == StatusCode::CREATED {
            acknowledged.push(body["id"].as_str().unwrap_or_default().to_owned());
        }
        (status, body)
    };

    assert_eq!(create("Before the disk filled".to_owned(), &server).await.0, StatusCode::CREATED);
    disk.fill();

    // Write until the full disk refuses (the write-ahead log may have room for a few).
    let mut refused = 0;
    for number in 0..5000 {
        let started = Instant::now();
        let (status, body) = create(format!("While full {number}"), &server).await;
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "a write on a full disk took {:?}",
            started.elapsed()
        );
        match status {
            StatusCode::CREATED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(body["type"], "/problems/service-unavailable", "{body}");
                refused += 1;
                if refused == 3 {
                    break;
                }
            }
            other => {
                panic!("a write on a full disk was answered {other}: {body}\n{}", server.log())
            }
        }
    }
    assert_eq!(refused, 3, "the full disk never refused a write");

    let ready = wait_for_readiness(&client, &server, StatusCode::SERVICE_UNAVAILABLE).await;
    let detail = ready["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("cannot commit writes") && detail.contains("full"),
        "readiness says why: {ready}"
    );

    disk.free();
    let freed_at = Instant::now();
    wait_for_readiness(&client, &server, StatusCode::OK).await;
    assert!(freed_at.elapsed() <= HEALS_WITHIN, "ready again only after {:?}", freed_at.elapsed());
    for number in 0..30 {
        let (status, body) = create(format!("After the space came back {number}"), &server).await;
        assert_eq!(status, StatusCode::CREATED, "write {number} after the space came back: {body}");
    }
    let newcomer = api::sign_up(&client, &server.base_url).await;

    server.kill_hard();
    let log = server.log();
    drop(server);
    let restarted = ServerProcess::start(&store, &[]).await;
    let token = api::sign_in(&client, &restarted.base_url, &person.email).await;
    let listed: HashSet<String> = api::every_listed_goal(&client, &restarted.base_url, &token)
        .await
        .iter()
        .map(|goal| goal["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|id| !listed.contains(*id)).collect();
    assert!(lost.is_empty(), "answered 201 but gone after the restart: {lost:?}\n{log}");
    assert_eq!(listed.len(), acknowledged.len(), "every stored goal was answered 201");
    api::sign_in(&client, &restarted.base_url, &newcomer.email).await;
    drop(restarted);
    drop(disk);
    eprintln!(
        "{} goals acknowledged around a full disk, all present after kill -9 and a restart",
        acknowledged.len()
    );
}

/// Polls `/health/ready` until it answers `expected`, within [`HEALS_WITHIN`] plus
/// a little, and answers its body.
async fn wait_for_readiness(
    client: &reqwest::Client,
    server: &ServerProcess,
    expected: StatusCode,
) -> Value {
    let deadline = Instant::now() + HEALS_WITHIN + Duration::from_secs(5);
    loop {
        let response = client
            .get(format!("{}/health/ready", server.base_url))
            .send()
            .await
            .unwrap_or_else(|error| panic!("/health/ready failed in transport: {error}"));
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        if status == expected {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "/health/ready still answers {status} ({body}), not {expected}\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
