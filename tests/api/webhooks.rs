//! Webhooks through HTTP: a confidential client subscribes a receiver (a real HTTP
//! server in this process) and is sent signed events for the people who granted it the
//! matching read scope, and nothing else; failed attempts are logged and retried, a
//! message can be sent again, secrets rotate with a day's overlap, addresses are
//! checked (at delivery too), and two instances never send the same attempt.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;
use waymark_domain::webhooks::{SigningSecret, signature};

use crate::authorize::{APP_REDIRECT, let_in};
use crate::support::identity::SignedIn;
use crate::support::{TestApp, api_test};

/// Loopback receivers are allowed in these tests, as in local development.
fn loopback(settings: &mut waymark::Settings) {
    settings.webhooks_allow_loopback = true;
}

/// One message as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: i64,
    signature: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// Whether `secret` signed it (one of the signatures is its).
    fn signed_by(&self, secret: &str) -> bool {
        let secret = SigningSecret::parse(secret).unwrap();
        let expected = signature(&[secret], &self.id, self.timestamp, &self.body);
        self.signature.split(' ').any(|one| one == expected)
    }
}

/// A webhook receiver on loopback that answers `status` (200 to begin with; a 3xx
/// with a `Location`), after `delay_ms` (none to begin with).
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
    handle: actix_web::dev::ServerHandle,
}

impl Receiver {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}/hooks", listener.local_addr().unwrap().port());
        let got = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let (kept, answer, wait) = (Arc::clone(&got), Arc::clone(&status), Arc::clone(&delay_ms));
        let server = HttpServer::new(move || {
            let (kept, answer, wait) = (Arc::clone(&kept), Arc::clone(&answer), Arc::clone(&wait));
            App::new().route(
                "/hooks",
                web::post().to(move |request: HttpRequest, body: String| {
                    let (kept, answer, wait) =
                        (Arc::clone(&kept), Arc::clone(&answer), Arc::clone(&wait));
                    async move {
                        let header = |name: &str| {
                            request
                                .headers()
                                .get(name)
                                .and_then(|value| value.to_str().ok())
                                .unwrap_or_default()
                                .to_owned()
                        };
                        kept.lock().unwrap().push(Received {
                            id: header("webhook-id"),
                            timestamp: header("webhook-timestamp").parse().unwrap_or_default(),
                            signature: header("webhook-signature"),
                            body,
                        });
                        tokio::time::sleep(Duration::from_millis(wait.load(Ordering::SeqCst)))
                            .await;
                        let status = answer.load(Ordering::SeqCst);
                        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                            .insert_header(("location", "/elsewhere"))
                            .finish()
                    }
                }),
            )
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self { url, got, status, delay_ms, handle }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `count` messages arrived (at most 15 seconds), and answers them all.
    async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..300 {
            let got = self.received();
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} messages, got {:?}", self.received());
    }

    async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// A confidential client with `scopes` (besides `webhooks`) and its own token.
struct Partner {
    id: String,
    token: String,
}

async fn partner(app: &TestApp, scopes: &[&str]) -> Partner {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let mut all: Vec<&str> = scopes.to_vec();
    all.push("webhooks");
    let registered: Value = app
        .authorized(Method::POST, "/v1/admin/clients", &admin.access_token)
        .json(&json!({ "name": "Hillside backend", "kind": "confidential", "redirect_uris": [APP_REDIRECT], "scopes": all }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = registered["id"].as_str().unwrap().to_owned();
    let secret = registered["client_secret"].as_str().unwrap().to_owned();
    let tokens: Value = app
        .client
        .post(app.url("/v1/auth/token"))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"].as_str().unwrap_or_else(|| panic!("{tokens}")).to_owned();
    Partner { id, token }
}

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
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn subscribe(app: &TestApp, partner: &Partner, url: &str, events: Value) -> Value {
    let (status, created) = call(
        app,
        &partner.token,
        Method::POST,
        "/v1/webhooks",
        Some(json!({ "url": url, "event_types": events })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

async fn goal(app: &TestApp, person: &SignedIn, title: &str) -> String {
    let (status, goal) = call(
        app,
        &person.access_token,
        Method::POST,
        "/v1/goals",
        Some(json!({ "title": title, "area": "health" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{goal}");
    goal["id"].as_str().unwrap().to_owned()
}

/// The subscription's delivery log, once it has `count` attempts.
async fn log_once_it_has(
    app: &TestApp,
    partner: &Partner,
    webhook: &str,
    count: usize,
) -> Vec<Value> {
    for _ in 0..200 {
        let (status, page) = call(
            app,
            &partner.token,
            Method::GET,
            &format!("/v1/webhooks/{webhook}/attempts"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap().clone();
        if items.len() >= count {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the log never had {count} attempts");
}

api_test!(async fn a_client_is_sent_signed_events_only_for_people_who_granted_it_the_scope(app) with loopback; {
    let receiver = Receiver::start().await;
    let partner = partner(&app, &["goals:read", "contacts:read"]).await;
    let granting = app.signed_in_user().await;
    let_in(&app, &partner.id, &granting.email, "goals:read").await;
    let other = app.signed_in_user().await;
    let created = subscribe(&app, &partner, &receiver.url, json!(["goal.created", "goal.check_in.created", "goal.deleted", "contact.created"])).await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    assert_eq!(created["active"], true);

    let goal_id = goal(&app, &granting, "Walk by the canal").await;
    let (status, _) = call(&app, &granting.access_token, Method::POST, &format!("/v1/goals/{goal_id}/check-ins"), Some(json!({ "note": "a private note", "progress": 1 }))).await;
    assert!(status.is_success(), "{status}");
    // Not granted contacts:read: a contact reaches nobody. Not granting at all: nothing.
    let (status, _) = call(&app, &granting.access_token, Method::POST, "/v1/contacts", Some(json!({ "name": "Alex", "kind": "friend" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    goal(&app, &other, "Someone else's goal").await;
    // A write that is refused sends nothing.
    let (status, _) = app.authorized(Method::PATCH, &format!("/v1/goals/{goal_id}"), &granting.access_token).header("if-match", "\"999\"").json(&json!({ "title": "x" })).send().await.map(|r| (r.status(), ())).unwrap();
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);

    let got = receiver.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let got_all = receiver.received();
    assert_eq!(got_all.len(), 2, "only the granting person's goal events: {got_all:?}");
    let types: Vec<String> = got.iter().map(|message| message.json()["type"].as_str().unwrap().to_owned()).collect();
    assert!(types.contains(&"goal.created".to_owned()) && types.contains(&"goal.check_in.created".to_owned()), "{types:?}");
    for message in &got {
        assert!(message.signed_by(&secret), "signed with the subscription's secret: {message:?}");
        assert!(message.id.starts_with("msg_"));
        assert!((message.timestamp - chrono::Utc::now().timestamp()).abs() < 60);
        let payload = message.json();
        assert_eq!(payload["data"]["person_id"], granting.account_id.as_str(), "{payload}");
        assert!(payload["id"].as_str().unwrap().starts_with("evt_"));
        assert!(!message.body.contains("private note") && !message.body.contains(&granting.email), "{payload}");
    }
    let created_goal = got.iter().map(Received::json).find(|payload| payload["type"] == "goal.created").unwrap();
    assert_eq!(created_goal["data"]["resource_type"], "goal");
    assert_eq!(created_goal["data"]["resource_id"], goal_id.as_str());
    assert_eq!(created_goal["data"]["version"], 1);

    let webhook = created["id"].as_str().unwrap();
    let log = log_once_it_has(&app, &partner, webhook, 2).await;
    assert!(log.iter().all(|attempt| attempt["delivered"] == true && attempt["status_code"] == 200), "{log:?}");

    // Deleting the goal: goal.deleted with no version.
    let deleted = app.authorized(Method::DELETE, &format!("/v1/goals/{goal_id}"), &granting.access_token).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let got = receiver.wait_for(3).await;
    let gone = got.iter().map(Received::json).find(|payload| payload["type"] == "goal.deleted").unwrap();
    assert_eq!(gone["data"]["version"], Value::Null);

    // Taking the grant back stops the events at once.
    let own = app.authorized(Method::DELETE, &format!("/v1/me/grants/{}", partner.id), &granting.access_token).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::NO_CONTENT);
    goal(&app, &granting, "After the grant").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(receiver.received().len(), 3, "nothing after the grant was taken back");
    receiver.stop().await;
});

api_test!(async fn failed_attempts_are_logged_retried_and_can_be_sent_again_by_hand(app) with loopback; {
    let receiver = Receiver::start().await;
    receiver.status.store(500, Ordering::SeqCst);
    let partner = partner(&app, &["goals:read"]).await;
    let person = app.signed_in_user().await;
    let_in(&app, &partner.id, &person.email, "goals:read").await;
    let created = subscribe(&app, &partner, &receiver.url, json!(["goal.created"])).await;
    let webhook = created["id"].as_str().unwrap();
    goal(&app, &person, "Sleep before midnight").await;

    let first = receiver.wait_for(1).await;
    let log = log_once_it_has(&app, &partner, webhook, 1).await;
    assert_eq!(log[0]["delivered"], false);
    assert_eq!(log[0]["status_code"], 500);
    assert!(log[0]["error"].as_str().unwrap().contains("500"), "{log:?}");
    assert_eq!(log[0]["message_id"], first[0].id.as_str());
    let (_, read) = call(&app, &partner.token, Method::GET, &format!("/v1/webhooks/{webhook}"), None).await;
    assert!(read["failing_since"].is_string(), "{read}");

    // The first retry comes about five seconds later, under the same id.
    receiver.status.store(204, Ordering::SeqCst);
    let again = receiver.wait_for(2).await;
    assert_eq!(again[1].id, again[0].id, "a retry is the same message");
    let log = log_once_it_has(&app, &partner, webhook, 2).await;
    assert_eq!(log[0]["delivered"], true, "newest first: {log:?}");
    let (_, read) = call(&app, &partner.token, Method::GET, &format!("/v1/webhooks/{webhook}"), None).await;
    assert_eq!(read["failing_since"], Value::Null, "a delivery ends the run of failures: {read}");

    // Sent again by hand, a third time, still the same id.
    let message = again[0].id.clone();
    let (status, _) = call(&app, &partner.token, Method::POST, &format!("/v1/webhooks/{webhook}/messages/{message}/redeliver"), None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let thrice = receiver.wait_for(3).await;
    assert_eq!(thrice[2].id, message);
    let (status, _) = call(&app, &partner.token, Method::POST, &format!("/v1/webhooks/{webhook}/messages/msg_00000000000000000000000000000000/redeliver"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, &partner.token, Method::POST, &format!("/v1/webhooks/{webhook}/messages/not-a-message/redeliver"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    receiver.stop().await;
});

api_test!(async fn subscriptions_are_checked_and_belong_to_their_client_alone(app) with loopback; {
    let receiver = Receiver::start().await;
    let partner = partner(&app, &["goals:read"]).await;
    let rival = partner_of(&app).await;
    for (body, pointer) in [
        (json!({ "url": "https://10.0.0.7/hooks", "event_types": ["goal.created"] }), "/url"),
        (json!({ "url": "https://169.254.169.254/latest", "event_types": ["goal.created"] }), "/url"),
        (json!({ "url": "http://hooks.example.org/", "event_types": ["goal.created"] }), "/url"),
        (json!({ "url": receiver.url, "event_types": [] }), "/event_types"),
        (json!({ "url": receiver.url, "event_types": ["goal.eaten"] }), "/event_types"),
        (json!({ "url": receiver.url, "event_types": ["content.article.published"] }), "/event_types"),
    ] {
        let (status, problem) = call(&app, &partner.token, Method::POST, "/v1/webhooks", Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{problem}");
    }
    let person = app.signed_in_user().await;
    let (status, _) = call(&app, &person.access_token, Method::GET, "/v1/webhooks", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a person's token manages no webhooks");

    let created = subscribe(&app, &partner, &receiver.url, json!(["goal.created"])).await;
    let webhook = created["id"].as_str().unwrap();
    let address = format!("/v1/webhooks/{webhook}");
    for (method, path) in [(Method::GET, address.clone()), (Method::DELETE, address.clone()), (Method::GET, format!("{address}/attempts")), (Method::POST, format!("{address}/secret/rotate"))] {
        let (status, _) = call(&app, &rival.token, method.clone(), &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path} by another client");
    }
    let (status, _) = call(&app, &rival.token, Method::PATCH, &address, Some(json!({ "active": false }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = call(&app, &rival.token, Method::GET, "/v1/webhooks", None).await;
    assert_eq!(listed["items"], json!([]));
    let (_, listed) = call(&app, &partner.token, Method::GET, "/v1/webhooks", None).await;
    assert_eq!(listed["items"][0]["id"], webhook);
    assert!(listed["items"][0].get("secret").is_none(), "a secret is shown once");

    let stale = app.authorized(Method::PATCH, &address, &partner.token).header("if-match", "\"7\"").json(&json!({ "active": false })).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let (status, paused) = call(&app, &partner.token, Method::PATCH, &address, Some(json!({ "active": false, "event_types": ["goal.created", "goal.updated"] }))).await;
    assert_eq!(status, StatusCode::OK, "{paused}");
    assert_eq!((paused["active"].clone(), paused["status"].clone(), paused["version"].clone()), (json!(false), json!("paused"), json!(2)));
    assert_eq!(paused["event_types"], json!(["goal.created", "goal.updated"]));
    let (status, problem) = call(&app, &partner.token, Method::PATCH, &address, Some(json!({ "url": null }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    // Rotation: the next messages carry both signatures for a day.
    let first_secret = created["secret"].as_str().unwrap().to_owned();
    let (status, rotated) = call(&app, &partner.token, Method::POST, &format!("{address}/secret/rotate"), None).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, first_secret);
    let until = chrono::DateTime::parse_from_rfc3339(rotated["previous_secret_expires_at"].as_str().unwrap()).unwrap();
    let hours = (until.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "{rotated}");
    let (status, _) = call(&app, &partner.token, Method::PATCH, &address, Some(json!({ "active": true }))).await;
    assert_eq!(status, StatusCode::OK);
    let_in(&app, &partner.id, &person.email, "goals:read").await;
    goal(&app, &person, "Rotated").await;
    let got = receiver.wait_for(1).await;
    assert!(got[0].signed_by(&new_secret) && got[0].signed_by(&first_secret), "{got:?}");

    let (status, _) = call(&app, &partner.token, Method::DELETE, &address, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, &partner.token, Method::GET, &address, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    receiver.stop().await;
});

/// A second confidential client with only `webhooks`.
async fn partner_of(app: &TestApp) -> Partner {
    partner(app, &["goals:read"]).await
}

api_test!(async fn a_name_that_resolves_to_a_private_address_is_refused_when_sending(app) {
    // Production settings: loopback refused. `localhost` passes the subscription's
    // check (a name is checked where it resolves, at each delivery), then fails there.
    let receiver = Receiver::start().await;
    let port = receiver.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    let partner = partner(&app, &["goals:read"]).await;
    let (status, problem) = call(&app, &partner.token, Method::POST, "/v1/webhooks", Some(json!({ "url": receiver.url, "event_types": ["goal.created"] }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "plain http to loopback: {problem}");
    let created = subscribe(&app, &partner, &format!("https://localhost:{port}/hooks"), json!(["goal.created"])).await;
    let person = app.signed_in_user().await;
    let_in(&app, &partner.id, &person.email, "goals:read").await;
    goal(&app, &person, "Refused at delivery").await;
    let log = log_once_it_has(&app, &partner, created["id"].as_str().unwrap(), 1).await;
    assert_eq!(log[0]["delivered"], false);
    assert_eq!(log[0]["status_code"], Value::Null);
    assert!(log[0]["error"].as_str().unwrap().contains("public address"), "{log:?}");
    assert!(receiver.received().is_empty(), "nothing reached the private address");
    receiver.stop().await;
});

api_test!(async fn accepting_a_share_and_publishing_an_article_are_events_too(app) with loopback; {
    let receiver = Receiver::start().await;
    let partner = partner(&app, &["shares:read", "content:events"]).await;
    let person = app.signed_in_user().await;
    let_in(&app, &partner.id, &person.email, "shares:read").await;
    subscribe(&app, &partner, &receiver.url, json!(["share.accepted", "content.article.published"])).await;

    let (_, contact) = call(&app, &person.access_token, Method::POST, "/v1/contacts", Some(json!({ "name": "Jo", "kind": "family" }))).await;
    let (status, share) = call(&app, &person.access_token, Method::POST, "/v1/shares", Some(json!({ "contact_id": contact["id"], "all_active_goals": {} }))).await;
    assert_eq!(status, StatusCode::CREATED, "{share}");
    let code = share["invitation"]["code"].as_str().unwrap_or_else(|| panic!("{share}")).to_owned();
    let supporter = app.signed_in_user().await;
    let (status, accepted) = call(&app, &supporter.access_token, Method::POST, "/v1/invitations/accept", Some(json!({ "code": code }))).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let got = receiver.wait_for(1).await;
    let payload = got[0].json();
    assert_eq!(payload["type"], "share.accepted");
    assert_eq!(payload["data"]["resource_id"], share["share"]["id"]);
    assert_eq!(payload["data"]["person_id"], person.account_id.as_str());

    let editor = app.signed_in_with_role(Role::Editor).await;
    let (status, article) = call(&app, &editor.access_token, Method::POST, "/v1/content/articles", Some(json!({ "slug": "hope", "title": "Hope", "summary": "On hope", "body_markdown": "Hope is a thing.", "topics": ["hope"], "author_name": "Waymark editors", "source": "Waymark", "licence": "CC BY 4.0" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{article}");
    let publish = format!("/v1/content/articles/{}/hope/publish", article["locale"].as_str().unwrap());
    let (status, published) = call(&app, &editor.access_token, Method::POST, &publish, None).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    let got = receiver.wait_for(2).await;
    let payload = got[1].json();
    assert_eq!(payload["type"], "content.article.published", "{payload}");
    assert_eq!(payload["data"]["resource_type"], "article");
    assert_eq!(payload["data"]["person_id"], Value::Null);
    receiver.stop().await;
});

api_test!(async fn a_redirect_is_not_followed_and_an_answer_slower_than_ten_seconds_fails(app) with loopback; {
    let receiver = Receiver::start().await;
    receiver.status.store(307, Ordering::SeqCst);
    let partner = partner(&app, &["goals:read"]).await;
    let person = app.signed_in_user().await;
    let_in(&app, &partner.id, &person.email, "goals:read").await;
    let created = subscribe(&app, &partner, &receiver.url, json!(["goal.created"])).await;
    let webhook = created["id"].as_str().unwrap();
    goal(&app, &person, "Redirected").await;
    let log = log_once_it_has(&app, &partner, webhook, 1).await;
    assert_eq!((log[0]["delivered"].clone(), log[0]["status_code"].clone()), (json!(false), json!(307)), "{log:?}");
    assert!(log[0]["error"].as_str().unwrap().contains("redirects are not followed"), "{log:?}");

    // Sent again by hand to a receiver that takes 11 seconds: cut off at 10.
    receiver.status.store(200, Ordering::SeqCst);
    receiver.delay_ms.store(11_000, Ordering::SeqCst);
    let message = log[0]["message_id"].as_str().unwrap().to_owned();
    let (status, _) = call(&app, &partner.token, Method::POST, &format!("/v1/webhooks/{webhook}/messages/{message}/redeliver"), None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mut log = Vec::new();
    for _ in 0..30 {
        log = log_once_it_has(&app, &partner, webhook, 1).await;
        if log.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!((log[0]["delivered"].clone(), log[0]["status_code"].clone()), (json!(false), Value::Null), "{log:?}");
    assert_eq!(log[0]["error"], "no answer within 10 seconds");
    let took = log[0]["duration_ms"].as_u64().unwrap();
    assert!((9_500..11_000).contains(&took), "{took} ms");
    assert_eq!(receiver.received().len(), 2, "the redirect's target was never asked");
    receiver.stop().await;
});

/// Runs `sql` with the one time parameter `at` (`{at}` in the text) on the app's
/// database: the tests' way to make days pass.
async fn with_time(app: &TestApp, sql: &str, at: chrono::DateTime<chrono::Utc>) {
    use sea_orm::ConnectionTrait;
    let connection = sea_orm::Database::connect(app.database_url.as_str()).await.unwrap();
    let backend = connection.get_database_backend();
    let placeholder = if backend == sea_orm::DbBackend::Postgres { "$1" } else { "?" };
    connection
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql.replace("{at}", placeholder),
            [at.into()],
        ))
        .await
        .unwrap();
    let _ = connection.close().await;
}

/// The status of every message, as stored (a client sees attempts, not messages).
async fn message_statuses(app: &TestApp) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let connection = sea_orm::Database::connect(app.database_url.as_str()).await.unwrap();
    let backend = connection.get_database_backend();
    let rows = connection
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT status FROM webhook_messages ORDER BY id",
        ))
        .await
        .unwrap();
    let _ = connection.close().await;
    rows.iter().map(|row| row.try_get::<String>("", "status").unwrap()).collect()
}

api_test!(async fn a_subscription_failing_for_three_days_is_disabled_and_a_message_out_of_retries_fails(app) with loopback; {
    let receiver = Receiver::start().await;
    receiver.status.store(500, Ordering::SeqCst);
    let partner = partner(&app, &["goals:read"]).await;
    let person = app.signed_in_user().await;
    let_in(&app, &partner.id, &person.email, "goals:read").await;
    let created = subscribe(&app, &partner, &receiver.url, json!(["goal.created"])).await;
    let address = format!("/v1/webhooks/{}", created["id"].as_str().unwrap());
    goal(&app, &person, "Out of retries").await;
    log_once_it_has(&app, &partner, created["id"].as_str().unwrap(), 1).await;
    // Days pass: every attempt has failed for three days and an hour, and the next is
    // the last retry.
    let long_ago = chrono::Utc::now() - chrono::Duration::hours(73);
    with_time(&app, "UPDATE webhook_subscriptions SET failing_since = {at}", long_ago).await;
    with_time(&app, "UPDATE webhook_messages SET attempts = 9, next_attempt_at = {at}", long_ago).await;
    receiver.wait_for(2).await;
    log_once_it_has(&app, &partner, created["id"].as_str().unwrap(), 2).await;
    let (_, disabled) = call(&app, &partner.token, Method::GET, &address, None).await;
    assert_eq!(disabled["status"], "disabled_after_failures", "{disabled}");
    assert_eq!(disabled["active"], false);
    assert_eq!(message_statuses(&app).await, ["failed"], "its retries ran out");

    // Disabled, it is sent nothing; switched on again, it is sent what comes next.
    receiver.status.store(200, Ordering::SeqCst);
    goal(&app, &person, "While disabled").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(receiver.received().len(), 2);
    let (status, again) = call(&app, &partner.token, Method::PATCH, &address, Some(json!({ "active": true }))).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!((again["status"].clone(), again["failing_since"].clone()), (json!("active"), Value::Null));
    goal(&app, &person, "Back on").await;
    let got = receiver.wait_for(3).await;
    assert!(got[2].body.contains("goal.created"));
    receiver.stop().await;
});

api_test!(async fn a_disabled_client_is_sent_nothing_more(app) with loopback; {
    let receiver = Receiver::start().await;
    receiver.status.store(500, Ordering::SeqCst);
    let partner = partner(&app, &["goals:read"]).await;
    let person = app.signed_in_user().await;
    let_in(&app, &partner.id, &person.email, "goals:read").await;
    subscribe(&app, &partner, &receiver.url, json!(["goal.created"])).await;
    goal(&app, &person, "Before the client was disabled").await;
    receiver.wait_for(1).await;
    let admin = app.signed_in_with_role(Role::Admin).await;
    let (status, _) = call(&app, &admin.access_token, Method::POST, &format!("/v1/admin/clients/{}/disable", partner.id), None).await;
    assert_eq!(status, StatusCode::OK);
    receiver.status.store(200, Ordering::SeqCst);
    goal(&app, &person, "After").await;
    // The first retry would come about five seconds after the failure.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(receiver.received().len(), 1, "neither the retry nor a new event went out");
    assert_eq!(message_statuses(&app).await, ["pending"], "its message waits, as its tokens do");
    receiver.stop().await;
});

/// Two instances on one PostgreSQL database deliver every message once (the receiver
/// answers 200), never the same attempt twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_never_send_the_same_attempt() {
    let Some(database) =
        crate::support::database::TestDatabase::create(crate::support::Backend::Postgres).await
    else {
        return;
    };
    let mut settings = crate::support::app::test_settings(database.url());
    loopback(&mut settings);
    let first = crate::support::app::spawn_with(&settings).await;
    settings.no_migrate = true;
    let second = crate::support::app::spawn_with(&settings).await;
    let receiver = Receiver::start().await;
    let partner = partner(&first, &["goals:read"]).await;
    let person = first.signed_in_user().await;
    let_in(&first, &partner.id, &person.email, "goals:read").await;
    subscribe(&first, &partner, &receiver.url, json!(["goal.created", "goal.updated"])).await;
    for n in 0..60 {
        let app = if n % 2 == 0 { &first } else { &second };
        goal(app, &person, &format!("Goal {n}")).await;
    }
    let got = receiver.wait_for(60).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for message in receiver.received() {
        *seen.entry(message.id).or_default() += 1;
    }
    assert_eq!(seen.len(), 60, "{got:?}");
    assert!(seen.values().all(|count| *count == 1), "each message once: {seen:?}");
    receiver.stop().await;
    first.handle().stop(true).await;
    second.handle().stop(true).await;
}
