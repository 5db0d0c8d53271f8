//! What `kill -9` costs the access log. Accesses are recorded in memory and written in
//! batches every `--access-log-flush` (1 s by default), so a server killed outright
//! loses at most the accesses of its last interval, and never one older.

use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::api::{self, PASSWORD};
use super::server_process::ServerProcess;
use super::store::{POSTGRES_URL_VARIABLE, Store};

/// Accesses in each batch.
const BATCH: usize = 20;

/// Runs the CLI on `store`'s database with `stdin`, checks it succeeded, and answers
/// what it printed.
pub(super) fn cli(store: &Store, arguments: &[&str], stdin: &str) -> String {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .args(arguments)
        .env("DATABASE_URL", store.database_url())
        .env("WAYMARK_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run the CLI: {error}"));
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).unwrap_or_default();
    }
    let output = child.wait_with_output().unwrap_or_else(|error| panic!("the CLI: {error}"));
    assert!(
        output.status.success(),
        "waymark {arguments:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Creates an administrator with the CLI, as an operator would, before the server
/// starts.
fn create_administrator(store: &Store, email: &str) {
    std::fs::create_dir_all(store.sqlite_directory()).unwrap_or_default();
    cli(store, &["migrate", "up"], "");
    cli(
        store,
        &["admin", "create-user", "--email", email, "--role", "admin"],
        &format!("{PASSWORD}\n"),
    );
}

/// `BATCH` administrator accesses to `person`'s account, each recorded in their
/// access log: a role change sent with a stale `If-Match`, so nothing changes (412).
async fn administrator_accesses(
    client: &reqwest::Client,
    base_url: &str,
    admin_token: &str,
    person: &str,
) {
    for _ in 0..BATCH {
        let response = client
            .patch(format!("{base_url}/v1/admin/users/{person}"))
            .bearer_auth(admin_token)
            .header("if-match", "\"999\"")
            .header("content-type", "application/merge-patch+json")
            .body(json!({ "role": "editor" }).to_string())
            .send()
            .await
            .unwrap_or_else(|error| panic!("PATCH /v1/admin/users failed: {error}"));
        assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    }
}

/// Every entry of the person's access log.
async fn access_log_of(client: &reqwest::Client, base_url: &str, token: &str) -> Vec<Value> {
    let response = client
        .get(format!("{base_url}/v1/me/access-log?limit=100"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|error| panic!("GET /v1/me/access-log failed: {error}"));
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap_or_default();
    page["items"].as_array().cloned().unwrap_or_default()
}

/// Accesses recorded more than one flush interval before `kill -9` are all in the
/// log after a restart; of those in the last interval, some may be lost, never more.
pub async fn the_access_log_loses_at_most_the_last_interval_on_kill_9(backend: super::Backend) {
    let Some(store) = Store::create(backend).await else {
        eprintln!("skipped: {POSTGRES_URL_VARIABLE} is not set");
        return;
    };
    let admin_email = format!("admin-{}@example.org", uuid::Uuid::now_v7().simple());
    create_administrator(&store, &admin_email);
    let mut server = ServerProcess::start(&store, &["--access-log-flush", "1s"]).await;
    let client = api::client();
    let person = api::sign_up(&client, &server.base_url).await;
    let me: Value = client
        .get(format!("{}/v1/me", server.base_url))
        .bearer_auth(&person.access_token)
        .send()
        .await
        .unwrap_or_else(|error| panic!("GET /v1/me failed: {error}"))
        .json()
        .await
        .unwrap_or_default();
    let person_id = me["id"].as_str().unwrap_or_else(|| panic!("no id in {me}")).to_owned();
    let admin_token = api::sign_in(&client, &server.base_url, &admin_email).await;

    administrator_accesses(&client, &server.base_url, &admin_token, &person_id).await;
    let first_batch_answered = chrono::Utc::now();
    // More than one interval: the batch above has been written.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    administrator_accesses(&client, &server.base_url, &admin_token, &person_id).await;
    server.kill_hard();
    drop(server);

    let restarted = ServerProcess::start(&store, &[]).await;
    let token = api::sign_in(&client, &restarted.base_url, &person.email).await;
    let logged = access_log_of(&client, &restarted.base_url, &token).await;
    let older = logged
        .iter()
        .filter(|entry| {
            entry["at"]
                .as_str()
                .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
                .is_some_and(|at| at <= first_batch_answered)
        })
        .count();
    assert_eq!(
        older, BATCH,
        "{backend:?}: of the {BATCH} accesses answered 2.5 s before kill -9, {older} survived"
    );
    assert!(logged.len() <= 2 * BATCH, "{} entries for {} accesses", logged.len(), 2 * BATCH);
    assert!(
        logged
            .iter()
            .all(|entry| entry["status"] == 412 && entry["accessor"]["kind"] == "administrator"),
        "{logged:?}"
    );
    eprintln!(
        "{backend:?}: of {} administrator accesses, {} were in the access log after kill -9 \
         ({} of the last interval lost)",
        2 * BATCH,
        logged.len(),
        2 * BATCH - logged.len()
    );
}
