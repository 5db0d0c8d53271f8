//! The few API calls the fault tests make, over plain HTTP: register and sign in,
//! create a goal, read one, and page through the whole goal list.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

/// A password that meets every rule.
pub const PASSWORD: &str = "a walk by the canal every morning";

/// A registered person.
#[derive(Debug, Clone)]
pub struct Person {
    /// The address they sign in with.
    pub email: String,
    /// A current access token.
    pub access_token: String,
}

/// A client with keep-alive (reqwest's default) that follows no redirects and gives
/// up on any one request after 20 s, so a hanging server fails a test instead of
/// stalling it.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap_or_else(|error| panic!("no HTTP client: {error}"))
}

/// Registers a new person with a unique address and signs them in.
pub async fn sign_up(client: &reqwest::Client, base_url: &str) -> Person {
    let email = format!("person-{}@example.org", uuid::Uuid::now_v7().simple());
    let response = client
        .post(format!("{base_url}/v1/auth/register"))
        .json(&json!({ "email": email, "password": PASSWORD, "display_name": "Sam" }))
        .send()
        .await
        .unwrap_or_else(|error| panic!("register failed: {error}"));
    assert_eq!(response.status(), StatusCode::CREATED, "registration failed");
    let access_token = sign_in(client, base_url, &email).await;
    Person { email, access_token }
}

/// Signs `email` in with the password grant and answers the access token.
pub async fn sign_in(client: &reqwest::Client, base_url: &str, email: &str) -> String {
    let response = request_token(client, base_url, email)
        .await
        .unwrap_or_else(|error| panic!("sign-in failed: {error}"));
    assert_eq!(response.status(), StatusCode::OK, "sign-in failed");
    let tokens: Value = response.json().await.unwrap_or_default();
    tokens["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access_token in {tokens}"))
        .to_owned()
}

/// `POST /v1/auth/token` with the password grant for `email`: a slow request, as
/// the password is hashed with Argon2id. Transport errors are the caller's to judge.
pub async fn request_token(
    client: &reqwest::Client,
    base_url: &str,
    email: &str,
) -> Result<reqwest::Response, reqwest::Error> {
    client
        .post(format!("{base_url}/v1/auth/token"))
        .form(&[("grant_type", "password"), ("username", email), ("password", PASSWORD)])
        .send()
        .await
}

/// `POST /v1/goals` with a goal called `title`. Transport errors are the caller's to
/// judge: when a server is killed they are expected.
pub async fn create_goal(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    title: &str,
) -> Result<reqwest::Response, reqwest::Error> {
    client
        .post(format!("{base_url}/v1/goals"))
        .bearer_auth(token)
        .json(&json!({ "title": title, "why": "It matters to me.", "area": "social" }))
        .send()
        .await
}

/// `GET /v1/goals/{id}`, panicking on a transport error.
pub async fn get_goal(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    id: &str,
) -> reqwest::Response {
    client
        .get(format!("{base_url}/v1/goals/{id}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|error| panic!("GET /v1/goals/{id} failed: {error}"))
}

/// Every goal in the list (the items as JSON, in list order), from
/// `GET /v1/goals?limit=100` and the pages its `Link: <...>; rel="next"` headers lead
/// to. Checks on the way that `next_cursor` and the link agree and that every item
/// has an id.
pub async fn every_listed_goal(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
) -> Vec<Value> {
    let mut goals = Vec::new();
    let mut path = "/v1/goals?limit=100".to_owned();
    let mut visited = HashSet::new();
    loop {
        assert!(visited.insert(path.clone()), "the list links back to {path}");
        let response = client
            .get(format!("{base_url}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|error| panic!("GET {path} failed: {error}"));
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        let next = response
            .headers()
            .get("link")
            .map(|value| next_link(value.to_str().unwrap_or_default()));
        let page: Value =
            response.json().await.unwrap_or_else(|error| panic!("GET {path} is not JSON: {error}"));
        let items = page["items"].as_array().unwrap_or_else(|| panic!("no items in {page}"));
        for item in items {
            assert!(item["id"].is_string(), "a goal without an id: {item}");
        }
        goals.extend(items.iter().cloned());
        match (page["next_cursor"].as_str(), next) {
            (None, None) => return goals,
            (Some(cursor), Some(link)) => {
                assert!(link.contains(cursor), "{link} does not carry {cursor}");
                path = link;
            }
            (cursor, link) => panic!("next_cursor {cursor:?} and Link {link:?} disagree"),
        }
    }
}

/// The target of `<target>; rel="next"`.
fn next_link(header: &str) -> String {
    assert!(header.ends_with("rel=\"next\""), "unexpected Link: {header}");
    header.trim_start_matches('<').split('>').next().unwrap_or_default().to_owned()
}
