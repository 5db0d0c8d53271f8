//! The change journal: every write through the API appends one entry per changed
//! resource in the write's own transaction, numbered per person without gaps a reader
//! can see, deletions included; housekeeping forgets old entries without reusing
//! numbers. Read through the journal's port, as sync and webhooks will.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::acting::Acting;
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{Actor, ChangeJournal, JournalEntry, Sequence};
use waymark_persistence::{Database, Retention};

use crate::support::app::test_settings;
use crate::support::identity::SignedIn;
use crate::support::{TestApp, api_test};

async fn journal_of(app: &TestApp) -> (Database, Arc<dyn ChangeJournal>) {
    let database = Database::connect(&test_settings(&app.database_url).database_for_migrations())
        .await
        .unwrap();
    let journal = database.ports().journal;
    (database, journal)
}

/// `(resource type, kind)` of every entry of `account`'s journal, in order.
pub(crate) async fn entries_of(database_url: &str, account: uuid::Uuid) -> Vec<(String, String)> {
    let database =
        Database::connect(&test_settings(database_url).database_for_migrations()).await.unwrap();
    let entries = database
        .ports()
        .journal
        .entries_after(AccountId(account), Sequence(0), 10_000)
        .await
        .unwrap();
    database.close().await;
    entries
        .iter()
        .map(|entry| {
            (entry.change.resource.as_str().to_owned(), entry.change.kind.as_str().to_owned())
        })
        .collect()
}

fn account(person: &SignedIn) -> AccountId {
    AccountId(uuid::Uuid::parse_str(&person.account_id).unwrap())
}

async fn entries(journal: &dyn ChangeJournal, person: &SignedIn) -> Vec<JournalEntry> {
    journal.entries_after(account(person), Sequence(0), 10_000).await.unwrap()
}

/// `(resource type, kind, id, version)` of each entry, in order.
fn described(entries: &[JournalEntry]) -> Vec<(String, String, String, Option<i64>)> {
    entries
        .iter()
        .map(|entry| {
            (
                entry.change.resource.as_str().to_owned(),
                entry.change.kind.as_str().to_owned(),
                entry.change.id.to_string(),
                entry.change.version,
            )
        })
        .collect()
}

async fn call(
    app: &TestApp,
    person: &SignedIn,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.authorized(method, path, &person.access_token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn version(value: &Value) -> Option<i64> {
    Some(value["version"].as_i64().unwrap())
}

fn entry(
    resource: &str,
    kind: &str,
    id: &str,
    version: Option<i64>,
) -> (String, String, String, Option<i64>) {
    (resource.to_owned(), kind.to_owned(), id.to_owned(), version)
}

api_test!(async fn every_write_appends_one_entry_per_changed_resource(app) {
    let person = app.signed_in_user().await;
    let (_database, journal) = journal_of(&app).await;
    let today = Utc::now().date_naive();

    let (_, goal) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Join a choir", "area": "social" }))).await;
    let goal_path = format!("/v1/goals/{}", id(&goal));
    let (_, step) = call(&app, &person, Method::POST, &format!("{goal_path}/steps"), Some(json!({ "title": "Find a choir" }))).await;
    let (_, goal_check_in) = call(&app, &person, Method::POST, &format!("{goal_path}/check-ins"), Some(json!({ "note": "Went to listen" }))).await;
    let (status, patched) = call(&app, &person, Method::PATCH, &goal_path, Some(json!({ "status": "paused" }))).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let (status, routine) = call(&app, &person, Method::POST, "/v1/routines", Some(json!({
        "title": "Practise scales",
        "category": "learning",
        "goal_id": id(&goal),
        "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": today - TimeDelta::days(3), "time_zone": "UTC" }
    }))).await;
    assert_eq!(status, StatusCode::CREATED, "{routine}");
    let check_ins = format!("/v1/routines/{}/check-ins", id(&routine));
    let (status, routine_check_in) = call(&app, &person, Method::POST, &check_ins, Some(json!({ "occurrence": { "date": today, "time": "08:00" }, "status": "done" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{routine_check_in}");
    let (_, contact) = call(&app, &person, Method::POST, "/v1/contacts", Some(json!({ "name": "Dee", "kind": "peer" }))).await;
    let (status, interaction) = call(&app, &person, Method::POST, &format!("/v1/contacts/{}/interactions", id(&contact)), Some(json!({ "at": Utc::now() - TimeDelta::minutes(1), "method": "phone" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{interaction}");
    let (status, _) = call(&app, &person, Method::PUT, &format!("{goal_path}/supporters/{}", id(&contact)), Some(json!({ "role": "Comes along" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, goal_with_supporter) = call(&app, &person, Method::GET, &goal_path, None).await;
    let (_, contact_now) = call(&app, &person, Method::GET, &format!("/v1/contacts/{}", id(&contact)), None).await;
    let (status, _) = call(&app, &person, Method::DELETE, &format!("{check_ins}/{}", id(&routine_check_in)), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, &person, Method::DELETE, &goal_path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, routine_unlinked) = call(&app, &person, Method::GET, &format!("/v1/routines/{}", id(&routine)), None).await;
    assert_eq!(routine_unlinked["goal_id"], Value::Null);

    let found = entries(journal.as_ref(), &person).await;
    let step_goal = goal["version"].as_i64().unwrap() + 1;
    let interaction_id = id(&interaction["interaction"]);
    assert_eq!(
        described(&found),
        vec![
            entry("account", "created", &person.account_id, Some(1)),
            entry("goal", "created", &id(&goal), version(&goal)),
            entry("goal", "updated", &id(&goal), Some(step_goal)),
            entry("goal_step", "created", &id(&step), version(&step)),
            entry("goal", "updated", &id(&goal), Some(step_goal + 1)),
            entry("goal_check_in", "created", &id(&goal_check_in), None),
            entry("goal", "updated", &id(&goal), version(&patched)),
            entry("routine", "created", &id(&routine), version(&routine)),
            entry("routine_check_in", "created", &id(&routine_check_in), version(&routine_check_in)),
            entry("contact", "created", &id(&contact), version(&contact)),
            entry("contact_interaction", "created", &interaction_id, None),
            entry("contact", "updated", &id(&contact), version(&contact_now)),
            entry("goal", "updated", &id(&goal), version(&goal_with_supporter)),
            entry("routine_check_in", "deleted", &id(&routine_check_in), None),
            entry("routine", "updated", &id(&routine), version(&routine_unlinked)),
            entry("goal", "deleted", &id(&goal), None),
        ],
        "{found:#?}"
    );
    let sequences: Vec<i64> = found.iter().map(|entry| entry.sequence.0).collect();
    assert_eq!(sequences, (1..=16).collect::<Vec<_>>(), "numbered from 1 without gaps");
    assert!(found.iter().all(|entry| entry.account == account(&person) && entry.actor == Actor::Person(account(&person))));

    let later = journal.entries_after(account(&person), Sequence(14), 10).await.unwrap();
    assert_eq!(later.iter().map(|entry| entry.sequence.0).collect::<Vec<_>>(), vec![15, 16], "reads resume after a sequence");
    let someone_else = app.signed_in_user().await;
    assert_eq!(entries(journal.as_ref(), &someone_else).await.len(), 1, "each person has a journal of their own");
});

/// The entries appended since `seen` entries were read, as `(type, kind, id)`; each
/// is the person's, made by the person, and they follow on without a gap.
async fn appended(
    journal: &dyn ChangeJournal,
    person: &SignedIn,
    seen: &mut i64,
) -> Vec<(String, String, String)> {
    let found = journal.entries_after(account(person), Sequence(*seen), 1000).await.unwrap();
    for entry in &found {
        *seen += 1;
        assert_eq!(entry.sequence.0, *seen, "no gap: {found:#?}");
        assert_eq!(entry.actor, Actor::Person(account(person)));
    }
    described(&found).into_iter().map(|(resource, kind, id, _)| (resource, kind, id)).collect()
}

fn change(resource: &str, kind: &str, id: &str) -> (String, String, String) {
    (resource.to_owned(), kind.to_owned(), id.to_owned())
}

api_test!(async fn every_other_write_path_is_journalled_too(app) {
    let person = app.signed_in_user().await;
    let (_database, journal) = journal_of(&app).await;
    let today = Utc::now().date_naive();
    let (_, goal) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Learn to swim", "area": "health" }))).await;
    let goal_path = format!("/v1/goals/{}", id(&goal));
    let (_, first) = call(&app, &person, Method::POST, &format!("{goal_path}/steps"), Some(json!({ "title": "Find a pool" }))).await;
    let (_, second) = call(&app, &person, Method::POST, &format!("{goal_path}/steps"), Some(json!({ "title": "Book a lesson" }))).await;
    let (_, goal_check_in) = call(&app, &person, Method::POST, &format!("{goal_path}/check-ins"), Some(json!({ "note": "Looked at times" }))).await;
    let (status, routine) = call(&app, &person, Method::POST, "/v1/routines", Some(json!({
        "title": "Stretch",
        "category": "exercise",
        "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": today - TimeDelta::days(3), "time_zone": "UTC" }
    }))).await;
    assert_eq!(status, StatusCode::CREATED, "{routine}");
    let routine_path = format!("/v1/routines/{}", id(&routine));
    let (_, contact) = call(&app, &person, Method::POST, "/v1/contacts", Some(json!({ "name": "Kai", "kind": "friend" }))).await;
    let contact_path = format!("/v1/contacts/{}", id(&contact));
    let (_, interaction) = call(&app, &person, Method::POST, &format!("{contact_path}/interactions"), Some(json!({ "at": Utc::now() - TimeDelta::minutes(5), "method": "text" }))).await;
    let supporter_path = format!("{goal_path}/supporters/{}", id(&contact));
    let (status, _) = call(&app, &person, Method::PUT, &supporter_path, Some(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut seen = 0;
    appended(journal.as_ref(), &person, &mut seen).await;

    // Each write, and the entry it must at least have appended.
    let (status, _) = call(&app, &person, Method::PATCH, &format!("{goal_path}/steps/{}", id(&first)), Some(json!({ "done": true }))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(appended(journal.as_ref(), &person, &mut seen).await.contains(&change("goal_step", "updated", &id(&first))));
    let (status, _) = call(&app, &person, Method::POST, &format!("{goal_path}/steps/reorder"), Some(json!({ "step_ids": [id(&second), id(&first)] }))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(appended(journal.as_ref(), &person, &mut seen).await.contains(&change("goal", "updated", &id(&goal))));
    let (status, _) = call(&app, &person, Method::DELETE, &format!("{goal_path}/steps/{}", id(&second)), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(appended(journal.as_ref(), &person, &mut seen).await.contains(&change("goal_step", "deleted", &id(&second))));
    let (status, _) = call(&app, &person, Method::DELETE, &format!("{goal_path}/check-ins/{}", id(&goal_check_in)), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(appended(journal.as_ref(), &person, &mut seen).await.contains(&change("goal_check_in", "deleted", &id(&goal_check_in))));

    let (status, _) = call(&app, &person, Method::PATCH, &routine_path, Some(json!({ "title": "Stretch gently" }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(appended(journal.as_ref(), &person, &mut seen).await, vec![change("routine", "updated", &id(&routine))]);
    let (status, batch) = call(&app, &person, Method::POST, "/v1/check-ins:batch", Some(json!({ "items": [
        { "routine_id": id(&routine), "occurrence": { "date": today, "time": "08:00" }, "status": "done" }
    ] }))).await;
    assert_eq!(status, StatusCode::OK, "{batch}");
    let batched = id(&batch["results"][0]["check_in"]);
    assert_eq!(appended(journal.as_ref(), &person, &mut seen).await, vec![change("routine_check_in", "created", &batched)]);
    let (status, _) = call(&app, &person, Method::PATCH, &format!("{routine_path}/check-ins/{batched}"), Some(json!({ "status": "partly" }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(appended(journal.as_ref(), &person, &mut seen).await, vec![change("routine_check_in", "updated", &batched)]);

    let (status, _) = call(&app, &person, Method::PATCH, &contact_path, Some(json!({ "notes": "Swims on Sundays" }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(appended(journal.as_ref(), &person, &mut seen).await, vec![change("contact", "updated", &id(&contact))]);
    let interaction_path = format!("{contact_path}/interactions/{}", id(&interaction["interaction"]));
    let (status, _) = call(&app, &person, Method::DELETE, &interaction_path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(appended(journal.as_ref(), &person, &mut seen).await.contains(&change("contact_interaction", "deleted", &id(&interaction["interaction"]))));
    let (status, _) = call(&app, &person, Method::DELETE, &supporter_path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(appended(journal.as_ref(), &person, &mut seen).await.contains(&change("goal", "updated", &id(&goal))));
    let imported = app
        .authorized(Method::POST, "/v1/contacts/import", &person.access_token)
        .header("content-type", "text/vcard")
        .body("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Robin\r\nEND:VCARD\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
    let imported: Value = imported.json().await.unwrap();
    let robin = id(&imported["results"][0]["contact"]);
    assert_eq!(appended(journal.as_ref(), &person, &mut seen).await, vec![change("contact", "created", &robin)]);
    let (status, _) = call(&app, &person, Method::PATCH, "/v1/me", Some(json!({ "display_name": "Sam R." }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(appended(journal.as_ref(), &person, &mut seen).await, vec![change("account", "updated", &person.account_id)]);

    let (status, _) = call(&app, &person, Method::DELETE, &routine_path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(appended(journal.as_ref(), &person, &mut seen).await.contains(&change("routine", "deleted", &id(&routine))));
    let (status, _) = call(&app, &person, Method::DELETE, &contact_path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(appended(journal.as_ref(), &person, &mut seen).await.contains(&change("contact", "deleted", &id(&contact))));
});

api_test!(async fn a_write_that_fails_or_changes_nothing_leaves_no_entry(app) {
    let person = app.signed_in_user().await;
    let (_database, journal) = journal_of(&app).await;
    let today = Utc::now().date_naive();
    let (_, routine) = call(&app, &person, Method::POST, "/v1/routines", Some(json!({
        "title": "Walk", "category": "exercise",
        "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": today - TimeDelta::days(3), "time_zone": "UTC" }
    }))).await;
    let check_ins = format!("/v1/routines/{}/check-ins", id(&routine));
    let occurrence = json!({ "occurrence": { "date": today, "time": "08:00" }, "status": "done" });
    let (status, _) = call(&app, &person, Method::POST, &check_ins, Some(occurrence.clone())).await;
    assert_eq!(status, StatusCode::CREATED);
    let before = entries(journal.as_ref(), &person).await;

    // The second check-in of one occurrence fails inside its transaction, after the
    // routine's row was written to lock it: the whole transaction rolls back.
    let (status, _) = call(&app, &person, Method::POST, &check_ins, Some(occurrence)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(entries(journal.as_ref(), &person).await, before);

    // Deleting a goal with a stale If-Match rolls back after its routines were
    // unlinked; reordering its steps with the wrong set of ids rolls back after the
    // goal's version moved on. Neither leaves an entry or a change.
    let (_, goal) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Linked", "area": "health" }))).await;
    let goal_path = format!("/v1/goals/{}", id(&goal));
    let (_, step) = call(&app, &person, Method::POST, &format!("{goal_path}/steps"), Some(json!({ "title": "First" }))).await;
    let routine_path = format!("/v1/routines/{}", id(&routine));
    let (status, linked) = call(&app, &person, Method::PATCH, &routine_path, Some(json!({ "goal_id": id(&goal) }))).await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    let (_, goal_before) = call(&app, &person, Method::GET, &goal_path, None).await;
    let before = entries(journal.as_ref(), &person).await;
    let stale = app.authorized(Method::DELETE, &goal_path, &person.access_token).header("if-match", "\"1\"").send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (status, _) = call(&app, &person, Method::POST, &format!("{goal_path}/steps/reorder"), Some(json!({ "step_ids": [id(&step), id(&routine)] }))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(entries(journal.as_ref(), &person).await, before);
    let (_, routine_after) = call(&app, &person, Method::GET, &routine_path, None).await;
    assert_eq!((routine_after["goal_id"].clone(), routine_after["version"].clone()), (linked["goal_id"].clone(), linked["version"].clone()));
    let (_, goal_after) = call(&app, &person, Method::GET, &goal_path, None).await;
    assert_eq!(goal_after["version"], goal_before["version"]);
    let (status, _) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Next", "area": "work" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let after = entries(journal.as_ref(), &person).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap().sequence.0, i64::try_from(before.len()).unwrap() + 1, "no number was used up by the failed writes");
});

api_test!(async fn racing_writers_never_let_a_reader_see_a_gap(app) {
    let person = Arc::new(app.signed_in_user().await);
    let (_database, journal) = journal_of(&app).await;
    let app = Arc::new(app);
    let (_, goal) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Shared", "area": "health" }))).await;
    let goal_path = Arc::new(format!("/v1/goals/{}", id(&goal)));

    const WRITERS: usize = 6;
    const WRITES_EACH: usize = 12;
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (app, person, goal_path) = (Arc::clone(&app), Arc::clone(&person), Arc::clone(&goal_path));
            tokio::spawn(async move {
                let mut entries_written: i64 = 0;
                for write in 0..WRITES_EACH {
                    // Goal creations (one entry) race check-ins on one goal (two entries).
                    let (path, body, entries) = if (writer + write) % 2 == 0 {
                        ("/v1/goals".to_owned(), json!({ "title": format!("Goal {writer}-{write}"), "area": "work" }), 1)
                    } else {
                        (format!("{goal_path}/check-ins"), json!({ "note": format!("Check-in {writer}-{write}") }), 2)
                    };
                    loop {
                        let (status, body) = call(&app, &person, Method::POST, &path, Some(body.clone())).await;
                        match status {
                            StatusCode::CREATED => break,
                            // SQLite may answer a busy writer 503; the write did not happen.
                            StatusCode::SERVICE_UNAVAILABLE => tokio::time::sleep(Duration::from_millis(20)).await,
                            other => panic!("{other}: {body}"),
                        }
                    }
                    entries_written += entries;
                }
                entries_written
            })
        })
        .collect();

    // The reader follows the journal while the writers run: every read must continue
    // exactly where the last one ended.
    let owner = account(&person);
    let mut seen = 2; // the account's creation and the shared goal's
    let mut reads = 0;
    let mut finished = false;
    loop {
        let batch = journal.entries_after(owner, Sequence(seen), 50).await.unwrap();
        for entry in &batch {
            assert_eq!(entry.sequence.0, seen + 1, "a reader at {seen} was shown {} first", entry.sequence);
            seen = entry.sequence.0;
        }
        reads += 1;
        if finished && batch.is_empty() {
            break;
        }
        finished = writers.iter().all(tokio::task::JoinHandle::is_finished);
    }
    let mut expected: i64 = 2;
    for writer in writers {
        expected += writer.await.unwrap();
    }
    assert_eq!(seen, expected, "every write's entries, each once");
    assert!(reads > 2, "the reader ran alongside the writers ({reads} reads)");
    let all = entries(journal.as_ref(), &person).await;
    let sequences: BTreeSet<i64> = all.iter().map(|entry| entry.sequence.0).collect();
    assert_eq!(sequences.len(), all.len());
    assert_eq!(sequences, (1..=expected).collect::<BTreeSet<_>>());
});

api_test!(async fn housekeeping_forgets_old_entries_but_never_reuses_their_numbers(app) {
    let person = app.signed_in_user().await;
    let (database, journal) = journal_of(&app).await;
    for title in ["One", "Two"] {
        let (status, _) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": title, "area": "work" }))).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let ninety_days = Duration::from_secs(90 * 86_400);
    let now = waymark_domain::time::now();
    let swept = database.sweep_expired(now, Retention { journal: ninety_days, access_log: ninety_days }).await.unwrap();
    assert_eq!(swept.journal_entries, 0, "fresh entries are kept");
    assert_eq!(journal.oldest_held(account(&person)).await.unwrap(), Some(Sequence(1)));

    let swept = database.sweep_expired(now + TimeDelta::days(91), Retention { journal: ninety_days, access_log: ninety_days }).await.unwrap();
    assert_eq!(swept.journal_entries, 3, "{swept:?}");
    assert!(entries(journal.as_ref(), &person).await.is_empty());
    assert_eq!(journal.oldest_held(account(&person)).await.unwrap(), None);

    let (status, _) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Three", "area": "work" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let remaining = entries(journal.as_ref(), &person).await;
    assert_eq!(remaining.iter().map(|entry| entry.sequence.0).collect::<Vec<_>>(), vec![4]);
    assert_eq!(journal.oldest_held(account(&person)).await.unwrap(), Some(Sequence(4)));
});

api_test!(async fn an_administrators_role_change_is_journalled_as_theirs(app) {
    let person = app.signed_in_user().await;
    let admin = app.signed_in_with_role(waymark_domain::identity::Role::Admin).await;
    let (_database, journal) = journal_of(&app).await;
    let response = app.authorized(Method::PATCH, &format!("/v1/admin/users/{}", person.account_id), &admin.access_token)
        .json(&json!({ "role": "editor" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let found = entries(journal.as_ref(), &person).await;
    let last = found.last().unwrap();
    assert_eq!(described(std::slice::from_ref(last)), vec![entry("account", "updated", &person.account_id, Some(2))]);
    assert_eq!(last.actor, Actor::Administrator(account(&admin)));
});

// A writer that waited can commit a later number with an earlier time than another.
// Retention removes a prefix of each person's journal, never a hole in its middle.
api_test!(async fn retention_removes_a_prefix_even_when_times_are_out_of_order(app) {
    let person = app.signed_in_user().await;
    let (database, journal) = journal_of(&app).await;
    let goals = database.ports().goals;
    let now = waymark_domain::time::now();
    let goal = |title: &str| waymark_domain::goals::NewGoal {
        title: waymark_domain::goals::GoalTitle::parse(title).unwrap(),
        why: waymark_domain::goals::GoalWhy::parse("").unwrap(),
        area: "work".parse().unwrap(),
        target_date: None,
        status: "active".parse().unwrap(),
        needs_support: false,
        support_notes: waymark_domain::goals::SupportNotes::parse("").unwrap(),
    };
    // The account's creation is number 1, now; numbers 2, 3 and 4 are made 10, 30 and
    // 20 days later. Swept with a cutoff 25 days from now, number 4 is old but sits
    // behind the newer number 3, so only numbers 1 and 2 go.
    for (title, days_later) in [("Second", 10), ("Third", 30), ("Fourth", 20)] {
        goals.create(Acting::person(account(&person)), goal(title), now + TimeDelta::days(days_later)).await.unwrap();
    }
    let swept = database.sweep_expired(now + TimeDelta::days(115), Retention { journal: Duration::from_secs(90 * 86_400), access_log: Duration::from_secs(90 * 86_400) }).await.unwrap();
    assert_eq!(swept.journal_entries, 2, "{swept:?}");
    let remaining: Vec<i64> = entries(journal.as_ref(), &person).await.iter().map(|entry| entry.sequence.0).collect();
    assert_eq!(remaining, vec![3, 4], "a prefix goes; an old entry behind a newer one stays");
    assert_eq!(journal.oldest_held(account(&person)).await.unwrap(), Some(Sequence(3)));
});

api_test!(async fn an_apps_write_is_journalled_as_the_apps_for_the_person(app) {
    let (client_id, email, tokens) = crate::authorize::an_app_let_in(&app, json!(["goals:write"])).await;
    let own = app.sign_in(&email, crate::support::identity::GOOD_PASSWORD).await;
    let me: Value = app.authorized(Method::GET, "/v1/me", own["access_token"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    let person = AccountId(uuid::Uuid::parse_str(me["id"].as_str().unwrap()).unwrap());
    let (_database, journal) = journal_of(&app).await;
    let created = app
        .authorized(Method::POST, "/v1/goals", tokens["access_token"].as_str().unwrap())
        .json(&json!({ "title": "Walk to the park", "area": "health" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let found = journal.entries_after(person, Sequence(0), 10_000).await.unwrap();
    let last = found.last().unwrap();
    assert_eq!(last.account, person, "the person's data");
    let client = waymark_domain::identity::ClientId::parse(&client_id).unwrap();
    assert_eq!(last.actor, Actor::App(client), "changed by the app, not by the person themself");
});
