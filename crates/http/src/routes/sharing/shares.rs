//! The person's shares: `/v1/shares`, one share, a new invitation, and the preview.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use waymark_application::sharing::{self, Invitation};
use waymark_domain::sharing::{Share, ShareId};
use waymark_domain::time::now;

use super::views::SharePreviewResponse;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, version_etag};
use crate::middleware::idempotency::ShownOnce;
use crate::openapi::problems::{BadPage, Invalid, ShareMissing, ShareOver, ShareStale};
use crate::pages::INVITATION_PAGE_PATH;
use crate::pagination::{PageRequest, TimeAndId, page_response};
use crate::paths::SharePath;
use crate::problem::Problem;
use crate::respond::versioned;
use crate::state::AppState;
use crate::wire::shares::{
    InvitationResponse, InvitedShareResponse, NewShareRequest, SharePatch, ShareResponse,
};

/// A share with its invitation, shown this once: never stored for, nor shown by, an
/// idempotent replay.
fn with_invitation(
    state: &AppState,
    (share, invitation): (&Share, &Invitation),
    status: actix_web::http::StatusCode,
) -> HttpResponse {
    let code = invitation.code.expose().to_owned();
    let server = state.tokens.settings().issuer.trim_end_matches('/').to_owned();
    let body = InvitedShareResponse {
        share: ShareResponse::of(share, now()),
        invitation: InvitationResponse {
            link: format!("{server}{INVITATION_PAGE_PATH}#code={code}"),
            code,
            expires_at: invitation.expires_at,
        },
    };
    let mut response = HttpResponse::build(status)
        .insert_header((actix_web::http::header::LOCATION, format!("/v1/shares/{}", share.id)))
        .insert_header((actix_web::http::header::ETAG, version_etag(share.version)))
        .json(body);
    response.extensions_mut().insert(ShownOnce);
    response
}

/// Shares with someone in your support network.
///
/// Choose the contact, then what: chosen goals (each with whether its why, steps and
/// check-in notes are included) or all your active goals, and optionally a weekly
/// summary of your routines (never notes). Encouragement is allowed unless you say
/// not; a share lasts until you end it unless you give `expires_at`. A contact you
/// marked `unhelpful` needs `confirm: true`. Needs `goals:read` and `routines:read`
/// besides `shares:write`: an app must not pass on more than it may read itself.
///
/// The answer holds an invitation: a one-time code and a link, shown only now, valid
/// for 7 days. Give it to them; they accept it with their own Waymark account. A retry
/// with the same `Idempotency-Key` is 409, never the code again.
#[utoipa::path(
    tag = "sharing",
    operation_id = "create_share",
    security(("oauth2" = ["shares:write", "goals:read", "routines:read"])),
    request_body = NewShareRequest,
    responses(
        (status = 201, description = "The share and its invitation.", body = InvitedShareResponse,
            headers(("Location" = String, description = "The share's address."), ("ETag" = String, description = "Its version."))),
        (status = 422, description = "A field is invalid, the contact or a goal is not yours, or the contact is marked unhelpful and `confirm` was not sent.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/shares")]
pub(crate) async fn create_share(
    principal: Principal,
    body: JsonBody<NewShareRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (share, invitation) =
        sharing::create(&state.ports, principal.acting()?, now(), body.into_inner()).await?;
    Ok(with_invitation(&state, (&share, &invitation), actix_web::http::StatusCode::CREATED))
}

/// What you share, with whom.
///
/// Newest first, every status (invited, active, paused, expired, ended).
#[utoipa::path(
    tag = "sharing",
    operation_id = "list_shares",
    security(("oauth2" = ["shares:read"])),
    params(PageRequest),
    responses(
        (status = 200, description = "A page of shares; `Link` points to the next.", body = SharesPageResponse),
        BadPage,
    ),
)]
#[get("/v1/shares")]
pub(crate) async fn list_shares(
    principal: Principal,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after = page.position::<TimeAndId>(&state.cursors)?.map(|last| (last.at, ShareId(last.id)));
    let (shares, more) = sharing::list(&state.ports, principal.acting()?, after, limit).await?;
    let next_cursor = state
        .cursors
        .after_last(more, &shares, |last| TimeAndId { at: last.created_at, id: last.id.0 });
    let at = now();
    let items: Vec<ShareResponse> =
        shares.iter().map(|share| ShareResponse::of(share, at)).collect();
    Ok(page_response("/v1/shares", limit, items, next_cursor))
}

/// A page of shares.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SharesPageResponse {
    /// The shares.
    items: Vec<ShareResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// One of your shares.
///
/// Sends `ETag` (its version, for `If-Match`). A share's `status` also changes with
/// time (an invitation or the share expiring) and when the supporter's account is
/// closed, without a new version, so `If-None-Match` is not honoured here: the answer
/// is always the share as it is now.
#[utoipa::path(
    tag = "sharing",
    operation_id = "get_share",
    security(("oauth2" = ["shares:read"])),
    params(SharePath),
    responses(
        (status = 200, description = "The share.", body = ShareResponse, headers(("ETag" = String, description = "Its version."))),
        ShareMissing,
    ),
)]
#[get("/v1/shares/{share_id}")]
pub(crate) async fn get_share(
    principal: Principal,
    path: web::Path<SharePath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let share = sharing::get(&state.ports, principal.acting()?, path.share_id()).await?;
    Ok(versioned(share.version, ShareResponse::of(&share, now())))
}

/// Changes what you share, pauses or resumes it.
///
/// A JSON merge patch: what you leave out stays as it is. `goals` replaces the chosen
/// goals; `all_active_goals` shares every active goal instead (`null` to stop).
/// Narrowing takes effect on the supporter's very next request, on every server.
/// With `If-Match`, only if the share is still at that version (else 412). A share
/// that expired or that its supporter ended no longer changes (409). Needs
/// `goals:read` and `routines:read` besides `shares:write`, as creating one does.
#[utoipa::path(
    tag = "sharing",
    operation_id = "update_share",
    security(("oauth2" = ["shares:write", "goals:read", "routines:read"])),
    request_body(content((SharePatch = "application/merge-patch+json"), (SharePatch = "application/json"))),
    params(SharePath),
    responses(
        (status = 200, description = "The changed share.", body = ShareResponse, headers(("ETag" = String, description = "Its new version."))),
        ShareMissing,
        ShareStale,
        ShareOver,
        Invalid,
    ),
)]
#[patch("/v1/shares/{share_id}")]
pub(crate) async fn update_share(
    principal: Principal,
    path: web::Path<SharePath>,
    if_match: IfMatch,
    body: JsonBody<SharePatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let target = (path.share_id(), if_match.seen());
    let share =
        sharing::update(&state.ports, principal.acting()?, now(), target, body.into_inner())
            .await?;
    Ok(versioned(share.version, ShareResponse::of(&share, now())))
}

/// Ends a share.
///
/// At once: from their next request on, the supporter gets 404 for everything it
/// showed. Encouragement they sent stays yours. With `If-Match`, only if the share is
/// still at that version.
#[utoipa::path(
    tag = "sharing",
    operation_id = "delete_share",
    security(("oauth2" = ["shares:write"])),
    params(SharePath),
    responses(
        (status = 204, description = "The share has ended."),
        ShareMissing,
        ShareStale,
    ),
)]
#[delete("/v1/shares/{share_id}")]
pub(crate) async fn delete_share(
    principal: Principal,
    path: web::Path<SharePath>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    sharing::delete(&state.ports, acting, now(), path.share_id(), if_match.seen()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new invitation for a share nobody has accepted yet.
///
/// The old code stops working at once. The new one is shown only now and is valid
/// for 7 days. A retry with the same `Idempotency-Key` is 409, never the code again.
#[utoipa::path(
    tag = "sharing",
    operation_id = "reinvite_share",
    security(("oauth2" = ["shares:write"])),
    params(SharePath),
    responses(
        (status = 200, description = "The share and its new invitation.", body = InvitedShareResponse),
        (status = 409, description = "The invitation was accepted already, or the share expired (share again instead).", body = Problem, content_type = "application/problem+json"),
        ShareMissing,
    ),
)]
#[post("/v1/shares/{share_id}/invitation")]
pub(crate) async fn reinvite_share(
    principal: Principal,
    path: web::Path<SharePath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (share, invitation) =
        sharing::reinvite(&state.ports, principal.acting()?, now(), path.share_id()).await?;
    Ok(with_invitation(&state, (&share, &invitation), actix_web::http::StatusCode::OK))
}

/// Exactly what the supporter sees.
///
/// Needs `goals:read` and `routines:read` besides `shares:read`, since it shows goal
/// and routine content. Made by the same code the supporter's own requests go through: the share as it
/// is listed for them, each goal as they see it, and the routines summary if you
/// share it. It shows what they would see while the share is active, whatever its
/// status now.
#[utoipa::path(
    tag = "sharing",
    operation_id = "preview_share",
    security(("oauth2" = ["shares:read", "goals:read", "routines:read"])),
    params(SharePath),
    responses(
        (status = 200, description = "What the supporter sees.", body = SharePreviewResponse),
        ShareMissing,
    ),
)]
#[get("/v1/shares/{share_id}/preview")]
pub(crate) async fn preview_share(
    principal: Principal,
    path: web::Path<SharePath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let at = now();
    let (listed_as, view) =
        sharing::preview(&state.ports, principal.acting()?, at, path.share_id()).await?;
    Ok(HttpResponse::Ok().json(SharePreviewResponse::of(&listed_as, &view, at)))
}
