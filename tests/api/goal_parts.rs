//! Steps and check-ins of goals.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::api_test;
use crate::support::identity::SignedIn;

async fn goal(app: &crate::support::TestApp, person: &SignedIn) -> String {
    let response = app
        .authorized(Method::POST, "/v1/goals", &person.access_token)
        .json(&json!({ "title": "Join the walking group", "area": "social" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    format!("/v1/goals/{}", response.json::<Value>().await.unwrap()["id"].as_str().unwrap())
}

async fn send(
    app: &crate::support::TestApp,
    person: &SignedIn,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.authorized(method, path, &person.access_token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

api_test!(async fn steps_are_added_done_reordered_and_removed(app) {
    let person = app.signed_in_user().await;
    let goal_path = goal(&app, &person).await;
    let steps_path = format!("{goal_path}/steps");
    let mut ids = Vec::new();
    for title in ["Find the group's times", "Ask a friend to come", "Go once"] {
        let response = send(&app, &person, Method::POST, &steps_path, Some(json!({ "title": title }))).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["etag"], "\"1\"");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let step: Value = response.json().await.unwrap();
        assert_eq!(step["title"], title);
        assert_eq!(step["done"], false);
        assert_eq!(step["done_at"], Value::Null);
        assert_eq!(step["position"], ids.len());
        assert_eq!(location, format!("{steps_path}/{}", step["id"].as_str().unwrap()));
        ids.push(step["id"].as_str().unwrap().to_owned());
    }
    let second = format!("{steps_path}/{}", ids[1]);
    let done = send(&app, &person, Method::PATCH, &second, Some(json!({ "done": true }))).await;
    assert_eq!(done.status(), StatusCode::OK);
    let done: Value = done.json().await.unwrap();
    assert!(done["done_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(done["version"], 2);
    let stale = app.authorized(Method::PATCH, &second, &person.access_token).header("if-match", "\"1\"").json(&json!({ "title": "Late" })).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);

    let goal_now: Value = send(&app, &person, Method::GET, &goal_path, None).await.json().await.unwrap();
    assert_eq!((goal_now["steps_total"].clone(), goal_now["steps_done"].clone()), (json!(3), json!(1)));
    assert!(goal_now["version"].as_i64().unwrap() > 1, "step changes change the goal's representation, so its version");

    let reordered = send(&app, &person, Method::POST, &format!("{steps_path}/reorder"), Some(json!({ "step_ids": [ids[2], ids[0], ids[1]] }))).await;
    assert_eq!(reordered.status(), StatusCode::OK);
    let order: Vec<String> = reordered.json::<Value>().await.unwrap()["items"].as_array().unwrap().iter().map(|step| step["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(order, vec![ids[2].clone(), ids[0].clone(), ids[1].clone()]);
    let incomplete = send(&app, &person, Method::POST, &format!("{steps_path}/reorder"), Some(json!({ "step_ids": [ids[0], ids[1]] }))).await;
    assert_eq!(incomplete.status(), StatusCode::CONFLICT);

    let removed = send(&app, &person, Method::DELETE, &format!("{steps_path}/{}", ids[0]), None).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let listed: Value = send(&app, &person, Method::GET, &steps_path, None).await.json().await.unwrap();
    let remaining: Vec<(String, i64)> = listed["items"].as_array().unwrap().iter().map(|step| (step["id"].as_str().unwrap().to_owned(), step["position"].as_i64().unwrap())).collect();
    assert_eq!(remaining, vec![(ids[2].clone(), 0), (ids[1].clone(), 1)]);
    let moved_up = &listed["items"][1];
    assert!(moved_up["version"].as_i64().unwrap() > done["version"].as_i64().unwrap(), "a step that moved has a new version");
    let goal_now: Value = send(&app, &person, Method::GET, &goal_path, None).await.json().await.unwrap();
    assert_eq!((goal_now["steps_total"].clone(), goal_now["steps_done"].clone()), (json!(2), json!(1)));

    let empty_title = send(&app, &person, Method::POST, &steps_path, Some(json!({ "title": "" }))).await;
    assert_eq!(empty_title.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty_title.json::<Value>().await.unwrap()["errors"][0]["pointer"], "/title");
});

api_test!(async fn a_goal_has_at_most_a_hundred_steps(app) {
    let person = app.signed_in_user().await;
    let steps_path = format!("{}/steps", goal(&app, &person).await);
    for number in 0..100 {
        let response = send(&app, &person, Method::POST, &steps_path, Some(json!({ "title": format!("Step {number}") }))).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let one_more = send(&app, &person, Method::POST, &steps_path, Some(json!({ "title": "One too many" }))).await;
    assert_eq!(one_more.status(), StatusCode::CONFLICT);
    let listed: Value = send(&app, &person, Method::GET, &steps_path, None).await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 100);
});

api_test!(async fn check_ins_record_how_it_is_going_without_changing_the_goal(app) {
    let person = app.signed_in_user().await;
    let goal_path = goal(&app, &person).await;
    let check_ins = format!("{goal_path}/check-ins");
    let refused = send(&app, &person, Method::POST, &check_ins, Some(json!({ "note": "n".repeat(4001), "progress": 101, "feeling": "fine" }))).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut pointers: Vec<String> = refused.json::<Value>().await.unwrap()["errors"].as_array().unwrap().iter().map(|error| error["pointer"].as_str().unwrap().to_owned()).collect();
    pointers.sort();
    assert_eq!(pointers, vec!["/feeling", "/note", "/progress"]);

    let mut made = Vec::new();
    for (number, setback) in [(0, false), (1, true), (2, false), (3, false), (4, true)] {
        let response = send(
            &app,
            &person,
            Method::POST,
            &check_ins,
            Some(json!({ "note": format!("Week {number}.\nSome ups and downs."), "progress": 20 * number, "feeling": "okay", "setback": setback })),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let check_in: Value = response.json().await.unwrap();
        assert_eq!(check_in["setback"], setback);
        assert_eq!(check_in["progress"], 20 * number);
        assert_eq!(check_in["feeling"], "okay");
        assert_eq!(check_in["version"], 1);
        let shown: Value = send(&app, &person, Method::GET, &location, None).await.json().await.unwrap();
        assert_eq!(shown, check_in);
        made.push(check_in);
    }
    let goal_now: Value = send(&app, &person, Method::GET, &goal_path, None).await.json().await.unwrap();
    assert_eq!(goal_now["status"], "active", "progress never changes the person's own status");
    assert_eq!(goal_now["last_check_in_at"], made[4]["created_at"]);

    let mut seen = Vec::new();
    let mut url = format!("{check_ins}?limit=2");
    loop {
        let page: Value = send(&app, &person, Method::GET, &url, None).await.json().await.unwrap();
        seen.extend(page["items"].as_array().unwrap().iter().map(|item| item["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{check_ins}?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let newest_first: Vec<String> = made.iter().rev().map(|check_in| check_in["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(seen, newest_first);

    let last = format!("{check_ins}/{}", made[4]["id"].as_str().unwrap());
    assert_eq!(send(&app, &person, Method::DELETE, &last, None).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(send(&app, &person, Method::DELETE, &last, None).await.status(), StatusCode::NOT_FOUND);
    let goal_now: Value = send(&app, &person, Method::GET, &goal_path, None).await.json().await.unwrap();
    assert_eq!(goal_now["last_check_in_at"], made[3]["created_at"]);
});

api_test!(async fn another_persons_steps_and_check_ins_are_404(app) {
    let owner = app.signed_in_user().await;
    let stranger = app.signed_in_user().await;
    let goal_path = goal(&app, &owner).await;
    let step: Value = send(&app, &owner, Method::POST, &format!("{goal_path}/steps"), Some(json!({ "title": "Mine" }))).await.json().await.unwrap();
    let check_in: Value = send(&app, &owner, Method::POST, &format!("{goal_path}/check-ins"), Some(json!({ "note": "Mine" }))).await.json().await.unwrap();
    let step_path = format!("{goal_path}/steps/{}", step["id"].as_str().unwrap());
    let check_in_path = format!("{goal_path}/check-ins/{}", check_in["id"].as_str().unwrap());
    let step_body = json!({ "title": "Taken" });
    let check_in_body = json!({ "note": "Taken" });
    let order_body = json!({ "step_ids": [step["id"]] });
    for (method, path, body) in [
        (Method::GET, format!("{goal_path}/steps"), None),
        (Method::POST, format!("{goal_path}/steps"), Some(step_body.clone())),
        (Method::GET, step_path.clone(), None),
        (Method::PATCH, step_path.clone(), Some(step_body.clone())),
        (Method::DELETE, step_path.clone(), None),
        (Method::POST, format!("{goal_path}/steps/reorder"), Some(order_body)),
        (Method::GET, format!("{goal_path}/check-ins"), None),
        (Method::POST, format!("{goal_path}/check-ins"), Some(check_in_body)),
        (Method::GET, check_in_path.clone(), None),
        (Method::DELETE, check_in_path.clone(), None),
    ] {
        let response = send(&app, &stranger, method.clone(), &path, body).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    let still: Value = send(&app, &owner, Method::GET, &step_path, None).await.json().await.unwrap();
    assert_eq!(still, step);
    assert_eq!(send(&app, &owner, Method::GET, &check_in_path, None).await.status(), StatusCode::OK);
});
