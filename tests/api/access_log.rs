//! The access log (issue 17): what an app did with a person's grant, and what an
//! administrator did to their account, as the person reads it; never their own
//! requests or Waymark's own app's; only theirs to read; gone with the account, kept
//! only as long as the retention setting says, and written when the server stops.

use std::time::Duration;

use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark::duration::HumanDuration;
use waymark_domain::access_log::{AccessLogQuery, AccessRecord};
use waymark_domain::identity::Role;
use waymark_persistence::{Database, Retention};

use crate::authorize::an_app_let_in;
use crate::support::app::{TestApp, spawn_with, test_settings};
use crate::support::database::TestDatabase;
use crate::support::identity::GOOD_PASSWORD;
use crate::support::storage::rows_belonging_to;
use crate::support::{Backend, api_test};

/// The person's access log (`query` appended to the path), once it holds at least
/// `entries` entries: it is written a moment after the requests.
async fn log_once_it_holds(app: &TestApp, token: &str, query: &str, entries: usize) -> Value {
    let mut page = Value::Null;
    for _ in 0..100 {
        let response = app
            .authorized(Method::GET, &format!("/v1/me/access-log{query}"), token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        page = response.json().await.unwrap();
        if page["items"].as_array().unwrap().len() >= entries {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the log never held {entries} entries: {page}");
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.authorized(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

api_test!(async fn what_an_app_does_with_a_grant_is_in_the_persons_access_log(app) {
    let (client_id, email, tokens) = an_app_let_in(&app, json!(["goals:read", "goals:write"])).await;
    let app_token = tokens["access_token"].as_str().unwrap().to_owned();
    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let own_token = own["access_token"].as_str().unwrap().to_owned();

    // The person's own requests are not in it.
    let goal: Value = send(&app, Method::POST, "/v1/goals", &own_token, Some(json!({ "title": "Walk", "area": "health" }))).await.json().await.unwrap();
    let goal_id = goal["id"].as_str().unwrap();
    assert_eq!(send(&app, Method::GET, "/v1/goals", &own_token, None).await.status(), StatusCode::OK);

    let made_by_the_app = [
        (Method::GET, "/v1/goals".to_owned(), StatusCode::OK),
        (Method::GET, format!("/v1/goals/{goal_id}"), StatusCode::OK),
        (Method::GET, "/v1/goals/0192f0c0-0000-7000-8000-000000000000".to_owned(), StatusCode::NOT_FOUND),
        (Method::GET, "/v1/routines".to_owned(), StatusCode::FORBIDDEN),
        (Method::GET, "/v1/routines/0192f0c0-0000-7000-8000-000000000001".to_owned(), StatusCode::FORBIDDEN),
    ];
    for (method, path, expected) in &made_by_the_app {
        assert_eq!(send(&app, method.clone(), path, &app_token, None).await.status(), *expected, "{path}");
    }

    let log = log_once_it_holds(&app, &own_token, "", made_by_the_app.len()).await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), made_by_the_app.len(), "only the app's requests: {log}");
    for item in items {
        assert_eq!(item["accessor"], json!({ "kind": "app", "id": client_id, "name": "Hillside <app>" }));
    }
    // Newest first.
    let seen: Vec<(&str, &Value, u64)> = items
        .iter()
        .map(|item| (item["operation"].as_str().unwrap(), &item["resource"], item["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(seen, vec![
        // An id refused or not found is not kept: it may be another person's.
        ("get_routine", &json!({ "type": "routine", "id": null }), 403),
        ("list_routines", &json!({ "type": "routines", "id": null }), 403),
        ("get_goal", &json!({ "type": "goal", "id": null }), 404),
        ("get_goal", &json!({ "type": "goal", "id": goal_id }), 200),
        ("list_goals", &json!({ "type": "goals", "id": null }), 200),
    ]);
    let times: Vec<&str> = items.iter().map(|item| item["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|pair| pair[0] >= pair[1]), "{times:?}");

    // Filtered by app, and in pages.
    let other_app = "0192f0c0-0000-7000-8000-000000000001";
    assert_eq!(log_once_it_holds(&app, &own_token, &format!("?client_id={other_app}"), 0).await["items"], json!([]));
    assert_eq!(log_once_it_holds(&app, &own_token, &format!("?person_id={other_app}"), 0).await["items"], json!([]));
    let first = send(&app, Method::GET, &format!("/v1/me/access-log?client_id={client_id}&limit=3"), &own_token, None).await;
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains(&format!("client_id={client_id}")), "the next page keeps the filter: {link}");
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = log_once_it_holds(&app, &own_token, &format!("?client_id={client_id}&limit=3&cursor={cursor}"), 2).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    assert_eq!((second["items"][0]["operation"].clone(), second["items"][1]["operation"].clone()), (json!("get_goal"), json!("list_goals")));
    assert_eq!(second["next_cursor"], Value::Null);
    let other_list = send(&app, Method::GET, &format!("/v1/me/access-log?limit=3&cursor={cursor}"), &own_token, None).await;
    assert_eq!(other_list.status(), StatusCode::BAD_REQUEST, "a cursor is good only for the list it came from");
    for bad in ["?client_id=nope", "?limit=0", "?cursor=forged", "?who=me"] {
        let refused = send(&app, Method::GET, &format!("/v1/me/access-log{bad}"), &own_token, None).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{bad}");
    }

    // Only the person reads it, and their grants: never the app.
    for path in ["/v1/me/access-log", "/v1/me/grants"] {
        assert_eq!(send(&app, Method::GET, path, &app_token, None).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
});

api_test!(async fn an_administrators_change_is_in_the_persons_log_and_waymarks_own_app_is_not(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let person = app.signed_in_user().await;
    let me: Value = send(&app, Method::GET, "/v1/me", &person.access_token, None).await.json().await.unwrap();
    let person_id = me["id"].as_str().unwrap().to_owned();
    let admin_me: Value = send(&app, Method::GET, "/v1/me", &admin.access_token, None).await.json().await.unwrap();

    // Waymark's own app is the person themself.
    let own_app: Value = send(&app, Method::POST, "/v1/admin/clients", &admin.access_token, Some(json!({ "name": "Waymark app", "scopes": ["goals:read"], "first_party": true }))).await.json().await.unwrap();
    let through_own_app: Value = app
        .client
        .post(app.url("/v1/auth/token"))
        .basic_auth(own_app["id"].as_str().unwrap(), own_app["client_secret"].as_str())
        .form(&[("grant_type", "password"), ("username", person.email.as_str()), ("password", GOOD_PASSWORD)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let own_app_token = through_own_app["access_token"].as_str().unwrap();
    assert_eq!(send(&app, Method::GET, "/v1/goals", own_app_token, None).await.status(), StatusCode::OK);
    // An administrator on their own account is themself too.
    assert_eq!(send(&app, Method::PATCH, &format!("/v1/admin/users/{}", admin_me["id"].as_str().unwrap()), &admin.access_token, Some(json!({ "role": "admin" }))).await.status(), StatusCode::OK);
    // That ended their own sessions too.
    let admin_again = app.sign_in(&admin.email, GOOD_PASSWORD).await;
    let admin_token = admin_again["access_token"].as_str().unwrap().to_owned();

    let changed = send(&app, Method::PATCH, &format!("/v1/admin/users/{person_id}"), &admin_token, Some(json!({ "role": "editor" }))).await;
    assert_eq!(changed.status(), StatusCode::OK);
    // The role change ended the person's sessions.
    let again = app.sign_in(&person.email, GOOD_PASSWORD).await;
    let token = again["access_token"].as_str().unwrap();
    let log = log_once_it_holds(&app, token, "", 1).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1, "{log}");
    let entry = &log["items"][0];
    assert_eq!(entry["accessor"]["kind"], "administrator");
    assert_eq!(entry["accessor"]["id"], admin_me["id"]);
    assert_eq!(entry["accessor"]["name"], admin_me["display_name"]);
    assert_eq!(entry["operation"], "update_user_role");
    assert_eq!(entry["resource"], json!({ "type": "user", "id": person_id }));
    assert_eq!(entry["status"], 200);
    let by_them = log_once_it_holds(&app, token, &format!("?person_id={}", admin_me["id"].as_str().unwrap()), 1).await;
    assert_eq!(by_them["items"].as_array().unwrap().len(), 1);
    let admin_log = log_once_it_holds(&app, &admin_token, "", 0).await;
    assert_eq!(admin_log["items"], json!([]), "nothing the administrator did to themself");
});

api_test!(async fn erasing_an_account_erases_its_access_log(app) {
    let (_, email, tokens) = an_app_let_in(&app, json!(["goals:read"])).await;
    let app_token = tokens["access_token"].as_str().unwrap();
    assert_eq!(send(&app, Method::GET, "/v1/goals", app_token, None).await.status(), StatusCode::OK);
    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let own_token = own["access_token"].as_str().unwrap();
    log_once_it_holds(&app, own_token, "", 1).await;
    let me: Value = send(&app, Method::GET, "/v1/me", own_token, None).await.json().await.unwrap();
    let account_id = uuid::Uuid::parse_str(me["id"].as_str().unwrap()).unwrap();

    let erased = send(&app, Method::DELETE, "/v1/me", own_token, Some(json!({ "password": GOOD_PASSWORD }))).await;
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    // The app's next try is refused, and recorded for nobody.
    assert_eq!(send(&app, Method::GET, "/v1/goals", app_token, None).await.status(), StatusCode::UNAUTHORIZED);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let left = rows_belonging_to(&app.database_url, account_id).await;
    assert!(left.contains(&("access_log".to_owned(), 0)), "{left:?}");
});

/// Entries recorded just before a graceful stop are written by it, however long the
/// flush interval; housekeeping removes entries older than the retention setting.
async fn the_log_survives_a_graceful_stop_and_is_kept_as_long_as_the_setting_says(
    backend: Backend,
) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let mut settings = test_settings(database.url());
    settings.access_log_flush = HumanDuration::secs(3600);
    let app = spawn_with(&settings).await;
    let (_, email, tokens) = an_app_let_in(&app, json!(["goals:read"])).await;
    assert_eq!(
        send(&app, Method::GET, "/v1/goals", tokens["access_token"].as_str().unwrap(), None)
            .await
            .status(),
        StatusCode::OK
    );
    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let own_token = own["access_token"].as_str().unwrap().to_owned();
    let before_stop: Value =
        send(&app, Method::GET, "/v1/me/access-log", &own_token, None).await.json().await.unwrap();
    assert_eq!(before_stop["items"], json!([]), "held in memory until the next write");
    app.handle().stop(true).await;
    app.wait_until_stopped().await.unwrap();

    let stored = Database::connect(&settings.database()).await.unwrap();
    let now = waymark_domain::time::now();
    let retention = |days: i64| Retention {
        journal: Duration::from_secs(90 * 86_400),
        access_log: TimeDelta::days(days).to_std().unwrap(),
    };
    let swept = stored.sweep_expired(now, retention(730)).await.unwrap();
    assert_eq!(swept.access_log_entries, 0, "two years by default");
    let swept = stored.sweep_expired(now + TimeDelta::days(731), retention(730)).await.unwrap();
    assert_eq!(
        swept.access_log_entries, 1,
        "the entry the stop wrote, once older than the retention"
    );
    stored.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_survives_a_graceful_stop_and_is_kept_as_long_as_the_setting_says_sqlite() {
    the_log_survives_a_graceful_stop_and_is_kept_as_long_as_the_setting_says(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_survives_a_graceful_stop_and_is_kept_as_long_as_the_setting_says_postgres() {
    the_log_survives_a_graceful_stop_and_is_kept_as_long_as_the_setting_says(Backend::Postgres)
        .await;
}

api_test!(async fn replays_refusals_and_escaped_paths_are_recorded_as_what_they_ran(app) {
    let (_, email, tokens) = an_app_let_in(&app, json!(["goals:write", "contacts:read", "routines:write"])).await;
    let app_token = tokens["access_token"].as_str().unwrap().to_owned();
    let create = |body: &'static str| {
        app.authorized(Method::POST, "/v1/goals", &app_token)
            .header("idempotency-key", "walk-1")
            .header("content-type", "application/json")
            .body(body)
    };
    let first = create(r#"{"title": "Walk", "area": "health"}"#).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let replayed = create(r#"{"title": "Walk", "area": "health"}"#).send().await.unwrap();
    assert_eq!(replayed.headers()["idempotent-replayed"], "true");
    let malformed = app.authorized(Method::POST, "/v1/goals", &app_token).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    // A calendar address would outlive the grant: only the person opens one.
    let feed = app.authorized(Method::POST, "/v1/me/calendar-feed", &app_token).send().await.unwrap();
    assert_eq!(feed.status(), StatusCode::FORBIDDEN);
    // `%2E` is `.`: the router serves the export of every contact, and the log says so.
    let escaped = app.authorized(Method::GET, "/v1/contacts/export%2Evcf", &app_token).send().await.unwrap();
    assert_eq!(escaped.status(), StatusCode::OK);
    assert_eq!(app.get("/v1/m%65").await.status(), StatusCode::UNAUTHORIZED, "an escaped path is still authenticated");

    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let log = log_once_it_holds(&app, own["access_token"].as_str().unwrap(), "", 5).await;
    let seen: Vec<(&str, u64)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["operation"].as_str().unwrap(), item["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(seen, vec![
        ("export_contacts_vcard", 200),
        ("create_calendar_feed", 403),
        ("create_goal", 400),
        ("create_goal", 201),
        ("create_goal", 201),
    ]);
});

api_test!(async fn a_batch_written_again_is_kept_once_and_any_text_reads_back_as_it_was(app) {
    // On PostgreSQL a batch is written with `COPY`, in its text format; a batch whose
    // commit was reported failed but landed is written again (the inserts that keep
    // what is there). Both ways, through the store the server uses.
    let person = app.signed_in_user().await;
    let owner = waymark_domain::identity::AccountId(uuid::Uuid::parse_str(&person.account_id).unwrap());
    let database = Database::connect(&test_settings(&app.database_url).database_for_migrations()).await.unwrap();
    let log = database.ports().access_log;
    let app_id = waymark_domain::access_log::Accessor::App(waymark_domain::identity::ClientId(uuid::Uuid::now_v7()));
    let awkward = "tab\there, back\\slash, line\nfeed, return\r, \\N, nul\0, é 🌱";
    let records: Vec<AccessRecord> = [Some(awkward.to_owned()), None]
        .into_iter()
        .map(|id| AccessRecord::new(owner, app_id, "get_goal", ("goal".to_owned(), id), 200))
        .collect();
    log.append(&records).await.unwrap();
    log.append(&records).await.unwrap();
    let query = AccessLogQuery { owner, client: None, person: None, after: None, limit: 10 };
    let (entries, more) = log.page(&query).await.unwrap();
    assert!(!more);
    let mut written: Vec<AccessRecord> = entries.into_iter().map(|entry| entry.record).collect();
    written.sort_by_key(|record| record.id);
    assert_eq!(records[0].resource_id, Some(awkward.replace('\0', "")), "no NUL is kept");
    let expected = records.clone();
    for (written, expected) in written.iter_mut().zip(&expected) {
        // Kept to the microsecond, as both databases keep times.
        assert_eq!(written.at.timestamp_micros(), expected.at.timestamp_micros());
        written.at = expected.at;
    }
    assert_eq!(written, expected, "each once, as it was");
    database.close().await;
});

api_test!(async fn entries_of_an_account_erased_by_an_older_release_are_swept_after_a_start(app) {
    // A replica from before migration 35 erased accounts by the foreign key it
    // dropped: their entries stayed. Housekeeping sweeps them once after each start.
    use sea_orm::{ConnectionTrait, Statement};
    let person = app.signed_in_user().await;
    let database = Database::connect(&test_settings(&app.database_url).database_for_migrations()).await.unwrap();
    let connection = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let backend = connection.get_database_backend();
    let placeholders = if backend == sea_orm::DbBackend::Postgres { "$1, $2, $3" } else { "?, ?, ?" };
    let gone = uuid::Uuid::now_v7();
    let kept = uuid::Uuid::parse_str(&person.account_id).unwrap();
    for owner in [gone, kept] {
        connection
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!("INSERT INTO access_log (id, account_id, occurred_at, accessor_kind, operation, resource_type, status) VALUES ({placeholders}, 'app', 'list_goals', 'goals', 200)"),
                [uuid::Uuid::now_v7().into(), owner.into(), chrono::Utc::now().into()],
            ))
            .await
            .unwrap();
    }
    assert_eq!(database.sweep_orphaned_access_log().await.unwrap(), 1);
    let owners: Vec<(String, i64)> = rows_belonging_to(&app.database_url, gone).await.into_iter().filter(|(table, _)| table == "access_log").collect();
    assert_eq!(owners, [("access_log".to_owned(), 0)]);
    let theirs = rows_belonging_to(&app.database_url, kept).await;
    assert!(theirs.contains(&("access_log".to_owned(), 1)), "{theirs:?}");
    assert_eq!(database.sweep_orphaned_access_log().await.unwrap(), 0);
    database.close().await;
});
