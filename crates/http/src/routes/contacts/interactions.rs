//! `/v1/contacts/{contact_id}/interactions`: the times you were in touch. Each one
//! moves the contact's `last_contacted_at` forward when it is newer.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, delete, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use waymark_application::interactions::{self, InteractionDraft};
use waymark_domain::contacts::draft::not_in_future;
use waymark_domain::contacts::ports::InteractionPosition;
use waymark_domain::contacts::{
    ContactMethod, Felt, InteractionId, InteractionNote, NewInteraction, Problems,
};
use waymark_domain::time::{Instant, now};
use waymark_domain::validation::Problem as FieldProblem;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{JsonBody, version_etag};
use crate::openapi::problems::{BadPage, ContactMissing, InteractionMissing, Invalid};
use crate::pagination::{PageRequest, TimeAndId, page_response};
use crate::paths::{ContactPath, InteractionPath};
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::contacts::{ContactResponse, InteractionResponse, NewInteractionRequest};

/// A page of interactions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InteractionPageResponse {
    /// The interactions.
    items: Vec<InteractionResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// A recorded interaction and the contact as it is now.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InteractionCreatedResponse {
    /// The interaction.
    interaction: InteractionResponse,
    /// The contact, with its `last_contacted_at` and `due_since` brought up to date.
    contact: ContactResponse,
}

/// Records a time you were in touch with a contact.
///
/// `at` may not be in the future. The answer holds the interaction and the contact,
/// whose `last_contacted_at` moved forward if this is the newest contact. Send
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "contacts",
    operation_id = "create_interaction",
    security(("oauth2" = ["contacts:write"])),
    request_body = NewInteractionRequest,
    params(ContactPath),
    responses(
        (status = 201, description = "The interaction and the contact.", body = InteractionCreatedResponse,
            headers(("Location" = String, description = "The interaction's address."))),
        ContactMissing,
        (status = 409, description = "The contact has 5000 interactions already, or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        Invalid,
    ),
)]
#[post("/v1/contacts/{contact_id}/interactions")]
pub(crate) async fn create_interaction(
    principal: Principal,
    path: web::Path<ContactPath>,
    body: JsonBody<NewInteractionRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let contact_id = path.contact_id();
    let draft = body.into_inner();
    let (interaction, contact) =
        interactions::record(&state.ports, principal.acting()?, now(), contact_id, draft).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((
            header::LOCATION,
            format!("/v1/contacts/{contact_id}/interactions/{}", interaction.id),
        ))
        .json(InteractionCreatedResponse {
            interaction: InteractionResponse::from(&interaction),
            contact: ContactResponse::from(&contact),
        }))
}

impl InteractionDraft for NewInteractionRequest {
    fn parse(self, now: Instant) -> Result<NewInteraction, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let at = not_in_future("/at", self.at, now, &mut problems);
        let method = problems.check("/method", self.method.parse::<ContactMethod>());
        let note = problems.check("/note", InteractionNote::parse(&self.note));
        let felt = match self.felt.as_deref() {
            None => Some(None),
            Some(felt) => problems.check("/felt", felt.parse::<Felt>()).map(Some),
        };
        problems.or(|| Some(NewInteraction { at: at?, method: method?, note: note?, felt: felt? }))
    }
}

/// The times you were in touch with a contact.
///
/// Newest first, in pages of `limit` (1 to 100, default 20).
#[utoipa::path(
    tag = "contacts",
    operation_id = "list_interactions",
    security(("oauth2" = ["contacts:read"])),
    params(ContactPath, PageRequest),
    responses(
        (status = 200, description = "A page of interactions; `Link` points to the next.", body = InteractionPageResponse),
        BadPage,
        ContactMissing,
    ),
)]
#[get("/v1/contacts/{contact_id}/interactions")]
pub(crate) async fn list_interactions(
    principal: Principal,
    path: web::Path<ContactPath>,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let contact_id = path.contact_id();
    let limit = page.limit()?;
    let after = (page.position::<TimeAndId>(&state.cursors)?)
        .map(|position| InteractionPosition { at: position.at, id: InteractionId(position.id) });
    let acting = principal.acting()?;
    let (interactions, has_more) =
        interactions::list(&state.ports, acting, contact_id, after, limit).await?;
    let next_cursor = state
        .cursors
        .after_last(has_more, &interactions, |last| TimeAndId { at: last.at, id: last.id.0 });
    let items = interactions.iter().map(InteractionResponse::from).collect();
    let path = format!("/v1/contacts/{contact_id}/interactions");
    Ok(page_response(&path, limit, items, next_cursor))
}

/// One time you were in touch with a contact.
///
/// Interactions do not change once recorded: delete one and record it again instead.
#[utoipa::path(
    tag = "contacts",
    operation_id = "get_interaction",
    security(("oauth2" = ["contacts:read"])),
    params(InteractionPath),
    responses(
        (status = 200, description = "The interaction.", body = InteractionResponse,
            headers(("ETag" = String, description = "Always `\"1\"`: interactions do not change."))),
        InteractionMissing,
    ),
)]
#[get("/v1/contacts/{contact_id}/interactions/{interaction_id}")]
pub(crate) async fn get_interaction(
    principal: Principal,
    path: web::Path<InteractionPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let interaction = interactions::get(
        &state.ports,
        principal.acting()?,
        (path.contact_id(), path.interaction_id()),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, version_etag(1)))
        .json(InteractionResponse::from(&interaction)))
}

/// Deletes an interaction.
///
/// The contact's `last_contacted_at` is worked out again from the interactions left
/// and any value you set directly.
#[utoipa::path(
    tag = "contacts",
    operation_id = "delete_interaction",
    security(("oauth2" = ["contacts:write"])),
    params(InteractionPath),
    responses(
        (status = 204, description = "The interaction is gone."),
        InteractionMissing,
    ),
)]
#[delete("/v1/contacts/{contact_id}/interactions/{interaction_id}")]
pub(crate) async fn delete_interaction(
    principal: Principal,
    path: web::Path<InteractionPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    interactions::delete(
        &state.ports,
        principal.acting()?,
        now(),
        (path.contact_id(), path.interaction_id()),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
