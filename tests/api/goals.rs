//! `/v1/goals`: a person's goals and their history.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::api_test;
use crate::support::identity::SignedIn;

fn new_goal(title: &str) -> Value {
    json!({ "title": title, "why": "It matters to me.", "area": "social" })
}

async fn create(
    app: &crate::support::TestApp,
    person: &SignedIn,
    body: &Value,
) -> reqwest::Response {
    app.authorized(Method::POST, "/v1/goals", &person.access_token).json(body).send().await.unwrap()
}

async fn created(app: &crate::support::TestApp, person: &SignedIn, body: &Value) -> Value {
    let response = create(app, person, body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

api_test!(async fn creating_and_reading_a_goal(app) {
    let person = app.signed_in_user().await;
    let response = create(
        &app,
        &person,
        &json!({
            "title": "  Join the Tuesday walking group ",
            "why": "Getting out helps my mood.",
            "area": "social",
            "target_date": "2099-03-31",
            "needs_support": true,
            "support_notes": "A friend to come along the first time."
        }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let goal: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/v1/goals/{}", goal["id"].as_str().unwrap()));
    assert_eq!(goal["title"], "Join the Tuesday walking group");
    assert_eq!(goal["why"], "Getting out helps my mood.");
    assert_eq!(goal["area"], "social");
    assert_eq!(goal["target_date"], "2099-03-31");
    assert_eq!(goal["status"], "active");
    assert_eq!(goal["needs_support"], true);
    assert_eq!(goal["support_notes"], "A friend to come along the first time.");
    assert_eq!(goal["version"], 1);
    assert_eq!(goal["created_at"], goal["updated_at"]);
    assert_eq!(goal["status_changed_at"], goal["created_at"]);
    assert!(goal["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(uuid::Uuid::parse_str(goal["id"].as_str().unwrap()).unwrap().get_version_num(), 7);

    let read = app.authorized(Method::GET, &location, &person.access_token).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(read.headers()["cache-control"], "no-store");
    assert_eq!(read.json::<Value>().await.unwrap(), goal);
    let unchanged = app.authorized(Method::GET, &location, &person.access_token).header("if-none-match", "\"1\"").send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    let defaults = created(&app, &person, &json!({ "title": "Sleep by eleven", "area": "health" })).await;
    assert_eq!(defaults["why"], "");
    assert_eq!(defaults["target_date"], Value::Null);
    assert_eq!(defaults["needs_support"], false);
});

api_test!(async fn every_rule_is_checked_with_pointers(app) {
    let person = app.signed_in_user().await;
    let response = create(
        &app,
        &person,
        &json!({
            "title": "",
            "why": "w".repeat(4001),
            "area": "career",
            "status": "failed",
            "target_date": "2001-01-01",
            "support_notes": "s".repeat(2001)
        }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    let mut pointers: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|error| error["pointer"].as_str().unwrap()).collect();
    pointers.sort_unstable();
    assert_eq!(pointers, vec!["/area", "/status", "/support_notes", "/target_date", "/title", "/why"]);

    for owned in ["id", "version", "created_at", "status_changed_at", "user_id"] {
        let mut body = new_goal("Mass assignment");
        body[owned] = json!("x");
        let refused = create(&app, &person, &body).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{owned}");
        assert_eq!(refused.json::<Value>().await.unwrap()["errors"][0]["pointer"], format!("/{owned}"));
    }
    let listed: Value = app.authorized(Method::GET, "/v1/goals", &person.access_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0, "refused requests created nothing");
});

api_test!(async fn changing_a_goal_keeps_its_story(app) {
    let person = app.signed_in_user().await;
    let goal = created(&app, &person, &json!({ "title": "Volunteer at the garden", "area": "volunteering", "target_date": "2099-01-01" })).await;
    let path = format!("/v1/goals/{}", goal["id"].as_str().unwrap());
    let patch = |body: Value, if_match: Option<&'static str>| {
        let mut request = app
            .authorized(Method::PATCH, &path, &person.access_token)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string());
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        async move { request.send().await.unwrap() }
    };

    let paused = patch(json!({ "status": "paused", "target_date": null }), Some("\"1\"")).await;
    assert_eq!(paused.status(), StatusCode::OK);
    assert_eq!(paused.headers()["etag"], "\"2\"");
    let paused: Value = paused.json().await.unwrap();
    assert_eq!(paused["status"], "paused");
    assert_eq!(paused["target_date"], Value::Null);
    assert_eq!(paused["title"], "Volunteer at the garden");
    assert_ne!(paused["status_changed_at"], goal["status_changed_at"]);

    assert_eq!(patch(json!({ "title": "Late" }), Some("\"1\"")).await.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(patch(json!({ "title": null }), None).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(patch(json!({ "version": 9 }), None).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let renamed = patch(json!({ "title": "Volunteer at the community garden" }), None).await;
    assert_eq!(renamed.json::<Value>().await.unwrap()["status"], "paused", "absent fields stay");
    patch(json!({ "status": "let_go" }), None).await;

    let history: Value = app.authorized(Method::GET, &format!("{path}/history"), &person.access_token).send().await.unwrap().json().await.unwrap();
    let steps: Vec<(Value, Value)> = history["items"].as_array().unwrap().iter().map(|item| (item["from"].clone(), item["to"].clone())).collect();
    assert_eq!(
        steps,
        vec![(Value::Null, json!("active")), (json!("active"), json!("paused")), (json!("paused"), json!("let_go"))]
    );
});

api_test!(async fn deleting_a_goal_leaves_only_its_journal_entry(app) {
    let person = app.signed_in_user().await;
    let goal = created(&app, &person, &new_goal("Learn to cook three meals")).await;
    let path = format!("/v1/goals/{}", goal["id"].as_str().unwrap());
    let stale = app.authorized(Method::DELETE, &path, &person.access_token).header("if-match", "\"5\"").send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let deleted = app.authorized(Method::DELETE, &path, &person.access_token).header("if-match", "\"1\"").send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    for suffix in ["", "/history"] {
        let gone = app.authorized(Method::GET, &format!("{path}{suffix}"), &person.access_token).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    }
    let again = app.authorized(Method::DELETE, &path, &person.access_token).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let account = uuid::Uuid::parse_str(&person.account_id).unwrap();
    let rows = crate::support::storage::rows_belonging_to(&app.database_url, account).await;
    let count = |table: &str| rows.iter().find(|(name, _)| name == table).map(|(_, count)| *count);
    assert_eq!(count("goals"), Some(0));
    assert_eq!(count("goal_status_changes"), Some(0));
    let database = waymark_persistence::Database::connect(&crate::support::app::test_settings(&app.database_url).database_for_migrations()).await.unwrap();
    let journal = database.ports().journal.entries_after(waymark_domain::identity::AccountId(account), waymark_domain::journal::Sequence(0), 100).await.unwrap();
    let last = journal.last().unwrap();
    assert_eq!(
        (last.change.resource.as_str(), last.change.kind.as_str(), last.change.id.to_string()),
        ("goal", "deleted", goal["id"].as_str().unwrap().to_owned()),
        "the deletion is kept for other devices to learn of"
    );
});

api_test!(async fn another_persons_goals_are_404_on_every_verb(app) {
    let owner = app.signed_in_user().await;
    let stranger = app.signed_in_user().await;
    let goal = created(&app, &owner, &new_goal("Private goal")).await;
    let path = format!("/v1/goals/{}", goal["id"].as_str().unwrap());
    for (method, suffix) in [(Method::GET, ""), (Method::PATCH, ""), (Method::DELETE, ""), (Method::GET, "/history")] {
        let response = app
            .authorized(method.clone(), &format!("{path}{suffix}"), &stranger.access_token)
            .json(&json!({ "title": "Taken over" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {suffix}");
    }
    let listed: Value = app.authorized(Method::GET, "/v1/goals", &stranger.access_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"], json!([]));
    let unchanged: Value = app.authorized(Method::GET, &path, &owner.access_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(unchanged, goal);
});

api_test!(async fn lists_filter_and_sort(app) {
    let person = app.signed_in_user().await;
    let make = |title: &str, area: &str, status: &str, target: Value| json!({ "title": title, "area": area, "status": status, "target_date": target });
    created(&app, &person, &make("Walk each morning", "health", "active", json!("2099-06-01"))).await;
    created(&app, &person, &make("Find a WALKING partner", "social", "paused", json!("2099-02-01"))).await;
    created(&app, &person, &make("Budget for the month", "money", "achieved", Value::Null)).await;
    created(&app, &person, &make("Call the housing office", "housing", "active", json!("2099-04-01"))).await;
    let titles = |query: &str| {
        let query = query.to_owned();
        let request = app.authorized(Method::GET, &format!("/v1/goals{query}"), &person.access_token);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            let page: Value = response.json().await.unwrap();
            page["items"].as_array().unwrap().iter().map(|item| item["title"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("").await, vec!["Call the housing office", "Budget for the month", "Find a WALKING partner", "Walk each morning"]);
    assert_eq!(titles("?sort=target_date").await, vec!["Find a WALKING partner", "Call the housing office", "Walk each morning", "Budget for the month"]);
    assert_eq!(titles("?status=active&status=paused&sort=target_date").await, vec!["Find a WALKING partner", "Call the housing office", "Walk each morning"]);
    assert_eq!(titles("?area=money").await, vec!["Budget for the month"]);
    assert_eq!(titles("?due_before=2099-05-01&sort=target_date").await, vec!["Find a WALKING partner", "Call the housing office"]);
    assert_eq!(titles("?q=walk").await, vec!["Find a WALKING partner", "Walk each morning"]);
    assert_eq!(titles("?q=100%25").await, Vec::<String>::new(), "LIKE wildcards are literal");
    let filtered = app.authorized(Method::GET, "/v1/goals?status=active&limit=1", &person.access_token).send().await.unwrap();
    let link = filtered.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.starts_with("</v1/goals?status=active&limit=1&cursor="), "the next page keeps the filters: {link}");
    let next = link.trim_start_matches('<').split('>').next().unwrap().to_owned();
    let second: Value = app.authorized(Method::GET, &next, &person.access_token).send().await.unwrap().json().await.unwrap();
    let second_titles: Vec<&str> = second["items"].as_array().unwrap().iter().map(|item| item["title"].as_str().unwrap()).collect();
    assert_eq!(second_titles, vec!["Walk each morning"], "the second page is still only active goals");
    for bad in ["?status=failed", "?area=career", "?sort=title", "?limit=0", "?limit=101", "?limt=5", "?due_before=soon", "?area=money&area=social", "?cursor=garbage"] {
        let response = app.authorized(Method::GET, &format!("/v1/goals{bad}"), &person.access_token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
});

api_test!(async fn pages_cover_every_goal_exactly_once_even_while_goals_are_added(app) {
    let person = app.signed_in_user().await;
    for number in 0..250 {
        let target = if number % 3 == 0 { Value::Null } else { json!(format!("2099-{:02}-{:02}", number % 12 + 1, number % 28 + 1)) };
        created(&app, &person, &json!({ "title": format!("Goal {number}"), "area": "other", "target_date": target })).await;
    }
    for sort in ["", "&sort=target_date"] {
        let mut seen = HashSet::new();
        let mut url = format!("/v1/goals?limit=17{sort}");
        let mut pages = 0;
        loop {
            let response = app.authorized(Method::GET, &url, &person.access_token).send().await.unwrap();
            let link = response.headers().get("link").map(|value| value.to_str().unwrap().to_owned());
            let page: Value = response.json().await.unwrap();
            for item in page["items"].as_array().unwrap() {
                assert!(seen.insert(item["id"].as_str().unwrap().to_owned()), "a goal appeared twice ({sort})");
            }
            pages += 1;
            // New goals arrive between pages; they may or may not appear, but nothing repeats.
            created(&app, &person, &json!({ "title": format!("Added during paging {pages}{sort}"), "area": "other" })).await;
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    assert!(link.unwrap().contains(cursor));
                    url = format!("/v1/goals?limit=17{sort}&cursor={cursor}");
                }
                None => break,
            }
        }
        let originals = seen.len();
        assert!(originals >= 250, "{originals} goals seen ({sort})");
    }
    let newest: Value = app.authorized(Method::GET, "/v1/goals?limit=1", &person.access_token).send().await.unwrap().json().await.unwrap();
    let cursor = newest["next_cursor"].as_str().unwrap();
    let wrong_order = app.authorized(Method::GET, &format!("/v1/goals?sort=target_date&cursor={cursor}"), &person.access_token).send().await.unwrap();
    assert_eq!(wrong_order.status(), StatusCode::BAD_REQUEST);
});

api_test!(async fn twenty_identical_posts_racing_create_one_goal(app) {
    let person = app.signed_in_user().await;
    let attempts = (0..20).map(|_| {
        let request = app
            .authorized(Method::POST, "/v1/goals", &person.access_token)
            .header("idempotency-key", "goal-race")
            .json(&new_goal("Only once"));
        tokio::spawn(async move { request.send().await.unwrap().status() })
    });
    for attempt in attempts {
        let status = attempt.await.unwrap();
        assert!(matches!(status, StatusCode::CREATED | StatusCode::CONFLICT), "{status}");
    }
    let listed: Value = app.authorized(Method::GET, "/v1/goals", &person.access_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let replay = app
        .authorized(Method::POST, "/v1/goals", &person.access_token)
        .header("idempotency-key", "goal-race")
        .json(&new_goal("Only once"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let conflicting = app
        .authorized(Method::POST, "/v1/goals", &person.access_token)
        .header("idempotency-key", "goal-race")
        .json(&new_goal("Something else"))
        .send()
        .await
        .unwrap();
    assert_eq!(conflicting.status(), StatusCode::CONFLICT);
});

api_test!(async fn reading_goals_needs_the_goals_scopes(app) {
    let person = app.signed_in_user().await;
    let profile_only: Value = app
        .token(&[("grant_type", "password"), ("username", &person.email), ("password", crate::support::identity::GOOD_PASSWORD), ("scope", "profile goals:read")])
        .await
        .json()
        .await
        .unwrap();
    let token = profile_only["access_token"].as_str().unwrap();
    let read = app.authorized(Method::GET, "/v1/goals", token).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let write = app.authorized(Method::POST, "/v1/goals", token).json(&new_goal("No")).send().await.unwrap();
    assert_eq!(write.status(), StatusCode::FORBIDDEN);
});

/// Two server instances on one PostgreSQL (as replicas behind a load balancer):
/// identical POSTs racing across both still create exactly one goal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_posts_racing_across_two_instances_create_one_goal() {
    use crate::support::Backend;
    use crate::support::app::{spawn_with, test_settings};
    use crate::support::database::TestDatabase;

    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let first = spawn_with(&test_settings(database.url())).await;
    let mut replica = test_settings(database.url());
    replica.no_migrate = true;
    let second = spawn_with(&replica).await;
    let person = first.signed_in_user().await;

    let attempts = (0..20).map(|number| {
        let instance = if number % 2 == 0 { &first } else { &second };
        let request = instance
            .authorized(Method::POST, "/v1/goals", &person.access_token)
            .header("idempotency-key", "replicated-race")
            .json(&new_goal("Once, across replicas"));
        tokio::spawn(async move { request.send().await.unwrap().status() })
    });
    for attempt in attempts {
        let status = attempt.await.unwrap();
        assert!(matches!(status, StatusCode::CREATED | StatusCode::CONFLICT), "{status}");
    }
    for instance in [&first, &second] {
        let listed: Value = instance
            .authorized(Method::GET, "/v1/goals", &person.access_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            listed["items"].as_array().unwrap().len(),
            1,
            "both replicas see exactly one goal"
        );
    }
    first.handle().stop(false).await;
    second.handle().stop(false).await;
}
