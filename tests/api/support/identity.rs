//! Typed helpers for accounts and tokens: register, sign in, call with a token.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::app::TestApp;

/// A registered person with a fresh pair of tokens.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The account's id.
    pub account_id: String,
    /// The e-mail address it signs in with.
    pub email: String,
    /// A current access token.
    pub access_token: String,
    /// A current refresh token.
    pub refresh_token: String,
}

/// A password that meets every rule.
pub const GOOD_PASSWORD: &str = "a walk by the canal every morning";

impl TestApp {
    /// `POST /v1/auth/register` with `body`.
    pub async fn register(&self, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url("/v1/auth/register"))
            .json(body)
            .send()
            .await
            .unwrap_or_else(|error| panic!("register failed: {error}"))
    }

    /// `POST /v1/auth/token` with form parameters.
    pub async fn token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url("/v1/auth/token"))
            .form(form)
            .send()
            .await
            .unwrap_or_else(|error| panic!("token request failed: {error}"))
    }

    /// Signs in with the password grant and answers the token response.
    pub async fn sign_in(&self, email: &str, password: &str) -> Value {
        let response = self
            .token(&[("grant_type", "password"), ("username", email), ("password", password)])
            .await;
        assert_eq!(response.status(), StatusCode::OK, "sign-in failed");
        response.json().await.unwrap_or_default()
    }

    /// Registers a new person with a unique address and signs them in.
    pub async fn signed_in_user(&self) -> SignedIn {
        let email = format!("person-{}@example.org", uuid::Uuid::now_v7().simple());
        let response = self
            .register(&json!({ "email": email, "password": GOOD_PASSWORD, "display_name": "Sam" }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "registration failed");
        let account: Value = response.json().await.unwrap_or_default();
        let tokens = self.sign_in(&email, GOOD_PASSWORD).await;
        SignedIn {
            account_id: account["id"].as_str().unwrap_or_default().to_owned(),
            email,
            access_token: tokens["access_token"].as_str().unwrap_or_default().to_owned(),
            refresh_token: tokens["refresh_token"].as_str().unwrap_or_default().to_owned(),
        }
    }

    /// A request with `Authorization: Bearer <token>`.
    pub fn authorized(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(token)
    }

    /// A client-credentials token of a new confidential API client holding every
    /// scope a client may (`webhooks` and `content:events` among them), for the
    /// operations that take a client's own token.
    pub async fn client_token(&self) -> String {
        let admin = self.signed_in_with_role(waymark_domain::identity::Role::Admin).await;
        let scopes: Vec<&str> = waymark_domain::identity::client::scopes_clients_may_hold()
            .iter()
            .map(waymark_domain::identity::Scope::as_str)
            .collect();
        let created: Value = self
            .authorized(reqwest::Method::POST, "/v1/admin/clients", &admin.access_token)
            .json(&json!({ "name": "Partner backend", "scopes": scopes }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let response = self
            .token(&[
                ("grant_type", "client_credentials"),
                ("client_id", created["id"].as_str().unwrap()),
                ("client_secret", created["client_secret"].as_str().unwrap()),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }
}

impl TestApp {
    /// Creates an account with `role` the way `waymark admin create-user` does, and
    /// signs it in with every scope the role allows.
    pub async fn signed_in_with_role(&self, role: waymark_domain::identity::Role) -> SignedIn {
        let email = format!("{role}-{}@example.org", uuid::Uuid::now_v7().simple());
        let settings = super::app::test_settings(&self.database_url);
        let database = waymark_persistence::Database::connect(&settings.database()).await.unwrap();
        let account_id =
            waymark::admin::create_user(&database, &email, role, Some("Staff"), GOOD_PASSWORD)
                .await
                .unwrap();
        database.close().await;
        let tokens = self.sign_in(&email, GOOD_PASSWORD).await;
        SignedIn {
            account_id,
            email,
            access_token: tokens["access_token"].as_str().unwrap_or_default().to_owned(),
            refresh_token: tokens["refresh_token"].as_str().unwrap_or_default().to_owned(),
        }
    }
}
