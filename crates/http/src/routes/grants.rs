//! `/v1/me/grants`: the apps a person has let in through the authorization code flow,
//! and taking that back.

use actix_web::{HttpResponse, delete, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use waymark_application::authorization;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::ClientMissing;
use crate::paths::ClientPath;
use crate::state::AppState;
use crate::wire::grants::AppLetInResponse;

/// The apps you have let in.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AppsLetInResponse {
    /// Oldest first.
    items: Vec<AppLetInResponse>,
}

/// The apps you have let in.
///
/// Each app you allowed on a consent page, with what it may do, when you allowed it
/// and when it last used that. Oldest first. Only you can see this: an app acting
/// with your grant gets 403.
#[utoipa::path(
    tag = "me",
    operation_id = "list_grants",
    security(("oauth2" = ["profile"])),
    responses((status = 200, description = "The apps.", body = AppsLetInResponse)),
)]
#[get("/v1/me/grants")]
pub(crate) async fn list_grants(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let apps = authorization::apps_let_in(&state.ports, principal.own_account()?).await?;
    let items = apps.iter().map(AppLetInResponse::from).collect();
    Ok(HttpResponse::Ok().json(AppsLetInResponse { items }))
}

/// Takes back what you let an app have.
///
/// At once: its refresh tokens are revoked, and its access tokens are refused from
/// their next request (on another server instance, from the moment it hears of the
/// change, which is a matter of milliseconds). It would have to ask you again; if you
/// let it in again, that is a new grant, and the old tokens stay refused.
/// Only you can do this: an app acting with your grant gets 403.
#[utoipa::path(
    tag = "me",
    operation_id = "revoke_grant",
    security(("oauth2" = ["profile"])),
    params(ClientPath),
    responses(
        (status = 204, description = "The app is no longer let in."),
        ClientMissing,
    ),
)]
#[delete("/v1/me/grants/{client_id}")]
pub(crate) async fn revoke_grant(
    principal: Principal,
    path: web::Path<ClientPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let account = principal.own_account()?;
    let now = waymark_domain::time::now();
    if !authorization::withdraw(&state.ports, now, account, path.client_id()).await? {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}
