//! What `kill -9` costs webhooks: nothing. A server killed while its messages are on
//! the wire (the receiver holds every request open) leaves its claims to lapse; the
//! next server sends every message again, under the same `webhook-id`.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::access_log::cli;
use super::api::{self, PASSWORD};
use super::server_process::ServerProcess;
use super::store::{Backend, Store};

/// Goals made while the first server runs: one message each.
const MESSAGES: usize = 5;

/// What the receiver saw: each request's `webhook-id`, and whether it was answered.
#[derive(Default)]
struct Seen {
    held: Vec<String>,
    answered: Vec<String>,
}

/// A receiver on loopback that holds every request open while `holding`, and answers
/// 204 once it is not.
async fn receiver(
    holding: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
) -> (String, actix_web::dev::ServerHandle) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/hooks", listener.local_addr().unwrap().port());
    let server = HttpServer::new(move || {
        let (holding, seen) = (Arc::clone(&holding), Arc::clone(&seen));
        App::new().route(
            "/hooks",
            web::post().to(move |request: HttpRequest, _body: String| {
                let (holding, seen) = (Arc::clone(&holding), Arc::clone(&seen));
                async move {
                    let id = request
                        .headers()
                        .get("webhook-id")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    if holding.load(Ordering::SeqCst) {
                        seen.lock().unwrap().held.push(id);
                        // Longer than the test lets the server live.
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        return HttpResponse::ServiceUnavailable().finish();
                    }
                    seen.lock().unwrap().answered.push(id);
                    HttpResponse::NoContent().finish()
                }
            }),
        )
    })
    .workers(2)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (url, handle)
}

fn line_value(printed: &str, name: &str) -> String {
    printed
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in {printed}"))
        .to_owned()
}

/// The `flow` field of an authorization page's form.
fn flow_of(html: &str) -> String {
    let start =
        html.find("name=\"flow\" value=\"").unwrap_or_else(|| panic!("no flow in {html}")) + 19;
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

/// The person `email` lets `client_id` read their goals, posting the sign-in and
/// consent forms as a browser would.
async fn let_in(client: &reqwest::Client, base_url: &str, client_id: &str, email: &str) {
    let query = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", "http://127.0.0.1/callback"),
        ("scope", "goals:read"),
        ("state", "s"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ];
    let page =
        client.get(format!("{base_url}/v1/auth/authorize")).query(&query).send().await.unwrap();
    let cookie =
        page.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let html = page.text().await.unwrap();
    let consent = client
        .post(format!("{base_url}/v1/auth/authorize"))
        .header("cookie", &cookie)
        .form(&[
            ("flow", flow_of(&html).as_str()),
            ("action", "sign_in"),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status(), StatusCode::OK);
    let html = consent.text().await.unwrap();
    let back = client
        .post(format!("{base_url}/v1/auth/authorize"))
        .header("cookie", &cookie)
        .form(&[("flow", flow_of(&html).as_str()), ("action", "allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
}

/// The test, on `backend`.
pub async fn every_message_is_delivered_after_kill_9(backend: Backend) {
    let Some(store) = Store::create(backend).await else {
        return;
    };
    std::fs::create_dir_all(store.sqlite_directory()).unwrap_or_default();
    cli(&store, &["migrate", "up"], "");
    let registered = cli(
        &store,
        &[
            "admin",
            "create-client",
            "--name",
            "Hillside backend",
            "--scopes",
            "goals:read webhooks",
            "--redirect-uri",
            "http://127.0.0.1/callback",
        ],
        "",
    );
    let (client_id, client_secret) =
        (line_value(&registered, "client_id"), line_value(&registered, "client_secret"));
    let holding = Arc::new(AtomicBool::new(true));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (url, receiver_handle) = receiver(Arc::clone(&holding), Arc::clone(&seen)).await;

    let mut first = ServerProcess::start(&store, &["--webhooks-allow-loopback"]).await;
    let http = api::client();
    let person = api::sign_up(&http, &first.base_url).await;
    let_in(&http, &first.base_url, &client_id, &person.email).await;
    let tokens: Value = http
        .post(format!("{}/v1/auth/token", first.base_url))
        .basic_auth(&client_id, Some(&client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_token =
        tokens["access_token"].as_str().unwrap_or_else(|| panic!("{tokens}")).to_owned();
    let subscribed = http
        .post(format!("{}/v1/webhooks", first.base_url))
        .bearer_auth(&client_token)
        .json(&json!({ "url": url, "event_types": ["goal.created"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(subscribed.status(), StatusCode::CREATED);
    for n in 0..MESSAGES {
        let made =
            api::create_goal(&http, &first.base_url, &person.access_token, &format!("Goal {n}"))
                .await
                .unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
    }
    // Every message on the wire, none answered: then the server dies.
    for _ in 0..200 {
        if seen.lock().unwrap().held.len() >= MESSAGES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let held: BTreeSet<String> = seen.lock().unwrap().held.iter().cloned().collect();
    assert_eq!(held.len(), MESSAGES, "every message was being sent: {held:?}\n{}", first.log());
    first.kill_hard();

    holding.store(false, Ordering::SeqCst);
    let second = ServerProcess::start(&store, &["--webhooks-allow-loopback"]).await;
    // The claims lapse after 30 seconds; then the second server sends them.
    for _ in 0..90 {
        if seen.lock().unwrap().answered.len() >= MESSAGES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let answered: BTreeSet<String> = seen.lock().unwrap().answered.iter().cloned().collect();
    assert_eq!(
        answered,
        held,
        "each message delivered afterwards, under the same webhook-id\n{}",
        second.log()
    );
    receiver_handle.stop(false).await;
}
