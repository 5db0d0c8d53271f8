//! vCard exchange (RFC 6350): one contact or all of them as `text/vcard`, and an
//! import of up to 500 cards from a phone or another app, each card answered on its
//! own.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt as _;
use serde::Serialize;
use utoipa::ToSchema;
use waymark_application::contacts;
use waymark_application::formats::contact_cards::{draft_of, write_contact};
use waymark_application::formats::vcard::{CardWriter, parse};
use waymark_domain::contacts::Problems;
use waymark_domain::time::now;
use waymark_domain::validation::Problem as FieldProblem;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{not_modified, version_etag};
use crate::openapi::problems::ContactMissing;
use crate::paths::ContactPath;
use crate::problem::{FieldError, Problem};
use crate::state::AppState;
use crate::wire::contacts::ContactResponse;

/// The import's path: its body may be larger than other requests'.
pub(crate) const IMPORT_PATH: &str = "/v1/contacts/import";
/// The largest vCard import, in bytes (photos count; Waymark ignores them).
pub(crate) const IMPORT_MAX_BYTES: usize = 8 * 1024 * 1024;
/// The most cards one import may hold.
pub(crate) const MAX_CARDS: usize = 500;
/// The media type of vCards.
const VCARD: &str = "text/vcard; charset=utf-8";

fn vcard_response(text: String, file_name: &str) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CONTENT_TYPE, VCARD));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
    {
        response.insert_header((header::CONTENT_DISPOSITION, disposition));
    }
    response.body(text)
}

/// One of your contacts as a vCard 4.0.
///
/// Waymark's own fields travel as `X-WAYMARK-*` properties, so importing the card
/// again gives the same contact. Sends `ETag`; with `If-None-Match` naming it, 304.
#[utoipa::path(
    tag = "contacts",
    operation_id = "export_contact_vcard",
    security(("oauth2" = ["contacts:read"])),
    params(ContactPath),
    responses(
        (status = 200, description = "The vCard.", content_type = "text/vcard", body = String,
            headers(("ETag" = String, description = "The contact's version."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
        ContactMissing,
    ),
)]
#[get("/v1/contacts/{contact_id}.vcf")]
pub(crate) async fn export_contact_vcard(
    request: HttpRequest,
    principal: Principal,
    path: web::Path<ContactPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let contact = contacts::get(&state.ports, principal.acting()?, path.contact_id()).await?;
    let etag = version_etag(contact.version);
    if let Some(unchanged) = not_modified(&request, &etag) {
        return Ok(unchanged);
    }
    let mut writer = CardWriter::new();
    write_contact(&mut writer, &contact);
    let mut response = vcard_response(writer.finish(), &format!("{}.vcf", contact.id));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

/// All your contacts as vCard 4.0, by name.
///
/// One card per contact (at most 1000), ready to import into a phone or back into
/// Waymark; `X-WAYMARK-*` properties carry Waymark's own fields.
#[utoipa::path(
    tag = "contacts",
    operation_id = "export_contacts_vcard",
    security(("oauth2" = ["contacts:read"])),
    responses(
        (status = 200, description = "Every contact, one card each (at most 1000).", content_type = "text/vcard", body = String),
    ),
)]
#[get("/v1/contacts/export.vcf")]
pub(crate) async fn export_contacts_vcard(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let everyone = contacts::all(&state.ports, principal.acting()?, false).await?;
    let mut writer = CardWriter::new();
    for contact in &everyone {
        write_contact(&mut writer, contact);
    }
    Ok(vcard_response(writer.finish(), "contacts.vcf"))
}

/// What became of one card.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ImportResult {
    /// The card's place in the body, from 1.
    card: usize,
    /// The line its `BEGIN:VCARD` is on, from 1; for a card that cannot be read at
    /// all, the line at fault.
    line: usize,
    /// 201 when it became a contact, 422 when it could not.
    status: u16,
    /// The new contact (201).
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<ContactResponse>,
    /// Why not (422): `errors` point into the contact the card would have made, such
    /// as `/channels/1/value`; a card that cannot be read at all has one error at `""`.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<Problem>,
}

/// The outcome of an import.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ImportResponse {
    /// How many cards became contacts.
    created: usize,
    /// How many could not.
    failed: usize,
    /// One result per card, in order.
    results: Vec<ImportResult>,
}

fn card_problem(problems: Vec<FieldProblem>) -> Problem {
    let errors: Vec<FieldError> = problems.into_iter().map(FieldError::from).collect();
    let mut problem = Problem::new("invalid-vcard", "The card could not be imported", 422)
        .with_detail(match errors.len() {
            1 => "1 field is invalid".to_owned(),
            count => format!("{count} fields are invalid"),
        });
    problem.errors = errors;
    problem
}

async fn read_body(request: &HttpRequest, mut payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let media_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    if !matches!(media_type.as_deref(), Some("text/vcard" | "text/x-vcard" | "text/directory")) {
        return Err(ApiError::UnsupportedMediaType { expected: "text/vcard" });
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            ApiError::BadRequest(format!("the body could not be read: {error}"))
        })?;
        if body.len() + chunk.len() > IMPORT_MAX_BYTES {
            return Err(ApiError::PayloadTooLarge { limit: IMPORT_MAX_BYTES });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Imports contacts from vCards (3.0 and 4.0, and 2.1 from older phones).
///
/// Send `Content-Type: text/vcard` with up to 500 cards (8 MiB). Each card is read and
/// checked on its own, by the same rules as `POST /v1/contacts` (phone numbers
/// without a country code are read in your locale's region); every valid card becomes
/// a contact, in one transaction, and every invalid card is answered with a 422
/// problem of its own and writes nothing. Photos and other fields Waymark does not
/// keep are ignored. Send `Idempotency-Key` to make retries safe: a retry is answered
/// with the first result and creates nothing more.
#[utoipa::path(
    tag = "contacts",
    operation_id = "import_contacts_vcard",
    security(("oauth2" = ["contacts:write"])),
    request_body(content = String, content_type = "text/vcard", description = "One or more vCards."),
    responses(
        (status = 200, description = "One result per card.", body = ImportResponse),
        (status = 409, description = "The valid cards would take you past 1000 contacts (nothing was written), or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 8 MiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `text/vcard`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body holds no cards, or more than 500.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/contacts/import")]
pub(crate) async fn import_contacts_vcard(
    request: HttpRequest,
    principal: Principal,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let body = read_body(&request, payload).await?;
    let text = String::from_utf8_lossy(&body);
    let cards = parse(&text);
    if !text.to_ascii_uppercase().contains("BEGIN:VCARD") {
        return Err(ApiError::Validation(vec![FieldError::invalid(
            "",
            "the body holds no vCards (BEGIN:VCARD ... END:VCARD)",
        )]));
    }
    if cards.len() > MAX_CARDS {
        return Err(ApiError::Validation(vec![FieldError::invalid(
            "",
            format!("an import may hold at most {MAX_CARDS} cards; this one has {}", cards.len()),
        )]));
    }
    let drafts = cards
        .iter()
        .map(|card| match card {
            Ok(card) => Ok(draft_of(card)),
            Err(error) => {
                let mut problems = Problems::default();
                problems.add("", &error.message);
                Err(problems.into_vec())
            }
        })
        .collect();
    let outcomes = contacts::import(&state.ports, acting, now(), drafts).await?;
    let results: Vec<ImportResult> = cards
        .iter()
        .zip(outcomes)
        .enumerate()
        .map(|(index, (card, outcome))| {
            let line = match card {
                Ok(card) => card.line,
                Err(error) => error.line,
            };
            let (status, contact, problem) = match outcome {
                Ok(contact) => (201, Some(ContactResponse::from(&contact)), None),
                Err(problems) => (422, None, Some(card_problem(problems))),
            };
            ImportResult { card: index + 1, line, status, contact, problem }
        })
        .collect();
    let created = results.iter().filter(|result| result.status == 201).count();
    Ok(HttpResponse::Ok().json(ImportResponse {
        created,
        failed: results.len() - created,
        results,
    }))
}
