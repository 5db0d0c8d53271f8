//! Sharing with supporters (issue 18): the person chooses who may follow which goals
//! and with which fields; the supporter sees exactly that and no more, through views
//! the preview shares; narrowing, pausing and ending hold from the next request (on
//! every instance); encouragement reaches the person, who can hide it or turn it off;
//! every supporter read is in the person's access log; erasure on either side leaves
//! nothing behind.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::api_test;
use crate::support::app::{TestApp, two_replicas};
use crate::support::identity::{GOOD_PASSWORD, SignedIn};
use crate::support::storage::rows_belonging_to;

/// `method path` with `token` and an optional JSON body: status, body, headers.
async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value, HeaderMap) {
    let mut request = app.authorized(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), headers)
}

/// A new person called `name`.
async fn person_called(app: &TestApp, name: &str) -> SignedIn {
    let person = app.signed_in_user().await;
    let (status, _, _) = call(
        app,
        &person.access_token,
        Method::PATCH,
        "/v1/me",
        Some(json!({ "display_name": name })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    person
}

/// Alex, with a contact (Sam), two goals (one with a why, steps and check-ins), and a
/// daily routine; Sam with an account of their own.
struct Setting {
    alex: SignedIn,
    sam: SignedIn,
    contact_id: String,
    shared_goal: String,
    private_goal: String,
}

async fn setting(app: &TestApp) -> Setting {
    let alex = person_called(app, "Alex").await;
    let sam = person_called(app, "Sam Supporter").await;
    let token = alex.access_token.clone();
    let (_, contact, _) = call(
        app,
        &token,
        Method::POST,
        "/v1/contacts",
        Some(json!({ "name": "Sam", "kind": "friend", "notes": "private contact notes" })),
    )
    .await;
    let (_, shared, _) = call(
        app,
        &token,
        Method::POST,
        "/v1/goals",
        Some(json!({ "title": "Join a walking group", "area": "health", "why": "To meet people" })),
    )
    .await;
    let (_, private, _) = call(
        app,
        &token,
        Method::POST,
        "/v1/goals",
        Some(json!({ "title": "A private goal", "area": "money" })),
    )
    .await;
    let shared_goal = shared["id"].as_str().unwrap().to_owned();
    for step in ["Find a group", "Go once"] {
        let (status, _, _) = call(
            app,
            &token,
            Method::POST,
            &format!("/v1/goals/{shared_goal}/steps"),
            Some(json!({ "title": step })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, _, _) = call(app, &token, Method::POST, &format!("/v1/goals/{shared_goal}/check-ins"), Some(json!({ "note": "a secret note", "feeling": "very_low", "progress": 3, "setback": true }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let (status, routine, _) = call(app, &token, Method::POST, "/v1/routines", Some(json!({ "title": "Evening walk", "category": "exercise", "notes": "routine notes", "schedule": { "kind": "daily", "times": ["18:00"], "starts_on": yesterday - chrono::Duration::days(7), "time_zone": "UTC" } }))).await;
    assert_eq!(status, StatusCode::CREATED, "{routine}");
    let check_in = json!({ "occurrence": { "date": yesterday, "time": "18:00" }, "status": "done", "note": "routine notes" });
    let (status, done, _) = call(
        app,
        &token,
        Method::POST,
        &format!("/v1/routines/{}/check-ins", routine["id"].as_str().unwrap()),
        Some(check_in),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    Setting {
        alex,
        sam,
        contact_id: contact["id"].as_str().unwrap().to_owned(),
        shared_goal,
        private_goal: private["id"].as_str().unwrap().to_owned(),
    }
}

/// Alex shares `body` (the contact filled in) and Sam accepts: the share's id.
async fn shared_and_accepted(app: &TestApp, setting: &Setting, mut body: Value) -> String {
    body["contact_id"] = json!(setting.contact_id);
    let (status, created, headers) =
        call(app, &setting.alex.access_token, Method::POST, "/v1/shares", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let share_id = created["share"]["id"].as_str().unwrap().to_owned();
    assert_eq!(headers["location"], format!("/v1/shares/{share_id}").as_str());
    assert_eq!(created["share"]["status"], "invited");
    let code = created["invitation"]["code"].as_str().unwrap();
    assert!(code.starts_with("wmi_"), "{code}");
    let link = created["invitation"]["link"].as_str().unwrap();
    assert!(
        link.starts_with("http") && link.ends_with(&format!("/v1/invitations/accept#code={code}")),
        "{link}"
    );
    let (status, accepted, _) = call(
        app,
        &setting.sam.access_token,
        Method::POST,
        "/v1/invitations/accept",
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["id"], share_id.as_str());
    assert_eq!(accepted["person_name"], "Alex");
    share_id
}

fn one_goal(setting: &Setting, fields: Value) -> Value {
    let mut goal = json!({ "goal_id": setting.shared_goal });
    for (name, value) in fields.as_object().unwrap() {
        goal[name] = value.clone();
    }
    json!({ "goals": [goal] })
}

api_test!(async fn a_supporter_sees_only_the_goals_and_fields_the_person_chose(app) {
    let setting = setting(&app).await;
    let share = shared_and_accepted(&app, &setting, one_goal(&setting, json!({ "include_steps": true }))).await;
    let sam = &setting.sam.access_token;

    let (status, listed, headers) = call(&app, sam, Method::GET, "/v1/shared-with-me", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store", "never cached by intermediaries");
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["person_name"], "Alex");
    assert_eq!(listed["items"][0]["status"], "active");

    let (status, goals, headers) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/goals"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    let items = goals["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the chosen goal: {goals}");
    assert_eq!(items[0]["title"], "Join a walking group");
    assert_eq!(items[0]["why"], Value::Null, "the why was not chosen");
    assert_eq!(items[0]["step_progress"], json!({ "done": 0, "total": 2 }));

    let (status, goal, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/goals/{}", setting.shared_goal), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(goal["steps"][1]["title"], "Go once");
    let check_in = &goal["recent_check_ins"][0];
    assert_eq!((check_in["progress"].clone(), check_in["setback"].clone()), (json!(3), json!(true)));
    assert_eq!((check_in["note"].clone(), check_in["feeling"].clone()), (Value::Null, Value::Null), "notes were not chosen");
    let everything = format!("{listed}{goals}{goal}");
    for secret in ["a secret note", "very_low", "To meet people", "private contact notes", "A private goal", setting.alex.email.as_str()] {
        assert!(!everything.contains(secret), "{secret} leaked: {everything}");
    }

    let (status, _, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/goals/{}", setting.private_goal), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a goal not chosen is not there");
    let (status, _, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/routines"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the routines summary was not chosen");

    // Widened to notes, why and the routines summary: all of it, and still no notes of routines.
    let (status, _, _) = call(&app, &setting.alex.access_token, Method::PATCH, &format!("/v1/shares/{share}"), Some(json!({ "goals": [{ "goal_id": setting.shared_goal, "include_why": true, "include_check_in_notes": true }], "routines_summary": true }))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, goal, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/goals/{}", setting.shared_goal), None).await;
    assert_eq!(goal["why"], "To meet people");
    let (_, goals, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/goals"), None).await;
    assert_eq!(goals["items"][0]["why"], "To meet people", "the list is written again when the share changes");
    assert_eq!(goal["steps"], Value::Null, "steps are no longer chosen");
    assert_eq!(goal["recent_check_ins"][0]["note"], "a secret note");
    assert_eq!(goal["recent_check_ins"][0]["feeling"], "very_low");
    let (status, routines, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/routines"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(routines["items"][0]["title"], "Evening walk");
    // Seven days up to today: today's evening walk counts once it is recorded or past.
    let planned = routines["items"][0]["planned"].as_u64().unwrap();
    assert!((6..=7).contains(&planned), "{routines}");
    assert_eq!((routines["items"][0]["done"].clone(), routines["items"][0]["current_streak"].clone()), (json!(1), json!(1)), "{routines}");
    assert!(!routines.to_string().contains("routine notes"));
});

api_test!(async fn the_preview_is_exactly_what_the_supporter_sees(app) {
    let setting = setting(&app).await;
    let share = shared_and_accepted(&app, &setting, json!({ "all_active_goals": { "include_steps": true, "include_why": true }, "routines_summary": true })).await;
    let sam = &setting.sam.access_token;
    let (status, preview, _) = call(&app, &setting.alex.access_token, Method::GET, &format!("/v1/shares/{share}/preview"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}"), None).await;
    assert_eq!(preview["listed_as"], listed);
    let goals = preview["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 2, "both goals are active: {preview}");
    for goal in goals {
        let (status, seen, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/goals/{}", goal["id"].as_str().unwrap()), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&seen, goal);
    }
    let (_, routines, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/routines"), None).await;
    assert_eq!(preview["routines_summary"], routines);

    // A goal no longer active leaves "all active goals".
    let (status, _, _) = call(&app, &setting.alex.access_token, Method::PATCH, &format!("/v1/goals/{}", setting.private_goal), Some(json!({ "status": "paused" }))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, goals, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/goals"), None).await;
    assert_eq!(goals["items"].as_array().unwrap().len(), 1);
    let (status, _, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/goals/{}", setting.private_goal), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

api_test!(async fn an_invitation_works_once_and_every_code_that_cannot_be_accepted_gets_the_same_404(app) {
    let setting = setting(&app).await;
    let alex = &setting.alex.access_token;
    let someone = app.signed_in_user().await;
    let share_body = |contact: &str| json!({ "contact_id": contact, "routines_summary": true });
    let (_, first, _) = call(&app, alex, Method::POST, "/v1/shares", Some(share_body(&setting.contact_id))).await;
    let code = first["invitation"]["code"].as_str().unwrap().to_owned();
    let accept = |token: String, code: String| {
        let app = &app;
        async move { call(app, &token, Method::POST, "/v1/invitations/accept", Some(json!({ "code": code }))).await }
    };
    let (status, _, _) = accept(setting.sam.access_token.clone(), code.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (used, used_problem, _) = accept(someone.access_token.clone(), code.clone()).await;
    let (unknown, unknown_problem, _) = accept(someone.access_token.clone(), "wmi_not-a-code".to_owned()).await;
    // The person's own code links nothing, and is still good for the one it was for.
    let (_, own, _) = call(&app, alex, Method::POST, "/v1/shares", Some(share_body(&setting.contact_id))).await;
    let own_code = own["invitation"]["code"].as_str().unwrap().to_owned();
    let (own_status, own_problem, _) = accept(setting.alex.access_token.clone(), own_code.clone()).await;
    let (_, own_share, _) = call(&app, alex, Method::GET, &format!("/v1/shares/{}", own["share"]["id"].as_str().unwrap()), None).await;
    assert_eq!(own_share["status"], "invited", "{own_share}");
    assert_eq!(accept(setting.sam.access_token.clone(), own_code).await.0, StatusCode::OK);
    // An expired one.
    let (_, late, _) = call(&app, alex, Method::POST, "/v1/shares", Some(share_body(&setting.contact_id))).await;
    let late_code = late["invitation"]["code"].as_str().unwrap().to_owned();
    expire_invitation(&app, late["share"]["id"].as_str().unwrap()).await;
    let (expired, expired_problem, _) = accept(setting.sam.access_token.clone(), late_code.clone()).await;
    for (status, problem) in [(used, &used_problem), (unknown, &unknown_problem), (own_status, &own_problem), (expired, &expired_problem)] {
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        assert_eq!((problem["title"].clone(), problem["detail"].clone()), (unknown_problem["title"].clone(), unknown_problem["detail"].clone()), "alike");
    }
    let (status, problem, _) = accept(someone.access_token.clone(), "x".repeat(101)).await;
    assert_eq!((status, problem["errors"][0]["pointer"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("/code")));
    let (_, late_share, _) = call(&app, alex, Method::GET, &format!("/v1/shares/{}", late["share"]["id"].as_str().unwrap()), None).await;
    assert_eq!(late_share["status"], "invitation_expired");
    // A new invitation for it works; one already accepted needs none (409).
    let (status, renewed, _) = call(&app, alex, Method::POST, &format!("/v1/shares/{}/invitation", late["share"]["id"].as_str().unwrap()), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(accept(setting.sam.access_token.clone(), late_code).await.0, StatusCode::NOT_FOUND, "the old code stops working");
    let (status, _, _) = accept(setting.sam.access_token.clone(), renewed["invitation"]["code"].as_str().unwrap().to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = call(&app, alex, Method::POST, &format!("/v1/shares/{}/invitation", first["share"]["id"].as_str().unwrap()), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
});

/// Moves a share's invitation expiry into the past, as 7 days passing would.
async fn expire_invitation(app: &TestApp, share: &str) {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let connection = Database::connect(&app.database_url).await.unwrap();
    let backend = connection.get_database_backend();
    let placeholder = if backend == sea_orm::DbBackend::Postgres { "$1" } else { "?" };
    let past = chrono::Utc::now() - chrono::Duration::days(8);
    connection
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE shares SET invitation_expires_at = {placeholder} WHERE id = {}",
                if backend == sea_orm::DbBackend::Postgres { "$2" } else { "?" }
            ),
            [past.into(), uuid::Uuid::parse_str(share).unwrap().into()],
        ))
        .await
        .unwrap();
    let _ = connection.close().await;
}

api_test!(async fn narrowing_pausing_and_ending_hold_from_the_next_request(app) {
    let setting = setting(&app).await;
    let share = shared_and_accepted(&app, &setting, one_goal(&setting, json!({}))).await;
    let (alex, sam) = (&setting.alex.access_token, &setting.sam.access_token);
    let goal_view = format!("/v1/shared-with-me/{share}/goals/{}", setting.shared_goal);
    assert_eq!(call(&app, sam, Method::GET, &goal_view, None).await.0, StatusCode::OK);

    let (status, narrowed, _) = call(&app, alex, Method::PATCH, &format!("/v1/shares/{share}"), Some(json!({ "goals": [], "routines_summary": true }))).await;
    assert_eq!(status, StatusCode::OK, "{narrowed}");
    assert_eq!(call(&app, sam, Method::GET, &goal_view, None).await.0, StatusCode::NOT_FOUND);

    let (status, paused, _) = call(&app, alex, Method::PATCH, &format!("/v1/shares/{share}"), Some(json!({ "paused": true, "goals": [{ "goal_id": setting.shared_goal }] }))).await;
    assert_eq!((status, paused["status"].clone()), (StatusCode::OK, json!("paused")));
    assert_eq!(call(&app, sam, Method::GET, &goal_view, None).await.0, StatusCode::NOT_FOUND);
    let (_, listed, _) = call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}"), None).await;
    assert_eq!(listed["status"], "paused", "a paused share is listed, and shows nothing");
    let (status, _, _) = call(&app, alex, Method::PATCH, &format!("/v1/shares/{share}"), Some(json!({ "paused": false }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(call(&app, sam, Method::GET, &goal_view, None).await.0, StatusCode::OK);

    let (status, _, _) = call(&app, alex, Method::PATCH, &format!("/v1/shares/{share}"), Some(json!({ "expires_at": "2000-01-01T00:00:00Z" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an expiry must be in the future");
    let (status, _, _) = call(&app, alex, Method::PATCH, &format!("/v1/shares/{share}"), Some(json!({ "paused": null }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = call(&app, alex, Method::DELETE, &format!("/v1/shares/{share}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for path in [goal_view.clone(), format!("/v1/shared-with-me/{share}"), format!("/v1/shared-with-me/{share}/goals")] {
        assert_eq!(call(&app, sam, Method::GET, &path, None).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, listed, _) = call(&app, sam, Method::GET, "/v1/shared-with-me", None).await;
    assert_eq!(listed["items"], json!([]));
});

api_test!(async fn sharing_with_a_contact_marked_unhelpful_asks_for_confirmation(app) {
    let setting = setting(&app).await;
    let alex = &setting.alex.access_token;
    let (status, _, _) = call(&app, alex, Method::PATCH, &format!("/v1/contacts/{}", setting.contact_id), Some(json!({ "helpfulness": "unhelpful" }))).await;
    assert_eq!(status, StatusCode::OK);
    let body = json!({ "contact_id": setting.contact_id, "routines_summary": true });
    let (status, problem, _) = call(&app, alex, Method::POST, "/v1/shares", Some(body.clone())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["pointer"], "/confirm");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("unhelpful"), "{problem}");
    let (_, shares, _) = call(&app, alex, Method::GET, "/v1/shares", None).await;
    assert_eq!(shares["items"], json!([]), "nothing was shared");
    let mut confirmed = body;
    confirmed["confirm"] = json!(true);
    assert_eq!(call(&app, alex, Method::POST, "/v1/shares", Some(confirmed)).await.0, StatusCode::CREATED);
});

api_test!(async fn shares_refuse_what_is_not_the_persons_or_shares_nothing(app) {
    let setting = setting(&app).await;
    let other = app.signed_in_user().await;
    let (_, others_contact, _) = call(&app, &other.access_token, Method::POST, "/v1/contacts", Some(json!({ "name": "Theirs" }))).await;
    let (_, others_goal, _) = call(&app, &other.access_token, Method::POST, "/v1/goals", Some(json!({ "title": "Theirs", "area": "work" }))).await;
    let alex = &setting.alex.access_token;
    for (body, pointer) in [
        (json!({ "contact_id": others_contact["id"], "routines_summary": true }), "/contact_id"),
        (json!({ "contact_id": setting.contact_id, "goals": [{ "goal_id": others_goal["id"] }] }), "/goals/0/goal_id"),
        (json!({ "contact_id": setting.contact_id }), "/goals"),
        (json!({ "contact_id": setting.contact_id, "goals": [{ "goal_id": setting.shared_goal }, { "goal_id": setting.shared_goal }] }), "/goals/1/goal_id"),
        (json!({ "contact_id": setting.contact_id, "goals": [{ "goal_id": setting.shared_goal }], "all_active_goals": {} }), "/all_active_goals"),
        (json!({ "contact_id": setting.contact_id, "routines_summary": true, "supporter_account_id": other.account_id }), "/supporter_account_id"),
    ] {
        let (status, problem, _) = call(&app, alex, Method::POST, "/v1/shares", Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        assert!(problem["errors"].as_array().unwrap().iter().any(|error| error["pointer"] == pointer), "{pointer}: {problem}");
    }
    let (_, shares, _) = call(&app, alex, Method::GET, "/v1/shares", None).await;
    assert_eq!(shares["items"], json!([]));
});

api_test!(async fn encouragement_reaches_the_person_who_can_hide_it_or_turn_it_off(app) {
    let setting = setting(&app).await;
    let share = shared_and_accepted(&app, &setting, one_goal(&setting, json!({}))).await;
    let (alex, sam) = (&setting.alex.access_token, &setting.sam.access_token);
    let send = |message: &str| {
        let path = format!("/v1/shared-with-me/{share}/goals/{}/encouragements", setting.shared_goal);
        let body = json!({ "message": message });
        let app = &app;
        async move { call(app, sam, Method::POST, &path, Some(body)).await }
    };
    let (status, sent, _) = send("Proud of you <b>for going</b> https://example.org").await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(send("").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(send(&"x".repeat(501)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = call(&app, sam, Method::POST, &format!("/v1/shared-with-me/{share}/goals/{}/encouragements", setting.private_goal), Some(json!({ "message": "hi" }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only about goals the share shows");

    let list = format!("/v1/goals/{}/encouragements", setting.shared_goal);
    let (status, received, _) = call(&app, alex, Method::GET, &list, None).await;
    assert_eq!(status, StatusCode::OK);
    let message = &received["items"][0];
    assert_eq!(message["message"], "Proud of you <b>for going</b> https://example.org", "kept as plain text");
    assert_eq!(message["from"]["display_name"], "Sam Supporter");
    assert_eq!(message["hidden"], false);
    let path = format!("{list}/{}", sent["id"].as_str().unwrap());
    let (status, hidden, headers) = call(&app, alex, Method::PATCH, &path, Some(json!({ "hidden": true }))).await;
    assert_eq!((status, hidden["hidden"].clone()), (StatusCode::OK, json!(true)));
    assert_eq!(headers["etag"], "\"2\"");
    let stale = app.authorized(Method::PATCH, &path, alex).header("if-match", "\"1\"").json(&json!({ "hidden": false })).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(call(&app, sam, Method::PATCH, &path, Some(json!({ "hidden": false }))).await.0, StatusCode::NOT_FOUND, "only the person hides");

    // At most 5 a day about one goal: the 6th is 429.
    for _ in 0..4 {
        assert_eq!(send("Keep going").await.0, StatusCode::CREATED);
    }
    let (status, _, headers) = send("One more").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((86_000..=86_400).contains(&wait), "until the first of the five is a day old: {wait}");

    let (status, _, _) = call(&app, alex, Method::PATCH, &format!("/v1/shares/{share}"), Some(json!({ "encouragement_allowed": false }))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem, _) = send("Still here").await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (_, received, _) = call(&app, alex, Method::GET, &list, None).await;
    assert_eq!(received["items"].as_array().unwrap().len(), 5);
});

/// The person's access log, once it holds `entries` entries by supporters.
async fn supporter_entries(app: &TestApp, token: &str, entries: usize) -> Vec<Value> {
    let mut found = Vec::new();
    for _ in 0..100 {
        let (status, page, _) =
            call(app, token, Method::GET, "/v1/me/access-log?limit=100", None).await;
        assert_eq!(status, StatusCode::OK);
        found = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|entry| entry["accessor"]["kind"] == "supporter")
            .cloned()
            .collect();
        if found.len() >= entries {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the log never held {entries} supporter entries: {found:?}");
}

api_test!(async fn every_supporter_read_and_message_is_in_the_persons_access_log(app) {
    let setting = setting(&app).await;
    let share = shared_and_accepted(&app, &setting, one_goal(&setting, json!({}))).await;
    let sam = &setting.sam.access_token;
    let goal_view = format!("/v1/shared-with-me/{share}/goals/{}", setting.shared_goal);
    for path in [format!("/v1/shared-with-me/{share}/goals"), goal_view.clone()] {
        assert_eq!(call(&app, sam, Method::GET, &path, None).await.0, StatusCode::OK);
    }
    assert_eq!(call(&app, sam, Method::POST, &format!("{goal_view}/encouragements"), Some(json!({ "message": "Well done" }))).await.0, StatusCode::CREATED);
    let entries = supporter_entries(&app, &setting.alex.access_token, 4).await;
    let operations: Vec<&str> = entries.iter().map(|entry| entry["operation"].as_str().unwrap()).collect();
    for operation in ["accept_invitation", "list_shared_goals", "get_shared_goal", "send_encouragement"] {
        assert!(operations.contains(&operation), "{operation} in {operations:?}");
    }
    assert!(entries.iter().all(|entry| entry["accessor"]["name"] == "Sam Supporter" && entry["accessor"]["id"] == setting.sam.account_id.as_str()), "{entries:?}");
    // A goal id the share does not show (here: nobody's) is not written into the
    // person's log: it may be another person's.
    let probe = format!("/v1/shared-with-me/{share}/goals/{}", uuid::Uuid::now_v7());
    assert_eq!(call(&app, sam, Method::GET, &probe, None).await.0, StatusCode::NOT_FOUND);
    let entries = supporter_entries(&app, &setting.alex.access_token, 5).await;
    let refused: Vec<&Value> = entries.iter().filter(|entry| entry["status"] == 404).collect();
    assert_eq!(refused.len(), 1, "{entries:?}");
    assert_eq!((refused[0]["operation"].clone(), refused[0]["resource"]["id"].clone()), (json!("get_shared_goal"), Value::Null), "{entries:?}");
    // Sam's own log has none of it: it was Sam's own doing.
    let (_, own, _) = call(&app, sam, Method::GET, "/v1/me/access-log", None).await;
    assert_eq!(own["items"], json!([]));
});

api_test!(async fn a_supporter_of_one_person_sees_nothing_of_another(app) {
    let first = setting(&app).await;
    let second = setting(&app).await;
    let share = shared_and_accepted(&app, &first, one_goal(&first, json!({}))).await;
    let other_share = shared_and_accepted(&app, &second, one_goal(&second, json!({}))).await;
    let sam = &first.sam.access_token;
    for path in [
        format!("/v1/shared-with-me/{other_share}"),
        format!("/v1/shared-with-me/{other_share}/goals"),
        format!("/v1/shared-with-me/{other_share}/goals/{}", second.shared_goal),
        format!("/v1/shared-with-me/{share}/goals/{}", second.shared_goal),
        format!("/v1/shares/{share}"),
    ] {
        assert_eq!(call(&app, sam, Method::GET, &path, None).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _, _) = call(&app, sam, Method::POST, &format!("/v1/shared-with-me/{share}/goals/{}/encouragements", second.shared_goal), Some(json!({ "message": "hi" }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A token without the supporter's scopes is refused.
    let narrow = app.token(&[("grant_type", "password"), ("username", &first.sam.email), ("password", GOOD_PASSWORD), ("scope", "goals:read")]).await;
    let narrow: Value = narrow.json().await.unwrap();
    let (status, _, _) = call(&app, narrow["access_token"].as_str().unwrap(), Method::GET, &format!("/v1/shared-with-me/{share}/goals"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});

api_test!(async fn erasing_either_side_ends_the_share_and_takes_what_that_side_wrote(app) {
    // The supporter goes: the share shows as ended, their messages go with them.
    let setting = setting(&app).await;
    let share = shared_and_accepted(&app, &setting, one_goal(&setting, json!({}))).await;
    let goal_view = format!("/v1/shared-with-me/{share}/goals/{}", setting.shared_goal);
    assert_eq!(call(&app, &setting.sam.access_token, Method::POST, &format!("{goal_view}/encouragements"), Some(json!({ "message": "Well done" }))).await.0, StatusCode::CREATED);
    let sam_id = uuid::Uuid::parse_str(&setting.sam.account_id).unwrap();
    let (_, followed, _) = call(&app, &setting.alex.access_token, Method::GET, &format!("/v1/shares/{share}"), None).await;
    assert_eq!(call(&app, &setting.sam.access_token, Method::DELETE, "/v1/me", Some(json!({ "password": GOOD_PASSWORD }))).await.0, StatusCode::NO_CONTENT);
    let (_, ended, _) = call(&app, &setting.alex.access_token, Method::GET, &format!("/v1/shares/{share}"), None).await;
    assert_eq!((ended["status"].clone(), ended["supporter_name"].clone()), (json!("ended"), Value::Null));
    // A new version: a change Alex began before fails its `If-Match` and reads it again.
    assert_eq!(ended["version"], followed["version"].as_i64().unwrap() + 1);
    let stale = app
        .authorized(Method::PATCH, &format!("/v1/shares/{share}"), &setting.alex.access_token)
        .header("if-match", format!("\"{}\"", followed["version"]))
        .json(&json!({ "routines_summary": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (_, received, _) = call(&app, &setting.alex.access_token, Method::GET, &format!("/v1/goals/{}/encouragements", setting.shared_goal), None).await;
    assert_eq!(received["items"], json!([]));
    assert_eq!(rows_naming(&app.database_url, sam_id).await, Vec::<(String, i64)>::new(), "no row names the erased supporter but the log of what they read");
    let own = rows_belonging_to(&app.database_url, sam_id).await;
    assert!(own.iter().all(|(_, count)| *count == 0), "rows of the supporter's own left: {own:?}");

    // The person goes: every share and every message they received go, in every table.
    let setting = self::setting(&app).await;
    let share = shared_and_accepted(&app, &setting, one_goal(&setting, json!({}))).await;
    let goal_view = format!("/v1/shared-with-me/{share}/goals/{}", setting.shared_goal);
    assert_eq!(call(&app, &setting.sam.access_token, Method::POST, &format!("{goal_view}/encouragements"), Some(json!({ "message": "Well done" }))).await.0, StatusCode::CREATED);
    let alex_id = uuid::Uuid::parse_str(&setting.alex.account_id).unwrap();
    supporter_entries(&app, &setting.alex.access_token, 2).await;
    let before = rows_belonging_to(&app.database_url, alex_id).await;
    for table in ["shares", "encouragements", "access_log"] {
        assert!(before.iter().any(|(name, count)| name == table && *count >= 1), "{table}: {before:?}");
    }
    assert_eq!(call(&app, &setting.alex.access_token, Method::DELETE, "/v1/me", Some(json!({ "password": GOOD_PASSWORD }))).await.0, StatusCode::NO_CONTENT);
    let after = rows_belonging_to(&app.database_url, alex_id).await;
    assert!(after.iter().all(|(_, count)| *count == 0), "rows left behind: {after:?}");
    assert_eq!(call(&app, &setting.sam.access_token, Method::GET, &goal_view, None).await.0, StatusCode::NOT_FOUND);
    let (_, listed, _) = call(&app, &setting.sam.access_token, Method::GET, "/v1/shared-with-me", None).await;
    assert_eq!(listed["items"], json!([]));
});

/// Rows that still name `account` in any column `*_account_id`, in every table of the
/// schema (found from the catalogue, so a table added later is looked in too), except
/// the access log's `accessor_account_id`: the person's record of who read their data
/// is theirs, and keeps the id (its name goes).
async fn rows_naming(database_url: &str, account: uuid::Uuid) -> Vec<(String, i64)> {
    use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
    let connection = Database::connect(database_url).await.unwrap();
    let backend = connection.get_database_backend();
    let catalogue = match backend {
        DbBackend::Postgres => {
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name LIKE '%\\_account\\_id' ESCAPE '\\'"
        }
        _ => {
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name LIKE '%\\_account\\_id' ESCAPE '\\'"
        }
    };
    let columns: Vec<(String, String)> = connection
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
        .filter(|(table, column)| !(table == "access_log" && column == "accessor_account_id"))
        .collect();
    assert!(
        columns.iter().any(|(table, _)| table == "shares")
            && columns.iter().any(|(table, _)| table == "encouragements"),
        "{columns:?}"
    );
    let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?" };
    let mut found = Vec::new();
    for (table, column) in columns {
        let sql =
            format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE \"{column}\" = {placeholder}");
        let row = connection
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [account.into()]))
            .await
            .unwrap()
            .unwrap();
        let count: i64 = row.try_get("", "n").unwrap();
        if count > 0 {
            found.push((format!("{table}.{column}"), count));
        }
    }
    let _ = connection.close().await;
    found
}

/// What `path` answers `token` on `app` once `settled` says it has settled: another
/// replica forgets what it remembered as soon as PostgreSQL tells it of the change.
async fn once_settled(
    app: &TestApp,
    token: &str,
    path: &str,
    settled: impl Fn(StatusCode, &Value) -> bool,
) -> (StatusCode, Value) {
    let mut last = (StatusCode::IM_A_TEAPOT, Value::Null);
    for _ in 0..100 {
        let (status, body, _) = call(app, token, Method::GET, path, None).await;
        if settled(status, &body) {
            return (status, body);
        }
        last = (status, body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{path} never settled: {last:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_narrowed_paused_or_ended_share_holds_on_another_instance_within_moments() {
    let Some((_database, first, second)) = two_replicas().await else {
        return;
    };
    let setting = setting(&first).await;
    let share =
        shared_and_accepted(&first, &setting, one_goal(&setting, json!({ "include_why": true })))
            .await;
    let (alex, sam) = (&setting.alex.access_token, &setting.sam.access_token);
    let goal_view = format!("/v1/shared-with-me/{share}/goals/{}", setting.shared_goal);
    // The replica remembers the share from here on.
    for _ in 0..3 {
        let (status, seen, _) = call(&second, sam, Method::GET, &goal_view, None).await;
        assert_eq!((status, seen["why"].clone()), (StatusCode::OK, json!("To meet people")));
    }
    let narrowed = json!({ "goals": [{ "goal_id": setting.shared_goal }] });
    assert_eq!(
        call(&first, alex, Method::PATCH, &format!("/v1/shares/{share}"), Some(narrowed)).await.0,
        StatusCode::OK
    );
    once_settled(&second, sam, &goal_view, |status, body| {
        status == StatusCode::OK && body["why"].is_null()
    })
    .await;
    assert_eq!(
        call(
            &first,
            alex,
            Method::PATCH,
            &format!("/v1/shares/{share}"),
            Some(json!({ "paused": true }))
        )
        .await
        .0,
        StatusCode::OK
    );
    once_settled(&second, sam, &goal_view, |status, _| status == StatusCode::NOT_FOUND).await;
    assert_eq!(
        call(
            &first,
            alex,
            Method::PATCH,
            &format!("/v1/shares/{share}"),
            Some(json!({ "paused": false }))
        )
        .await
        .0,
        StatusCode::OK
    );
    once_settled(&second, sam, &goal_view, |status, _| status == StatusCode::OK).await;
    assert_eq!(
        call(&first, alex, Method::DELETE, &format!("/v1/shares/{share}"), None).await.0,
        StatusCode::NO_CONTENT
    );
    once_settled(&second, sam, &goal_view, |status, _| status == StatusCode::NOT_FOUND).await;
    // On the instance that made the change, it holds from the very next request.
    assert_eq!(call(&first, sam, Method::GET, &goal_view, None).await.0, StatusCode::NOT_FOUND);
}

api_test!(async fn the_invitation_page_says_how_to_accept(app) {
    let response = app.get("/v1/invitations/accept").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert!(response.text().await.unwrap().contains("#code="));
});

api_test!(async fn a_share_past_its_expiry_shows_nothing_and_is_no_longer_listed(app) {
    let setting = setting(&app).await;
    let share = shared_and_accepted(&app, &setting, one_goal(&setting, json!({}))).await;
    let sam = &setting.sam.access_token;
    let goal_view = format!("/v1/shared-with-me/{share}/goals/{}", setting.shared_goal);
    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let (status, _, _) = call(&app, &setting.alex.access_token, Method::PATCH, &format!("/v1/shares/{share}"), Some(json!({ "expires_at": soon.to_rfc3339() }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(call(&app, sam, Method::GET, &goal_view, None).await.0, StatusCode::OK, "remembered from here on");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    for path in [goal_view.clone(), format!("/v1/shared-with-me/{share}")] {
        assert_eq!(call(&app, sam, Method::GET, &path, None).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, listed, _) = call(&app, sam, Method::GET, "/v1/shared-with-me", None).await;
    assert_eq!(listed["items"], json!([]));
    let (status, _, _) = call(&app, sam, Method::POST, &format!("{goal_view}/encouragements"), Some(json!({ "message": "hi" }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, mine, _) = call(&app, &setting.alex.access_token, Method::GET, &format!("/v1/shares/{share}"), None).await;
    assert_eq!(mine["status"], "expired");

    // Expiry is final, as ending is: it cannot be lifted or moved, and changes nothing.
    for change in [json!({ "expires_at": null }), json!({ "paused": true })] {
        let (status, problem, _) = call(&app, &setting.alex.access_token, Method::PATCH, &format!("/v1/shares/{share}"), Some(change)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains("share again"), "{problem}");
    }
    let (_, still, _) = call(&app, &setting.alex.access_token, Method::GET, &format!("/v1/shares/{share}"), None).await;
    assert_eq!((still["status"].clone(), still["version"].clone()), (json!("expired"), mine["version"].clone()));
    assert_eq!(call(&app, sam, Method::GET, &goal_view, None).await.0, StatusCode::NOT_FOUND);

    // The supporter's account erased after it expired: the share shows as ended.
    assert_eq!(call(&app, sam, Method::DELETE, "/v1/me", Some(json!({ "password": GOOD_PASSWORD }))).await.0, StatusCode::NO_CONTENT);
    let (_, mine, _) = call(&app, &setting.alex.access_token, Method::GET, &format!("/v1/shares/{share}"), None).await;
    assert_eq!(mine["status"], "ended");
});

api_test!(async fn a_deleted_goal_leaves_every_share_that_named_it(app) {
    let setting = setting(&app).await;
    let alex = &setting.alex.access_token;
    let both = json!({ "goals": [{ "goal_id": setting.shared_goal }, { "goal_id": setting.private_goal, "include_why": true }] });
    let share = shared_and_accepted(&app, &setting, both).await;
    let (_, before, _) = call(&app, alex, Method::GET, &format!("/v1/shares/{share}"), None).await;
    assert_eq!(call(&app, alex, Method::DELETE, &format!("/v1/goals/{}", setting.private_goal), None).await.0, StatusCode::NO_CONTENT);
    let (_, after, headers) = call(&app, alex, Method::GET, &format!("/v1/shares/{share}"), None).await;
    let named: Vec<&Value> = after["goals"].as_array().unwrap().iter().map(|goal| &goal["goal_id"]).collect();
    assert_eq!(named, [&json!(setting.shared_goal)], "{after}");
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1, "a new version");
    assert_eq!(headers["etag"], format!("\"{}\"", after["version"]).as_str());
    let (_, listed, _) = call(&app, &setting.sam.access_token, Method::GET, &format!("/v1/shared-with-me/{share}/goals"), None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    // The change is journalled: an app that syncs sees the share's new version.
    let (_, synced, _) = call(&app, alex, Method::GET, "/v1/sync?limit=100", None).await;
    let shares: Vec<&Value> = synced["changes"].as_array().unwrap().iter().filter(|change| change["type"] == "share" && change["id"] == share.as_str()).collect();
    assert_eq!(shares.last().unwrap()["share"]["version"], after["version"], "{synced}");
});

api_test!(async fn a_share_that_expired_before_anyone_accepted_takes_no_new_invitation(app) {
    let setting = setting(&app).await;
    let alex = &setting.alex.access_token;
    let mut body = one_goal(&setting, json!({}));
    body["contact_id"] = json!(setting.contact_id);
    body["expires_at"] = json!((chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339());
    let (status, created, _) = call(&app, alex, Method::POST, "/v1/shares", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let share = created["share"]["id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let (status, problem, _) = call(&app, alex, Method::POST, &format!("/v1/shares/{share}/invitation"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "a code that could never be accepted: {problem}");
    assert!(problem["detail"].as_str().unwrap().contains("share again"), "{problem}");
    assert!(problem.get("code").is_none() && problem.get("invitation").is_none(), "{problem}");
});

api_test!(async fn a_supporter_who_steps_back_ends_the_share_and_the_person_sees_it(app) {
    let setting = setting(&app).await;
    let share = shared_and_accepted(&app, &setting, one_goal(&setting, json!({}))).await;
    let sam = &setting.sam.access_token;
    assert_eq!(call(&app, sam, Method::DELETE, &format!("/v1/shared-with-me/{share}"), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&app, sam, Method::GET, &format!("/v1/shared-with-me/{share}/goals"), None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, sam, Method::DELETE, &format!("/v1/shared-with-me/{share}"), None).await.0, StatusCode::NOT_FOUND);
    let (_, mine, _) = call(&app, &setting.alex.access_token, Method::GET, &format!("/v1/shares/{share}"), None).await;
    assert_eq!((mine["status"].clone(), mine["supporter_name"].clone()), (json!("ended"), Value::Null));
    // An ended share cannot be changed: nothing would ever see the change.
    let (status, problem, _) = call(&app, &setting.alex.access_token, Method::PATCH, &format!("/v1/shares/{share}"), Some(json!({ "routines_summary": true }))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (_, still, _) = call(&app, &setting.alex.access_token, Method::GET, &format!("/v1/shares/{share}"), None).await;
    assert_eq!(still["version"], mine["version"]);
    let entries = supporter_entries(&app, &setting.alex.access_token, 2).await;
    assert!(entries.iter().any(|entry| entry["operation"] == "leave_shared_with_me"), "{entries:?}");
});

api_test!(async fn share_writes_follow_the_rules_of_every_write(app) {
    let setting = setting(&app).await;
    let alex = &setting.alex.access_token;
    let body = json!({ "contact_id": setting.contact_id, "routines_summary": true });
    // Retried with its Idempotency-Key, the code is never shown again.
    let first = app.authorized(Method::POST, "/v1/shares", alex).header("idempotency-key", "share-1").json(&body).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = app.authorized(Method::POST, "/v1/shares", alex).header("idempotency-key", "share-1").json(&body).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let text = again.text().await.unwrap();
    assert!(!text.contains(first["invitation"]["code"].as_str().unwrap()), "{text}");
    let (_, shares, _) = call(&app, alex, Method::GET, "/v1/shares", None).await;
    assert_eq!(shares["items"].as_array().unwrap().len(), 1, "made once");
    // If-Match.
    let path = format!("/v1/shares/{}", first["share"]["id"].as_str().unwrap());
    let stale = app.authorized(Method::PATCH, &path, alex).header("if-match", "\"7\"").json(&json!({ "paused": true })).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (status, unchanged, _) = call(&app, alex, Method::PATCH, &path, Some(json!({}))).await;
    assert_eq!((status, unchanged["version"].clone()), (StatusCode::OK, json!(1)), "nothing to change, no new version");
    let fresh = app.authorized(Method::PATCH, &path, alex).header("if-match", "\"1\"").json(&json!({ "paused": true })).send().await.unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
    assert_eq!(fresh.headers()["etag"], "\"2\"");
    let stale_delete = app.authorized(Method::DELETE, &path, alex).header("if-match", "\"1\"").send().await.unwrap();
    assert_eq!(stale_delete.status(), StatusCode::PRECONDITION_FAILED);
    // Deleting the contact ends what was shared with them, in the change journal too.
    assert_eq!(call(&app, alex, Method::DELETE, &format!("/v1/contacts/{}", setting.contact_id), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&app, alex, Method::GET, &path, None).await.0, StatusCode::NOT_FOUND);
    let journal = crate::journal::entries_of(&app.database_url, uuid::Uuid::parse_str(&setting.alex.account_id).unwrap()).await;
    assert!(journal.iter().any(|(resource, kind)| resource == "share" && kind == "deleted"), "{journal:?}");
});

api_test!(async fn sharing_needs_the_scopes_to_read_what_is_shared(app) {
    let setting = setting(&app).await;
    let narrow = app.token(&[("grant_type", "password"), ("username", &setting.alex.email), ("password", GOOD_PASSWORD), ("scope", "shares:read shares:write")]).await;
    let narrow: Value = narrow.json().await.unwrap();
    let token = narrow["access_token"].as_str().unwrap();
    let body = json!({ "contact_id": setting.contact_id, "all_active_goals": { "include_why": true, "include_check_in_notes": true } });
    assert_eq!(call(&app, token, Method::POST, "/v1/shares", Some(body.clone())).await.0, StatusCode::FORBIDDEN, "an app may not pass on what it may not read");
    let (_, created, _) = call(&app, &setting.alex.access_token, Method::POST, "/v1/shares", Some(body)).await;
    let share = created["share"]["id"].as_str().unwrap();
    assert_eq!(call(&app, token, Method::GET, &format!("/v1/shares/{share}/preview"), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, token, Method::GET, &format!("/v1/shares/{share}"), None).await.0, StatusCode::OK);
});

api_test!(async fn two_supporters_racing_for_one_code_get_one_share(app) {
    let setting = setting(&app).await;
    let other = app.signed_in_user().await;
    let (_, created, _) = call(&app, &setting.alex.access_token, Method::POST, "/v1/shares", Some(json!({ "contact_id": setting.contact_id, "routines_summary": true }))).await;
    let code = created["invitation"]["code"].clone();
    let body = json!({ "code": code });
    let (first, second) = tokio::join!(
        call(&app, &setting.sam.access_token, Method::POST, "/v1/invitations/accept", Some(body.clone())),
        call(&app, &other.access_token, Method::POST, "/v1/invitations/accept", Some(body.clone())),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::NOT_FOUND]);
});

api_test!(async fn the_daily_limit_is_per_goal(app) {
    let setting = setting(&app).await;
    let share = shared_and_accepted(&app, &setting, json!({ "all_active_goals": {} })).await;
    let sam = &setting.sam.access_token;
    for _ in 0..5 {
        assert_eq!(call(&app, sam, Method::POST, &format!("/v1/shared-with-me/{share}/goals/{}/encouragements", setting.shared_goal), Some(json!({ "message": "Go on" }))).await.0, StatusCode::CREATED);
    }
    assert_eq!(call(&app, sam, Method::POST, &format!("/v1/shared-with-me/{share}/goals/{}/encouragements", setting.shared_goal), Some(json!({ "message": "Go on" }))).await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(call(&app, sam, Method::POST, &format!("/v1/shared-with-me/{share}/goals/{}/encouragements", setting.private_goal), Some(json!({ "message": "And this" }))).await.0, StatusCode::CREATED);
});
