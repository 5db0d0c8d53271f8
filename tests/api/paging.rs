//! Every keyset-paged list, walked two items at a time by `next_cursor`: each item
//! comes exactly once, in the documented order, ties in the ordering key included.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::api_test;
use crate::support::identity::SignedIn;

async fn send(
    app: &crate::support::TestApp,
    person: &SignedIn,
    method: Method,
    path: &str,
    body: Value,
) -> Value {
    let response =
        app.authorized(method, path, &person.access_token).json(&body).send().await.unwrap();
    assert!(response.status().is_success(), "{path}: {}", response.status());
    response.json().await.unwrap()
}

/// Every item of the list at `path`, following `next_cursor` two at a time.
async fn walk(app: &crate::support::TestApp, person: &SignedIn, path: &str) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut url = format!("{path}{separator}limit=2");
    for _ in 0..20 {
        let response =
            app.authorized(Method::GET, &url, &person.access_token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let page: Value = response.json().await.unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}{separator}limit=2&cursor={cursor}"),
            None => return items,
        }
    }
    panic!("{path} did not end");
}

fn ids(items: &[Value], field: &str) -> Vec<String> {
    items.iter().map(|item| item[field].as_str().unwrap().to_owned()).collect()
}

api_test!(async fn every_keyset_list_pages_through_each_item_once_in_order(app) {
    let person = app.signed_in_user().await;
    let goal = send(&app, &person, Method::POST, "/v1/goals", json!({ "title": "Walk more", "area": "health" })).await;
    let goal_id = goal["id"].as_str().unwrap().to_owned();

    // Interactions, newest first; two pairs share their time, so ties are broken by id.
    let contact = send(&app, &person, Method::POST, "/v1/contacts", json!({ "name": "Sam" })).await;
    let contact_id = contact["id"].as_str().unwrap().to_owned();
    let base = Utc::now() - Duration::days(3);
    let mut made = Vec::new();
    for hours in [1, 2, 2, 3, 5, 5, 8] {
        let at = (base + Duration::hours(hours)).to_rfc3339();
        let interaction = send(&app, &person, Method::POST, &format!("/v1/contacts/{contact_id}/interactions"), json!({ "at": at, "method": "video" })).await;
        made.push((hours, interaction["interaction"]["id"].as_str().unwrap().to_owned()));
    }
    made.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let expected: Vec<String> = made.into_iter().map(|(_, id)| id).collect();
    let listed = walk(&app, &person, &format!("/v1/contacts/{contact_id}/interactions")).await;
    assert_eq!(ids(&listed, "id"), expected, "interactions, newest first, ties by id");

    // A goal's supporters and a contact's goals, oldest link first.
    let mut supporters = Vec::new();
    for name in ["Ana", "Ben", "Cat", "Dev", "Eli"] {
        let supporter = send(&app, &person, Method::POST, "/v1/contacts", json!({ "name": name })).await;
        let id = supporter["id"].as_str().unwrap().to_owned();
        send(&app, &person, Method::PUT, &format!("/v1/goals/{goal_id}/supporters/{id}"), json!({})).await;
        supporters.push(id);
    }
    let listed = walk(&app, &person, &format!("/v1/goals/{goal_id}/supporters")).await;
    assert_eq!(ids(&listed, "contact_id"), supporters, "supporters in the order they were added");
    let mut goals = Vec::new();
    for title in ["One", "Two", "Three", "Four", "Five"] {
        let supported = send(&app, &person, Method::POST, "/v1/goals", json!({ "title": title, "area": "social" })).await;
        let id = supported["id"].as_str().unwrap().to_owned();
        send(&app, &person, Method::PUT, &format!("/v1/goals/{id}/supporters/{contact_id}"), json!({})).await;
        goals.push(id);
    }
    let listed = walk(&app, &person, &format!("/v1/contacts/{contact_id}/goals")).await;
    assert_eq!(ids(&listed, "goal_id"), goals, "a contact's goals in the order they were linked");

    // A goal's check-ins and the person's routines, newest first.
    let mut check_ins = Vec::new();
    for note in ["a", "b", "c", "d", "e"] {
        let check_in = send(&app, &person, Method::POST, &format!("/v1/goals/{goal_id}/check-ins"), json!({ "note": note })).await;
        check_ins.push(check_in["id"].as_str().unwrap().to_owned());
    }
    check_ins.reverse();
    let listed = walk(&app, &person, &format!("/v1/goals/{goal_id}/check-ins")).await;
    assert_eq!(ids(&listed, "id"), check_ins, "check-ins, newest first");
    let mut routines = Vec::new();
    for title in ["Sleep", "Swim", "Stretch", "Read", "Cook"] {
        let routine = send(&app, &person, Method::POST, "/v1/routines", json!({ "title": title, "category": "other", "schedule": { "kind": "daily", "times": ["09:00"] } })).await;
        routines.push(routine["id"].as_str().unwrap().to_owned());
    }
    routines.reverse();
    let listed = walk(&app, &person, "/v1/routines").await;
    assert_eq!(ids(&listed, "id"), routines, "routines, newest first");

    // Contacts by name, and the due list by how overdue.
    let listed = walk(&app, &person, "/v1/contacts").await;
    let names: Vec<&str> = listed.iter().map(|contact| contact["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ana", "Ben", "Cat", "Dev", "Eli", "Sam"], "contacts by name");
});
