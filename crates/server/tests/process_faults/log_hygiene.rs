//! What the server logs about failures: a client's mistake (any 4xx, NUL characters
//! included) is never logged at ERROR nor with a backtrace, so nobody can flood the
//! logs with stack traces; a bug (a 500) is logged at ERROR with its whole cause.

use std::io::{Read, Write};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::api;
use super::server_process::ServerProcess;
use super::store::{Backend, POSTGRES_URL_VARIABLE, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_errors_are_never_logged_as_errors_and_bugs_are_logged_with_their_cause_on_sqlite() {
    client_errors_are_never_logged_as_errors_and_bugs_are_logged_with_their_cause(Backend::Sqlite)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_errors_are_never_logged_as_errors_and_bugs_are_logged_with_their_cause_on_postgres()
{
    client_errors_are_never_logged_as_errors_and_bugs_are_logged_with_their_cause(
        Backend::Postgres,
    )
    .await;
}

async fn client_errors_are_never_logged_as_errors_and_bugs_are_logged_with_their_cause(
    backend: Backend,
) {
    let Some(store) = Store::create(backend).await else {
        eprintln!("skipped: {POSTGRES_URL_VARIABLE} is not set");
        return;
    };
    let server = ServerProcess::start(&store, &[]).await;
    let client = api::client();
    let person = api::sign_up(&client, &server.base_url).await;
    let base = &server.base_url;
    let token = &person.access_token;
    let goal: Value = api::create_goal(&client, base, token, "Read again")
        .await
        .unwrap_or_else(|error| panic!("POST /v1/goals failed: {error}"))
        .json()
        .await
        .unwrap_or_default();
    let goal_id = goal["id"].as_str().unwrap_or_default().to_owned();

    let mistakes = [
        client.get(format!("{base}/v1/content/services?q=%00")),
        client.get(format!("{base}/v1/goals?q=a%00b")).bearer_auth(token),
        client.get(format!("{base}/v1/contacts?q=a%00b")).bearer_auth(token),
        client.get(format!("{base}/v1/goals/a%00b")).bearer_auth(token),
        client
            .post(format!("{base}/v1/goals"))
            .bearer_auth(token)
            .json(&json!({ "title": "a\u{0}b", "area": "health" })),
        client
            .post(format!("{base}/v1/goals"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body("{"),
        client
            .post(format!("{base}/v1/goals"))
            .bearer_auth(token)
            .header("content-type", "text/plain")
            .body("x"),
        client.post(format!("{base}/v1/goals")).bearer_auth(token).json(&json!({ "title": "" })),
        client.get(format!("{base}/v1/goals/{}", uuid::Uuid::now_v7())).bearer_auth(token),
        client.get(format!("{base}/v1/goals")),
        client.get(format!("{base}/v1/goals")).bearer_auth("not.a.token"),
        client.delete(format!("{base}/health/live")),
        client.get(format!("{base}/v1/nothing-here")),
        client.post(format!("{base}/v1/auth/token")).form(&[
            ("grant_type", "password"),
            ("username", person.email.as_str()),
            ("password", "wrong"),
        ]),
        client.post(format!("{base}/v1/auth/token")).form(&[
            ("grant_type", "password"),
            ("username", "a\u{0}b@example.org"),
            ("password", "x"),
        ]),
    ];
    for mistake in mistakes {
        let response = mistake
            .send()
            .await
            .unwrap_or_else(|error| panic!("a request failed in transport: {error}"));
        assert!(
            response.status().is_client_error(),
            "{} answered {}",
            response.url(),
            response.status()
        );
    }
    assert_eq!(raw_request_status(server.port, "X-Request-Id: a\0b"), 400);

    // A row the server cannot read is a bug in its data: a 500, logged with its cause.
    store
        .execute(&format!(
            "UPDATE goals SET area = 'nowhere' WHERE id = {}",
            id_literal(backend, &goal_id)
        ))
        .await;
    let broken = api::get_goal(&client, base, token, &goal_id).await;
    assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let problem: Value = broken.json().await.unwrap_or_default();
    let bug_request = problem["request_id"].as_str().unwrap_or_default().to_owned();

    let log = server.log();
    let (bug_lines, other_lines): (Vec<&str>, Vec<&str>) =
        log.lines().partition(|line| line.contains(&bug_request));
    for line in &other_lines {
        assert!(
            !line.contains("\"level\":\"ERROR\"") && !line.to_lowercase().contains("backtrace"),
            "a client's mistake was logged as an error or with a backtrace:\n{line}"
        );
    }
    let bug = bug_lines
        .iter()
        .find(|line| line.contains("\"level\":\"ERROR\""))
        .unwrap_or_else(|| panic!("the 500 was not logged at ERROR:\n{log}"));
    assert!(bug.contains("has an invalid area"), "the 500 is logged with its cause: {bug}");
}

/// Sends `GET /health/live` with `header` over a raw connection (no client library
/// sends a NUL in a header) and answers the status code.
fn raw_request_status(port: u16, header: &str) -> u16 {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|error| panic!("cannot connect: {error}"));
    let request =
        format!("GET /health/live HTTP/1.1\r\nHost: x\r\n{header}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap_or_else(|error| panic!("cannot send: {error}"));
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"))
}

/// `id` as a literal the backend compares with its `uuid` column: a 16-byte blob on
/// SQLite (as sea-orm stores UUIDs there), a quoted string on PostgreSQL.
fn id_literal(backend: Backend, id: &str) -> String {
    match backend {
        Backend::Sqlite => format!("x'{}'", id.replace('-', "")),
        Backend::Postgres => format!("'{id}'"),
    }
}
