//! What is served from memory stays true. Goal lists: every kind of write shows in the
//! next list on the same instance (both databases), and on PostgreSQL another replica
//! hears the change, also when its connection was cut while the change was made.
//! Accounts and agendas: another replica hears every change from the journal, so a
//! session ended on one replica is refused on every other.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::support::app::{TestApp, spawn_with, test_settings, two_replicas};
use crate::support::database::TestDatabase;
use crate::support::identity::SignedIn;
use crate::support::tcp_proxy::TcpProxy;
use crate::support::{Backend, api_test};

async fn listed(app: &TestApp, person: &SignedIn) -> Vec<Value> {
    let response = try_listing(app, person).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

async fn try_listing(app: &TestApp, person: &SignedIn) -> reqwest::Response {
    app.authorized(Method::GET, "/v1/goals?limit=50", &person.access_token).send().await.unwrap()
}

async fn send(
    app: &TestApp,
    person: &SignedIn,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut request = app.authorized(method, path, &person.access_token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

fn item<'a>(items: &'a [Value], id: &Value) -> Option<&'a Value> {
    items.iter().find(|goal| goal["id"] == *id)
}

api_test!(async fn every_kind_of_write_shows_in_the_next_list(app) {
    let person = app.signed_in_user().await;
    let goal = send(&app, &person, Method::POST, "/v1/goals", Some(json!({"title": "Walk", "area": "health"}))).await;
    let id = &goal["id"];
    let goal_path = format!("/v1/goals/{}", id.as_str().unwrap());
    assert_eq!(listed(&app, &person).await.len(), 1);

    send(&app, &person, Method::PATCH, &goal_path, Some(json!({"title": "Walk daily"}))).await;
    assert_eq!(item(&listed(&app, &person).await, id).unwrap()["title"], "Walk daily");

    let step = send(&app, &person, Method::POST, &format!("{goal_path}/steps"), Some(json!({"title": "Shoes"}))).await;
    assert_eq!(item(&listed(&app, &person).await, id).unwrap()["steps_total"], 1);

    let step_path = format!("{goal_path}/steps/{}", step["id"].as_str().unwrap());
    send(&app, &person, Method::PATCH, &step_path, Some(json!({"done": true}))).await;
    assert_eq!(item(&listed(&app, &person).await, id).unwrap()["steps_done"], 1);

    send(&app, &person, Method::POST, &format!("{goal_path}/check-ins"), Some(json!({"note": "Went out"}))).await;
    assert!(item(&listed(&app, &person).await, id).unwrap()["last_check_in_at"].is_string());

    let version = item(&listed(&app, &person).await, id).unwrap()["version"].clone();
    send(&app, &person, Method::POST, &format!("{goal_path}/steps/reorder"), Some(json!({"step_ids": [step["id"]]}))).await;
    assert_ne!(item(&listed(&app, &person).await, id).unwrap()["version"], version);

    send(&app, &person, Method::DELETE, &step_path, None).await;
    assert_eq!(item(&listed(&app, &person).await, id).unwrap()["steps_total"], 0);

    send(&app, &person, Method::DELETE, &goal_path, None).await;
    assert!(listed(&app, &person).await.is_empty());
});

/// Waits until `app` serves `person`'s goal list from memory (its listener is up): a
/// goal renamed in the database behind its back keeps its old title there.
async fn until_served_from_memory(app: &TestApp, database_url: &str, person: &SignedIn, id: &str) {
    until_answered_from_memory(
        app,
        database_url,
        person,
        "/v1/goals?limit=50",
        |title| {
            format!(
                "UPDATE goals SET title = '{title}', title_search = lower('{title}') WHERE id = '{id}'"
            )
        },
        |page| page["items"][0]["title"].clone(),
    )
    .await;
}

/// Polls `app`'s list until `check` holds, for at most five seconds. A 503 counts as
/// not yet: a pooled connection cut mid-use fails one request before it is replaced.
async fn eventually(
    app: &TestApp,
    person: &SignedIn,
    what: &str,
    check: impl Fn(&[Value]) -> bool,
) {
    let started = Instant::now();
    loop {
        let response = try_listing(app, person).await;
        let status = response.status();
        assert!(matches!(status, StatusCode::OK | StatusCode::SERVICE_UNAVAILABLE), "{status}");
        let body: Value = response.json().await.unwrap();
        let items = body["items"].as_array().cloned().unwrap_or_default();
        if status == StatusCode::OK && check(&items) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "never saw {what}: {items:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_hears_changes_made_on_another() {
    let Some((database, first, second)) = two_replicas().await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let person = first.signed_in_user().await;
    let goal = send(
        &first,
        &person,
        Method::POST,
        "/v1/goals",
        Some(json!({"title": "One", "area": "work"})),
    )
    .await;
    let id = goal["id"].as_str().unwrap().to_owned();
    until_served_from_memory(&second, database.url(), &person, &id).await;

    send(&first, &person, Method::POST, "/v1/goals", Some(json!({"title": "Two", "area": "work"})))
        .await;
    eventually(&second, &person, "the new goal and the silent rename", |items| {
        items.len() == 2
            && items
                .iter()
                .any(|goal| goal["title"].as_str().is_some_and(|title| title.starts_with("Hidden")))
    })
    .await;

    send(
        &first,
        &person,
        Method::POST,
        &format!("/v1/goals/{id}/steps"),
        Some(json!({"title": "A first step"})),
    )
    .await;
    eventually(&second, &person, "the step count", |items| {
        items.iter().any(|goal| goal["id"] == id.as_str() && goal["steps_total"] == 1)
    })
    .await;

    first.handle().stop(false).await;
    second.handle().stop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_could_not_hear_a_change_does_not_serve_the_stale_list() {
    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let mut through_proxy = url::Url::parse(database.url()).unwrap();
    let upstream = tokio::net::lookup_host(format!(
        "{}:{}",
        through_proxy.host_str().unwrap_or("127.0.0.1"),
        through_proxy.port().unwrap_or(5432)
    ))
    .await
    .unwrap()
    .find(std::net::SocketAddr::is_ipv4)
    .unwrap();
    let proxy = TcpProxy::start(upstream).await;
    through_proxy.set_host(Some("127.0.0.1")).unwrap();
    through_proxy.set_port(Some(proxy.address().port())).unwrap();

    let first = spawn_with(&test_settings(database.url())).await;
    let mut replica = test_settings(through_proxy.as_str());
    replica.no_migrate = true;
    let second = spawn_with(&replica).await;
    let person = first.signed_in_user().await;
    let goal = send(
        &first,
        &person,
        Method::POST,
        "/v1/goals",
        Some(json!({"title": "One", "area": "work"})),
    )
    .await;
    let id = goal["id"].as_str().unwrap().to_owned();
    until_served_from_memory(&second, database.url(), &person, &id).await;

    proxy.cut();
    send(
        &first,
        &person,
        Method::PATCH,
        &format!("/v1/goals/{id}"),
        Some(json!({"title": "Changed while cut off"})),
    )
    .await;
    proxy.restore();
    eventually(&second, &person, "the change made while it was cut off", |items| {
        items.len() == 1 && items[0]["title"] == "Changed while cut off"
    })
    .await;

    first.handle().stop(false).await;
    second.handle().stop(false).await;
}

/// Runs `sql` on the database directly: no journal entry, so no replica hears of it.
async fn change_silently(database_url: &str, sql: &str) {
    let connection = Database::connect(database_url).await.unwrap();
    connection.execute_unprepared(sql).await.unwrap();
    connection.close().await.unwrap();
}

/// `GET path` on `app` as `person`, answering the body of a 200.
async fn read(app: &TestApp, person: &SignedIn, path: &str) -> Value {
    let response = app.authorized(Method::GET, path, &person.access_token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// Waits until `app` answers `path` from memory: after `hide` (given a fresh word)
/// has changed the database silently, `shown` still picks the old word out of it.
async fn until_answered_from_memory(
    app: &TestApp,
    database_url: &str,
    person: &SignedIn,
    path: &str,
    hide: impl Fn(&str) -> String,
    shown: impl Fn(&Value) -> Value,
) {
    let started = Instant::now();
    for attempt in 0.. {
        read(app, person, path).await;
        let hidden = format!("Hidden {attempt}");
        change_silently(database_url, &hide(&hidden)).await;
        if shown(&read(app, person, path).await) != hidden.as_str() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} was never answered from memory"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `check` until it holds, for at most five seconds.
async fn within_five_seconds(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < Duration::from_secs(5), "never saw {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ended_on_one_replica_is_refused_on_every_other() {
    let Some((database, first, second)) = two_replicas().await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let person = first.signed_in_user().await;
    let id = person.account_id.clone();
    until_answered_from_memory(
        &second,
        database.url(),
        &person,
        "/v1/me",
        |name| format!("UPDATE accounts SET display_name = '{name}' WHERE id = '{id}'"),
        |me| me["display_name"].clone(),
    )
    .await;

    let signed_out = first
        .authorized(Method::POST, "/v1/me/sign-out-everywhere", &person.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    within_five_seconds("the other replica refusing a signed-out token", async || {
        let status = second
            .authorized(Method::GET, "/v1/me", &person.access_token)
            .send()
            .await
            .unwrap()
            .status();
        status == StatusCode::UNAUTHORIZED
    })
    .await;

    first.handle().stop(false).await;
    second.handle().stop(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_answering_the_agenda_from_memory_hears_routine_changes() {
    let Some((database, first, second)) = two_replicas().await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let person = first.signed_in_user().await;
    // Yesterday's occurrence has happened whatever the time of day.
    let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let routine = send(
        &first,
        &person,
        Method::POST,
        "/v1/routines",
        Some(json!({
            "title": "Stretch",
            "category": "exercise",
            "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": yesterday, "time_zone": "UTC" }
        })),
    )
    .await;
    let id = routine["id"].as_str().unwrap().to_owned();
    let agenda = format!("/v1/agenda?date={yesterday}");
    until_answered_from_memory(
        &second,
        database.url(),
        &person,
        &agenda,
        |title| format!("UPDATE routines SET title = '{title}' WHERE id = '{id}'"),
        |agenda| agenda["items"][0]["title"].clone(),
    )
    .await;

    send(
        &first,
        &person,
        Method::POST,
        &format!("/v1/routines/{id}/check-ins"),
        Some(json!({ "occurrence": { "date": yesterday, "time": "08:00" }, "status": "done" })),
    )
    .await;
    within_five_seconds("the check-in on the other replica", async || {
        let seen = read(&second, &person, &agenda).await;
        let checked_in = seen["items"][0]["check_in"]["status"] == "done";
        if checked_in {
            // Read again from the database: the silent rename shows too.
            assert!(seen["items"][0]["title"].as_str().unwrap().starts_with("Hidden"));
        }
        checked_in
    })
    .await;

    first.handle().stop(false).await;
    second.handle().stop(false).await;
}
