//! The supporter's side: accepting an invitation (and the page its link opens), what
//! others share with you, reading it, encouragement, and stepping back. Every read
//! of a person's share is noted for their access log (`Principal::supporting`).
//!
//! The operations under `/v1/shared-with-me` are registered in one scope
//! ([`SHARED_WITH_ME`]), first: actix tries routes in order, matching each path with a
//! template against the request, so a supporter's every read would otherwise pay for
//! every route registered before it, and a scope costs every other request one prefix
//! comparison.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web};
use waymark_application::supporting::{self, ReadableShare};
use waymark_domain::goals::GoalId;
use waymark_domain::goals::ports::GoalPosition;
use waymark_domain::sharing::ShareId;
use waymark_domain::time::now;

use super::messages::EncouragementRequest;
use super::views::{
    AcceptInvitationRequest, SharedGoalDetailResponse, SharedGoalResponse, SharedRoutinesResponse,
};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::problems::{
    BadPage, EncouragementOff, Invalid, InvitationUnknown, NothingShared,
};
use crate::pages::HtmlPage;
use crate::pagination::{PageRequest, TimeAndId, page_response, serialized_page_response};
use crate::paths::{SharePath, SharedGoalPath};
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::shares::SentEncouragementResponse;
use crate::wire::shares::SharedWithMeResponse;

/// Where the supporter's operations live (the prefix of their scope).
pub(crate) const SHARED_WITH_ME: &str = "/v1/shared-with-me";

/// The share `id` if the caller, as its supporter, may read it now, noted for the
/// sharing person's access log.
async fn readable(
    principal: &Principal,
    state: &AppState,
    id: ShareId,
) -> Result<ReadableShare, ApiError> {
    let share = supporting::readable(&state.ports, principal.account()?, now(), id).await?;
    principal.supporting(share.owner());
    Ok(share)
}

/// Accepts an invitation to support someone.
///
/// Send the code you were given (in the body, never in an address). The share is
/// linked to your account, and what it shows appears under `/v1/shared-with-me`. A
/// code works once and for 7 days; a used, expired or unknown code (or your own) is
/// 404, all alike. Guessing is limited like signing in.
#[utoipa::path(
    tag = "sharing",
    operation_id = "accept_invitation",
    security(("oauth2" = ["shared:write"])),
    request_body = AcceptInvitationRequest,
    responses(
        (status = 200, description = "The share, as it is listed for you.", body = SharedWithMeResponse),
        InvitationUnknown,
        Invalid,
    ),
)]
#[post("/v1/invitations/accept")]
pub(crate) async fn accept_invitation(
    principal: Principal,
    body: JsonBody<AcceptInvitationRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let at = now();
    let shared =
        supporting::accept(&state.ports, principal.account()?, at, body.into_inner()).await?;
    principal.supporting(shared.share.owner);
    Ok(HttpResponse::Ok().json(SharedWithMeResponse::of(&shared, at)))
}

/// The page an invitation's link opens, for a person who follows it in a browser.
///
/// The code is in the link after `#`, which browsers never send, so this page is the
/// same for everyone and says how to accept.
#[utoipa::path(
    tag = "sharing",
    operation_id = "invitation_page",
    responses(
        (status = 200, description = "How to accept an invitation.", content_type = "text/html", body = HtmlPage),
    ),
)]
#[get("/v1/invitations/accept")]
pub(crate) async fn invitation_page() -> HttpResponse {
    crate::pages::page(
        StatusCode::OK,
        "You have been invited",
        "<h1>Someone would like your support</h1>\
<p>They use an app that works with Waymark, and chose to share some of their goals with you, \
so you can follow how they are going and send them encouragement.</p>\
<p>To accept, open an app that works with Waymark, sign in or make an account, and choose to \
accept an invitation. It will ask for the code: it is the part of this page's address after \
<code>#code=</code>.</p>\
<p>The code works once, for 7 days. They can change or end what they share at any time.</p>",
    )
}

/// Who shares with you, and what.
///
/// Active and paused shares, newest first. Names are display names; never an e-mail
/// address.
#[utoipa::path(
    tag = "sharing",
    operation_id = "list_shared_with_me",
    security(("oauth2" = ["shared:read"])),
    params(PageRequest),
    responses(
        (status = 200, description = "A page of shares; `Link` points to the next.", body = SharedWithMePageResponse),
        BadPage,
    ),
)]
#[get("")]
pub(crate) async fn list_shared_with_me(
    principal: Principal,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after = page.position::<TimeAndId>(&state.cursors)?.map(|last| (last.at, ShareId(last.id)));
    let at = now();
    let (shares, more) =
        supporting::shared_with_me(&state.ports, principal.account()?, at, after, limit).await?;
    let next_cursor = state.cursors.after_last(more, &shares, |last| TimeAndId {
        at: last.share.created_at,
        id: last.share.id.0,
    });
    let items: Vec<SharedWithMeResponse> =
        shares.iter().map(|shared| SharedWithMeResponse::of(shared, at)).collect();
    Ok(page_response(SHARED_WITH_ME, limit, items, next_cursor))
}

/// A page of shares with you.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SharedWithMePageResponse {
    /// The shares.
    items: Vec<SharedWithMeResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// One share with you.
///
/// As it is listed under `/v1/shared-with-me`: whose it is, whether it is active or
/// paused, and what it shows. 404 once it has ended or expired.
#[utoipa::path(
    tag = "sharing",
    operation_id = "get_shared_with_me",
    security(("oauth2" = ["shared:read"])),
    params(SharePath),
    responses(
        (status = 200, description = "The share, as it is listed for you.", body = SharedWithMeResponse),
        NothingShared,
    ),
)]
#[get("/{share_id}")]
pub(crate) async fn get_shared_with_me(
    principal: Principal,
    path: web::Path<SharePath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let at = now();
    let shared =
        supporting::shared(&state.ports, principal.account()?, at, path.share_id()).await?;
    principal.supporting(shared.share.owner);
    Ok(HttpResponse::Ok().json(SharedWithMeResponse::of(&shared, at)))
}

/// Steps back from a share.
///
/// It ends for you at once, and they see it as ended (their access log says you did).
/// Messages you sent stay theirs.
#[utoipa::path(
    tag = "sharing",
    operation_id = "leave_shared_with_me",
    security(("oauth2" = ["shared:write"])),
    params(SharePath),
    responses(
        (status = 204, description = "You no longer follow this share."),
        NothingShared,
    ),
)]
#[delete("/{share_id}")]
pub(crate) async fn leave_shared_with_me(
    principal: Principal,
    path: web::Path<SharePath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let person =
        supporting::step_back(&state.ports, principal.account()?, now(), path.share_id()).await?;
    principal.supporting(person);
    Ok(HttpResponse::NoContent().finish())
}

/// The goals shared with you.
///
/// Newest first: each with its title, status, target date and step progress, and its
/// why only if they chose to share it. 404 once the share has ended, expired or is
/// paused.
#[utoipa::path(
    tag = "sharing",
    operation_id = "list_shared_goals",
    security(("oauth2" = ["shared:read"])),
    params(SharePath, PageRequest),
    responses(
        (status = 200, description = "A page of goals; `Link` points to the next.", body = SharedGoalsPageResponse),
        BadPage,
        NothingShared,
    ),
)]
#[get("/{share_id}/goals")]
pub(crate) async fn list_shared_goals(
    principal: Principal,
    path: web::Path<SharePath>,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after = page
        .position::<TimeAndId>(&state.cursors)?
        .map(|last| GoalPosition::Newest { created_at: last.at, id: GoalId(last.id) });
    let share = readable(&principal, &state, path.share_id()).await?;
    let (goals, more) = supporting::goals(&state.ports, &share, after, limit).await?;
    let next_cursor = state
        .cursors
        .after_last(more, &goals, |last| TimeAndId { at: last.created_at, id: last.id.0 });
    // What is shown of each goal changes only with it and with the share (the fields
    // it includes): the page's JSON is kept under both, the share first, so it is this
    // share's (and so this supporter's) alone.
    let shared = &share.shared().share;
    let key = std::iter::once((shared.id.0, shared.version))
        .chain(goals.iter().map(|goal| (goal.id.0, goal.version)))
        .collect();
    let items = state
        .shared_goal_pages
        .items(key, || goals.iter().map(SharedGoalResponse::from).collect())
        .map_err(|error| ApiError::Internal(error.into()))?;
    let base = format!("{SHARED_WITH_ME}/{}/goals", path.share_id());
    serialized_page_response(&base, limit, &items, next_cursor.as_deref())
        .map_err(|error| ApiError::Internal(error.into()))
}

/// A page of goals shared with you.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SharedGoalsPageResponse {
    /// The goals.
    items: Vec<SharedGoalResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// One goal shared with you.
///
/// With its steps if they share them, and its latest 20 check-ins (when, progress,
/// setbacks; what they wrote and felt only if they share their notes).
#[utoipa::path(
    tag = "sharing",
    operation_id = "get_shared_goal",
    security(("oauth2" = ["shared:read"])),
    params(SharedGoalPath),
    responses(
        (status = 200, description = "The goal, as they share it.", body = SharedGoalDetailResponse),
        NothingShared,
    ),
)]
#[get("/{share_id}/goals/{goal_id}")]
pub(crate) async fn get_shared_goal(
    principal: Principal,
    path: web::Path<SharedGoalPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let share = readable(&principal, &state, path.share_id()).await?;
    let goal = supporting::goal(&state.ports, &share, path.goal_id()).await?;
    Ok(HttpResponse::Ok().json(SharedGoalDetailResponse::from(&goal)))
}

/// The weekly summary of their routines, if they share it.
///
/// Each active routine's title and how the last seven days went (planned, done,
/// partly) with its current streak. Never notes.
#[utoipa::path(
    tag = "sharing",
    operation_id = "get_shared_routines",
    security(("oauth2" = ["shared:read"])),
    params(SharePath),
    responses(
        (status = 200, description = "The summary.", body = SharedRoutinesResponse),
        NothingShared,
    ),
)]
#[get("/{share_id}/routines")]
pub(crate) async fn get_shared_routines(
    principal: Principal,
    path: web::Path<SharePath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let share = readable(&principal, &state, path.share_id()).await?;
    let routines = supporting::routines(&state.ports, &share, now()).await?;
    Ok(HttpResponse::Ok().json(SharedRoutinesResponse::of(&routines)))
}

/// Sends encouragement about a goal shared with you.
///
/// A short plain-text message (1 to 500 characters); they see it with your display
/// name, and can hide it. At most 5 about one goal in 24 hours (then 429). 409 when
/// they have turned encouragement off for this share.
#[utoipa::path(
    tag = "sharing",
    operation_id = "send_encouragement",
    security(("oauth2" = ["shared:write"])),
    request_body = EncouragementRequest,
    params(SharedGoalPath),
    responses(
        (status = 201, description = "The message was sent.", body = SentEncouragementResponse),
        EncouragementOff,
        (status = 429, description = "You sent as many messages about this goal today as allowed.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        NothingShared,
        Invalid,
    ),
)]
#[post("/{share_id}/goals/{goal_id}/encouragements")]
pub(crate) async fn send_encouragement(
    principal: Principal,
    path: web::Path<SharedGoalPath>,
    body: JsonBody<EncouragementRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let share = readable(&principal, &state, path.share_id()).await?;
    let sent =
        supporting::encourage(&state.ports, &share, now(), path.goal_id(), body.into_inner())
            .await?;
    Ok(HttpResponse::Created().json(SentEncouragementResponse::from(&sent)))
}
