//! Creating, reading, changing and deleting one contact.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use waymark_application::contacts::{self, ContactEdit};
use waymark_domain::contacts::draft::{channels, keep_in_touch_days, not_in_future};
use waymark_domain::contacts::{
    CanHelpWith, ContactChanges, ContactDraft, ContactKind, ContactMethod, ContactName,
    ContactNotes, Helpfulness, KnowsAboutMyHealth, Organisation, PhoneRegion, Problems,
};
use waymark_domain::time::{Instant, now};
use waymark_domain::validation::Problem as FieldProblem;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch, not_modified, version_etag};
use crate::openapi::problems::{ContactMissing, ContactStale, Invalid};
use crate::paths::ContactPath;
use crate::problem::Problem;
use crate::respond::{created, versioned};
use crate::state::AppState;
use crate::wire::channels::channel_drafts;
use crate::wire::contacts::{ContactPatch, ContactResponse, NewContactRequest};

/// Adds a contact to your support network.
///
/// Only `name` is required. Nothing is assumed: `kind` defaults to `other`,
/// `helpfulness` and `knows_about_my_health` to `unsure`. Phone numbers are answered
/// in E.164. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "contacts",
    operation_id = "create_contact",
    security(("oauth2" = ["contacts:write"])),
    request_body = NewContactRequest,
    responses(
        (status = 201, description = "The contact.", body = ContactResponse,
            headers(("Location" = String, description = "The contact's address."), ("ETag" = String, description = "Its version."))),
        (status = 409, description = "You have 1000 contacts already, or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` names each one, such as `/channels/2/value`.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/contacts")]
pub(crate) async fn create_contact(
    principal: Principal,
    body: JsonBody<NewContactRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let draft = ContactDraft::from(body.into_inner());
    let contact = contacts::create(&state.ports, principal.acting()?, now(), draft).await?;
    Ok(created(
        format!("/v1/contacts/{}", contact.id),
        contact.version,
        ContactResponse::from(&contact),
    ))
}

/// One of your contacts.
///
/// Sends `ETag`; with `If-None-Match` naming it, the answer is 304.
#[utoipa::path(
    tag = "contacts",
    operation_id = "get_contact",
    security(("oauth2" = ["contacts:read"])),
    params(ContactPath),
    responses(
        (status = 200, description = "The contact.", body = ContactResponse, headers(("ETag" = String, description = "Its version."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        ContactMissing,
    ),
)]
#[get("/v1/contacts/{contact_id}")]
pub(crate) async fn get_contact(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<ContactPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let contact = contacts::get(&state.ports, principal.acting()?, path.contact_id()).await?;
    if let Some(unchanged) = not_modified(&request, &version_etag(contact.version)) {
        return Ok(unchanged);
    }
    Ok(versioned(contact.version, ContactResponse::from(&contact)))
}

impl ContactEdit for ContactPatch {
    fn parse(self, region: PhoneRegion, now: Instant) -> Result<ContactChanges, Vec<FieldProblem>> {
        let patch = self;
        let mut found = Problems::default();
        let problems = &mut found;
        let mut changes = ContactChanges {
            name: patch
                .name
                .kept("/name", problems)
                .and_then(|name| problems.check("/name", ContactName::parse(&name))),
            ..ContactChanges::default()
        };
        changes.kind = patch
            .kind
            .kept("/kind", problems)
            .and_then(|kind| problems.check("/kind", kind.parse::<ContactKind>()));
        if let Some(organisation) = patch.organisation.text() {
            changes.organisation =
                problems.check("/organisation", Organisation::parse(&organisation));
        }
        match patch.channels {
            Patch::Absent => {}
            Patch::Null => changes.channels = Some(Vec::new()),
            Patch::Value(given) => {
                changes.channels = channels(&channel_drafts(given), region, problems)
            }
        }
        match patch.preferred_method {
            Patch::Absent => {}
            Patch::Null => changes.preferred_method = Some(None),
            Patch::Value(method) => {
                changes.preferred_method =
                    problems.check("/preferred_method", method.parse::<ContactMethod>()).map(Some);
            }
        }
        match patch.keep_in_touch_every_days {
            Patch::Absent => {}
            Patch::Null => changes.keep_in_touch_every_days = Some(None),
            Patch::Value(days) => {
                changes.keep_in_touch_every_days = keep_in_touch_days(days, problems).map(Some);
            }
        }
        match patch.last_contacted_at {
            Patch::Absent => {}
            Patch::Null => changes.last_contacted_set = Some(None),
            Patch::Value(at) => {
                changes.last_contacted_set =
                    not_in_future("/last_contacted_at", at, now, problems).map(Some);
            }
        }
        changes.helpfulness = patch
            .helpfulness
            .kept("/helpfulness", problems)
            .and_then(|value| problems.check("/helpfulness", value.parse::<Helpfulness>()));
        if let Some(can_help_with) = patch.can_help_with.text() {
            changes.can_help_with =
                problems.check("/can_help_with", CanHelpWith::parse(&can_help_with));
        }
        changes.crisis_contact = patch.crisis_contact.kept("/crisis_contact", problems);
        changes.shared_with_services =
            patch.shared_with_services.kept("/shared_with_services", problems);
        changes.knows_about_my_health = patch
            .knows_about_my_health
            .kept("/knows_about_my_health", problems)
            .and_then(|value| {
                problems.check("/knows_about_my_health", value.parse::<KnowsAboutMyHealth>())
            });
        if let Some(notes) = patch.notes.text() {
            changes.notes = problems.check("/notes", ContactNotes::parse(&notes));
        }
        found.or(|| Some(changes))
    }
}

/// Changes one of your contacts.
///
/// A JSON merge patch: absent fields stay as they are; `null` clears
/// `organisation`, `preferred_method`, `keep_in_touch_every_days`,
/// `last_contacted_at`, `can_help_with` and `notes`; `channels` replaces them all.
/// `last_contacted_at` sets the value you give directly; the answer shows the later of
/// it and your newest interaction. With `If-Match`, only if the contact is still at
/// that version (else 412).
#[utoipa::path(
    tag = "contacts",
    operation_id = "update_contact",
    security(("oauth2" = ["contacts:write"])),
    request_body(content((ContactPatch = "application/merge-patch+json"), (ContactPatch = "application/json"))),
    params(ContactPath),
    responses(
        (status = 200, description = "The changed contact.", body = ContactResponse, headers(("ETag" = String, description = "Its new version."))),
        ContactMissing,
        ContactStale,
        Invalid,
    ),
)]
#[patch("/v1/contacts/{contact_id}")]
pub(crate) async fn update_contact(
    principal: Principal,
    path: web::Path<ContactPath>,
    if_match: IfMatch,
    body: JsonBody<ContactPatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, patch) = (path.contact_id(), body.into_inner());
    let acting = principal.acting()?;
    let contact = contacts::update(&state.ports, acting, now(), id, if_match.seen(), patch).await?;
    Ok(versioned(contact.version, ContactResponse::from(&contact)))
}

/// Deletes one of your contacts.
///
/// Its interactions go with it, and it stops supporting any goal (those goals get a
/// new version). The deletion is recorded in the change journal, so other devices can
/// learn of it. With `If-Match`, only if the contact is still at that version.
#[utoipa::path(
    tag = "contacts",
    operation_id = "delete_contact",
    security(("oauth2" = ["contacts:write"])),
    params(ContactPath),
    responses(
        (status = 204, description = "The contact is gone."),
        ContactMissing,
        ContactStale,
    ),
)]
#[delete("/v1/contacts/{contact_id}")]
pub(crate) async fn delete_contact(
    principal: Principal,
    path: web::Path<ContactPath>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.contact_id();
    contacts::delete(&state.ports, principal.acting()?, now(), id, if_match.seen()).await?;
    Ok(HttpResponse::NoContent().finish())
}
