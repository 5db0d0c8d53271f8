//! `/v1/contacts`, interactions, goal supporters, the crisis view and vCard exchange.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::api_test;
use crate::support::identity::{GOOD_PASSWORD, SignedIn};
use crate::support::storage::rows_belonging_to;

const IPHONE_VCARD: &str = include_str!("../fixtures/vcards/iphone-3.0.vcf");
const ANDROID_VCARD: &str = include_str!("../fixtures/vcards/android-4.0.vcf");

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

async fn created(app: &TestApp, person: &SignedIn, body: Value) -> Value {
    let (status, contact) = call(app, person, Method::POST, "/v1/contacts", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    contact
}

async fn import(app: &TestApp, person: &SignedIn, text: &str) -> (StatusCode, Value) {
    let response = app
        .authorized(Method::POST, "/v1/contacts/import", &person.access_token)
        .header("content-type", "text/vcard")
        .body(text.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn names(app: &TestApp, person: &SignedIn, query: &str) -> Vec<String> {
    let (status, page) =
        call(app, person, Method::GET, &format!("/v1/contacts{query}"), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Sends every request at once and answers their statuses and bodies, in order.
async fn concurrently(requests: Vec<reqwest::RequestBuilder>) -> Vec<(StatusCode, Value)> {
    let running: Vec<_> = requests
        .into_iter()
        .map(|request| {
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for request in running {
        answers.push(request.await.unwrap());
    }
    answers
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| error["pointer"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A contact without what the server decides (ids, versions, instants).
fn written_fields(contact: &Value) -> Value {
    let mut fields = contact.clone();
    for server_owned in
        ["id", "created_at", "updated_at", "version", "due_since", "last_contacted_at"]
    {
        fields.as_object_mut().unwrap().remove(server_owned);
    }
    fields
}

fn ago(days: i64) -> String {
    (Utc::now() - Duration::days(days)).to_rfc3339()
}

api_test!(async fn creating_reading_changing_and_deleting_a_contact(app) {
    let person = app.signed_in_user().await;
    let response = app
        .authorized(Method::POST, "/v1/contacts", &person.access_token)
        .json(&json!({
            "name": " Sam Rivers ",
            "kind": "friend",
            "channels": [
                { "type": "mobile", "value": "07911 123456", "preferred": true },
                { "type": "email", "value": "Sam@Example.ORG", "label": "home" },
                { "type": "website", "value": "https://example.org/sam" },
                { "type": "phone", "value": "116 123", "label": "listening line" }
            ],
            "preferred_method": "phone",
            "keep_in_touch_every_days": 14,
            "can_help_with": "Lifts to appointments.",
            "crisis_contact": true,
            "notes": "Knows me from school.\nGood listener."
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let contact: Value = response.json().await.unwrap();
    let id = contact["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/v1/contacts/{id}"));
    assert_eq!(contact["name"], "Sam Rivers");
    assert_eq!(contact["channels"][0]["value"], "+447911123456");
    assert_eq!(contact["channels"][1]["value"], "sam@example.org");
    assert_eq!(contact["channels"][2]["value"], "https://example.org/sam");
    assert_eq!(contact["channels"][3]["value"], "116123");
    assert_eq!(contact["helpfulness"], "unsure", "nothing is assumed about a relationship");
    assert_eq!(contact["knows_about_my_health"], "unsure", "nothing is assumed about who knows");
    assert_eq!(contact["last_contacted_at"], Value::Null);
    assert!(contact["due_since"].is_string(), "due 14 days after adding: {contact}");

    let (status, read) = call(&app, &person, Method::GET, &location, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, contact);
    let unchanged = app.authorized(Method::GET, &location, &person.access_token).header("if-none-match", "\"1\"").send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    let patch = |body: Value, tag: &str| {
        app.authorized(Method::PATCH, &location, &person.access_token)
            .header("content-type", "application/merge-patch+json")
            .header("if-match", tag)
            .body(body.to_string())
            .send()
    };
    let changed = patch(json!({ "helpfulness": "helpful", "notes": null, "keep_in_touch_every_days": null }), "\"1\"").await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.headers()["etag"], "\"2\"");
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["helpfulness"], "helpful");
    assert_eq!(changed["notes"], "");
    assert_eq!(changed["due_since"], Value::Null, "no interval, never due");
    assert_eq!(changed["channels"], contact["channels"], "absent fields stay");
    let stale = patch(json!({ "name": "Someone else" }), "\"1\"").await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let cleared = patch(json!({ "name": null }), "\"2\"").await.unwrap();
    assert_eq!(cleared.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let deleted = app.authorized(Method::DELETE, &location, &person.access_token).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, _) = call(&app, &person, Method::GET, &location, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

api_test!(async fn every_channel_is_checked_for_its_type_and_named_by_its_pointer(app) {
    let person = app.signed_in_user().await;
    let (status, problem) = call(&app, &person, Method::POST, "/v1/contacts", Some(json!({
        "name": "Alex",
        "channels": [
            { "type": "phone", "value": "call me maybe" },
            { "type": "website", "value": "http://example.org" },
            { "type": "email", "value": "not-an-address" },
            { "type": "video", "value": "javascript:alert(1)" },
            { "type": "pager", "value": "123" },
            { "type": "email", "value": "a@example.org", "preferred": true },
            { "type": "email", "value": "b@example.org", "preferred": true }
        ]
    }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["type"], "/problems/validation-failed");
    assert_eq!(pointers(&problem), ["/channels/0/value", "/channels/1/value", "/channels/2/value", "/channels/3/value", "/channels/4/type", "/channels/6/preferred"]);

    let eleven: Vec<Value> = (0..11).map(|index| json!({ "type": "email", "value": format!("p{index}@example.org") })).collect();
    let (status, problem) = call(&app, &person, Method::POST, "/v1/contacts", Some(json!({ "name": "Alex", "channels": eleven }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/channels"]);
    let (status, problem) = call(&app, &person, Method::POST, "/v1/contacts", Some(json!({ "name": "Alex", "keep_in_touch_every_days": 366, "kind": "enemy", "last_contacted_at": (Utc::now() + Duration::days(2)).to_rfc3339() }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/kind", "/keep_in_touch_every_days", "/last_contacted_at"]);
    assert!(names(&app, &person, "").await.is_empty(), "nothing was written");

    let contact = created(&app, &person, json!({ "name": "Alex" })).await;
    let (status, problem) = call(&app, &person, Method::PATCH, &format!("/v1/contacts/{}", contact["id"].as_str().unwrap()), Some(json!({ "channels": [{ "type": "email", "value": "ok@example.org" }, { "type": "mobile", "value": "12" }] }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/channels/1/value"]);
});

api_test!(async fn lists_filter_search_and_page_by_name(app) {
    let person = app.signed_in_user().await;
    created(&app, &person, json!({ "name": "zoë", "kind": "friend", "helpfulness": "helpful" })).await;
    created(&app, &person, json!({ "name": "Ben", "kind": "gp", "organisation": "Riverside Surgery", "crisis_contact": true })).await;
    created(&app, &person, json!({ "name": "Ana", "kind": "friend", "helpfulness": "unhelpful" })).await;
    created(&app, &person, json!({ "name": "Mind the Gap 100%", "kind": "support_group" })).await;
    assert_eq!(names(&app, &person, "").await, ["Ana", "Ben", "Mind the Gap 100%", "zoë"]);
    assert_eq!(names(&app, &person, "?kind=friend").await, ["Ana", "zoë"]);
    assert_eq!(names(&app, &person, "?helpfulness=unhelpful").await, ["Ana"]);
    assert_eq!(names(&app, &person, "?crisis_contact=true").await, ["Ben"]);
    assert_eq!(names(&app, &person, "?q=SURGERY").await, ["Ben"], "organisation, any case");
    assert_eq!(names(&app, &person, "?q=ZO%C3%8B").await, ["zoë"]);
    assert_eq!(names(&app, &person, "?q=100%25").await, ["Mind the Gap 100%"], "% is literal");
    for bad in ["?kind=enemy", "?due=maybe", "?limit=0", "?cursor=forged", "?colour=red", "?kind=gp&kind=gp"] {
        let (status, _) = call(&app, &person, Method::GET, &format!("/v1/contacts{bad}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }

    let mut seen = Vec::new();
    let mut path = "/v1/contacts?limit=3".to_owned();
    loop {
        let response = app.authorized(Method::GET, &path, &person.access_token).send().await.unwrap();
        let link = response.headers().get("link").map(|value| value.to_str().unwrap().to_owned());
        let page: Value = response.json().await.unwrap();
        seen.extend(page["items"].as_array().unwrap().iter().map(|item| item["name"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(link.unwrap().contains(cursor));
                path = format!("/v1/contacts?limit=3&cursor={cursor}");
            }
            None => break,
        }
    }
    assert_eq!(seen, ["Ana", "Ben", "Mind the Gap 100%", "zoë"]);
});

api_test!(async fn the_due_list_is_most_overdue_first_and_never_nudges_towards_unhelpful_people(app) {
    let person = app.signed_in_user().await;
    created(&app, &person, json!({ "name": "Recent", "keep_in_touch_every_days": 7, "last_contacted_at": ago(10) })).await;
    created(&app, &person, json!({ "name": "Long ago", "keep_in_touch_every_days": 7, "last_contacted_at": ago(30) })).await;
    created(&app, &person, json!({ "name": "Not yet", "keep_in_touch_every_days": 30, "last_contacted_at": ago(10) })).await;
    created(&app, &person, json!({ "name": "Harmful", "keep_in_touch_every_days": 1, "last_contacted_at": ago(30), "helpfulness": "unhelpful" })).await;
    created(&app, &person, json!({ "name": "No interval", "last_contacted_at": ago(300) })).await;
    created(&app, &person, json!({ "name": "Never contacted", "keep_in_touch_every_days": 1 })).await;

    let (status, page) = call(&app, &person, Method::GET, "/v1/contacts?due=true", None).await;
    assert_eq!(status, StatusCode::OK);
    let items = page["items"].as_array().unwrap();
    let due: Vec<&str> = items.iter().map(|item| item["name"].as_str().unwrap()).collect();
    assert_eq!(due, ["Long ago", "Recent"], "a new contact's interval counts from when it was added");
    let due_since = chrono::DateTime::parse_from_rfc3339(items[0]["due_since"].as_str().unwrap()).unwrap();
    let expected = Utc::now() - Duration::days(23);
    assert!((due_since.to_utc() - expected).num_seconds().abs() < 60, "{due_since}");

    let first = call(&app, &person, Method::GET, "/v1/contacts?due=true&limit=1", None).await.1;
    assert_eq!(first["items"][0]["name"], "Long ago");
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = call(&app, &person, Method::GET, &format!("/v1/contacts?due=true&limit=1&cursor={cursor}"), None).await.1;
    assert_eq!(second["items"][0]["name"], "Recent");
    assert_eq!(second["next_cursor"], Value::Null);
    let (status, _) = call(&app, &person, Method::GET, &format!("/v1/contacts?cursor={cursor}"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a due-list cursor is not a name-list cursor");
});

api_test!(async fn interactions_move_last_contacted_forward_and_deleting_the_newest_moves_it_back(app) {
    let person = app.signed_in_user().await;
    let contact = created(&app, &person, json!({ "name": "Jo", "keep_in_touch_every_days": 7 })).await;
    let base = format!("/v1/contacts/{}", contact["id"].as_str().unwrap());
    let interactions = format!("{base}/interactions");
    let record = |at: String| call(&app, &person, Method::POST, &interactions, Some(json!({ "at": at, "method": "phone", "note": "Caught up", "felt": "better" })));

    let (status, newest) = record(ago(2)).await;
    assert_eq!(status, StatusCode::CREATED, "{newest}");
    assert_eq!(newest["interaction"]["felt"], "better");
    assert_eq!(newest["contact"]["last_contacted_at"], newest["interaction"]["at"]);
    let (_, older) = record(ago(5)).await;
    assert_eq!(older["contact"]["last_contacted_at"], newest["interaction"]["at"], "an older interaction does not move it back");
    let (status, problem) = record((Utc::now() + Duration::hours(2)).to_rfc3339()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/at"]);

    let (_, page) = call(&app, &person, Method::GET, &interactions, None).await;
    let ids: Vec<&Value> = page["items"].as_array().unwrap().iter().map(|item| &item["id"]).collect();
    assert_eq!(ids, [&newest["interaction"]["id"], &older["interaction"]["id"]], "newest first");

    let newest_path = format!("{interactions}/{}", newest["interaction"]["id"].as_str().unwrap());
    let (status, _) = call(&app, &person, Method::GET, &newest_path, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, &person, Method::DELETE, &newest_path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, after) = call(&app, &person, Method::GET, &base, None).await;
    assert_eq!(after["last_contacted_at"], older["interaction"]["at"], "worked out again from what is left");

    let (_, set) = call(&app, &person, Method::PATCH, &base, Some(json!({ "last_contacted_at": ago(1) }))).await;
    let set_at = set["last_contacted_at"].clone();
    assert_ne!(set_at, older["interaction"]["at"]);
    let older_path = format!("{interactions}/{}", older["interaction"]["id"].as_str().unwrap());
    call(&app, &person, Method::DELETE, &older_path, None).await;
    let (_, after) = call(&app, &person, Method::GET, &base, None).await;
    assert_eq!(after["last_contacted_at"], set_at, "the value set directly stays");
    let (_, cleared) = call(&app, &person, Method::PATCH, &base, Some(json!({ "last_contacted_at": null }))).await;
    assert_eq!(cleared["last_contacted_at"], Value::Null);
    let (status, _) = call(&app, &person, Method::DELETE, &older_path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

api_test!(async fn contacts_support_goals_and_goals_list_their_supporters(app) {
    let person = app.signed_in_user().await;
    let contact = created(&app, &person, json!({ "name": "Dee", "kind": "peer" })).await;
    let contact_id = contact["id"].as_str().unwrap().to_owned();
    let (_, goal) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Join a choir", "area": "social" }))).await;
    let goal_id = goal["id"].as_str().unwrap().to_owned();
    assert_eq!(goal["supporter_ids"], json!([]));
    let (_, listed) = call(&app, &person, Method::GET, "/v1/goals", None).await;
    assert_eq!(listed["items"][0]["supporter_ids"], json!([]));

    let link = format!("/v1/goals/{goal_id}/supporters/{contact_id}");
    let (status, supporter) = call(&app, &person, Method::PUT, &link, Some(json!({ "role": "Comes to the first rehearsal" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{supporter}");
    assert_eq!(supporter["role"], "Comes to the first rehearsal");
    let (status, supporter) = call(&app, &person, Method::PUT, &link, Some(json!({ "role": "Lifts" }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(supporter["role"], "Lifts");

    let (_, goal_now) = call(&app, &person, Method::GET, &format!("/v1/goals/{goal_id}"), None).await;
    assert_eq!(goal_now["supporter_ids"], json!([contact_id]));
    assert!(goal_now["version"].as_i64().unwrap() > goal["version"].as_i64().unwrap(), "the goal's representation changed, so did its version");
    let (_, listed) = call(&app, &person, Method::GET, "/v1/goals", None).await;
    assert_eq!(listed["items"][0]["supporter_ids"], json!([contact_id]), "cached lists hear of it");
    let (_, supporters) = call(&app, &person, Method::GET, &format!("/v1/goals/{goal_id}/supporters"), None).await;
    assert_eq!(supporters["items"][0]["contact"]["name"], "Dee");
    assert_eq!(supporters["items"][0]["role"], "Lifts");
    let (_, goals) = call(&app, &person, Method::GET, &format!("/v1/contacts/{contact_id}/goals"), None).await;
    assert_eq!(goals["items"][0]["goal_id"], goal_id);
    assert_eq!(goals["items"][0]["title"], "Join a choir");
    let (status, problem) = call(&app, &person, Method::PUT, &link, Some(json!({ "role": "x".repeat(201) }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/role"]);

    let (status, _) = call(&app, &person, Method::DELETE, &link, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, &person, Method::DELETE, &link, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    call(&app, &person, Method::PUT, &link, Some(json!({}))).await;
    let (status, _) = call(&app, &person, Method::DELETE, &format!("/v1/contacts/{contact_id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, goal_after) = call(&app, &person, Method::GET, &format!("/v1/goals/{goal_id}"), None).await;
    assert_eq!(goal_after["supporter_ids"], json!([]), "deleting a contact removes its links");
    let (_, listed) = call(&app, &person, Method::GET, "/v1/goals", None).await;
    assert_eq!(listed["items"][0]["supporter_ids"], json!([]));
    let (_, supporters) = call(&app, &person, Method::GET, &format!("/v1/goals/{goal_id}/supporters"), None).await;
    assert_eq!(supporters["items"], json!([]));
});

api_test!(async fn another_persons_contacts_interactions_and_links_are_not_found(app) {
    let owner = app.signed_in_user().await;
    let other = app.signed_in_user().await;
    let contact = created(&app, &owner, json!({ "name": "Private person", "crisis_contact": true })).await;
    let contact_id = contact["id"].as_str().unwrap().to_owned();
    let (_, goal) = call(&app, &owner, Method::POST, "/v1/goals", Some(json!({ "title": "Walk more", "area": "health" }))).await;
    let goal_id = goal["id"].as_str().unwrap().to_owned();
    call(&app, &owner, Method::PUT, &format!("/v1/goals/{goal_id}/supporters/{contact_id}"), Some(json!({}))).await;
    let (_, interaction) = call(&app, &owner, Method::POST, &format!("/v1/contacts/{contact_id}/interactions"), Some(json!({ "at": ago(1), "method": "video" }))).await;
    let interaction_id = interaction["interaction"]["id"].as_str().unwrap().to_owned();
    let other_contact = created(&app, &other, json!({ "name": "Mine" })).await;
    let (_, other_goal) = call(&app, &other, Method::POST, "/v1/goals", Some(json!({ "title": "Mine", "area": "health" }))).await;
    let (_, before) = call(&app, &owner, Method::GET, &format!("/v1/contacts/{contact_id}"), None).await;

    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/v1/contacts/{contact_id}"), None),
        (Method::PATCH, format!("/v1/contacts/{contact_id}"), Some(json!({ "name": "Taken" }))),
        (Method::DELETE, format!("/v1/contacts/{contact_id}"), None),
        (Method::GET, format!("/v1/contacts/{contact_id}.vcf"), None),
        (Method::GET, format!("/v1/contacts/{contact_id}/interactions"), None),
        (Method::POST, format!("/v1/contacts/{contact_id}/interactions"), Some(json!({ "at": ago(1), "method": "phone" }))),
        (Method::GET, format!("/v1/contacts/{contact_id}/interactions/{interaction_id}"), None),
        (Method::DELETE, format!("/v1/contacts/{contact_id}/interactions/{interaction_id}"), None),
        (Method::GET, format!("/v1/contacts/{contact_id}/goals"), None),
        (Method::GET, format!("/v1/goals/{goal_id}/supporters"), None),
        (Method::PUT, format!("/v1/goals/{goal_id}/supporters/{contact_id}"), Some(json!({}))),
        (Method::DELETE, format!("/v1/goals/{goal_id}/supporters/{contact_id}"), None),
        (Method::PUT, format!("/v1/goals/{}/supporters/{contact_id}", other_goal["id"].as_str().unwrap()), Some(json!({}))),
        (Method::PUT, format!("/v1/goals/{goal_id}/supporters/{}", other_contact["id"].as_str().unwrap()), Some(json!({}))),
    ];
    for (method, path, body) in attempts {
        let (status, problem) = call(&app, &other, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {problem}");
    }
    let (_, after) = call(&app, &owner, Method::GET, &format!("/v1/contacts/{contact_id}"), None).await;
    assert_eq!(after, before, "unchanged");
    let (_, interactions) = call(&app, &owner, Method::GET, &format!("/v1/contacts/{contact_id}/interactions"), None).await;
    assert_eq!(interactions["items"].as_array().unwrap().len(), 1);
    let (_, goal_after) = call(&app, &owner, Method::GET, &format!("/v1/goals/{goal_id}"), None).await;
    assert_eq!(goal_after["supporter_ids"], json!([contact_id]));
    let (_, crisis) = call(&app, &other, Method::GET, "/v1/crisis", None).await;
    assert_eq!(crisis["contacts"], json!([]));
    let export = app.authorized(Method::GET, "/v1/contacts/export.vcf", &other.access_token).send().await.unwrap().text().await.unwrap();
    assert!(!export.contains("Private person"));
});

api_test!(async fn the_crisis_view_shows_crisis_contacts_only(app) {
    let person = app.signed_in_user().await;
    created(&app, &person, json!({ "name": "Mum", "kind": "family", "crisis_contact": true, "channels": [{ "type": "mobile", "value": "07911 123456" }] })).await;
    created(&app, &person, json!({ "name": "Neighbour" })).await;
    let (status, crisis) = call(&app, &person, Method::GET, "/v1/crisis", None).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = crisis["contacts"].as_array().unwrap().iter().map(|contact| contact["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Mum"]);
    assert_eq!(crisis["lines"], json!([]));
});

api_test!(async fn phone_exported_vcards_import_and_round_trip(app) {
    let person = app.signed_in_user().await;
    let (status, outcome) = import(&app, &person, IPHONE_VCARD).await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["created"], 2);
    assert_eq!(outcome["failed"], 0);
    let grace = outcome["results"][0]["contact"].clone();
    assert_eq!(outcome["results"][0]["status"], 201);
    assert_eq!(grace["name"], "Grace Okafor");
    assert_eq!(grace["organisation"], "Leeds Recovery College");
    assert_eq!(grace["notes"], "Runs the Tuesday wellbeing course, room 4.\nAsk about the art group.");
    let channels: Vec<(String, String)> = grace["channels"].as_array().unwrap().iter().map(|channel| (channel["type"].as_str().unwrap().to_owned(), channel["value"].as_str().unwrap().to_owned())).collect();
    assert_eq!(channels, [
        ("email".to_owned(), "grace.okafor@example.org".to_owned()),
        ("mobile".to_owned(), "+447911123456".to_owned()),
        ("phone".to_owned(), "+441134960000".to_owned()),
        ("address".to_owned(), "12 Park Row\nLeeds\nLS1 5HD\nUnited Kingdom".to_owned()),
        ("website".to_owned(), "https://example.org/recovery-college".to_owned()),
    ]);
    assert_eq!(grace["channels"][0]["label"], "other");
    assert_eq!(outcome["results"][1]["line"], 20, "the second card begins after the folded photo");

    let (status, outcome) = import(&app, &person, ANDROID_VCARD).await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["created"], 1, "{outcome}");
    let priya = outcome["results"][0]["contact"].clone();
    assert_eq!(priya["name"], "Dr Priya Shah");
    assert_eq!(priya["channels"][0]["value"], "+441134960123");
    assert_eq!(priya["channels"][0]["preferred"], true);
    assert_eq!(priya["channels"][1]["type"], "mobile");
    assert_eq!(priya["channels"][1]["value"], "+447400123456");

    // Waymark's own fields survive the trip out and back.
    let priya_id = priya["id"].as_str().unwrap();
    let (_, priya) = call(&app, &person, Method::PATCH, &format!("/v1/contacts/{priya_id}"), Some(json!({
        "kind": "gp", "helpfulness": "helpful", "keep_in_touch_every_days": 90, "crisis_contact": true,
        "knows_about_my_health": "yes", "preferred_method": "in_person", "can_help_with": "Medication reviews; sick notes",
        "channels": [{ "type": "forum", "value": "https://forum.example.org/t/1", "label": "peer \"forum\": evenings^" }, { "type": "phone", "value": "0113 496 0123", "preferred": true }]
    }))).await;
    for (contact, file) in [(&grace, "one"), (&priya, "two")] {
        let response = app.authorized(Method::GET, &format!("/v1/contacts/{}.vcf", contact["id"].as_str().unwrap()), &person.access_token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/vcard"));
        let card = response.text().await.unwrap();
        assert!(card.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{card}");
        assert!(card.lines().all(|line| line.len() <= 75), "folded: {card}");
        let (status, again) = import(&app, &person, &card).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(written_fields(&again["results"][0]["contact"]), written_fields(contact), "{card}");
    }
    let everything = app.authorized(Method::GET, "/v1/contacts/export.vcf", &person.access_token).send().await.unwrap().text().await.unwrap();
    assert_eq!(everything.matches("BEGIN:VCARD").count(), 5);
});

api_test!(async fn malformed_cards_are_refused_one_by_one_and_imports_are_idempotent(app) {
    let person = app.signed_in_user().await;
    let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Good One\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Broken\r\nthis line has no colon\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad Email\r\nTEL:07911 123456\r\nEMAIL:nobody\r\nURL:http://insecure.example.org\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Good Two\r\nEND:VCARD\r\n";
    let send = |key: &'static str| {
        app.authorized(Method::POST, "/v1/contacts/import", &person.access_token)
            .header("content-type", "text/vcard; charset=utf-8")
            .header("idempotency-key", key)
            .body(text)
            .send()
    };
    let first = send("import-1").await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let outcome: Value = first.json().await.unwrap();
    assert_eq!(outcome["created"], 2);
    assert_eq!(outcome["failed"], 3);
    let statuses: Vec<i64> = outcome["results"].as_array().unwrap().iter().map(|result| result["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [201, 422, 422, 422, 201]);
    assert_eq!(outcome["results"][1]["line"], 8, "a card that cannot be read names the line at fault");
    assert!(outcome["results"][1]["problem"]["errors"][0]["message"].as_str().unwrap().contains("line 8"), "{outcome}");
    assert_eq!(outcome["results"][1]["problem"]["status"], 422);
    assert_eq!(pointers(&outcome["results"][2]["problem"]), ["/channels/1/value", "/channels/2/value"]);
    assert_eq!(pointers(&outcome["results"][3]["problem"]), ["/name"]);
    assert_eq!(names(&app, &person, "").await, ["Good One", "Good Two"], "nothing of the bad cards was written");

    let replay = send("import-1").await.unwrap();
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(replay.json::<Value>().await.unwrap(), outcome);
    assert_eq!(names(&app, &person, "").await.len(), 2, "a retry creates nothing more");

    let (status, _) = import(&app, &person, "hello").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = import(&app, &person, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let too_many = "BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n".repeat(501);
    let (status, problem) = import(&app, &person, &too_many).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let wrong_type = app.authorized(Method::POST, "/v1/contacts/import", &person.access_token).json(&json!({ "name": "x" })).send().await.unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(names(&app, &person, "").await.len(), 2);
});

api_test!(async fn deleting_the_account_removes_contacts_interactions_and_links(app) {
    let person = app.signed_in_user().await;
    let account_id = uuid::Uuid::parse_str(&person.account_id).unwrap();
    let contact = created(&app, &person, json!({ "name": "Kit" })).await;
    let contact_id = contact["id"].as_str().unwrap();
    call(&app, &person, Method::POST, &format!("/v1/contacts/{contact_id}/interactions"), Some(json!({ "at": ago(1), "method": "text" }))).await;
    let (_, goal) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Cook more", "area": "health" }))).await;
    call(&app, &person, Method::PUT, &format!("/v1/goals/{}/supporters/{contact_id}", goal["id"].as_str().unwrap()), Some(json!({}))).await;
    let before = rows_belonging_to(&app.database_url, account_id).await;
    for table in ["contacts", "contact_interactions", "goal_supporters"] {
        assert!(before.iter().any(|(name, count)| name == table && *count == 1), "{table}: {before:?}");
    }
    let deleted = app.authorized(Method::DELETE, "/v1/me", &person.access_token).json(&json!({ "password": GOOD_PASSWORD })).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let after = rows_belonging_to(&app.database_url, account_id).await;
    assert!(after.iter().all(|(_, count)| *count == 0), "rows left behind: {after:?}");
});

api_test!(async fn racing_writes_neither_duplicate_links_nor_lose_the_newest_contact(app) {
    let person = app.signed_in_user().await;
    let contact = created(&app, &person, json!({ "name": "Rae", "keep_in_touch_every_days": 3 })).await;
    let contact_id = contact["id"].as_str().unwrap().to_owned();
    let (_, goal) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Swim", "area": "health" }))).await;
    let goal_id = goal["id"].as_str().unwrap().to_owned();
    let link = format!("/v1/goals/{goal_id}/supporters/{contact_id}");
    let puts = (0..8).map(|index| app.authorized(Method::PUT, &link, &person.access_token).json(&json!({ "role": format!("role {index}") }))).collect();
    let statuses: Vec<StatusCode> = concurrently(puts).await.into_iter().map(|(status, _)| status).collect();
    assert_eq!(statuses.iter().filter(|status| **status == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|status| **status == StatusCode::OK).count(), 7, "{statuses:?}");
    let (_, goal_now) = call(&app, &person, Method::GET, &format!("/v1/goals/{goal_id}"), None).await;
    assert_eq!(goal_now["supporter_ids"], json!([contact_id]));

    let interactions = format!("/v1/contacts/{contact_id}/interactions");
    let posts = (1..=8).map(|hours| app.authorized(Method::POST, &interactions, &person.access_token).json(&json!({ "at": (Utc::now() - Duration::hours(hours)).to_rfc3339(), "method": "text" }))).collect();
    let recorded = concurrently(posts).await;
    assert!(recorded.iter().all(|(status, _)| *status == StatusCode::CREATED), "{recorded:?}");
    let newest = recorded.iter().map(|(_, body)| body["interaction"]["at"].as_str().unwrap().to_owned()).max().unwrap();
    let (_, after) = call(&app, &person, Method::GET, &format!("/v1/contacts/{contact_id}"), None).await;
    assert_eq!(after["last_contacted_at"], newest);
    assert_eq!(after["version"], 9, "each interaction gave the contact one new version");
});
