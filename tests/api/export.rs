//! The person's export (issue 19): `GET /v1/me/export` gives everything Waymark holds
//! about the person, each item exactly as the API's own routes answer it; every table
//! holding personal data is covered (found from the schema, so a table added later
//! cannot be forgotten); `?format=zip` adds the routines as iCalendar, the contacts as
//! vCards and a printable summary; only the person may export.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::time::Duration;

use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};

use crate::authorize::an_app_let_in;
use crate::support::api_test;
use crate::support::app::TestApp;
use crate::support::identity::GOOD_PASSWORD;

/// `method path` as `token`, with an optional JSON body: status and body.
async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.authorized(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Creates at `path` (201 or 200) and answers what was created.
async fn create(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> Value {
    let (status, created) = call(app, token, method, path, Some(body)).await;
    assert!(
        status == StatusCode::CREATED || status == StatusCode::OK,
        "{path}: {status} {created}"
    );
    created
}

/// The export, as JSON.
async fn export_of(app: &TestApp, token: &str) -> Value {
    let response = app.authorized(Method::GET, "/v1/me/export", token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"waymark-export-")
            && disposition.ends_with(".json\""),
        "{disposition}"
    );
    assert!(
        response.headers().get("content-length").is_none(),
        "written as it is read, not built whole first"
    );
    response.json().await.unwrap()
}

/// A person with something in every table that holds personal data.
struct Filled {
    /// The person's own token.
    token: String,
    /// Their account id.
    id: String,
    /// An app they let in, with its token acting for them.
    app_token: String,
    /// Someone they share with, who shares with them too.
    sam: String,
    /// Their goal Sam follows.
    goal: String,
    /// The encouragement they sent Sam, as its `POST` answered it.
    sent: Value,
}

async fn fill_every_table(app: &TestApp) -> Filled {
    let (_, email, app_tokens) = an_app_let_in(app, json!(["goals:read"])).await;
    let signed_in = app.sign_in(&email, GOOD_PASSWORD).await;
    let token = signed_in["access_token"].as_str().unwrap().to_owned();
    let (_, me) = call(
        app,
        &token,
        Method::PATCH,
        "/v1/me",
        Some(json!({ "display_name": "Alex <Ward 3>" })),
    )
    .await;
    let id = me["id"].as_str().unwrap().to_owned();
    let app_token = app_tokens["access_token"].as_str().unwrap().to_owned();
    let t = token.as_str();

    let goal = create(app, t, Method::POST, "/v1/goals", json!({ "title": "Walk to the <park> & back", "area": "health", "why": "Fresh air helps", "target_date": "2027-03-31" })).await;
    let goal = goal["id"].as_str().unwrap().to_owned();
    create(
        app,
        t,
        Method::POST,
        &format!("/v1/goals/{goal}/steps"),
        json!({ "title": "Find my shoes" }),
    )
    .await;
    create(
        app,
        t,
        Method::POST,
        &format!("/v1/goals/{goal}/check-ins"),
        json!({ "note": "Got to the gate", "progress": 20 }),
    )
    .await;
    let other = create(
        app,
        t,
        Method::POST,
        "/v1/goals",
        json!({ "title": "Learn to knit", "area": "hobbies" }),
    )
    .await;
    let other = other["id"].as_str().unwrap();
    create(app, t, Method::PATCH, &format!("/v1/goals/{other}"), json!({ "status": "paused" }))
        .await;
    let contact = create(
        app,
        t,
        Method::POST,
        "/v1/contacts",
        json!({ "name": "Sam", "kind": "friend", "notes": "Met at the group" }),
    )
    .await;
    let contact = contact["id"].as_str().unwrap().to_owned();
    create(app, t, Method::POST, &format!("/v1/contacts/{contact}/interactions"), json!({ "at": chrono::Utc::now() - TimeDelta::hours(2), "method": "phone", "note": "Talked about the walk" })).await;
    create(
        app,
        t,
        Method::PUT,
        &format!("/v1/goals/{goal}/supporters/{contact}"),
        json!({ "role": "Walks with me" }),
    )
    .await;
    let yesterday = chrono::Utc::now().date_naive() - TimeDelta::days(1);
    let routine = create(app, t, Method::POST, "/v1/routines", json!({ "title": "Evening walk", "category": "exercise", "notes": "Round the block", "schedule": { "kind": "daily", "times": ["18:00"], "starts_on": yesterday - TimeDelta::days(7), "time_zone": "UTC" } })).await;
    let routine = routine["id"].as_str().unwrap().to_owned();
    create(
        app,
        t,
        Method::POST,
        &format!("/v1/routines/{routine}/check-ins"),
        json!({ "occurrence": { "date": yesterday, "time": "18:00" }, "status": "done" }),
    )
    .await;
    let resting = create(app, t, Method::POST, "/v1/routines", json!({ "title": "Morning stretch", "category": "exercise", "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": yesterday, "time_zone": "UTC" } })).await;
    create(
        app,
        t,
        Method::PATCH,
        &format!("/v1/routines/{}", resting["id"].as_str().unwrap()),
        json!({ "active": false }),
    )
    .await;
    create(app, t, Method::POST, "/v1/me/calendar-feed", json!({})).await;
    let replayable = app
        .authorized(Method::POST, "/v1/goals", t)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&json!({ "title": "Sleep by eleven", "area": "health" }))
        .send()
        .await
        .unwrap();
    assert_eq!(replayable.status(), StatusCode::CREATED);

    // Sam follows the walk, and encourages; Alex follows Sam's goal, and encourages back.
    let sam = app.signed_in_user().await;
    let s = sam.access_token.as_str();
    let shared = create(app, t, Method::POST, "/v1/shares", json!({ "contact_id": contact, "goals": [{ "goal_id": goal }], "encouragement_allowed": true })).await;
    let code = shared["invitation"]["code"].as_str().unwrap();
    let accepted =
        create(app, s, Method::POST, "/v1/invitations/accept", json!({ "code": code })).await;
    let share = accepted["id"].as_str().unwrap();
    create(
        app,
        s,
        Method::POST,
        &format!("/v1/shared-with-me/{share}/goals/{goal}/encouragements"),
        json!({ "message": "Proud of you" }),
    )
    .await;
    let sams_contact =
        create(app, s, Method::POST, "/v1/contacts", json!({ "name": "Alex", "kind": "friend" }))
            .await;
    let sams_goal =
        create(app, s, Method::POST, "/v1/goals", json!({ "title": "Run 5k", "area": "health" }))
            .await;
    let sams_goal = sams_goal["id"].as_str().unwrap();
    let back = create(app, s, Method::POST, "/v1/shares", json!({ "contact_id": sams_contact["id"], "goals": [{ "goal_id": sams_goal }], "encouragement_allowed": true })).await;
    let accepted = create(
        app,
        t,
        Method::POST,
        "/v1/invitations/accept",
        json!({ "code": back["invitation"]["code"] }),
    )
    .await;
    let back = accepted["id"].as_str().unwrap();
    let sent = create(
        app,
        t,
        Method::POST,
        &format!("/v1/shared-with-me/{back}/goals/{sams_goal}/encouragements"),
        json!({ "message": "You can do it" }),
    )
    .await;

    // The app reads, and Sam wrote: both land in the person's access log, a moment
    // later; the log is complete once it stops growing.
    assert_eq!(call(app, &app_token, Method::GET, "/v1/goals", None).await.0, StatusCode::OK);
    let mut held = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (_, log) = call(app, t, Method::GET, "/v1/me/access-log?limit=100", None).await;
        let now_held = log["items"].as_array().unwrap().len();
        if now_held >= 2 && now_held == held {
            return Filled { token, id, app_token, sam: sam.access_token, goal, sent };
        }
        held = now_held;
    }
    panic!("the access log never held the app's and Sam's accesses");
}

/// Each table with a column naming an account, where its rows about the person are
/// in the export: the section, the field of its items that holds the row's key, and
/// the key's column.
const EXPORTED: &[(&str, &str, &str, &str, &str)] = &[
    ("goals", "account_id", "goals", "id", "id"),
    ("goal_steps", "account_id", "goal_steps", "id", "id"),
    ("goal_check_ins", "account_id", "goal_check_ins", "id", "id"),
    ("goal_status_changes", "account_id", "goal_status_changes", "id", "id"),
    ("goal_supporters", "account_id", "goal_supporters", "contact_id", "contact_id"),
    ("encouragements", "account_id", "encouragements_received", "id", "id"),
    ("encouragements", "supporter_account_id", "encouragements_sent", "id", "id"),
    ("routines", "account_id", "routines", "id", "id"),
    ("routine_pauses", "account_id", "routine_pauses", "id", "id"),
    ("routine_check_ins", "account_id", "routine_check_ins", "id", "id"),
    ("contacts", "account_id", "contacts", "id", "id"),
    ("contact_interactions", "account_id", "contact_interactions", "id", "id"),
    ("shares", "account_id", "shares_given", "id", "id"),
    ("shares", "supporter_account_id", "shares_received", "id", "id"),
    ("consents", "account_id", "app_grants", "grant_id", "grant_id"),
    ("access_log", "account_id", "access_log", "id", "id"),
    ("change_journal", "account_id", "changes", "sequence", "sequence"),
];

/// Each table with a column naming an account whose rows are not exported, and why.
const NOT_EXPORTED: &[(&str, &str, &str)] = &[
    (
        "refresh_tokens",
        "account_id",
        "credentials (digests of tokens); the apps holding them are in app_grants",
    ),
    ("authorization_codes", "account_id", "credentials that live a minute and are spent once"),
    (
        "idempotency_records",
        "account_id",
        "answers kept a day to replay a retried request: copies of what the sections hold",
    ),
    (
        "change_journal_heads",
        "account_id",
        "the journal's counter: changes_through says where it stands",
    ),
    ("calendar_feeds", "account_id", "only the digest of the calendar address's secret"),
    (
        "webhook_messages",
        "account_id",
        "messages to apps the person let in, holding only ids of what the changes section holds",
    ),
    (
        "access_log",
        "accessor_account_id",
        "entries in other people's access logs: theirs, not the person's",
    ),
];

/// Every column naming an account (`account_id`, `*_account_id`), by table, from the
/// schema's own catalogue.
async fn account_columns(connection: &sea_orm::DatabaseConnection) -> BTreeSet<(String, String)> {
    let by_name = (
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND (column_name = 'account_id' OR column_name LIKE '%\\_account\\_id' ESCAPE '\\')",
        "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND (p.name = 'account_id' OR p.name LIKE '%\\_account\\_id' ESCAPE '\\')",
    );
    // Every column that refers to an account by a foreign key, whatever its name.
    let by_key = (
        "SELECT kcu.table_name AS table_name, kcu.column_name AS column_name FROM information_schema.table_constraints tc \
            JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
            JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
            WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public' AND ccu.table_name = 'accounts'",
        "SELECT m.name AS table_name, f.\"from\" AS column_name FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f.\"table\" = 'accounts'",
    );
    let mut columns = table_columns(connection, by_name).await;
    columns.extend(table_columns(connection, by_key).await);
    columns.retain(|(table, _)| table != "seaql_migrations");
    columns
}

/// The `(table_name, column_name)` rows of a catalogue query, written for PostgreSQL
/// and for SQLite.
async fn table_columns(
    connection: &sea_orm::DatabaseConnection,
    (postgres, sqlite): (&str, &str),
) -> BTreeSet<(String, String)> {
    let backend = connection.get_database_backend();
    let catalogue = if backend == DbBackend::Postgres { postgres } else { sqlite };
    connection
        .query_all_raw(Statement::from_string(backend, catalogue))
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.try_get::<String>("", "table_name").unwrap(),
                row.try_get::<String>("", "column_name").unwrap(),
            )
        })
        .collect()
}

/// The keys in `column` of `table`'s rows whose `account` column names `person`, as text.
async fn keys_of(
    connection: &sea_orm::DatabaseConnection,
    (table, account, column): (&str, &str, &str),
    person: uuid::Uuid,
) -> BTreeSet<String> {
    let backend = connection.get_database_backend();
    let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?" };
    let numbered = if table == "change_journal" { " AND sequence IS NOT NULL" } else { "" };
    let sql = format!(
        "SELECT {column} AS k FROM \"{table}\" WHERE \"{account}\" = {placeholder}{numbered}"
    );
    connection
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [person.into()]))
        .await
        .unwrap()
        .iter()
        .map(|row| match row.try_get::<uuid::Uuid>("", "k") {
            Ok(id) => id.to_string(),
            Err(_) => row.try_get::<i64>("", "k").unwrap().to_string(),
        })
        .collect()
}

/// The values of `field` in the export's `section`, as text.
fn exported_keys(export: &Value, section: &str, field: &str) -> BTreeSet<String> {
    export[section]
        .as_array()
        .unwrap_or_else(|| panic!("no section {section}"))
        .iter()
        .map(|item| match &item[field] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect()
}

api_test!(async fn every_table_holding_personal_data_is_in_the_export(app) {
    let filled = fill_every_table(&app).await;
    let person = uuid::Uuid::parse_str(&filled.id).unwrap();
    let export = export_of(&app, &filled.token).await;
    assert_eq!((export["format"].clone(), export["format_version"].clone()), (json!("waymark-export"), json!(1)));
    assert_eq!(export["account"]["id"], filled.id.as_str());

    let connection = Database::connect(&app.database_url).await.unwrap();
    let columns = account_columns(&connection).await;
    let known: BTreeSet<(String, String)> = EXPORTED
        .iter()
        .map(|(table, column, ..)| ((*table).to_owned(), (*column).to_owned()))
        .chain(NOT_EXPORTED.iter().map(|(table, column, _)| ((*table).to_owned(), (*column).to_owned())))
        .collect();
    let forgotten: Vec<_> = columns.difference(&known).collect();
    assert!(forgotten.is_empty(), "these hold personal data but the export does not say where they go: {forgotten:?}; export them (and list them in EXPORTED), or say in NOT_EXPORTED why not");
    let gone: Vec<_> = known.difference(&columns).collect();
    assert!(gone.is_empty(), "listed here but not in the schema: {gone:?}");

    for (table, account, section, field, column) in EXPORTED {
        let stored = keys_of(&connection, (table, account, column), person).await;
        assert!(!stored.is_empty(), "the test puts something in {table}.{account}");
        assert_eq!(stored, exported_keys(&export, section, field), "{table} by {account} in {section}");
    }
    let _ = connection.close().await;
});

/// `GET path` as `token`: the body, asserting 200.
async fn read(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = call(app, token, Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// `item` without the field `name`.
fn without(item: &Value, name: &str) -> Value {
    let mut item = item.clone();
    item.as_object_mut().unwrap().remove(name);
    item
}

api_test!(async fn each_exported_item_is_what_the_api_answers_for_it(app) {
    let filled = fill_every_table(&app).await;
    let (app_, t) = (&app, filled.token.as_str());
    let export = export_of(app_, t).await;

    assert_eq!(export["account"], read(app_, t, "/v1/me").await);
    for goal in export["goals"].as_array().unwrap() {
        let id = goal["id"].as_str().unwrap();
        assert_eq!(goal, &read(app_, t, &format!("/v1/goals/{id}")).await);
        let history = read(app_, t, &format!("/v1/goals/{id}/history")).await;
        let exported: Vec<Value> = export["goal_status_changes"].as_array().unwrap().iter().filter(|change| change["goal_id"] == id).map(|change| without(&without(change, "goal_id"), "id")).collect();
        assert_eq!(json!(exported), history["items"], "goal {id}'s history");
        let supporters = read(app_, t, &format!("/v1/goals/{id}/supporters")).await;
        let exported: Vec<&Value> = export["goal_supporters"].as_array().unwrap().iter().filter(|link| link["goal_id"] == id).collect();
        let listed: Vec<Value> = supporters["items"].as_array().unwrap().iter().map(|link| without(link, "contact")).collect();
        assert_eq!(exported.len(), listed.len());
        for link in exported {
            assert!(listed.contains(link), "{link} in {listed:?}");
        }
        let received = read(app_, t, &format!("/v1/goals/{id}/encouragements")).await;
        for message in received["items"].as_array().unwrap() {
            assert!(export["encouragements_received"].as_array().unwrap().contains(message), "{message}");
        }
    }
    for step in export["goal_steps"].as_array().unwrap() {
        let path = format!("/v1/goals/{}/steps/{}", step["goal_id"].as_str().unwrap(), step["id"].as_str().unwrap());
        assert_eq!(without(step, "goal_id"), read(app_, t, &path).await);
    }
    for check_in in export["goal_check_ins"].as_array().unwrap() {
        let path = format!("/v1/goals/{}/check-ins/{}", check_in["goal_id"].as_str().unwrap(), check_in["id"].as_str().unwrap());
        assert_eq!(without(check_in, "goal_id"), read(app_, t, &path).await);
    }
    for routine in export["routines"].as_array().unwrap() {
        let id = routine["id"].as_str().unwrap();
        assert_eq!(routine, &read(app_, t, &format!("/v1/routines/{id}")).await);
        let today = chrono::Utc::now().date_naive();
        let (from, to) = (today - TimeDelta::days(30), today + TimeDelta::days(1));
        let check_ins = read(app_, t, &format!("/v1/routines/{id}/check-ins?from={from}&to={to}")).await;
        for check_in in check_ins["items"].as_array().unwrap() {
            assert!(export["routine_check_ins"].as_array().unwrap().contains(check_in), "{check_in}");
        }
    }
    assert_eq!(export["routine_check_ins"].as_array().unwrap().len(), 1);
    let pauses = export["routine_pauses"].as_array().unwrap();
    assert_eq!(pauses.len(), 1);
    assert_eq!(pauses[0]["resumed_on"], Value::Null, "still paused: {pauses:?}");
    for contact in export["contacts"].as_array().unwrap() {
        let id = contact["id"].as_str().unwrap();
        assert_eq!(contact, &read(app_, t, &format!("/v1/contacts/{id}")).await);
    }
    for interaction in export["contact_interactions"].as_array().unwrap() {
        let path = format!("/v1/contacts/{}/interactions/{}", interaction["contact_id"].as_str().unwrap(), interaction["id"].as_str().unwrap());
        assert_eq!(interaction, &read(app_, t, &path).await);
    }
    for share in export["shares_given"].as_array().unwrap() {
        assert_eq!(share, &read(app_, t, &format!("/v1/shares/{}", share["id"].as_str().unwrap())).await);
    }
    for shared in export["shares_received"].as_array().unwrap() {
        assert_eq!(shared, &read(app_, t, &format!("/v1/shared-with-me/{}", shared["id"].as_str().unwrap())).await);
    }
    assert_eq!(export["encouragements_sent"], json!([filled.sent]), "as sent: never whether Sam hid it");
    assert_eq!(export["app_grants"], read(app_, t, "/v1/me/grants").await["items"]);
    assert_eq!(export["access_log"], read(app_, t, "/v1/me/access-log?limit=100").await["items"]);
    let changes = export["changes"].as_array().unwrap();
    let sequences: Vec<i64> = changes.iter().map(|change| change["sequence"].as_i64().unwrap()).collect();
    assert_eq!(sequences, (1..=i64::try_from(changes.len()).unwrap()).collect::<Vec<_>>(), "every change, in order, without gaps");
    assert_eq!(export["changes_through"], json!(changes.len()));

    // Nothing of Sam's own is in Alex's export, but what Sam shares and wrote to Alex.
    let sams = read(app_, &filled.sam, "/v1/me").await;
    let text = export.to_string();
    assert!(!text.contains(sams["email"].as_str().unwrap()), "never another person's e-mail");
    let sams_goals = read(app_, &filled.sam, "/v1/goals").await;
    for goal in sams_goals["items"].as_array().unwrap() {
        assert!(!exported_keys(&export, "goals", "id").contains(goal["id"].as_str().unwrap()));
    }
    assert!(exported_keys(&export, "goals", "id").contains(&filled.goal));
});

api_test!(async fn the_zip_holds_the_json_a_calendar_the_contacts_and_a_summary_to_print(app) {
    let filled = fill_every_table(&app).await;
    let response = app.authorized(Method::GET, "/v1/me/export?format=zip", &filled.token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.ends_with(".zip\""), "{disposition}");
    let bytes = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut files = BTreeMap::new();
    for place in 0..archive.len() {
        let mut file = archive.by_index(place).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        files.insert(file.name().unwrap().into_owned(), text);
    }
    assert_eq!(files.keys().map(String::as_str).collect::<Vec<_>>(), ["contacts.vcf", "routines.ics", "summary.html", "waymark-export.json"]);

    let mut inside: Value = serde_json::from_str(&files["waymark-export.json"]).unwrap();
    let mut alone = export_of(&app, &filled.token).await;
    for document in [&mut inside, &mut alone] {
        document.as_object_mut().unwrap().remove("exported_at");
    }
    assert_eq!(inside, alone, "the archive's JSON is the export");

    let calendar = ical::IcalParser::new(files["routines.ics"].as_bytes()).next().unwrap().unwrap();
    let summaries: Vec<String> = calendar.events.iter().flat_map(|event| event.properties.iter()).filter(|property| property.name == "SUMMARY").filter_map(|property| property.value.clone()).collect();
    assert_eq!(summaries, ["Evening walk"], "the active routines");
    let cards = &files["contacts.vcf"];
    assert_eq!(cards.matches("BEGIN:VCARD").count(), 1);
    assert!(cards.contains("FN:Sam"), "{cards}");

    let summary = &files["summary.html"];
    assert!(summary.starts_with("<!DOCTYPE html>"));
    assert!(summary.contains("Alex &lt;Ward 3&gt;: my recovery summary"), "the name, escaped: {summary}");
    assert!(summary.contains("Walk to the &lt;park&gt; &amp; back"), "a goal's title, escaped");
    assert!(summary.contains("Hoping to get there by 31 March 2027."));
    assert!(summary.contains("Resting this one for now."), "a paused goal, kindly");
    assert!(summary.contains("Evening walk") && !summary.contains("Morning stretch"), "the active routines");
    let ids = regex::Regex::new("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    assert!(!ids.is_match(summary), "no raw ids: {summary}");
});

api_test!(async fn only_the_person_may_export_and_a_format_we_do_not_write_is_400(app) {
    let filled = fill_every_table(&app).await;
    let (status, problem) = call(&app, &filled.app_token, Method::GET, "/v1/me/export", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an app acting with a grant: {problem}");
    let anonymous = app.request(Method::GET, "/v1/me/export").send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let response = app.authorized(Method::GET, "/v1/me/export?format=pdf", &filled.token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("json or zip"), "{problem}");

    // A new person's export is whole and empty.
    let newcomer = app.signed_in_user().await;
    let export = export_of(&app, &newcomer.access_token).await;
    for section in ["goals", "goal_steps", "routines", "contacts", "shares_given", "shares_received", "app_grants", "access_log"] {
        assert_eq!(export[section], json!([]), "{section}");
    }
    let changes = export["changes"].as_array().unwrap();
    assert_eq!((changes.len(), changes[0]["type"].clone(), changes[0]["change"].clone()), (1, json!("account"), json!("created")));
});

/// With the database cut off: an export asked for is a 503 problem, in time; an export
/// under way ends early (its body is cut off, never a whole-looking document) instead
/// of hanging; and once the database is back, exports work again, by themselves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_ends_an_export_early_and_never_hangs_it() {
    use crate::support::Backend;
    use crate::support::app::{spawn_with, test_settings};
    use crate::support::database::TestDatabase;
    use crate::support::tcp_proxy::TcpProxy;
    use waymark::duration::HumanDuration;

    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let (proxy, proxied_url) = TcpProxy::in_front_of(database.url()).await;
    let mut settings = test_settings(&proxied_url);
    settings.database.db_connect_timeout = HumanDuration::millis(500);
    settings.database.db_acquire_timeout = HumanDuration::millis(800);
    settings.request_timeout = HumanDuration::secs(2);
    let app = spawn_with(&settings).await;
    let person = app.signed_in_user().await;
    let goal = create(
        &app,
        &person.access_token,
        Method::POST,
        "/v1/goals",
        json!({ "title": "Keep a diary", "area": "health" }),
    )
    .await;

    // Many megabytes of check-ins, straight into the table: far more than any buffer
    // between the writer and the client holds.
    let connection = Database::connect(database.url()).await.unwrap();
    connection
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO goal_check_ins (id, goal_id, account_id, note, progress, setback, created_at) \
             SELECT gen_random_uuid(), $1, $2, repeat('A long, careful diary entry. ', 60), 50, false, now() \
             FROM generate_series(1, 6000)",
            [uuid::Uuid::parse_str(goal["id"].as_str().unwrap()).unwrap().into(), uuid::Uuid::parse_str(&person.account_id).unwrap().into()],
        ))
        .await
        .unwrap();
    let _ = connection.close().await;

    // Storage that stops answering (every reply held longer than the request timeout)
    // ends an export under way, early.
    let export =
        app.authorized(Method::GET, "/v1/me/export", &person.access_token).send().await.unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    proxy.set_latency(Duration::from_secs(30));
    let started = std::time::Instant::now();
    let read = tokio::time::timeout(Duration::from_secs(20), export.bytes())
        .await
        .expect("the export hung");
    assert!(
        read.is_err(),
        "a cut-off export ends without its last chunk, never as a whole-looking body"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "it ended {:?} after storage stopped answering",
        started.elapsed()
    );
    proxy.set_latency(Duration::ZERO);

    // Storage gone: the same.
    let export = app
        .authorized(Method::GET, "/v1/me/export?format=zip", &person.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    proxy.cut();
    let started = std::time::Instant::now();
    let read = tokio::time::timeout(Duration::from_secs(15), export.bytes())
        .await
        .expect("the export hung");
    assert!(
        read.is_err(),
        "a cut-off export ends without its last chunk, never as a whole-looking body"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it ended {:?} after the cut",
        started.elapsed()
    );

    let refused =
        app.authorized(Method::GET, "/v1/me/export", &person.access_token).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["content-type"], "application/problem+json");

    proxy.restore();
    let mut healed = None;
    for _ in 0..50 {
        let response = app
            .authorized(Method::GET, "/v1/me/export", &person.access_token)
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::OK {
            healed = Some(response.json::<Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let healed = healed.expect("exports never worked again");
    assert_eq!(healed["goal_check_ins"].as_array().unwrap().len(), 6000);
    app.handle().stop(false).await;
    drop(proxy);
    drop(database);
}

api_test!(async fn sections_longer_than_a_page_come_whole_and_once(app) {
    // Past a page of 200 in every kind of source: resources, the person's other
    // records (a goal's supporters keyed by two ids), the access log, the journal.
    let (_, email, app_tokens) = an_app_let_in(&app, json!(["goals:read"])).await;
    let token = app.sign_in(&email, GOOD_PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    let app_token = app_tokens["access_token"].as_str().unwrap().to_owned();
    let t = token.as_str();
    let contact = create(&app, t, Method::POST, "/v1/contacts", json!({ "name": "Sam", "kind": "friend" })).await;
    let contact = contact["id"].as_str().unwrap().to_owned();
    let mut goals = Vec::new();
    for number in 0..201 {
        let goal = create(&app, t, Method::POST, "/v1/goals", json!({ "title": format!("Goal {number}"), "area": "other" })).await;
        let goal = goal["id"].as_str().unwrap().to_owned();
        create(&app, t, Method::PUT, &format!("/v1/goals/{goal}/supporters/{contact}"), json!({ "role": "Cheers me on" })).await;
        goals.push(goal);
    }
    for _ in 0..201 {
        assert_eq!(call(&app, &app_token, Method::GET, "/v1/goals?limit=1", None).await.0, StatusCode::OK);
    }
    let mut export = Value::Null;
    for _ in 0..100 {
        export = export_of(&app, t).await;
        if export["access_log"].as_array().unwrap().len() == 201 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let once = |section: &str, field: &str| {
        let items = export[section].as_array().unwrap();
        let keys: BTreeSet<String> = items.iter().map(|item| item[field].to_string()).collect();
        assert_eq!(keys.len(), items.len(), "{section}: each once");
        items.len()
    };
    assert_eq!(once("goals", "id"), 201);
    assert_eq!(once("goal_status_changes", "id"), 201);
    assert_eq!(once("goal_supporters", "goal_id"), 201);
    assert_eq!(once("access_log", "id"), 201);
    let changes = once("changes", "sequence");
    assert!(changes > 400, "a contact, 201 goals and 201 supporters: {changes}");
    assert_eq!(export["changes_through"], json!(changes));
    assert_eq!(exported_keys(&export, "goals", "id"), goals.into_iter().collect::<BTreeSet<_>>());
});

api_test!(async fn many_exports_at_once_all_come_whole_and_a_zip_is_not_compressed_twice(app) {
    let person = app.signed_in_user().await;
    for number in 0..250 {
        create(&app, &person.access_token, Method::POST, "/v1/contacts", json!({ "name": format!("Contact {number}"), "kind": "friend" })).await;
    }
    // Exports take turns at reading storage: none starves another, or other requests.
    let downloads: Vec<_> = (0..16)
        .map(|number| {
            let request = app.authorized(Method::GET, if number % 2 == 0 { "/v1/me/export" } else { "/v1/me/export?format=zip" }, &person.access_token);
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                response.bytes().await.expect("an export was cut off").to_vec()
            })
        })
        .collect();
    assert_eq!(call(&app, &person.access_token, Method::GET, "/v1/goals", None).await.0, StatusCode::OK);
    for (number, download) in downloads.into_iter().enumerate() {
        let bytes = download.await.unwrap();
        let document: Value = if number % 2 == 0 {
            serde_json::from_slice(&bytes).unwrap()
        } else {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut text = String::new();
            archive.by_name("waymark-export.json").unwrap().read_to_string(&mut text).unwrap();
            serde_json::from_str(&text).unwrap()
        };
        assert_eq!(document["contacts"].as_array().unwrap().len(), 250);
    }

    let zipped = app.authorized(Method::GET, "/v1/me/export?format=zip", &person.access_token).header("Accept-Encoding", "gzip, br").send().await.unwrap();
    assert_eq!(zipped.status(), StatusCode::OK);
    assert!(zipped.headers().get("content-encoding").is_none_or(|encoding| encoding == "identity"), "{:?}", zipped.headers());
    let bytes = zipped.bytes().await.unwrap().to_vec();
    assert!(zip::ZipArchive::new(std::io::Cursor::new(bytes)).is_ok());
});
