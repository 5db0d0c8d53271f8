//! `/v1/content/services` and `/v1/content/crisis`: the directory, open-now in each
//! service's own time zone, distance search, and crisis lines that answer without
//! the database.

use chrono::{Datelike, Duration, Timelike, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::TestApp;
use crate::support::api_test;
use crate::support::app::{spawn_with, test_settings};
use crate::support::database::{Backend, TestDatabase};
use crate::support::identity::SignedIn;
use crate::support::tcp_proxy::TcpProxy;

async fn send(
    app: &TestApp,
    token: Option<&SignedIn>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = match token {
        Some(person) => app.authorized(method, path, &person.access_token),
        None => app.request(method, path),
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn created(app: &TestApp, editor: &SignedIn, body: Value) -> Value {
    let (status, service) =
        send(app, Some(editor), Method::POST, "/v1/content/services", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    service
}

fn slugs(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["slug"].as_str().unwrap().to_owned())
        .collect()
}

api_test!(async fn editors_keep_the_directory_and_the_public_reads_it(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    let user = app.signed_in_user().await;
    let service = created(&app, &editor, json!({
        "slug": "leeds-peer-group", "name": "Leeds Peer Group", "kind": "peer_support",
        "description": "A weekly peer support group.", "area": "Leeds",
        "channels": [{ "type": "phone", "value": "0113 496 0000" }, { "type": "website", "value": "https://example.org/peers" }],
        "opening_hours": { "time_zone": "Europe/London", "periods": [{ "days": ["tue"], "opens": "18:30", "closes": "20:30" }] },
        "location": { "lat": 53.7997, "lon": -1.5492 }, "cost": "free", "languages": ["en", "pl"],
        "last_verified": "2026-11-01"
    })).await;
    assert_eq!(service["status"], "draft");
    assert_eq!(service["channels"][0]["value"], "+441134960000");
    assert!(service["open_now"].is_boolean());
    let (status, _) = send(&app, None, Method::GET, "/v1/content/services/leeds-peer-group", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "drafts are invisible");
    let (status, _) = send(&app, Some(&user), Method::POST, "/v1/content/services", Some(json!({ "slug": "x", "name": "x", "kind": "charity" }))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let stale = app.authorized(Method::PATCH, "/v1/content/services/leeds-peer-group", &editor.access_token).header("if-match", "\"7\"").json(&json!({ "status": "published" })).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (status, published) = send(&app, Some(&editor), Method::PATCH, "/v1/content/services/leeds-peer-group", Some(json!({ "status": "published", "area": null }))).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["area"], "");
    assert_eq!(published["version"], 2);
    let (status, public) = send(&app, None, Method::GET, "/v1/content/services/leeds-peer-group", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public["name"], "Leeds Peer Group");
    let (_, page) = send(&app, None, Method::GET, "/v1/content/services?kind=peer_support&q=WEEKLY", None).await;
    assert_eq!(slugs(&page), ["leeds-peer-group"]);

    let (status, problem) = send(&app, Some(&editor), Method::POST, "/v1/content/services", Some(json!({
        "slug": "bad", "name": "Bad", "kind": "pub", "channels": [{ "type": "website", "value": "http://x.example" }],
        "opening_hours": { "time_zone": "Europe/London", "periods": [{ "days": ["funday"], "opens": "9", "closes": "17:00" }] },
        "location": { "lat": 95.0, "lon": 0.0 }
    }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|error| error["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/kind", "/channels/0/value", "/opening_hours/periods/0/days/0", "/opening_hours/periods/0/opens", "/location"]);
    let (status, _) = send(&app, Some(&editor), Method::DELETE, "/v1/content/services/leeds-peer-group", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(&app, None, Method::GET, "/v1/content/services/leeds-peer-group", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

api_test!(async fn near_lists_by_distance_within_the_radius(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    for (slug, lat, lon) in [("manchester", 53.4808, -2.2426), ("york", 53.9590, -1.0815), ("leeds", 53.8008, -1.5491), ("glasgow", 55.8642, -4.2518)] {
        created(&app, &editor, json!({ "slug": slug, "name": slug, "kind": "support_group", "location": { "lat": lat, "lon": lon }, "status": "published" })).await;
    }
    created(&app, &editor, json!({ "slug": "online", "name": "online", "kind": "support_group", "online_only": true, "status": "published" })).await;
    let (status, page) = send(&app, None, Method::GET, "/v1/content/services?near=53.7997,-1.5492&within_km=50", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(slugs(&page), ["leeds", "york"]);
    let distances: Vec<f64> = page["items"].as_array().unwrap().iter().map(|item| item["distance_km"].as_f64().unwrap()).collect();
    assert!(distances[0] < 1.0 && (34.0..36.0).contains(&distances[1]), "{distances:?}");
    let (_, wider) = send(&app, None, Method::GET, "/v1/content/services?near=53.7997,-1.5492&within_km=100", None).await;
    assert_eq!(slugs(&wider), ["leeds", "york", "manchester"]);

    let mut seen = Vec::new();
    let mut path = "/v1/content/services?near=53.7997,-1.5492&within_km=100&limit=1".to_owned();
    loop {
        let (_, page) = send(&app, None, Method::GET, &path, None).await;
        seen.extend(slugs(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/content/services?near=53.7997,-1.5492&within_km=100&limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["leeds", "york", "manchester"]);
    let (_, by_name) = send(&app, None, Method::GET, "/v1/content/services", None).await;
    assert_eq!(slugs(&by_name), ["glasgow", "leeds", "manchester", "online", "york"]);
    for bad in ["?near=91,0", "?near=leeds", "?near=53.8,-1.5&within_km=500", "?within_km=10", "?colour=red"] {
        let (status, _) = send(&app, None, Method::GET, &format!("/v1/content/services{bad}"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
});

api_test!(async fn open_now_is_judged_in_each_services_time_zone_across_midnight(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    // A fixed-offset zone where it is now around midday, so that the times below stay
    // within one local day whatever the test's clock says.
    let offset = 12 - i64::from(Utc::now().hour());
    let zone = match offset {
        0 => "Etc/GMT".to_owned(),
        positive if positive > 0 => format!("Etc/GMT-{positive}"),
        negative => format!("Etc/GMT+{}", -negative),
    };
    let local_now = Utc::now() + Duration::hours(offset);
    let at = |minutes: i64| (local_now + Duration::minutes(minutes)).format("%H:%M").to_string();
    let day = |days: i64| (local_now + Duration::days(days)).format("%a").to_string().to_lowercase();
    let hours = |days: Vec<String>, opens: String, closes: String| json!({ "time_zone": zone, "periods": [{ "days": days, "opens": opens, "closes": closes }] });
    for (slug, opening_hours) in [
        ("open-now", hours(vec![day(0)], at(-60), at(60))),
        ("later-today", hours(vec![day(0)], at(120), at(180))),
        ("overnight-from-yesterday", hours(vec![day(-1)], at(60), at(30))),
        ("overnight-starting-tomorrow", hours(vec![day(1)], at(60), at(30))),
        ("always", json!({ "time_zone": "Pacific/Kiritimati", "always_open": true })),
    ] {
        created(&app, &editor, json!({ "slug": slug, "name": slug, "kind": "helpline", "opening_hours": opening_hours, "status": "published" })).await;
    }
    created(&app, &editor, json!({ "slug": "hours-unknown", "name": "hours-unknown", "kind": "helpline", "status": "published" })).await;
    let (status, page) = send(&app, None, Method::GET, "/v1/content/services?open_now=true", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(slugs(&page), ["always", "open-now", "overnight-from-yesterday"], "zone {zone}");
    let (_, everything) = send(&app, None, Method::GET, "/v1/content/services", None).await;
    let unknown = everything["items"].as_array().unwrap().iter().find(|item| item["slug"] == "hours-unknown").unwrap();
    assert_eq!(unknown["open_now"], Value::Null);
});

/// A zone observing daylight-saving time now, where the local hour is between 03:00
/// and 21:00 (so an hour either side stays on one local day), with its current and
/// standard offsets in seconds.
fn a_zone_in_summer_time() -> Option<(chrono_tz::Tz, i32, i32)> {
    use chrono::{Offset, TimeZone};
    let now = Utc::now();
    [
        "Europe/London",
        "Europe/Berlin",
        "America/New_York",
        "America/Los_Angeles",
        "Australia/Sydney",
        "Pacific/Auckland",
        "America/Santiago",
        "Asia/Jerusalem",
    ]
    .iter()
    .filter_map(|name| name.parse::<chrono_tz::Tz>().ok())
    .find_map(|zone| {
        let current = zone.offset_from_utc_datetime(&now.naive_utc()).fix().local_minus_utc();
        let year = now.year();
        let january = zone
            .offset_from_utc_datetime(
                &chrono::NaiveDate::from_ymd_opt(year, 1, 15)?.and_hms_opt(12, 0, 0)?,
            )
            .fix()
            .local_minus_utc();
        let july = zone
            .offset_from_utc_datetime(
                &chrono::NaiveDate::from_ymd_opt(year, 7, 15)?.and_hms_opt(12, 0, 0)?,
            )
            .fix()
            .local_minus_utc();
        let standard = january.min(july);
        let hour = now.with_timezone(&zone).hour();
        (current != standard && (3..21).contains(&hour)).then_some((zone, current, standard))
    })
}

api_test!(async fn open_now_follows_summer_time_in_the_services_zone(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    let (zone, current, standard) = a_zone_in_summer_time().expect("some zone observes summer time at any moment");
    let local = |offset_seconds: i32, minutes: i64| (Utc::now() + Duration::seconds(i64::from(offset_seconds)) + Duration::minutes(minutes)).format("%H:%M").to_string();
    let today = (Utc::now() + Duration::seconds(i64::from(current))).format("%a").to_string().to_lowercase();
    let hours = |opens: String, closes: String| json!({ "time_zone": zone.name(), "periods": [{ "days": [today], "opens": opens, "closes": closes }] });
    // Open for the half hour either side of now on the summer-time clock...
    created(&app, &editor, json!({ "slug": "by-the-summer-clock", "name": "by-the-summer-clock", "kind": "helpline", "status": "published", "opening_hours": hours(local(current, -30), local(current, 30)) })).await;
    // ...and for the half hour either side of what the clock would say without it.
    created(&app, &editor, json!({ "slug": "by-the-winter-clock", "name": "by-the-winter-clock", "kind": "helpline", "status": "published", "opening_hours": hours(local(standard, -30), local(standard, 30)) })).await;
    let (_, page) = send(&app, None, Method::GET, "/v1/content/services?open_now=true", None).await;
    assert_eq!(slugs(&page), ["by-the-summer-clock"], "zone {}", zone.name());
});

api_test!(async fn crisis_lines_follow_the_locale_and_are_never_rate_limited(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    created(&app, &editor, json!({ "slug": "uk-line", "name": "UK line", "kind": "helpline", "crisis_line": true, "country": "GB", "channels": [{ "type": "phone", "value": "116 123" }], "status": "published" })).await;
    created(&app, &editor, json!({ "slug": "irish-line", "name": "Irish line", "kind": "helpline", "crisis_line": true, "country": "IE", "status": "published" })).await;
    created(&app, &editor, json!({ "slug": "uk-draft", "name": "Draft line", "kind": "helpline", "crisis_line": true, "country": "GB" })).await;
    created(&app, &editor, json!({ "slug": "uk-group", "name": "Not a crisis line", "kind": "support_group", "country": "GB", "status": "published" })).await;
    let (status, answer) = send(&app, None, Method::GET, "/v1/content/crisis?locale=en-GB", None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["source"], "live");
    assert_eq!(slugs(&json!({ "items": answer["services"] })), ["uk-line"]);
    let (_, irish) = send(&app, None, Method::GET, "/v1/content/crisis?locale=en-IE", None).await;
    assert_eq!(slugs(&json!({ "items": irish["services"] })), ["irish-line"]);

    let person = app.signed_in_user().await;
    let (_, mine) = send(&app, Some(&person), Method::GET, "/v1/crisis", None).await;
    assert_eq!(mine["lines"][0]["slug"], "uk-line", "the person's crisis view carries the lines of their locale");

    let mut strict = test_settings(&app.database_url);
    strict.rate_limit_per_minute = 5;
    strict.no_migrate = true;
    let strict = spawn_with(&strict).await;
    for _ in 0..20 {
        let response = strict.request(Method::GET, "/v1/content/crisis").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "never rate limited");
    }
    let mut limited = false;
    for _ in 0..20 {
        limited |= strict.request(Method::GET, "/v1/content/articles").send().await.unwrap().status() == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited, "other endpoints are limited at that rate");
    strict.handle().stop(false).await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crisis_lines_answer_with_the_database_stopped() {
    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        eprintln!("skipped: WAYMARK_TEST_POSTGRES_URL is not set");
        return;
    };
    let mut through_proxy = url::Url::parse(database.url()).unwrap();
    let upstream = tokio::net::lookup_host(format!(
        "{}:{}",
        through_proxy.host_str().unwrap_or("127.0.0.1"),
        through_proxy.port().unwrap_or(5432)
    ))
    .await
    .unwrap()
    .find(std::net::SocketAddr::is_ipv4)
    .unwrap();
    let proxy = TcpProxy::start(upstream).await;
    through_proxy.set_host(Some("127.0.0.1")).unwrap();
    through_proxy.set_port(Some(proxy.address().port())).unwrap();

    let direct = spawn_with(&test_settings(database.url())).await;
    let editor = direct.signed_in_with_role(Role::Editor).await;
    created(&direct, &editor, json!({ "slug": "our-line", "name": "Our line", "kind": "helpline", "crisis_line": true, "country": "GB", "status": "published" })).await;
    let mut settings = test_settings(through_proxy.as_str());
    settings.no_migrate = true;
    let replica = spawn_with(&settings).await;
    let (status, live) =
        send(&replica, None, Method::GET, "/v1/content/crisis?locale=en-GB", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(live["source"], "live");

    proxy.cut();
    let started = std::time::Instant::now();
    let (status, remembered) =
        send(&replica, None, Method::GET, "/v1/content/crisis?locale=en-GB", None).await;
    assert_eq!(status, StatusCode::OK, "{remembered}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "no hang: {:?}",
        started.elapsed()
    );
    assert_eq!(remembered["services"][0]["slug"], "our-line");
    let (status, _) = send(&replica, None, Method::GET, "/v1/content/articles", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "the database really is out of reach");

    // An instance that never reached the database still has the built-in lines.
    let mut cold = test_settings(through_proxy.as_str());
    cold.no_migrate = true;
    let cold = spawn_with(&cold).await;
    let started = std::time::Instant::now();
    let (status, built_in) =
        send(&cold, None, Method::GET, "/v1/content/crisis?locale=en-GB", None).await;
    assert_eq!(status, StatusCode::OK, "{built_in}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(built_in["source"], "built_in");
    let names: Vec<&str> = built_in["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|service| service["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Samaritans"), "{names:?}");
    proxy.restore();
    direct.handle().stop(false).await;
    replica.handle().stop(false).await;
    cold.handle().stop(false).await;
}
