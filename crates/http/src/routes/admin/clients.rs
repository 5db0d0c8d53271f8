//! `/v1/admin/clients`: registering, listing and removing API clients.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::Input;
use waymark_application::clients::{self, ClientRegistration};
use waymark_domain::identity::client::client_scopes;
use waymark_domain::identity::{ApiClient, ClientId, DisplayName};
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use crate::auth::Principal;
use crate::auth::vocabulary::ScopeName;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::middleware::idempotency::ShownOnce;
use crate::openapi::problems::{BadPage, ClientMissing, Invalid};
use crate::pagination::{PageRequest, page_response};
use crate::paths::ClientPath;
use crate::state::AppState;

/// A registered API client.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClientResponse {
    /// The client's id: its OAuth `client_id`.
    id: uuid::Uuid,
    /// A name administrators recognise.
    #[schema(example = "Hillside Trust app backend")]
    name: String,
    /// The most its tokens may carry.
    #[schema(value_type = Vec<ScopeName>, example = json!(["goals:read"]))]
    scopes: Vec<String>,
    /// When it was registered.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// Clients do not change once registered: the same as `created_at`.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Always 1: clients do not change once registered.
    #[schema(example = 1)]
    version: i64,
}

impl From<&ApiClient> for ClientResponse {
    fn from(client: &ApiClient) -> Self {
        Self {
            id: client.id.0,
            name: client.name.clone(),
            scopes: client.scopes.iter().map(|scope| scope.as_str().to_owned()).collect(),
            created_at: client.created_at,
            updated_at: client.created_at,
            version: 1,
        }
    }
}

/// A newly registered client with its secret, shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedClientResponse {
    /// The client.
    #[serde(flatten)]
    client: ClientResponse,
    /// The client's secret. It is stored only as a digest: keep it now, it cannot be
    /// shown again.
    #[schema(example = "wms_0b6Jm0S1oY3EXAMPLEexampleEXAMPLEexample0123")]
    client_secret: String,
}

/// A client to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewClientRequest {
    /// A name administrators recognise.
    #[schema(example = "Hillside Trust app backend", min_length = 1, max_length = 100)]
    name: String,
    /// The most its tokens may carry; not `profile`, `content:write` or `admin`,
    /// which need a person with a role.
    #[schema(value_type = Vec<ScopeName>, example = json!(["goals:read"]), min_items = 1, max_items = 9)]
    scopes: Vec<String>,
}

impl Input<ClientRegistration> for NewClientRequest {
    fn parse(self) -> Result<ClientRegistration, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let scopes = problems.check("/scopes", client_scopes(&self.scopes));
        // The same rules as a person's display name: 1 to 100 visible characters.
        let name = DisplayName::parse(&self.name).ok();
        if name.is_none() {
            problems.add(
                "/name",
                "must be 1 to 100 characters, without control or invisible characters",
            );
        }
        problems.or(|| Some(ClientRegistration { name: name?, scopes: scopes? }))
    }
}

fn client_id(id: uuid::Uuid) -> ClientId {
    ClientId(id)
}

/// Registers an API client.
///
/// The answer carries the client's secret: it is stored only as a digest and shown
/// this once. The client signs in with `grant_type=client_credentials`.
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
            client_secret: secret.expose().to_owned(),
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
    Ok(HttpResponse::Ok().json(ClientResponse::from(&client)))
}

/// Removes an API client.
///
/// It can no longer get tokens, and its refresh tokens stop working. Access tokens
/// already issued run out within their lifetime.
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
