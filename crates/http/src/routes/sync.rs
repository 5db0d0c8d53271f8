//! `GET /v1/sync`: delta sync for apps that keep a copy of a person's data.

use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::sync::{self, FirstPass, SyncItem, SyncPage, SyncPosition};
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{ResourceType, Sequence};
use waymark_domain::sync::{Resource, SYNCED, SyncedKinds};
use waymark_domain::time::Instant;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::openapi::problems::BadQuery;
use crate::pagination::{
    CursorSigner, MAX_LIMIT, bad_query, documented_query, documented_query_types, parse_limit,
};
use crate::state::AppState;
use crate::sync_answers::AnswerKey;
use crate::wire::contacts::{ContactResponse, InteractionResponse};
use crate::wire::goals::CheckInResponse;
use crate::wire::goals::GoalResponse;
use crate::wire::goals::StepResponse;
use crate::wire::routines::{RoutineCheckInResponse, RoutineResponse};
use crate::wire::shares::ShareResponse;

/// The longest sync token decoded.
const MAX_TOKEN_LENGTH: usize = 300;

/// The signer of sync positions, derived from the cursor signer: a sync token never
/// passes for a cursor, nor a cursor for a sync token.
pub(crate) fn tokens_from(cursors: &CursorSigner) -> CursorSigner {
    cursors.for_purpose("sync", MAX_TOKEN_LENGTH)
}

/// `GET /v1/sync`'s parameters, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SyncParameters {
    /// The `next` token of your last sync; leave it out to start from nothing.
    #[param(max_length = 300)]
    since: Option<String>,
    /// At most this many journal entries (or, on a first sync, resources) per page,
    /// 1 to 100 (default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100, default = 100)]
    limit: Option<String>,
}

documented_query_types!(SyncParameters);

/// What a sync token holds: whose journal, how far, for which kinds, and during a
/// first sync how far the reading of current resources got. Signed, so an app cannot
/// make one up.
#[derive(Debug, Serialize, Deserialize)]
struct SyncToken {
    #[serde(rename = "a")]
    account: uuid::Uuid,
    #[serde(rename = "s")]
    sequence: i64,
    #[serde(rename = "k")]
    kinds: u8,
    /// The place in [`SYNCED`] of the kind being read, and the last id given.
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    first_pass: Option<(u8, Option<uuid::Uuid>)>,
}

/// What kind of thing changed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SyncedType {
    /// A goal.
    Goal,
    /// A step of a goal.
    GoalStep,
    /// A check-in on a goal.
    GoalCheckIn,
    /// A routine.
    Routine,
    /// A check-in on a routine.
    RoutineCheckIn,
    /// A contact.
    Contact,
    /// An interaction with a contact.
    ContactInteraction,
    /// A share you gave a supporter.
    Share,
}

impl SyncedType {
    fn of(resource: ResourceType) -> Option<Self> {
        Some(match resource {
            ResourceType::Goal => Self::Goal,
            ResourceType::GoalStep => Self::GoalStep,
            ResourceType::GoalCheckIn => Self::GoalCheckIn,
            ResourceType::Routine => Self::Routine,
            ResourceType::RoutineCheckIn => Self::RoutineCheckIn,
            ResourceType::Contact => Self::Contact,
            ResourceType::ContactInteraction => Self::ContactInteraction,
            ResourceType::Share => Self::Share,
            ResourceType::Account | ResourceType::Grant | ResourceType::Encouragement => {
                return None;
            }
        })
    }
}

/// The thing a changed item belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SyncedParent {
    /// Its kind: `goal` for steps and goal check-ins, `routine` for routine
    /// check-ins, `contact` for interactions and shares.
    #[serde(rename = "type")]
    kind: SyncedType,
    /// Its id.
    id: uuid::Uuid,
}

/// One thing that changed: as it is now (under the key its `type` names, exactly as
/// its own `GET` answers it), or `deleted`.
#[derive(Debug, Default, Serialize, ToSchema)]
pub(crate) struct SyncedChange {
    /// Its kind.
    #[serde(rename = "type")]
    #[schema(value_type = SyncedType)]
    kind: Option<SyncedType>,
    /// Its id.
    id: uuid::Uuid,
    /// Whether it was deleted (with whatever belonged to it: a goal's steps and
    /// check-ins, a routine's check-ins, a contact's interactions and shares). Remove
    /// it if you have it.
    deleted: bool,
    /// What it belongs to, for the kinds that belong to something (not given for a
    /// deletion).
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<SyncedParent>,
    /// The goal, when `type` is `goal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    goal: Option<GoalResponse>,
    /// The step, when `type` is `goal_step`.
    #[serde(skip_serializing_if = "Option::is_none")]
    goal_step: Option<StepResponse>,
    /// The check-in, when `type` is `goal_check_in`.
    #[serde(skip_serializing_if = "Option::is_none")]
    goal_check_in: Option<CheckInResponse>,
    /// The routine, when `type` is `routine`.
    #[serde(skip_serializing_if = "Option::is_none")]
    routine: Option<RoutineResponse>,
    /// The check-in, when `type` is `routine_check_in`.
    #[serde(skip_serializing_if = "Option::is_none")]
    routine_check_in: Option<RoutineCheckInResponse>,
    /// The contact, when `type` is `contact`.
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<ContactResponse>,
    /// The interaction, when `type` is `contact_interaction`.
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_interaction: Option<InteractionResponse>,
    /// The share, when `type` is `share`.
    #[serde(skip_serializing_if = "Option::is_none")]
    share: Option<ShareResponse>,
}

impl SyncedChange {
    fn of(item: &SyncItem, now: Instant) -> Self {
        let resource = match item {
            SyncItem::Deleted { resource, id } => {
                return Self {
                    kind: SyncedType::of(*resource),
                    id: *id,
                    deleted: true,
                    ..Self::default()
                };
            }
            SyncItem::Changed(resource) => &**resource,
        };
        let mut change = Self {
            kind: SyncedType::of(resource.kind()),
            id: resource.id(),
            parent: resource
                .parent()
                .and_then(|(kind, id)| Some(SyncedParent { kind: SyncedType::of(kind)?, id })),
            ..Self::default()
        };
        match resource {
            Resource::Goal(goal) => change.goal = Some(goal.into()),
            Resource::GoalStep(step) => change.goal_step = Some(step.into()),
            Resource::GoalCheckIn(check_in) => change.goal_check_in = Some(check_in.into()),
            Resource::Routine(routine) => change.routine = Some(routine.into()),
            Resource::RoutineCheckIn(check_in) => change.routine_check_in = Some(check_in.into()),
            Resource::Contact(contact) => change.contact = Some(contact.into()),
            Resource::ContactInteraction(interaction) => {
                change.contact_interaction = Some(interaction.into());
            }
            Resource::Share(share) => change.share = Some(ShareResponse::of(share, now)),
        }
        change
    }
}

/// A page of changes.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SyncResponse {
    /// What changed, in the order it first changed in this page (so a thing comes
    /// before what belongs to it). The same thing can come more than once (on a first
    /// sync, and when it changed while you synced): the later one is newer.
    #[schema(max_items = 100)]
    changes: Vec<SyncedChange>,
    /// Pass as `since` next time. Keep it: it is where your copy stands.
    #[schema(example = "eyJhIjoiMDE5MC4uLiIsInMiOjQyLCJrIjoyNTV9.c2lnbmF0dXJl", max_length = 300)]
    next: String,
    /// Whether more changes are waiting now: call again with `next` straight away.
    /// `false` means your copy is up to date; call again with `next` later.
    more: bool,
}

/// Changes since your last sync.
///
/// For apps that keep a copy of the person's data (offline, on a phone). Without
/// `since`, the first sync gives everything there is, in pages (goals, their steps and
/// check-ins, routines and their check-ins, contacts and their interactions, shares);
/// with the `next` of the previous answer, what changed since: each changed thing as
/// it is now, or that it was deleted. Apply each page in order (put what changed,
/// remove what was deleted, ignore a deletion you do not have), and keep `next`.
///
/// Only the kinds your token may read come: `goals:read` gives goals with their steps
/// and check-ins, `routines:read` routines and their check-ins, `contacts:read`
/// contacts and interactions, `shares:read` shares. A page covers at most `limit`
/// changes (1 to 100, default 100) and may hold fewer while `more` is `true`.
///
/// Changes are kept for the journal's retention (90 days by default): a `since`
/// older than that, or made for a token with other scopes, is 410, and the app starts
/// again without `since`. A `since` that is not one of ours is 400.
#[utoipa::path(
    tag = "sync",
    operation_id = "sync_changes",
    security(("oauth2" = [])),
    params(SyncParameters),
    responses(
        (status = 200, description = "A page of changes.", body = SyncResponse),
        BadQuery,
        (status = 410, description = "The changes since `since` are no longer kept, or it was made for other scopes: start again without `since`.", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/sync")]
pub(crate) async fn sync_changes(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let owner = principal.account()?;
    let kinds = sync::kinds_for(&principal.scopes)?;
    let sent: SyncParameters = documented_query(request.query_string())?;
    let limit = sent.limit.as_deref().map_or(Ok(MAX_LIMIT), parse_limit)?;
    let tokens = &state.sync_tokens;
    let position =
        sent.since.as_deref().map(|since| position_of(tokens, since, owner)).transpose()?;
    let key = AnswerKey {
        owner,
        since: sent.since,
        limit,
        kinds: kinds.bits(),
        head: sync::stamp(&state.ports, owner).await?,
    };
    if let Some(json) = state.sync_answers.get(&key) {
        return Ok(json_response(json));
    }
    let page = sync::changes(&state.ports, owner, kinds, position, limit).await?;
    let now = waymark_domain::time::now();
    let json = serde_json::to_vec(&response_of(&page, tokens, owner, now)?)
        .map_err(|error| ApiError::Internal(error.into()))?;
    let json = Bytes::from(json);
    state.sync_answers.keep(key, json.clone());
    Ok(json_response(json))
}

fn json_response(json: Bytes) -> HttpResponse {
    HttpResponse::Ok().content_type(ContentType::json()).body(json)
}

fn response_of(
    page: &SyncPage,
    tokens: &CursorSigner,
    owner: AccountId,
    now: Instant,
) -> Result<SyncResponse, ApiError> {
    let first_pass = match page.next.first_pass {
        Some(pass) => {
            let place = SYNCED
                .iter()
                .position(|kind| *kind == pass.resource)
                .and_then(|place| u8::try_from(place).ok())
                .ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!(
                        "a first sync reads a kind sync does not carry"
                    ))
                })?;
            Some((place, pass.after))
        }
        None => None,
    };
    let next = SyncToken {
        account: owner.0,
        sequence: page.next.journal.0,
        kinds: page.next.kinds.bits(),
        first_pass,
    };
    Ok(SyncResponse {
        changes: page.items.iter().map(|item| SyncedChange::of(item, now)).collect(),
        next: tokens.encode(&next),
        more: page.more,
    })
}

/// The position `since` names, if it is one of ours, for this person.
fn position_of(
    tokens: &CursorSigner,
    since: &str,
    owner: AccountId,
) -> Result<SyncPosition, ApiError> {
    let not_ours = || bad_query("since is not a sync token of yours; start again without since");
    let token: SyncToken = tokens.decode(since).map_err(|_| not_ours())?;
    if token.account != owner.0 {
        return Err(not_ours());
    }
    let first_pass = match token.first_pass {
        Some((place, after)) => {
            let resource = *SYNCED.get(usize::from(place)).ok_or_else(not_ours)?;
            Some(FirstPass { resource, after })
        }
        None => None,
    };
    Ok(SyncPosition {
        kinds: SyncedKinds::from_bits(token.kinds),
        journal: Sequence(token.sequence),
        first_pass,
    })
}
