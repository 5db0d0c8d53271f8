//! `/v1/admin/clients`: registering, listing, changing, disabling and removing API
//! clients.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::Input;
use waymark_application::clients::{self, ClientRegistration, ClientUpdate};
use waymark_domain::identity::{ApiClient, ClientId};
use waymark_domain::time::now;
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use crate::auth::Principal;
use crate::auth::vocabulary::{ClientKindName, RedirectUriText, ScopeName};
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch};
use crate::middleware::idempotency::ShownOnce;
use crate::openapi::problems::{BadPage, ClientMissing, Invalid, Stale};
use crate::pagination::{PageRequest, page_response};
use crate::paths::ClientPath;
use crate::respond::versioned;
use crate::state::AppState;

/// A registered API client.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClientResponse {
    /// The client's id: its OAuth `client_id`.
    id: uuid::Uuid,
    /// A name administrators recognise; people see it when the app asks for their
    /// consent.
    #[schema(example = "Hillside Trust app")]
    name: String,
    /// `public` (a mobile or single-page app, no secret) or `confidential` (a backend
    /// that keeps a secret).
    #[schema(value_type = ClientKindName, example = "public")]
    kind: &'static str,
    /// Where people may be sent back to after signing in, matched exactly (a loopback
    /// URI on any port).
    #[schema(value_type = Vec<RedirectUriText>, example = json!(["org.hillside.app:/callback"]), max_items = 10)]
    redirect_uris: Vec<String>,
    /// Whether Waymark's own operator runs it; only a first-party client may use the
    /// password grant.
    first_party: bool,
    /// The most its tokens may carry.
    #[schema(value_type = Vec<ScopeName>, example = json!(["goals:read"]))]
    scopes: Vec<String>,
    /// When it was disabled; `null` while it works. A disabled client gets no tokens
    /// and the tokens it had stop working.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    disabled_at: Option<DateTime<Utc>>,
    /// When it was registered.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Its version, also its `ETag`.
    #[schema(example = 1)]
    version: i64,
}

impl From<&ApiClient> for ClientResponse {
    fn from(client: &ApiClient) -> Self {
        Self {
            id: client.id.0,
            name: client.name.clone(),
            kind: client.kind.as_str(),
            redirect_uris: client.redirect_uris.iter().map(|uri| uri.as_str().to_owned()).collect(),
            first_party: client.first_party,
            scopes: client.scopes.iter().map(|scope| scope.as_str().to_owned()).collect(),
            disabled_at: client.disabled_at,
            created_at: client.created_at,
            updated_at: client.updated_at,
            version: client.version,
        }
    }
}

/// A newly registered client with its secret, shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedClientResponse {
    /// The client.
    #[serde(flatten)]
    client: ClientResponse,
    /// A confidential client's secret. It is stored only as a digest: keep it now, it
    /// cannot be shown again. Absent for a public client, which has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "wms_0b6Jm0S1oY3EXAMPLEexampleEXAMPLEexample0123")]
    client_secret: Option<String>,
}

/// A client to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewClientRequest {
    /// A name administrators recognise; people see it when the app asks for consent.
    #[schema(example = "Hillside Trust app", min_length = 1, max_length = 100)]
    name: String,
    /// `public` for a mobile or single-page app (no secret), `confidential` for a
    /// backend (the default).
    #[serde(default)]
    #[schema(value_type = Option<ClientKindName>, example = "public")]
    kind: Option<String>,
    /// Where people may be sent back to after signing in: `https://` URIs, loopback
    /// `http://127.0.0.1/...` or `http://[::1]/...` (any port matches), or a private-use
    /// scheme such as `org.example.app:/callback`. At most 10; a public client that is
    /// not first-party needs one.
    #[serde(default)]
    #[schema(value_type = Vec<RedirectUriText>, example = json!(["org.hillside.app:/callback"]), max_items = 10)]
    redirect_uris: Vec<String>,
    /// Whether Waymark's own operator runs it (default `false`); only a first-party
    /// client may use the password grant.
    #[serde(default)]
    first_party: bool,
    /// The most its tokens may carry; not `profile`, `content:write` or `admin`,
    /// which need a person with a role.
    #[schema(value_type = Vec<ScopeName>, example = json!(["goals:read"]), min_items = 1, max_items = 15)]
    scopes: Vec<String>,
}

impl Input<ClientRegistration> for NewClientRequest {
    fn parse(self) -> Result<ClientRegistration, Vec<FieldProblem>> {
        let kind = self.kind.as_deref();
        ClientRegistration::parse(
            &self.name,
            kind,
            &self.redirect_uris,
            self.first_party,
            &self.scopes,
        )
    }
}

/// Changes to a client (JSON merge patch): its name, scopes or redirect URIs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClientPatch {
    /// A new name.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    name: Patch<String>,
    /// New scopes; tokens issued before keep theirs until they are refreshed.
    #[serde(default)]
    #[schema(value_type = Vec<ScopeName>, min_items = 1, max_items = 15)]
    scopes: Patch<Vec<String>>,
    /// New redirect URIs, by the rules of registration.
    #[serde(default)]
    #[schema(value_type = Vec<RedirectUriText>, max_items = 10)]
    redirect_uris: Patch<Vec<String>>,
}

impl Input<ClientUpdate> for ClientPatch {
    fn parse(self) -> Result<ClientUpdate, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let name = self.name.kept("/name", &mut problems);
        let scopes = self.scopes.kept("/scopes", &mut problems);
        let redirect_uris = self.redirect_uris.kept("/redirect_uris", &mut problems);
        let checked = ClientUpdate::parse(name.as_deref(), scopes.as_deref(), redirect_uris);
        match (problems.or(|| Some(())), checked) {
            (Ok(()), checked) => checked,
            (Err(mut cleared), Err(broken)) => {
                cleared.extend(broken);
                Err(cleared)
            }
            (Err(cleared), Ok(_)) => Err(cleared),
        }
    }
}

fn client_id(id: uuid::Uuid) -> ClientId {
    ClientId(id)
}

/// Registers an API client.
///
/// A confidential client's answer carries its secret: it is stored only as a digest
/// and shown this once; the client gets tokens for itself with
/// `grant_type=client_credentials`. A public client has no secret.
#[utoipa::path(
    tag = "admin",
    operation_id = "create_client",
    security(("oauth2" = ["admin"])),
    request_body = NewClientRequest,
    responses(
        (status = 201, description = "The client, with its secret.", body = CreatedClientResponse,
            headers(("Location" = String, description = "The client's address."))),
        Invalid,
    ),
)]
#[post("/v1/admin/clients")]
pub(crate) async fn create_client(
    _principal: Principal,
    body: JsonBody<NewClientRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (client, secret) = clients::register(&state.ports, body.into_inner()).await?;
    tracing::info!(target: "security", client_id = %client.id, "API client registered");
    let mut response = HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/admin/clients/{}", client.id)))
        .json(CreatedClientResponse {
            client: ClientResponse::from(&client),
            client_secret: secret.map(|secret| secret.expose().to_owned()),
        });
    // A retry with the same Idempotency-Key must not show the secret again.
    response.extensions_mut().insert(ShownOnce);
    Ok(response)
}

/// A page of API clients.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClientPage {
    /// The clients, oldest first.
    items: Vec<ClientResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// Lists API clients.
///
/// Oldest first, in pages (`limit`, `cursor`); secrets are never shown.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_clients",
    security(("oauth2" = ["admin"])),
    params(PageRequest),
    responses(
        (status = 200, description = "A page of clients; `Link` points to the next.", body = ClientPage),
        BadPage,
    ),
)]
#[get("/v1/admin/clients")]
pub(crate) async fn list_clients(
    _principal: Principal,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after = page.position(&state.cursors)?.map(client_id);
    let listed = clients::list(&state.ports, after, limit).await?;
    let next_cursor =
        (state.cursors).after_last(listed.has_more, &listed.clients, |last| last.id.0);
    let items = listed.clients.iter().map(ClientResponse::from).collect();
    Ok(page_response("/v1/admin/clients", limit, items, next_cursor))
}

/// One API client.
///
/// Its name, scopes and registration time; never its secret.
#[utoipa::path(
    tag = "admin",
    operation_id = "get_client",
    security(("oauth2" = ["admin"])),
    params(ClientPath),
    responses(
        (status = 200, description = "The client.", body = ClientResponse),
        ClientMissing,
    ),
)]
#[get("/v1/admin/clients/{client_id}")]
pub(crate) async fn get_client(
    _principal: Principal,
    path: web::Path<ClientPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = clients::get(&state.ports, path.client_id()).await?;
    Ok(versioned(client.version, ClientResponse::from(&client)))
}

/// Changes an API client's name, scopes or redirect URIs.
///
/// A JSON merge patch; with `If-Match`, only if the client is still at that version.
/// Tokens issued before keep their scopes until they are refreshed.
#[utoipa::path(
    tag = "admin",
    operation_id = "update_client",
    security(("oauth2" = ["admin"])),
    params(ClientPath),
    request_body(content((ClientPatch = "application/merge-patch+json"), (ClientPatch = "application/json"))),
    responses(
        (status = 200, description = "The changed client.", body = ClientResponse, headers(("ETag" = String, description = "Its new version."))),
        ClientMissing,
        Stale,
        Invalid,
    ),
)]
#[patch("/v1/admin/clients/{client_id}")]
pub(crate) async fn update_client(
    _principal: Principal,
    path: web::Path<ClientPath>,
    if_match: IfMatch,
    body: JsonBody<ClientPatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, patch) = (path.client_id(), body.into_inner());
    let client = clients::update(&state.ports, now(), id, if_match.seen(), patch).await?;
    tracing::info!(target: "security", client_id = %id, "API client changed");
    Ok(versioned(client.version, ClientResponse::from(&client)))
}

/// Disables an API client.
///
/// At once it can authenticate no more and get no tokens; its refresh tokens are
/// revoked, and its access tokens (its own, and those issued to it for people) are
/// refused from their next request, on every server instance. Disabling a disabled
/// client changes nothing.
#[utoipa::path(
    tag = "admin",
    operation_id = "disable_client",
    security(("oauth2" = ["admin"])),
    params(ClientPath),
    responses(
        (status = 200, description = "The disabled client.", body = ClientResponse, headers(("ETag" = String, description = "Its version."))),
        ClientMissing,
    ),
)]
#[post("/v1/admin/clients/{client_id}/disable")]
pub(crate) async fn disable_client(
    _principal: Principal,
    path: web::Path<ClientPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.client_id();
    let client = clients::disable(&state.ports, now(), id).await?;
    tracing::info!(target: "security", client_id = %id, "API client disabled");
    Ok(versioned(client.version, ClientResponse::from(&client)))
}

/// Removes an API client.
///
/// It can no longer get tokens, and every token issued to it stops working.
#[utoipa::path(
    tag = "admin",
    operation_id = "delete_client",
    security(("oauth2" = ["admin"])),
    params(ClientPath),
    responses(
        (status = 204, description = "The client is gone."),
        ClientMissing,
    ),
)]
#[delete("/v1/admin/clients/{client_id}")]
pub(crate) async fn delete_client(
    _principal: Principal,
    path: web::Path<ClientPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.client_id();
    clients::remove(&state.ports, id).await?;
    tracing::info!(target: "security", client_id = %id, "API client removed");
    Ok(HttpResponse::NoContent().finish())
}

crate::redacted::redacted_debug!(CreatedClientResponse);
