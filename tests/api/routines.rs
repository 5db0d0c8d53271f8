//! `/v1/routines` and `/v1/agenda`: routines, their schedules across daylight-saving
//! changes, check-ins and the agenda.

use chrono::{Duration, NaiveDate, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::api_test;
use crate::support::identity::SignedIn;

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
    let (status, routine) = call(app, person, Method::POST, "/v1/routines", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{routine}");
    routine
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn daily_utc(title: &str) -> Value {
    let starts_on = today() - Duration::days(10);
    json!({
        "title": title,
        "category": "exercise",
        "schedule": { "kind": "daily", "times": ["20:30", "08:00"], "starts_on": starts_on, "time_zone": "UTC" }
    })
}

fn pointers(problem: &Value) -> Vec<String> {
    let mut found: Vec<String> = problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|error| error["pointer"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

api_test!(async fn creating_and_reading_a_routine(app) {
    let person = app.signed_in_user().await;
    let response = app
        .authorized(Method::POST, "/v1/routines", &person.access_token)
        .json(&json!({
            "title": " Walk the dog ",
            "category": "exercise",
            "notes": "Round the park",
            "reminder_minutes_before": 15,
            "schedule": { "kind": "weekly", "weekdays": ["thu", "mon"], "times": ["18:00", "07:30"],
                          "starts_on": "2027-01-04", "ends_on": "2027-06-30", "time_zone": "Europe/London" }
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let routine: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/v1/routines/{}", routine["id"].as_str().unwrap()));
    assert_eq!(routine["title"], "Walk the dog");
    assert_eq!(routine["category"], "exercise");
    assert_eq!(routine["notes"], "Round the park");
    assert_eq!(routine["goal_id"], Value::Null);
    assert_eq!(routine["active"], true);
    assert_eq!(routine["reminder_minutes_before"], 15);
    assert_eq!(routine["version"], 1);
    assert_eq!(
        routine["schedule"],
        json!({ "kind": "weekly", "weekdays": ["mon", "thu"], "times": ["07:30", "18:00"], "starts_on": "2027-01-04",
                "ends_on": "2027-06-30", "time_zone": "Europe/London", "rrule": "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270630T225959Z" })
    );
    let (status, read) = call(&app, &person, Method::GET, &location, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, routine);

    // Defaults: the account's time zone, today there, active.
    let plain = created(&app, &person, json!({ "title": "Sleep by 11", "category": "sleep", "schedule": { "kind": "daily", "times": ["23:00"] } })).await;
    assert_eq!(plain["schedule"]["time_zone"], "Europe/London");
    assert!(plain["schedule"]["starts_on"].is_string());
    assert_eq!(plain["schedule"]["rrule"], "FREQ=DAILY");
    let flexible = created(&app, &person, json!({ "title": "Swim", "category": "exercise", "schedule": { "kind": "times_per_week", "count": 3 } })).await;
    assert_eq!(flexible["schedule"]["count"], 3);
    assert_eq!(flexible["schedule"]["times"], json!([]));
    assert_eq!(flexible["schedule"]["rrule"], Value::Null);
});

api_test!(async fn invalid_routines_are_422_with_a_pointer_for_each_problem(app) {
    let person = app.signed_in_user().await;
    let cases = [
        (json!({ "title": "", "category": "naps", "schedule": { "kind": "hourly" } }), vec!["/category", "/schedule/kind", "/title"]),
        (json!({ "title": "A", "category": "sleep", "schedule": { "kind": "weekly", "times": ["08:00"] } }), vec!["/schedule/weekdays"]),
        (json!({ "title": "A", "category": "sleep", "schedule": { "kind": "weekly", "weekdays": ["mon", "funday"], "times": ["8am"] } }), vec!["/schedule/times/0", "/schedule/weekdays/1"]),
        (json!({ "title": "A", "category": "sleep", "schedule": { "kind": "every_n_days", "interval": 1, "times": ["08:00"] } }), vec!["/schedule/interval"]),
        (json!({ "title": "A", "category": "sleep", "schedule": { "kind": "times_per_week", "count": 3, "times": ["08:00"] } }), vec!["/schedule/times"]),
        (json!({ "title": "A", "category": "sleep", "schedule": { "kind": "daily", "times": [] } }), vec!["/schedule/times"]),
        (json!({ "title": "A", "category": "sleep", "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": "2027-02-01", "ends_on": "2027-01-01" } }), vec!["/schedule/ends_on"]),
        (json!({ "title": "A", "category": "sleep", "schedule": { "kind": "daily", "times": ["08:00"], "time_zone": "Mars/Olympus" } }), vec!["/schedule/time_zone"]),
        (json!({ "title": "A", "category": "sleep", "reminder_minutes_before": 2000, "schedule": { "kind": "daily", "times": ["08:00"] } }), vec!["/reminder_minutes_before"]),
        (json!({ "title": "A", "category": "sleep", "schedule": { "kind": "daily", "times": ["08:00"], "interval": 3 } }), vec!["/schedule/interval"]),
        (json!({ "title": "A", "category": "sleep", "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": "0001-01-01", "ends_on": "9999-12-31" } }), vec!["/schedule/ends_on", "/schedule/starts_on"]),
    ];
    for (body, expected) in cases {
        let (status, problem) = call(&app, &person, Method::POST, "/v1/routines", Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(pointers(&problem), expected, "{body}");
    }
    let (status, _) = call(&app, &person, Method::POST, "/v1/routines", Some(json!({ "title": "A", "category": "sleep", "version": 3, "schedule": { "kind": "daily", "times": ["08:00"] } }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "server-owned fields are refused");

    // Another person's goal is as unknown as a made-up one.
    let stranger = app.signed_in_user().await;
    let (_, goal) = call(&app, &stranger, Method::POST, "/v1/goals", Some(json!({ "title": "Theirs", "area": "health" }))).await;
    let (status, problem) = call(&app, &person, Method::POST, "/v1/routines", Some(json!({ "title": "A", "category": "sleep", "goal_id": goal["id"], "schedule": { "kind": "daily", "times": ["08:00"] } }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/goal_id"]);
    let (_, listed) = call(&app, &person, Method::GET, "/v1/routines", None).await;
    assert_eq!(listed["items"], json!([]), "nothing was created");
});

api_test!(async fn routines_are_listed_newest_first_with_filters_and_pages(app) {
    let person = app.signed_in_user().await;
    let (_, goal) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Sleep better", "area": "health" }))).await;
    for number in 0..5 {
        let mut body = daily_utc(&format!("Routine {number}"));
        if number % 2 == 0 {
            body["category"] = json!("sleep");
            body["goal_id"] = goal["id"].clone();
        }
        if number == 4 {
            body["active"] = json!(false);
        }
        created(&app, &person, body).await;
    }
    let titles = |page: &Value| page["items"].as_array().unwrap().iter().map(|item| item["title"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let (_, first) = call(&app, &person, Method::GET, "/v1/routines?limit=2", None).await;
    assert_eq!(titles(&first), ["Routine 4", "Routine 3"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = call(&app, &person, Method::GET, &format!("/v1/routines?limit=2&cursor={cursor}"), None).await;
    assert_eq!(titles(&second), ["Routine 2", "Routine 1"]);
    let (_, sleep) = call(&app, &person, Method::GET, "/v1/routines?category=sleep&active=true", None).await;
    assert_eq!(titles(&sleep), ["Routine 2", "Routine 0"]);
    let goal_id = goal["id"].as_str().unwrap();
    let (_, serving) = call(&app, &person, Method::GET, &format!("/v1/routines?goal_id={goal_id}"), None).await;
    assert_eq!(titles(&serving), ["Routine 4", "Routine 2", "Routine 0"]);
    for bad in ["category=naps", "active=yes", "limit=0", "cursor=forged", "sort=title"] {
        let (status, _) = call(&app, &person, Method::GET, &format!("/v1/routines?{bad}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // Deleting the goal unlinks its routines.
    call(&app, &person, Method::DELETE, &format!("/v1/goals/{goal_id}"), None).await;
    let (_, unlinked) = call(&app, &person, Method::GET, "/v1/routines?category=sleep", None).await;
    assert!(unlinked["items"].as_array().unwrap().iter().all(|item| item["goal_id"].is_null()));
});

api_test!(async fn occurrences_follow_the_clocks_in_the_routines_time_zone(app) {
    let person = app.signed_in_user().await;
    let routine = created(&app, &person, json!({
        "title": "Medication", "category": "medication",
        "schedule": { "kind": "daily", "times": ["01:30"], "starts_on": "2027-01-01", "time_zone": "Europe/London" }
    })).await;
    let path = format!("/v1/routines/{}/occurrences", routine["id"].as_str().unwrap());
    let (status, spring) = call(&app, &person, Method::GET, &format!("{path}?from=2027-03-27&to=2027-03-29"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(spring["time_zone"], "Europe/London");
    let instants: Vec<(Value, Value, Value)> = spring["items"].as_array().unwrap().iter().map(|item| (item["date"].clone(), item["at"].clone(), item["local_at"].clone())).collect();
    assert_eq!(instants, vec![
        (json!("2027-03-27"), json!("2027-03-27T01:30:00Z"), json!("2027-03-27T01:30:00Z")),
        (json!("2027-03-28"), json!("2027-03-28T01:30:00Z"), json!("2027-03-28T02:30:00+01:00")),
        (json!("2027-03-29"), json!("2027-03-29T00:30:00Z"), json!("2027-03-29T01:30:00+01:00")),
    ]);
    let (_, autumn) = call(&app, &person, Method::GET, &format!("{path}?from=2027-10-31&to=2027-10-31"), None).await;
    assert_eq!(autumn["items"].as_array().unwrap().len(), 1, "once, not twice");
    assert_eq!(autumn["items"][0]["at"], "2027-10-31T00:30:00Z");
    for bad in ["from=2027-01-01&to=2028-06-01", "from=2027-02-01&to=2027-01-01", "from=yesterday", "from=0001-01-01&to=0001-01-02", "from=9999-12-31"] {
        let (status, _) = call(&app, &person, Method::GET, &format!("{path}?{bad}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    // A paused routine has none.
    call(&app, &person, Method::PATCH, &format!("/v1/routines/{}", routine["id"].as_str().unwrap()), Some(json!({ "active": false }))).await;
    let (_, paused) = call(&app, &person, Method::GET, &format!("{path}?from=2027-03-27&to=2027-03-29"), None).await;
    assert_eq!(paused["items"], json!([]));
});

api_test!(async fn check_ins_name_real_occurrences_once_each(app) {
    let person = app.signed_in_user().await;
    let routine = created(&app, &person, daily_utc("Stretch")).await;
    let base = format!("/v1/routines/{}/check-ins", routine["id"].as_str().unwrap());
    let today = today();
    let (status, check_in) = call(&app, &person, Method::POST, &base, Some(json!({ "occurrence": { "date": today, "time": "08:00" }, "status": "done", "note": "Felt loose", "feeling": "good" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{check_in}");
    assert_eq!(check_in["occurrence"], json!({ "date": today, "time": "08:00" }));
    assert_eq!(check_in["status"], "done");
    assert_eq!(check_in["feeling"], "good");
    assert_eq!(check_in["version"], 1);

    let (again, _) = call(&app, &person, Method::POST, &base, Some(json!({ "occurrence": { "date": today, "time": "08:00" }, "status": "skipped" }))).await;
    assert_eq!(again, StatusCode::CONFLICT);
    let refused = [
        (json!({ "date": today, "time": "09:00" }), "/occurrence/time"),
        (json!({ "date": today }), "/occurrence/time"),
        (json!({ "date": today + Duration::days(1), "time": "08:00" }), "/occurrence/date"),
        (json!({ "date": today - Duration::days(30), "time": "08:00" }), "/occurrence/date"),
    ];
    for (occurrence, pointer) in refused {
        let (status, problem) = call(&app, &person, Method::POST, &base, Some(json!({ "occurrence": occurrence, "status": "done" }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{occurrence}");
        assert_eq!(pointers(&problem), [pointer], "{occurrence}");
    }
    let (status, problem) = call(&app, &person, Method::POST, &base, Some(json!({ "occurrence": { "date": today, "time": "20:30" }, "status": "maybe", "feeling": "meh" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/feeling", "/status"]);

    let one = format!("{base}/{}", check_in["id"].as_str().unwrap());
    let stale = app.authorized(Method::PATCH, &one, &person.access_token).header("if-match", "\"7\"").json(&json!({ "status": "partly" })).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (status, changed) = call(&app, &person, Method::PATCH, &one, Some(json!({ "status": "partly", "feeling": null }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((changed["status"].clone(), changed["feeling"].clone(), changed["version"].clone()), (json!("partly"), Value::Null, json!(2)));

    let occurrences = format!("/v1/routines/{}/occurrences?from={today}&to={today}", routine["id"].as_str().unwrap());
    let (_, listed) = call(&app, &person, Method::GET, &occurrences, None).await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["check_in"]["status"], "partly");
    assert_eq!(items[1]["check_in"], Value::Null);
    let (_, history) = call(&app, &person, Method::GET, &base, None).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    for bad in ["from=1000-01-01", "to=9999-12-31", "from=2027-01-01&to=2026-01-01"] {
        let (status, _) = call(&app, &person, Method::GET, &format!("{base}?{bad}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }

    let (deleted, _) = call(&app, &person, Method::DELETE, &one, None).await;
    assert_eq!(deleted, StatusCode::NO_CONTENT);
    let (gone, _) = call(&app, &person, Method::DELETE, &one, None).await;
    assert_eq!(gone, StatusCode::NOT_FOUND);
});

api_test!(async fn a_times_per_week_routine_takes_its_count_each_iso_week(app) {
    let person = app.signed_in_user().await;
    let routine = created(&app, &person, json!({
        "title": "Swim", "category": "exercise",
        "schedule": { "kind": "times_per_week", "count": 2, "starts_on": "2026-01-01", "time_zone": "UTC" }
    })).await;
    let base = format!("/v1/routines/{}/check-ins", routine["id"].as_str().unwrap());
    // A complete past ISO week: Monday 2026-11-09 to Sunday 2026-11-15.
    for (day, expected) in [("2026-11-09", StatusCode::CREATED), ("2026-11-12", StatusCode::CREATED), ("2026-11-15", StatusCode::CONFLICT), ("2026-11-16", StatusCode::CREATED)] {
        let (status, body) = call(&app, &person, Method::POST, &base, Some(json!({ "occurrence": { "date": day }, "status": "done" }))).await;
        assert_eq!(status, expected, "{day}: {body}");
    }
    let (status, problem) = call(&app, &person, Method::POST, &base, Some(json!({ "occurrence": { "date": "2026-11-17", "time": "08:00" }, "status": "done" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/occurrence/time"]);
});

api_test!(async fn the_agenda_lists_todays_occurrences_in_time_order(app) {
    let person = app.signed_in_user().await;
    let stretch = created(&app, &person, daily_utc("Stretch")).await;
    created(&app, &person, json!({ "title": "Swim", "category": "exercise", "schedule": { "kind": "times_per_week", "count": 3, "starts_on": "2026-01-01", "time_zone": "UTC" } })).await;
    let mut paused = daily_utc("Paused one");
    paused["active"] = json!(false);
    created(&app, &person, paused).await;
    let today = today();
    call(&app, &person, Method::POST, &format!("/v1/routines/{}/check-ins", stretch["id"].as_str().unwrap()), Some(json!({ "occurrence": { "date": today, "time": "20:30" }, "status": "skipped" }))).await;

    let (status, agenda) = call(&app, &person, Method::GET, &format!("/v1/agenda?date={today}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let entries: Vec<(Value, Value, Value)> = agenda["items"].as_array().unwrap().iter().map(|item| (item["title"].clone(), item["time"].clone(), item["check_in"]["status"].clone())).collect();
    assert_eq!(entries, vec![
        (json!("Stretch"), json!("08:00"), Value::Null),
        (json!("Stretch"), json!("20:30"), json!("skipped")),
        (json!("Swim"), Value::Null, Value::Null),
    ]);
    assert_eq!(agenda["items"][2]["week"], json!({ "target": 3, "checked_in": 0 }));

    let (_, week) = call(&app, &person, Method::GET, &format!("/v1/agenda?from={today}&to={}", today + Duration::days(6)), None).await;
    assert_eq!(week["items"].as_array().unwrap().len(), 7 * 3);
    for bad in [format!("from={today}&to={}", today + Duration::days(14)), format!("date={today}&from={today}"), "date=tomorrow".to_owned(), "date=9999-12-31".to_owned(), "from=0001-01-01".to_owned()] {
        let (status, _) = call(&app, &person, Method::GET, &format!("/v1/agenda?{bad}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
});

api_test!(async fn updating_and_deleting_routines_honour_if_match(app) {
    let person = app.signed_in_user().await;
    let routine = created(&app, &person, daily_utc("Read")).await;
    let path = format!("/v1/routines/{}", routine["id"].as_str().unwrap());
    let stale = app.authorized(Method::PATCH, &path, &person.access_token).header("if-match", "\"9\"").json(&json!({ "title": "Read more" })).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (status, changed) = call(&app, &person, Method::PATCH, &path, Some(json!({
        "title": "Read more", "notes": null, "reminder_minutes_before": 30,
        "schedule": { "kind": "every_n_days", "interval": 2, "times": ["21:00"], "starts_on": "2027-01-01" }
    }))).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["title"], "Read more");
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["schedule"]["rrule"], "FREQ=DAILY;INTERVAL=2");
    assert_eq!(changed["schedule"]["time_zone"], "UTC", "a new schedule keeps the routine's zone unless it names one");
    let (status, problem) = call(&app, &person, Method::PATCH, &path, Some(json!({ "title": null, "schedule": { "kind": "weekly" } }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/schedule/weekdays", "/title"]);
    let stale = app.authorized(Method::DELETE, &path, &person.access_token).header("if-match", "\"1\"").send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (status, _) = call(&app, &person, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, &person, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

api_test!(async fn another_persons_routines_are_404_on_every_verb(app) {
    let owner = app.signed_in_user().await;
    let stranger = app.signed_in_user().await;
    let routine = created(&app, &owner, daily_utc("Mine")).await;
    let id = routine["id"].as_str().unwrap();
    let (_, check_in) = call(&app, &owner, Method::POST, &format!("/v1/routines/{id}/check-ins"), Some(json!({ "occurrence": { "date": today(), "time": "08:00" }, "status": "done" }))).await;
    let check_in_path = format!("/v1/routines/{id}/check-ins/{}", check_in["id"].as_str().unwrap());
    let attempts = [
        (Method::GET, format!("/v1/routines/{id}"), None),
        (Method::PATCH, format!("/v1/routines/{id}"), Some(json!({ "title": "Taken" }))),
        (Method::DELETE, format!("/v1/routines/{id}"), None),
        (Method::GET, format!("/v1/routines/{id}/occurrences"), None),
        (Method::GET, format!("/v1/routines/{id}/check-ins"), None),
        (Method::POST, format!("/v1/routines/{id}/check-ins"), Some(json!({ "occurrence": { "date": today(), "time": "20:30" }, "status": "done" }))),
        (Method::PATCH, check_in_path.clone(), Some(json!({ "status": "skipped" }))),
        (Method::DELETE, check_in_path.clone(), None),
    ];
    for (method, path, body) in attempts {
        let (status, _) = call(&app, &stranger, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let (_, theirs) = call(&app, &stranger, Method::GET, "/v1/agenda", None).await;
    assert_eq!(theirs["items"], json!([]));
    let (_, mine) = call(&app, &owner, Method::GET, &format!("/v1/routines/{id}"), None).await;
    assert_eq!(mine, routine, "unchanged");
    let (_, still) = call(&app, &owner, Method::GET, &format!("/v1/routines/{id}/check-ins"), None).await;
    assert_eq!(still["items"][0]["status"], "done");
});

api_test!(async fn erasing_the_account_removes_routines_and_check_ins(app) {
    let person = app.signed_in_user().await;
    let routine = created(&app, &person, daily_utc("Walk")).await;
    call(&app, &person, Method::POST, &format!("/v1/routines/{}/check-ins", routine["id"].as_str().unwrap()), Some(json!({ "occurrence": { "date": today(), "time": "08:00" }, "status": "done" }))).await;
    let account = uuid::Uuid::parse_str(&person.account_id).unwrap();
    let before = crate::support::storage::rows_belonging_to(&app.database_url, account).await;
    let count = |rows: &[(String, i64)], table: &str| rows.iter().find(|(name, _)| name == table).map(|(_, count)| *count);
    assert_eq!(count(&before, "routines"), Some(1));
    assert_eq!(count(&before, "routine_check_ins"), Some(1));
    let erased = app.authorized(Method::DELETE, "/v1/me", &person.access_token).json(&json!({ "password": crate::support::identity::GOOD_PASSWORD })).send().await.unwrap();
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    let after = crate::support::storage::rows_belonging_to(&app.database_url, account).await;
    assert!(after.iter().all(|(_, count)| *count == 0), "{after:?}");
});

api_test!(async fn stats_are_kind_to_skips_and_count_partly_as_half(app) {
    let person = app.signed_in_user().await;
    let starts_on = today() - Duration::days(10);
    let routine = created(&app, &person, json!({
        "title": "Morning pages", "category": "self_care",
        "schedule": { "kind": "daily", "times": ["08:00"], "starts_on": starts_on, "time_zone": "UTC" }
    })).await;
    let id = routine["id"].as_str().unwrap();
    for (days_ago, status) in [(3, "done"), (2, "skipped"), (1, "partly")] {
        let (created_status, body) = call(&app, &person, Method::POST, &format!("/v1/routines/{id}/check-ins"), Some(json!({ "occurrence": { "date": today() - Duration::days(days_ago), "time": "08:00" }, "status": status }))).await;
        assert_eq!(created_status, StatusCode::CREATED, "{body}");
    }
    let (status, stats) = call(&app, &person, Method::GET, &format!("/v1/routines/{id}/stats?days=7"), None).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["streak_unit"], "occurrences");
    assert_eq!(stats["current_streak"], 2, "a skip neither breaks nor extends it");
    assert_eq!(stats["longest_streak"], 2);
    assert_eq!(
        stats["window"],
        json!({ "expected": 6, "done": 1, "partly": 1, "skipped": 1, "missed": 3, "rate": 0.25 })
    );
    let weekdays = stats["per_weekday"].as_array().unwrap();
    assert_eq!(weekdays.len(), 7);
    assert_eq!(weekdays.iter().map(|day| day["expected"].as_u64().unwrap()).sum::<u64>(), 6);

    // Pausing today changes nothing that already happened.
    call(&app, &person, Method::PATCH, &format!("/v1/routines/{id}"), Some(json!({ "active": false }))).await;
    let (_, paused) = call(&app, &person, Method::GET, &format!("/v1/routines/{id}/stats?days=7"), None).await;
    assert_eq!(paused["current_streak"], 2);
    for bad in ["days=8", "days=week", "from=2027-01-01"] {
        let (status, _) = call(&app, &person, Method::GET, &format!("/v1/routines/{id}/stats?{bad}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let stranger = app.signed_in_user().await;
    let (status, _) = call(&app, &stranger, Method::GET, &format!("/v1/routines/{id}/stats"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

api_test!(async fn a_batch_answers_each_check_in_on_its_own_and_replays_under_its_key(app) {
    let person = app.signed_in_user().await;
    let stranger = app.signed_in_user().await;
    let mine = created(&app, &person, daily_utc("Stretch")).await;
    let theirs = created(&app, &stranger, daily_utc("Theirs")).await;
    let today = today();
    let body = json!({ "items": [
        { "routine_id": mine["id"], "occurrence": { "date": today, "time": "08:00" }, "status": "done" },
        { "routine_id": mine["id"], "occurrence": { "date": today, "time": "08:00" }, "status": "skipped" },
        { "routine_id": theirs["id"], "occurrence": { "date": today, "time": "08:00" }, "status": "done" },
        { "routine_id": mine["id"], "occurrence": { "date": today, "time": "20:30" }, "status": "nearly" },
        { "routine_id": mine["id"], "occurrence": { "date": today - Duration::days(1), "time": "20:30" }, "status": "partly", "feeling": "okay" },
    ]});
    let send = || app.authorized(Method::POST, "/v1/check-ins:batch", &person.access_token).header("idempotency-key", "offline-day").json(&body).send();
    let response = send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let first: Value = response.json().await.unwrap();
    let statuses: Vec<u64> = first["results"].as_array().unwrap().iter().map(|result| result["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [201, 409, 404, 422, 201]);
    assert_eq!(first["results"][3]["problem"]["errors"][0]["pointer"], "/items/3/status");
    assert_eq!(first["results"][4]["check_in"]["feeling"], "okay");

    let replay = send().await.unwrap();
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap(), first);
    let (_, recorded) = call(&app, &person, Method::GET, &format!("/v1/routines/{}/check-ins", mine["id"].as_str().unwrap()), None).await;
    assert_eq!(recorded["items"].as_array().unwrap().len(), 2, "nothing recorded twice");
    let (_, untouched) = call(&app, &stranger, Method::GET, &format!("/v1/routines/{}/check-ins", theirs["id"].as_str().unwrap()), None).await;
    assert_eq!(untouched["items"], json!([]));

    for bad in [json!({ "items": [] }), json!({ "items": (0..101).map(|_| json!({ "routine_id": mine["id"], "occurrence": { "date": today, "time": "08:00" }, "status": "done" })).collect::<Vec<_>>() }), json!({ "items": [{ "routine_id": mine["id"], "occurrence": { "date": today, "time": "08:00" }, "status": "done", "version": 2 }] })] {
        let (status, _) = call(&app, &person, Method::POST, "/v1/check-ins:batch", Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
});

/// Parses `text` with an independent iCalendar parser (the `ical` crate).
fn parse_calendar(text: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = calendars.next().expect("one calendar").expect("a valid calendar");
    assert!(calendars.next().is_none(), "only one calendar");
    calendar
}

fn property<'a>(
    properties: &'a [ical::property::Property],
    name: &str,
) -> Option<&'a ical::property::Property> {
    properties.iter().find(|property| property.name == name)
}

api_test!(async fn notes_may_have_several_lines(app) {
    let person = app.signed_in_user().await;
    let mut body = daily_utc("Journal");
    body["notes"] = json!("First thought.\r\nSecond thought.");
    let routine = created(&app, &person, body).await;
    assert_eq!(routine["notes"], "First thought.\nSecond thought.");
    let (status, goal) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Write more", "area": "hobbies", "why": "It calms me.\n\nAnd I like it." }))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(goal["why"], "It calms me.\n\nAnd I like it.");
    let (status, problem) = call(&app, &person, Method::POST, "/v1/goals", Some(json!({ "title": "Two\nlines", "area": "hobbies" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "titles stay on one line");
    assert_eq!(pointers(&problem), ["/title"]);
});

api_test!(async fn routines_are_a_valid_icalendar_with_rules_zones_and_alarms(app) {
    let person = app.signed_in_user().await;
    created(&app, &person, json!({
        "title": "Walk, then breakfast; slowly", "category": "exercise", "notes": "Before work,\r\nwith the dog", "reminder_minutes_before": 10,
        "schedule": { "kind": "weekly", "weekdays": ["mon", "thu"], "times": ["07:30", "18:00"], "starts_on": "2027-01-06", "time_zone": "Europe/London" }
    })).await;
    created(&app, &person, json!({ "title": "Swim", "category": "exercise", "schedule": { "kind": "times_per_week", "count": 2 } })).await;
    created(&app, &person, json!({ "title": "Pills", "category": "medication", "schedule": { "kind": "every_n_days", "interval": 2, "times": ["21:00"], "starts_on": "2027-01-01", "ends_on": "2027-12-31", "time_zone": "America/New_York" } })).await;
    let unauthenticated = app.get("/v1/routines/calendar.ics").await;
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let response = app.authorized(Method::GET, "/v1/routines/calendar.ics", &person.access_token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    assert_eq!(response.headers()["cache-control"], "no-store");
    let text = response.text().await.unwrap();
    assert!(text.lines().all(|line| line.len() <= 75), "lines are folded");
    let calendar = parse_calendar(&text);
    assert_eq!(property(&calendar.properties, "VERSION").and_then(|p| p.value.clone()).as_deref(), Some("2.0"));
    let zones: Vec<String> = calendar.timezones.iter().filter_map(|zone| property(&zone.properties, "TZID").and_then(|p| p.value.clone())).collect();
    assert_eq!(zones, ["America/New_York", "Europe/London"]);
    assert_eq!(calendar.events.len(), 3, "one per time of day; times_per_week has no fixed days");
    let walk: Vec<_> = calendar.events.iter().filter(|event| property(&event.properties, "SUMMARY").and_then(|p| p.value.clone()).is_some_and(|summary| summary.starts_with("Walk"))).collect();
    assert_eq!(walk.len(), 2);
    let first = walk.iter().find(|event| property(&event.properties, "DTSTART").and_then(|p| p.value.clone()).as_deref() == Some("20270107T073000")).expect("the 07:30 series, from the first due day (a Thursday)");
    let start = property(&first.properties, "DTSTART").unwrap();
    assert_eq!(start.params.as_ref().and_then(|params| params.iter().find(|(name, _)| name == "TZID")).map(|(_, values)| values.clone()), Some(vec!["Europe/London".to_owned()]));
    assert_eq!(property(&first.properties, "RRULE").and_then(|p| p.value.clone()).as_deref(), Some("FREQ=WEEKLY;BYDAY=MO,TH"));
    assert_eq!(property(&first.properties, "SUMMARY").and_then(|p| p.value.clone()).as_deref(), Some("Walk\\, then breakfast\\; slowly"));
    assert_eq!(property(&first.properties, "DESCRIPTION").and_then(|p| p.value.clone()).as_deref(), Some("Before work\\,\\nwith the dog"));
    assert_eq!(first.alarms.len(), 1);
    assert_eq!(property(&first.alarms[0].properties, "TRIGGER").and_then(|p| p.value.clone()).as_deref(), Some("-PT10M"));
    let pills = calendar.events.iter().find(|event| property(&event.properties, "SUMMARY").and_then(|p| p.value.clone()).as_deref() == Some("Pills")).unwrap();
    assert_eq!(property(&pills.properties, "RRULE").and_then(|p| p.value.clone()).as_deref(), Some("FREQ=DAILY;INTERVAL=2;UNTIL=20280101T045959Z"));
    assert!(pills.alarms.is_empty());
    let uids: std::collections::HashSet<_> = calendar.events.iter().filter_map(|event| property(&event.properties, "UID").and_then(|p| p.value.clone())).collect();
    assert_eq!(uids.len(), 3, "unique UIDs");
});

api_test!(async fn a_calendar_feed_address_works_until_rotated_or_revoked(app) {
    let person = app.signed_in_user().await;
    let mut private = daily_utc("Stretch");
    private["notes"] = json!("After my appointment");
    created(&app, &person, private).await;
    let (status, none) = call(&app, &person, Method::DELETE, "/v1/me/calendar-feed", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{none}");
    let (status, feed) = call(&app, &person, Method::POST, "/v1/me/calendar-feed", None).await;
    assert_eq!(status, StatusCode::CREATED);
    let url = feed["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("/v1/calendar/{}.ics", feed["token"].as_str().unwrap()));
    let subscribed = app.get(&url).await;
    assert_eq!(subscribed.status(), StatusCode::OK, "no bearer token needed");
    let text = subscribed.text().await.unwrap();
    assert!(!text.contains("appointment"), "the token-less address leaves notes out");
    let calendar = parse_calendar(&text);
    assert_eq!(calendar.events.len(), 2);

    let (_, rotated) = call(&app, &person, Method::POST, "/v1/me/calendar-feed", None).await;
    assert_eq!(app.get(&url).await.status(), StatusCode::NOT_FOUND, "the old address stops working");
    let new_url = rotated["url"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&new_url).await.status(), StatusCode::OK);
    for guess in ["/v1/calendar/wmc_guess.ics", "/v1/calendar/nothing.ics"] {
        let response = app.get(guess).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let (status, _) = call(&app, &person, Method::DELETE, "/v1/me/calendar-feed", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&new_url).await.status(), StatusCode::NOT_FOUND);
});

/// Records directly that `routine` was paused from `from` until `until` (the API
/// can only pause from today on).
async fn record_past_pause(
    app: &TestApp,
    owner: &SignedIn,
    routine: &Value,
    from: NaiveDate,
    until: NaiveDate,
) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let connection = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let backend = connection.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        "INSERT INTO routine_pauses (id, routine_id, account_id, paused_on, resumed_on) VALUES ($1, $2, $3, $4, $5)"
    } else {
        "INSERT INTO routine_pauses (id, routine_id, account_id, paused_on, resumed_on) VALUES (?, ?, ?, ?, ?)"
    };
    let id = |text: &str| uuid::Uuid::parse_str(text).unwrap();
    connection
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                uuid::Uuid::now_v7().into(),
                id(routine["id"].as_str().unwrap()).into(),
                id(&owner.account_id).into(),
                from.into(),
                until.into(),
            ],
        ))
        .await
        .unwrap();
    connection.close().await.unwrap();
}

api_test!(async fn days_a_routine_was_paused_have_no_occurrences(app) {
    let person = app.signed_in_user().await;
    let routine = created(&app, &person, daily_utc("Stretch")).await;
    let id = routine["id"].as_str().unwrap();
    let today = today();
    record_past_pause(&app, &person, &routine, today - Duration::days(5), today - Duration::days(3)).await;
    let (_, listed) = call(&app, &person, Method::GET, &format!("/v1/routines/{id}/occurrences?from={}&to={}", today - Duration::days(6), today - Duration::days(1)), None).await;
    let dates: std::collections::BTreeSet<String> = listed["items"].as_array().unwrap().iter().map(|item| item["date"].as_str().unwrap().to_owned()).collect();
    assert_eq!(dates.len(), 4, "{dates:?}");
    assert!(!dates.contains(&(today - Duration::days(5)).to_string()));
    assert!(!dates.contains(&(today - Duration::days(4)).to_string()));
    let (status, problem) = call(&app, &person, Method::POST, &format!("/v1/routines/{id}/check-ins"), Some(json!({ "occurrence": { "date": today - Duration::days(5), "time": "08:00" }, "status": "done" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointers(&problem), ["/occurrence/date"]);
    let (_, agenda) = call(&app, &person, Method::GET, &format!("/v1/agenda?from={}&to={}", today - Duration::days(5), today - Duration::days(4)), None).await;
    assert_eq!(agenda["items"], json!([]));
    let (_, stats) = call(&app, &person, Method::GET, &format!("/v1/routines/{id}/stats?days=7"), None).await;
    assert_eq!(stats["window"]["expected"], 8, "six past days, two of them paused, two times a day");
});

api_test!(async fn the_agenda_shows_a_change_made_right_after_it_was_read(app) {
    // The agenda's reads are kept in memory between requests: every change must be
    // seen by the very next read.
    let person = app.signed_in_user().await;
    let stretch = created(&app, &person, daily_utc("Stretch")).await;
    let today = today();
    let agenda = format!("/v1/agenda?date={today}");
    let statuses = |agenda: &Value| -> Vec<Value> { agenda["items"].as_array().unwrap().iter().map(|item| item["check_in"]["status"].clone()).collect() };
    let (_, before) = call(&app, &person, Method::GET, &agenda, None).await;
    assert_eq!(statuses(&before), [Value::Null, Value::Null]);

    let check_ins = format!("/v1/routines/{}/check-ins", stretch["id"].as_str().unwrap());
    let (status, _) = call(&app, &person, Method::POST, &check_ins, Some(json!({ "occurrence": { "date": today, "time": "08:00" }, "status": "done" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, after) = call(&app, &person, Method::GET, &agenda, None).await;
    assert_eq!(statuses(&after), [json!("done"), Value::Null]);

    let (status, _) = call(&app, &person, Method::PATCH, &format!("/v1/routines/{}", stretch["id"].as_str().unwrap()), Some(json!({ "title": "Long stretch" }))).await;
    assert!(status.is_success(), "{status}");
    let (_, renamed) = call(&app, &person, Method::GET, &agenda, None).await;
    assert_eq!(renamed["items"][0]["title"], "Long stretch");

    let (status, _) = call(&app, &person, Method::DELETE, &format!("/v1/routines/{}", stretch["id"].as_str().unwrap()), None).await;
    assert!(status.is_success(), "{status}");
    let (_, gone) = call(&app, &person, Method::GET, &agenda, None).await;
    assert_eq!(gone["items"], json!([]));
});
