//! Delta sync (issue 19): a first sync gives everything, in pages; later syncs give
//! what changed since, deletions included; a token sees only the kinds its scopes
//! read; an app that applies every answer ends with exactly the server's state, also
//! when two devices write while it pages; a position older than the journal keeps is
//! 410.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::TimeDelta;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_persistence::{Database, Retention};

use crate::support::api_test;
use crate::support::app::{TestApp, test_settings, two_replicas};
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

/// Creates at `path` and answers the new thing's id.
async fn create(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let (status, created) = call(app, token, Method::POST, path, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {created}");
    let created = created.get("interaction").cloned().unwrap_or(created);
    created["id"].as_str().unwrap().to_owned()
}

/// One page of `GET /v1/sync`.
async fn sync_page(
    app: &TestApp,
    token: &str,
    since: Option<&str>,
    limit: u64,
) -> (StatusCode, Value) {
    let mut path = format!("/v1/sync?limit={limit}");
    if let Some(since) = since {
        path.push_str(&format!("&since={since}"));
    }
    call(app, token, Method::GET, &path, None).await
}

/// A thing by its kind and id.
type Key = (String, String);

/// What an app keeps: each thing by kind and id, as the server last gave it, and what
/// it belongs to.
#[derive(Debug, Default)]
struct AppCopy {
    things: BTreeMap<Key, (Value, Option<Key>)>,
    since: Option<String>,
}

impl AppCopy {
    /// Applies one change as an app would: put what changed; remove what was deleted,
    /// with whatever belonged to it.
    fn apply(&mut self, change: &Value) {
        let kind = change["type"].as_str().unwrap().to_owned();
        let id = change["id"].as_str().unwrap().to_owned();
        if change["deleted"] == json!(true) {
            let mut gone = vec![(kind, id)];
            while let Some(key) = gone.pop() {
                self.things.remove(&key);
                gone.extend(
                    self.things
                        .iter()
                        .filter(|(_, (_, parent))| parent.as_ref() == Some(&key))
                        .map(|(child, _)| child.clone()),
                );
            }
            return;
        }
        let parent = change.get("parent").map(|parent| {
            (parent["type"].as_str().unwrap().to_owned(), parent["id"].as_str().unwrap().to_owned())
        });
        let thing = change[kind.as_str()].clone();
        assert!(thing.is_object(), "a change carries its {kind}: {change}");
        self.things.insert((kind, id), (thing, parent));
    }

    /// Syncs until nothing more is waiting, pages of `limit`; answers how many pages.
    async fn sync(&mut self, app: &TestApp, token: &str, limit: u64) -> usize {
        let mut pages = 0;
        loop {
            let (status, page) = sync_page(app, token, self.since.as_deref(), limit).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            pages += 1;
            let changes = page["changes"].as_array().unwrap();
            assert!(changes.len() as u64 <= limit);
            for change in changes {
                self.apply(change);
            }
            self.since = Some(page["next"].as_str().unwrap().to_owned());
            if page["more"] == json!(false) {
                return pages;
            }
        }
    }

    /// Each thing as kind, id and its representation.
    fn contents(&self) -> BTreeMap<(String, String), Value> {
        self.things.iter().map(|(key, (thing, _))| (key.clone(), thing.clone())).collect()
    }
}

/// Every item of the paged list at `path`.
async fn all_of(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut page_path = format!("{path}{separator}limit=100");
        if let Some(cursor) = &cursor {
            page_path.push_str(&format!("&cursor={cursor}"));
        }
        let (status, page) = call(app, token, Method::GET, &page_path, None).await;
        assert_eq!(status, StatusCode::OK, "{page_path}: {page}");
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

/// What the person's own API says they have, kind by kind, read through the usual
/// endpoints (not through sync).
async fn server_state(app: &TestApp, token: &str) -> BTreeMap<(String, String), Value> {
    let mut state = BTreeMap::new();
    let mut put = |kind: &str, thing: Value| {
        state.insert((kind.to_owned(), thing["id"].as_str().unwrap().to_owned()), thing);
    };
    for goal in all_of(app, token, "/v1/goals").await {
        let id = goal["id"].as_str().unwrap().to_owned();
        put("goal", goal);
        let (_, steps) =
            call(app, token, Method::GET, &format!("/v1/goals/{id}/steps"), None).await;
        for step in steps["items"].as_array().unwrap() {
            put("goal_step", step.clone());
        }
        for check_in in all_of(app, token, &format!("/v1/goals/{id}/check-ins")).await {
            put("goal_check_in", check_in);
        }
    }
    let today = chrono::Utc::now().date_naive();
    for routine in all_of(app, token, "/v1/routines").await {
        let id = routine["id"].as_str().unwrap().to_owned();
        put("routine", routine);
        let range = format!(
            "/v1/routines/{id}/check-ins?from={}&to={}",
            today - TimeDelta::days(30),
            today + TimeDelta::days(1)
        );
        let (_, check_ins) = call(app, token, Method::GET, &range, None).await;
        for check_in in check_ins["items"].as_array().unwrap() {
            put("routine_check_in", check_in.clone());
        }
    }
    for contact in all_of(app, token, "/v1/contacts").await {
        let id = contact["id"].as_str().unwrap().to_owned();
        put("contact", contact);
        for interaction in all_of(app, token, &format!("/v1/contacts/{id}/interactions")).await {
            put("contact_interaction", interaction);
        }
    }
    for share in all_of(app, token, "/v1/shares").await {
        put("share", share);
    }
    state
}

/// A goal with two steps and a check-in, a routine with a check-in, a contact with an
/// interaction, and a share with that contact.
async fn some_of_everything(app: &TestApp, token: &str) -> BTreeMap<&'static str, String> {
    let mut ids = BTreeMap::new();
    let goal = create(
        app,
        token,
        "/v1/goals",
        json!({ "title": "Join a walking group", "area": "health" }),
    )
    .await;
    ids.insert(
        "step",
        create(app, token, &format!("/v1/goals/{goal}/steps"), json!({ "title": "Find one" }))
            .await,
    );
    create(app, token, &format!("/v1/goals/{goal}/steps"), json!({ "title": "Go once" })).await;
    create(
        app,
        token,
        &format!("/v1/goals/{goal}/check-ins"),
        json!({ "note": "Found one", "progress": 10 }),
    )
    .await;
    ids.insert("goal", goal);
    let yesterday = chrono::Utc::now().date_naive() - TimeDelta::days(1);
    let routine = create(app, token, "/v1/routines", json!({ "title": "Evening walk", "category": "exercise", "schedule": { "kind": "daily", "times": ["18:00"], "starts_on": yesterday - TimeDelta::days(7), "time_zone": "UTC" } })).await;
    create(
        app,
        token,
        &format!("/v1/routines/{routine}/check-ins"),
        json!({ "occurrence": { "date": yesterday, "time": "18:00" }, "status": "done" }),
    )
    .await;
    ids.insert("routine", routine);
    let contact =
        create(app, token, "/v1/contacts", json!({ "name": "Sam", "kind": "friend" })).await;
    create(
        app,
        token,
        &format!("/v1/contacts/{contact}/interactions"),
        json!({ "at": chrono::Utc::now() - TimeDelta::hours(1), "method": "phone" }),
    )
    .await;
    let (status, share) = call(
        app,
        token,
        Method::POST,
        "/v1/shares",
        Some(json!({ "contact_id": contact, "goals": [], "routines_summary": true })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{share}");
    ids.insert("contact", contact);
    ids
}

api_test!(async fn a_first_sync_gives_everything_in_pages_then_only_what_changed(app) {
    let person = app.signed_in_user().await;
    let token = person.access_token.as_str();
    let ids = some_of_everything(&app, token).await;

    let mut copy = AppCopy::default();
    let pages = copy.sync(&app, token, 2).await;
    assert_eq!(pages, 5, "9 things in pages of 2");
    assert_eq!(copy.contents(), server_state(&app, token).await);
    let kinds: Vec<&str> = copy.things.keys().map(|(kind, _)| kind.as_str()).collect();
    for kind in ["goal", "goal_step", "goal_check_in", "routine", "routine_check_in", "contact", "contact_interaction", "share"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }

    // Nothing changed: nothing comes, and the position holds.
    let since = copy.since.clone().unwrap();
    let (status, page) = sync_page(&app, token, Some(&since), 100).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["changes"], json!([]));
    assert_eq!(page["more"], json!(false));

    // A change, a deletion of a step, and a contact deleted with its interaction and share.
    let (status, _) = call(&app, token, Method::PATCH, &format!("/v1/goals/{}", ids["goal"]), Some(json!({ "title": "Walk with the group" }))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, token, Method::DELETE, &format!("/v1/goals/{}/steps/{}", ids["goal"], ids["step"]), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, token, Method::DELETE, &format!("/v1/contacts/{}", ids["contact"]), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, page) = sync_page(&app, token, Some(&since), 100).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let changes = page["changes"].as_array().unwrap();
    let goal = changes.iter().find(|change| change["type"] == "goal").unwrap();
    assert_eq!(goal["goal"]["title"], "Walk with the group");
    assert_eq!(goal["deleted"], false);
    let deleted: Vec<(&str, &str)> = changes
        .iter()
        .filter(|change| change["deleted"] == true)
        .map(|change| (change["type"].as_str().unwrap(), change["id"].as_str().unwrap()))
        .collect();
    assert!(deleted.contains(&("goal_step", ids["step"].as_str())), "{deleted:?}");
    assert!(deleted.contains(&("contact", ids["contact"].as_str())), "{deleted:?}");
    assert!(deleted.iter().any(|(kind, _)| *kind == "share"), "{deleted:?}");
    for change in changes {
        copy.apply(change);
    }
    copy.since = Some(page["next"].as_str().unwrap().to_owned());
    assert_eq!(copy.contents(), server_state(&app, token).await);
});

api_test!(async fn a_token_syncs_only_the_kinds_its_scopes_read(app) {
    let person = app.signed_in_user().await;
    some_of_everything(&app, &person.access_token).await;
    let narrow = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD), ("scope", "goals:read routines:write")]).await;
    assert_eq!(narrow.status(), StatusCode::OK);
    let narrow: Value = narrow.json().await.unwrap();
    let narrow = narrow["access_token"].as_str().unwrap();

    let mut copy = AppCopy::default();
    copy.sync(&app, narrow, 100).await;
    let kinds: std::collections::BTreeSet<&str> = copy.things.keys().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["goal", "goal_check_in", "goal_step"].into_iter().collect());

    // Routines change; this token hears nothing of it, and its position moves on.
    create(&app, &person.access_token, "/v1/routines", json!({ "title": "Stretch", "category": "exercise", "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": chrono::Utc::now().date_naive(), "time_zone": "UTC" } })).await;
    let since = copy.since.clone().unwrap();
    let (status, page) = sync_page(&app, narrow, Some(&since), 100).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["changes"], json!([]));
    assert_ne!(page["next"].as_str().unwrap(), since, "the routine's entry is passed over");

    // The position belongs to those scopes: a token with others starts again.
    let (status, problem) = sync_page(&app, &person.access_token, Some(&since), 100).await;
    assert_eq!(status, StatusCode::GONE, "{problem}");
    assert_eq!(problem["type"], "/problems/sync-expired");

    // A token that reads none of the kinds is refused.
    let profile = app.token(&[("grant_type", "password"), ("username", &person.email), ("password", GOOD_PASSWORD), ("scope", "profile")]).await;
    let profile: Value = profile.json().await.unwrap();
    let (status, _) = sync_page(&app, profile["access_token"].as_str().unwrap(), None, 100).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

api_test!(async fn a_since_that_is_not_ours_or_not_yours_is_400_and_a_bad_limit_too(app) {
    let alex = app.signed_in_user().await;
    let sam = app.signed_in_user().await;
    let mut copy = AppCopy::default();
    copy.sync(&app, &alex.access_token, 100).await;
    let alexs = copy.since.unwrap();
    for since in [alexs.as_str(), "forged.token", "e30.AAAA"] {
        let (status, problem) = sync_page(&app, &sam.access_token, Some(since), 100).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{since}: {problem}");
    }
    for limit in ["0", "101", "many"] {
        let (status, _) = call(&app, &alex.access_token, Method::GET, &format!("/v1/sync?limit={limit}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "limit={limit}");
    }
});

api_test!(async fn a_position_older_than_the_journal_keeps_is_410_and_starting_again_works(app) {
    let person = app.signed_in_user().await;
    let token = person.access_token.as_str();
    create(&app, token, "/v1/goals", json!({ "title": "One", "area": "work" })).await;
    let mut copy = AppCopy::default();
    copy.sync(&app, token, 100).await;
    let since = copy.since.clone().unwrap();
    create(&app, token, "/v1/goals", json!({ "title": "Two", "area": "work" })).await;

    let database = Database::connect(&test_settings(&app.database_url).database_for_migrations()).await.unwrap();
    let ninety_days = Duration::from_secs(90 * 86_400);
    let later = waymark_domain::time::now() + TimeDelta::days(91);
    database.sweep_expired(later, Retention { journal: ninety_days, access_log: ninety_days }).await.unwrap();

    let (status, problem) = sync_page(&app, token, Some(&since), 100).await;
    assert_eq!(status, StatusCode::GONE, "{problem}");
    assert_eq!(problem["type"], "/problems/sync-expired");
    assert!(problem["detail"].as_str().unwrap().contains("without since"), "{problem}");
    // Newer entries after the gap change nothing: what the app missed is gone.
    create(&app, token, "/v1/goals", json!({ "title": "Three", "area": "work" })).await;
    let (status, _) = sync_page(&app, token, Some(&since), 100).await;
    assert_eq!(status, StatusCode::GONE);

    let mut again = AppCopy::default();
    again.sync(&app, token, 100).await;
    assert_eq!(again.contents(), server_state(&app, token).await);
    assert_eq!(again.contents().len(), 3);
});

/// A small generator of numbers, so each run of the interleavings below is the same
/// for its seed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % sides as u64).unwrap()
    }
}

/// One random write by a device: create, change or delete a goal, step, check-in,
/// contact or interaction, picking among what exists now.
async fn random_write(app: &TestApp, token: &str, dice: &mut Dice) {
    let goals: Vec<String> = all_of(app, token, "/v1/goals")
        .await
        .iter()
        .map(|goal| goal["id"].as_str().unwrap().to_owned())
        .collect();
    let contacts: Vec<String> = all_of(app, token, "/v1/contacts")
        .await
        .iter()
        .map(|contact| contact["id"].as_str().unwrap().to_owned())
        .collect();
    let pick =
        |dice: &mut Dice, among: &[String]| among.get(dice.roll(among.len().max(1))).cloned();
    match dice.roll(10) {
        0 | 1 => {
            create(
                app,
                token,
                "/v1/goals",
                json!({ "title": format!("Goal {}", dice.roll(1000)), "area": "health" }),
            )
            .await;
        }
        2 => {
            if let Some(goal) = pick(dice, &goals) {
                let status = ["active", "paused", "achieved"][dice.roll(3)];
                call(
                    app,
                    token,
                    Method::PATCH,
                    &format!("/v1/goals/{goal}"),
                    Some(json!({ "title": format!("Goal {}", dice.roll(1000)), "status": status })),
                )
                .await;
            }
        }
        3 => {
            if let Some(goal) = pick(dice, &goals) {
                call(app, token, Method::DELETE, &format!("/v1/goals/{goal}"), None).await;
            }
        }
        4 => {
            if let Some(goal) = pick(dice, &goals) {
                call(
                    app,
                    token,
                    Method::POST,
                    &format!("/v1/goals/{goal}/steps"),
                    Some(json!({ "title": "A step" })),
                )
                .await;
            }
        }
        5 => {
            if let Some(goal) = pick(dice, &goals) {
                let (_, steps) =
                    call(app, token, Method::GET, &format!("/v1/goals/{goal}/steps"), None).await;
                let steps: Vec<String> = steps["items"]
                    .as_array()
                    .map(|items| {
                        items.iter().map(|step| step["id"].as_str().unwrap().to_owned()).collect()
                    })
                    .unwrap_or_default();
                if let Some(step) = pick(dice, &steps) {
                    if dice.roll(2) == 0 {
                        call(
                            app,
                            token,
                            Method::PATCH,
                            &format!("/v1/goals/{goal}/steps/{step}"),
                            Some(json!({ "done": true })),
                        )
                        .await;
                    } else {
                        call(
                            app,
                            token,
                            Method::DELETE,
                            &format!("/v1/goals/{goal}/steps/{step}"),
                            None,
                        )
                        .await;
                    }
                }
            }
        }
        6 => {
            if let Some(goal) = pick(dice, &goals) {
                call(
                    app,
                    token,
                    Method::POST,
                    &format!("/v1/goals/{goal}/check-ins"),
                    Some(json!({ "note": "Went", "progress": dice.roll(101) })),
                )
                .await;
            }
        }
        7 => {
            create(
                app,
                token,
                "/v1/contacts",
                json!({ "name": format!("Friend {}", dice.roll(1000)), "kind": "friend" }),
            )
            .await;
        }
        8 => {
            if let Some(contact) = pick(dice, &contacts) {
                if dice.roll(3) == 0 {
                    call(app, token, Method::DELETE, &format!("/v1/contacts/{contact}"), None)
                        .await;
                } else {
                    call(
                        app,
                        token,
                        Method::PATCH,
                        &format!("/v1/contacts/{contact}"),
                        Some(json!({ "notes": format!("Note {}", dice.roll(1000)) })),
                    )
                    .await;
                }
            }
        }
        _ => {
            if let Some(contact) = pick(dice, &contacts) {
                let at =
                    chrono::Utc::now() - TimeDelta::minutes(i64::try_from(dice.roll(600)).unwrap());
                call(
                    app,
                    token,
                    Method::POST,
                    &format!("/v1/contacts/{contact}/interactions"),
                    Some(json!({ "at": at, "method": "phone" })),
                )
                .await;
            }
        }
    }
}

api_test!(async fn an_app_that_applies_every_answer_ends_with_exactly_the_servers_state(app) {
    let app = std::sync::Arc::new(app);
    for seed in [7_u64, 1_234_567, 987_654_321] {
        let person = app.signed_in_user().await;
        let token = person.access_token.clone();
        let mut dice = Dice(seed);
        let mut copy = AppCopy::default();
        // Two devices write in turns, with syncs between, in small pages.
        for round in 0..6 {
            for _ in 0..(2 + dice.roll(4)) {
                random_write(&app, &token, &mut dice).await;
            }
            copy.sync(&app, &token, 1 + u64::try_from(dice.roll(4)).unwrap()).await;
            if round % 2 == 1 {
                assert_eq!(copy.contents(), server_state(&app, &token).await, "seed {seed}, round {round}");
            }
        }
        // A device writes while another pages through a first sync and then syncs on.
        let writer = {
            let (app, token) = (std::sync::Arc::clone(&app), token.clone());
            tokio::spawn(async move {
                let mut dice = Dice(seed ^ 0x5eed);
                for _ in 0..12 {
                    random_write(&app, &token, &mut dice).await;
                }
            })
        };
        let mut fresh = AppCopy::default();
        while !writer.is_finished() {
            fresh.sync(&app, &token, 2).await;
            copy.sync(&app, &token, 3).await;
        }
        writer.await.unwrap();
        fresh.sync(&app, &token, 2).await;
        copy.sync(&app, &token, 3).await;
        let state = server_state(&app, &token).await;
        assert_eq!(copy.contents(), state, "seed {seed}: the copy synced all along");
        assert_eq!(fresh.contents(), state, "seed {seed}: the copy that began while a device wrote");
    }
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_another_instance_reaches_a_sync_answered_from_memory_within_moments() {
    let Some((_database, first, second)) = two_replicas().await else {
        return;
    };
    let person = first.signed_in_user().await;
    let token = person.access_token.as_str();
    let mut copy = AppCopy::default();
    copy.sync(&second, token, 100).await;
    let since = copy.since.clone().unwrap();
    // The replica answers this position from memory from here on.
    for _ in 0..3 {
        let (status, page) = sync_page(&second, token, Some(&since), 100).await;
        assert_eq!((status, page["changes"].clone()), (StatusCode::OK, json!([])));
    }
    let goal =
        create(&first, token, "/v1/goals", json!({ "title": "Made elsewhere", "area": "work" }))
            .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, page) = sync_page(&second, token, Some(&since), 100).await;
        assert_eq!(status, StatusCode::OK);
        if page["changes"].as_array().unwrap().iter().any(|change| change["id"] == goal.as_str()) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the replica never saw the new goal");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

api_test!(async fn a_page_gives_a_thing_before_what_belongs_to_it(app) {
    let person = app.signed_in_user().await;
    let token = person.access_token.as_str();
    let mut copy = AppCopy::default();
    copy.sync(&app, token, 100).await;
    let since = copy.since.clone().unwrap();
    // Each step and check-in also changes its goal; the goal still comes first.
    let goal = create(&app, token, "/v1/goals", json!({ "title": "Cook on Sundays", "area": "health" })).await;
    for title in ["Buy a pan", "Pick a recipe"] {
        create(&app, token, &format!("/v1/goals/{goal}/steps"), json!({ "title": title })).await;
    }
    create(&app, token, &format!("/v1/goals/{goal}/check-ins"), json!({ "note": "Made soup" })).await;
    let contact = create(&app, token, "/v1/contacts", json!({ "name": "Jo", "kind": "family" })).await;
    create(&app, token, &format!("/v1/contacts/{contact}/interactions"), json!({ "at": chrono::Utc::now(), "method": "in_person" })).await;
    let (status, page) = sync_page(&app, token, Some(&since), 100).await;
    assert_eq!(status, StatusCode::OK);
    let order: Vec<&str> = page["changes"].as_array().unwrap().iter().map(|change| change["type"].as_str().unwrap()).collect();
    assert_eq!(order, ["goal", "goal_step", "goal_step", "goal_check_in", "contact", "contact_interaction"]);
});

api_test!(async fn a_supporter_closing_their_account_ends_the_share_in_the_sharers_sync(app) {
    let alex = app.signed_in_user().await;
    let sam = app.signed_in_user().await;
    let token = alex.access_token.as_str();
    let contact = create(&app, token, "/v1/contacts", json!({ "name": "Sam", "kind": "friend" })).await;
    let (status, shared) = call(&app, token, Method::POST, "/v1/shares", Some(json!({ "contact_id": contact, "goals": [], "routines_summary": true }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(&app, &sam.access_token, Method::POST, "/v1/invitations/accept", Some(json!({ "code": shared["invitation"]["code"] }))).await;
    assert_eq!(status, StatusCode::OK);
    let mut copy = AppCopy::default();
    copy.sync(&app, token, 100).await;
    let share_id = shared["share"]["id"].as_str().unwrap().to_owned();
    assert_eq!(copy.things[&("share".to_owned(), share_id.clone())].0["status"], "active");

    let closed = app.authorized(Method::DELETE, "/v1/me", &sam.access_token).json(&json!({ "password": GOOD_PASSWORD })).send().await.unwrap();
    assert_eq!(closed.status(), StatusCode::NO_CONTENT);
    copy.sync(&app, token, 100).await;
    assert_eq!(copy.things[&("share".to_owned(), share_id)].0["status"], "ended");
    assert_eq!(copy.contents(), server_state(&app, token).await);
});
