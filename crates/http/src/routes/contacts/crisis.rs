//! `GET /v1/crisis`: who to reach when things are hard, in one answer an app can
//! show at once.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::representation::ContactResponse;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// Your crisis view.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CrisisResponse {
    /// Your contacts marked `crisis_contact`, by name.
    contacts: Vec<ContactResponse>,
    /// The published crisis lines for your locale. Waymark's content catalogue is not
    /// there yet, so this is always empty for now; apps should show their own
    /// emergency numbers regardless.
    #[schema(value_type = Vec<Object>)]
    lines: Vec<serde_json::Value>,
}

/// Your crisis contacts, and the crisis lines for your locale.
///
/// Answers quickly and is meant to be shown as it is. The lines are empty until the
/// content catalogue publishes them.
#[utoipa::path(
    tag = "contacts",
    operation_id = "get_crisis_view",
    security(("oauth2" = ["contacts:read"])),
    responses(
        (status = 200, description = "Your crisis contacts and lines.", body = CrisisResponse),
    ),
)]
#[get("/v1/crisis")]
pub(crate) async fn get_crisis_view(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let contacts = state.ports.contacts.all(owner, true).await?;
    Ok(HttpResponse::Ok().json(CrisisResponse {
        contacts: contacts.iter().map(ContactResponse::from).collect(),
        lines: Vec::new(),
    }))
}
