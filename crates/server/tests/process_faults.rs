//! Fault tests against the real `waymark` binary, run as a child process on loopback:
//! a write the server acknowledged survives `kill -9` and a restart, and SIGTERM
//! under load answers every request the server had begun, never with a 5xx, refuses
//! new connections and exits cleanly within the shutdown grace; a full disk under
//! SQLite loses nothing acknowledged and heals by itself. Each test runs on SQLite
//! and, when `WAYMARK_TEST_POSTGRES_URL` is set, on PostgreSQL, unless it is about
//! one of them.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

// A crate root's modules resolve next to it, so the helpers' folder is named here.
#[path = "process_faults/access_log.rs"]
mod access_log;
#[path = "process_faults/api.rs"]
mod api;
#[path = "process_faults/full_disk.rs"]
mod full_disk;
#[path = "process_faults/log_hygiene.rs"]
mod log_hygiene;
#[path = "process_faults/server_process.rs"]
mod server_process;
#[path = "process_faults/small_disk.rs"]
mod small_disk;
#[path = "process_faults/store.rs"]
mod store;
#[path = "process_faults/webhooks.rs"]
mod webhooks;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use server_process::ServerProcess;
use store::{Backend, POSTGRES_URL_VARIABLE, Store};

/// Accesses older than the access log's flush interval survive kill -9, on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_log_loses_at_most_the_last_interval_on_kill_9_on_sqlite() {
    access_log::the_access_log_loses_at_most_the_last_interval_on_kill_9(Backend::Sqlite).await;
}

/// The same on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_log_loses_at_most_the_last_interval_on_kill_9_on_postgres() {
    access_log::the_access_log_loses_at_most_the_last_interval_on_kill_9(Backend::Postgres).await;
}

/// Webhook messages on the wire when a server is killed are delivered by the next,
/// under the same id, on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_delivered_after_kill_9_on_sqlite() {
    webhooks::every_message_is_delivered_after_kill_9(Backend::Sqlite).await;
}

/// The same on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_delivered_after_kill_9_on_postgres() {
    webhooks::every_message_is_delivered_after_kill_9(Backend::Postgres).await;
}

/// Concurrent clients in each load.
const CLIENTS: usize = 8;

/// Goals answered 201 are all there after SIGKILL and a restart, on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_goals_survive_kill_9_on_sqlite() {
    acknowledged_goals_survive_kill_9(Backend::Sqlite).await;
}

/// Goals answered 201 are all there after SIGKILL and a restart, on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_goals_survive_kill_9_on_postgres() {
    acknowledged_goals_survive_kill_9(Backend::Postgres).await;
}

/// SIGTERM under load drains without a 5xx and exits in time, on SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_answers_what_was_sent_and_exits_on_sqlite() {
    sigterm_under_load_answers_what_was_sent_and_exits(Backend::Sqlite).await;
}

/// SIGTERM under load drains without a 5xx and exits in time, on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_answers_what_was_sent_and_exits_on_postgres() {
    sigterm_under_load_answers_what_was_sent_and_exits(Backend::Postgres).await;
}

/// What one writer saw before the server died under it.
#[derive(Debug, Default)]
struct WriterReport {
    /// Ids of goals answered 201.
    acknowledged: Vec<String>,
    /// Any other answer, with its body: none is expected while the server runs.
    other_answers: Vec<(StatusCode, String)>,
    /// The transport error that ended the writer, and when it happened.
    failure: Option<(Instant, String)>,
}

/// Creates goals one after another until a request fails in transport (the server
/// is gone) or `give_up_at` passes (it never went).
async fn write_goals_until_failure(
    base_url: String,
    token: String,
    writer: usize,
    give_up_at: Instant,
) -> WriterReport {
    let client = api::client();
    let mut report = WriterReport::default();
    for number in 0.. {
        if Instant::now() >= give_up_at {
            break;
        }
        let title = format!("Writer {writer} goal {number}");
        match api::create_goal(&client, &base_url, &token, &title).await {
            Ok(response) if response.status() == StatusCode::CREATED => {
                let body: Value = response.json().await.unwrap_or_default();
                let id =
                    body["id"].as_str().unwrap_or_else(|| panic!("a 201 without an id: {body}"));
                report.acknowledged.push(id.to_owned());
            }
            Ok(response) => {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                report.other_answers.push((status, body));
            }
            Err(error) => {
                report.failure = Some((Instant::now(), error_chain(&error)));
                break;
            }
        }
    }
    report
}

/// Kills the server with SIGKILL while eight clients create goals as fast as it
/// answers, restarts it on the same database and data directory, and checks that
/// every goal answered 201 is there: readable by id and listed exactly once, with no
/// more than one extra goal per client (a request the server committed but could not
/// answer before it died).
async fn acknowledged_goals_survive_kill_9(backend: Backend) {
    let Some(store) = Store::create(backend).await else {
        eprintln!("skipped: {POSTGRES_URL_VARIABLE} is not set");
        return;
    };
    let started = Instant::now();
    let mut server = ServerProcess::start(&store, &[]).await;
    let client = api::client();
    let person = api::sign_up(&client, &server.base_url).await;

    let give_up_at = Instant::now() + Duration::from_secs(10);
    let writers: Vec<_> = (0..CLIENTS)
        .map(|writer| {
            tokio::spawn(write_goals_until_failure(
                server.base_url.clone(),
                person.access_token.clone(),
                writer,
                give_up_at,
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed_at = Instant::now();
    server.kill_hard();

    let mut acknowledged = Vec::new();
    for (writer, task) in writers.into_iter().enumerate() {
        let report = tokio::time::timeout(Duration::from_secs(15), task)
            .await
            .unwrap_or_else(|_| panic!("writer {writer} did not stop"))
            .unwrap_or_else(|error| panic!("writer {writer} failed: {error}"));
        assert!(
            report.other_answers.is_empty(),
            "writer {writer} was answered other than 201 before the kill: {:?}",
            report.other_answers
        );
        let (failed_at, error) = report
            .failure
            .unwrap_or_else(|| panic!("writer {writer} never noticed the server was killed"));
        assert!(failed_at >= killed_at, "writer {writer} failed before the kill: {error}");
        acknowledged.extend(report.acknowledged);
    }
    let load_log = server.log();
    drop(server);
    assert!(
        acknowledged.len() >= 20,
        "only {} goals were acknowledged before the kill; the load did not run:\n{load_log}",
        acknowledged.len()
    );

    let restarted = ServerProcess::start(&store, &[]).await;
    let token = api::sign_in(&client, &restarted.base_url, &person.email).await;
    for id in &acknowledged {
        let response = api::get_goal(&client, &restarted.base_url, &token, id).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "acknowledged goal {id} is gone after the restart"
        );
        let body: Value = response.json().await.unwrap_or_default();
        assert_eq!(body["id"], id.as_str(), "GET /v1/goals/{id} answered {body}");
    }
    let listed: Vec<String> = api::every_listed_goal(&client, &restarted.base_url, &token)
        .await
        .iter()
        .map(|goal| goal["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let unique: HashSet<&str> = listed.iter().map(String::as_str).collect();
    assert_eq!(unique.len(), listed.len(), "a goal is listed twice");
    let missing: Vec<&str> =
        acknowledged.iter().map(String::as_str).filter(|id| !unique.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged but not listed: {missing:?}");
    let extra = listed.len() - acknowledged.len();
    assert!(extra <= CLIENTS, "{extra} goals nobody was told about, more than one per client");
    eprintln!(
        "{backend:?}: {} goals acknowledged before kill -9, {extra} more committed unanswered, \
         all present after restart; {:.1} s in all",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
}

/// One request made while the server was being stopped.
#[derive(Debug)]
struct Exchange {
    /// The title of the goal a `POST /v1/goals` asked for; `None` for other requests.
    title: Option<String>,
    started: Instant,
    finished: Instant,
    outcome: Outcome,
}

/// How a request made during shutdown ended.
#[derive(Debug)]
enum Outcome {
    /// A whole response arrived. `closing` is whether the server said
    /// `Connection: close`, which it does to a request it is still handling when it
    /// starts to drain; `problem` is the body of an error response.
    Answered { status: StatusCode, closing: bool, problem: Option<String> },
    /// The kept-alive connection was closed or reset before any of a response came.
    ClosedUnanswered,
    /// Anything else: refused, reset or cut off part-way through a response, timed out.
    Failed(String),
}

/// hyper's and the kernel's words for a connection closed before a response began:
/// a FIN, or a RST when the server closed with the request unread in its buffer.
const CLOSED_BEFORE_RESPONSE: [&str; 2] =
    ["connection closed before message completed", "Connection reset by peer"];

/// What one client of the shutdown load does, over and over.
#[derive(Debug, Clone, Copy)]
enum Work {
    /// Creates a goal, then reads the first page of the list.
    CreateAndList,
    /// Signs in: tens of milliseconds of password hashing, so one is nearly always
    /// being handled when the signal arrives.
    SignIn,
}

/// Does `work` on one keep-alive connection until `stop` is set or a request is
/// not answered.
async fn work_until_stopped(
    base_url: String,
    person: api::Person,
    client_number: usize,
    work: Work,
    stop: Arc<AtomicBool>,
) -> Vec<Exchange> {
    let client = api::client();
    let mut exchanges = Vec::new();
    for number in 0.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let started = Instant::now();
        let title = match work {
            Work::CreateAndList if number % 2 == 0 => {
                Some(format!("Client {client_number} goal {number}"))
            }
            _ => None,
        };
        let sent = match (work, &title) {
            (Work::SignIn, _) => api::request_token(&client, &base_url, &person.email).await,
            (Work::CreateAndList, Some(title)) => {
                api::create_goal(&client, &base_url, &person.access_token, title).await
            }
            (Work::CreateAndList, None) => {
                client
                    .get(format!("{base_url}/v1/goals?limit=20"))
                    .bearer_auth(&person.access_token)
                    .send()
                    .await
            }
        };
        // The exchange is complete only when the whole body has arrived.
        let outcome = match sent {
            Ok(response) => {
                let status = response.status();
                let closing = response
                    .headers()
                    .get("connection")
                    .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"close"));
                match response.text().await {
                    Ok(body) => Outcome::Answered {
                        status,
                        closing,
                        problem: (!status.is_success()).then_some(body),
                    },
                    Err(error) => Outcome::Failed(error_chain(&error)),
                }
            }
            Err(error) => {
                let error = error_chain(&error);
                if CLOSED_BEFORE_RESPONSE.iter().any(|words| error.contains(words)) {
                    Outcome::ClosedUnanswered
                } else {
                    Outcome::Failed(error)
                }
            }
        };
        let answered = matches!(outcome, Outcome::Answered { .. });
        exchanges.push(Exchange { title, started, finished: Instant::now(), outcome });
        if !answered {
            break;
        }
    }
    exchanges
}

/// Starts the server with a 10 s shutdown grace, loads it with eight keep-alive
/// clients (two signing in, six creating and listing goals), and sends SIGTERM. Then:
/// - every request sent before the signal was answered in full, and none with a 5xx,
///   except one the server never began: a request that reached a kept-alive
///   connection the server was closing, which it closes unanswered (see below);
/// - at least one request was still being handled when the server began to drain
///   (it answered `Connection: close`), so the test did catch requests in flight;
/// - a new connection is refused within a second;
/// - the process exits with success within the grace;
/// - restarted on the same database, the server holds exactly the goals it
///   answered 201: none acknowledged is lost, and no request closed unanswered was
///   half done, so a client may safely send it again.
///
/// The exception is the race every HTTP/1.1 server has when it closes an idle
/// kept-alive connection: a request the client wrote just before the close is never
/// read. actix-http widens it a little: on the drain signal an idle connection is
/// closed even when a request already sits in its read buffer. Clients retry such
/// requests (`Idempotency-Key` makes that safe for a `POST`); in a cluster the
/// `preStop` pause in `deploy/k8s` keeps traffic away before SIGTERM arrives.
async fn sigterm_under_load_answers_what_was_sent_and_exits(backend: Backend) {
    const GRACE: Duration = Duration::from_secs(10);
    const SIGNING_IN: usize = 2;
    let Some(store) = Store::create(backend).await else {
        eprintln!("skipped: {POSTGRES_URL_VARIABLE} is not set");
        return;
    };
    let mut server = ServerProcess::start(&store, &["--shutdown-grace", "10s"]).await;
    let person = api::sign_up(&api::client(), &server.base_url).await;

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client_number| {
            let work = if client_number < SIGNING_IN { Work::SignIn } else { Work::CreateAndList };
            tokio::spawn(work_until_stopped(
                server.base_url.clone(),
                person.clone(),
                client_number,
                work,
                Arc::clone(&stop),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;

    let signalled_at = Instant::now();
    server.terminate();
    stop.store(true, Ordering::SeqCst);

    let address = std::net::SocketAddr::from(([127, 0, 0, 1], server.port));
    let refused_after = loop {
        let attempt = tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(address),
        )
        .await;
        if let Ok(Err(error)) = &attempt
            && error.kind() == std::io::ErrorKind::ConnectionRefused
        {
            break signalled_at.elapsed();
        }
        assert!(
            signalled_at.elapsed() < Duration::from_secs(1),
            "new connections were still not refused 1 s after SIGTERM (last attempt: {attempt:?})"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };

    let mut exchanges = Vec::new();
    for (client_number, task) in clients.into_iter().enumerate() {
        exchanges.extend(
            tokio::time::timeout(GRACE + Duration::from_secs(5), task)
                .await
                .unwrap_or_else(|_| panic!("client {client_number} did not stop"))
                .unwrap_or_else(|error| panic!("client {client_number} failed: {error}")),
        );
    }
    let status = server
        .wait_for_exit((GRACE + Duration::from_secs(2)).saturating_sub(signalled_at.elapsed()))
        .await;
    let exited_after = signalled_at.elapsed();
    let log = server.log();
    let status = status.unwrap_or_else(|| {
        panic!("the server was still running {exited_after:?} after SIGTERM:\n{log}")
    });
    assert!(status.success(), "the server exited with {status}:\n{log}");
    assert!(
        exited_after < GRACE + Duration::from_secs(1),
        "the server took {exited_after:?} to exit, more than its grace"
    );
    drop(server);

    let (before, after): (Vec<&Exchange>, Vec<&Exchange>) =
        exchanges.iter().partition(|exchange| exchange.started < signalled_at);
    let failed_before: Vec<(Duration, &str)> = before
        .iter()
        .filter_map(|exchange| match &exchange.outcome {
            Outcome::Failed(error) => Some((signalled_at - exchange.started, error.as_str())),
            _ => None,
        })
        .collect();
    assert!(
        failed_before.is_empty(),
        "requests sent before SIGTERM (how long before, error) failed: {failed_before:?}"
    );
    let bad_answers: Vec<(StatusCode, &str)> = exchanges
        .iter()
        .filter_map(|exchange| match &exchange.outcome {
            Outcome::Answered { status, problem, .. }
                if !matches!(*status, StatusCode::OK | StatusCode::CREATED) =>
            {
                Some((*status, problem.as_deref().unwrap_or_default()))
            }
            _ => None,
        })
        .collect();
    assert!(
        bad_answers.is_empty(),
        "answers other than 200/201: {bad_answers:?}\nserver log:\n{log}"
    );
    let drained = before
        .iter()
        .filter(|exchange| matches!(exchange.outcome, Outcome::Answered { closing: true, .. }))
        .count();
    assert!(
        drained >= 1,
        "no request was in flight when the server began to drain; the test proved nothing"
    );

    let restarted = ServerProcess::start(&store, &[]).await;
    let client = api::client();
    let token = api::sign_in(&client, &restarted.base_url, &person.email).await;
    let stored: HashSet<String> = api::every_listed_goal(&client, &restarted.base_url, &token)
        .await
        .iter()
        .map(|goal| goal["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    let acknowledged: HashSet<String> = exchanges
        .iter()
        .filter(|exchange| {
            matches!(exchange.outcome, Outcome::Answered { status: StatusCode::CREATED, .. })
        })
        .filter_map(|exchange| exchange.title.clone())
        .collect();
    let lost: Vec<&String> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "answered 201 but not stored: {lost:?}");
    let half_done: Vec<&String> = stored.difference(&acknowledged).collect();
    assert!(half_done.is_empty(), "stored although the request was not answered: {half_done:?}");

    let closed_before: Vec<Duration> = before
        .iter()
        .filter(|exchange| matches!(exchange.outcome, Outcome::ClosedUnanswered))
        .map(|exchange| signalled_at - exchange.started)
        .collect();
    let spanning = before.iter().filter(|exchange| exchange.finished > signalled_at).count();
    let failed_after = after
        .iter()
        .filter(|exchange| !matches!(exchange.outcome, Outcome::Answered { .. }))
        .count();
    eprintln!(
        "{backend:?}: {} requests sent before SIGTERM: {spanning} finished after it, {drained} \
         answered with Connection: close, {} closed unanswered (sent {closed_before:?} before it); \
         {} sent after it, {failed_after} not answered; {} goals stored, as answered; \
         refused after {refused_after:?}, exited after {exited_after:?}",
        before.len(),
        closed_before.len(),
        after.len(),
        stored.len(),
    );
}

/// An error and its causes on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
