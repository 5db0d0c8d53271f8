//! `GET /v1/crisis`: who to reach when things are hard, in one answer an app can
//! show at once.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::crisis_board::crisis_answer;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::contacts::ContactResponse;
use crate::wire::services::ServiceResponse;

/// Your crisis view.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CrisisResponse {
    /// Your contacts marked `crisis_contact`, by name.
    contacts: Vec<ContactResponse>,
    /// The published crisis lines for your locale (as `GET /v1/content/crisis`
    /// answers them, so they are there even when the database is not).
    lines: Vec<ServiceResponse>,
}

/// Your crisis contacts, and the crisis lines for your locale.
///
/// Answers quickly and is meant to be shown as it is. The lines are the published
/// crisis lines for your account's locale, as `GET /v1/content/crisis` gives them.
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
    let acting = principal.acting()?;
    let contacts = waymark_application::contacts::all(&state.ports, acting, true).await?;
    let locale = waymark_application::accounts::get(&state.ports, acting).await?.locale;
    let (lines, _) = crisis_answer(&state, &locale).await;
    let now = chrono::Utc::now();
    Ok(HttpResponse::Ok().json(CrisisResponse {
        contacts: contacts.iter().map(ContactResponse::from).collect(),
        lines: lines
            .services
            .iter()
            .map(|service| ServiceResponse::new(service, now, None))
            .collect(),
    }))
}
