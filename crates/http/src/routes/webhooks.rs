//! `/v1/webhooks`: a confidential API client's webhook subscriptions, with its own
//! token (client credentials, scope `webhooks`).

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::webhooks::{self, SubscriptionInput};
use waymark_domain::time::{Instant, now};
use waymark_domain::validation::Problems;
use waymark_domain::webhooks::{Attempt, EventType, Standing, Subscription, SubscriptionId};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch};
use crate::middleware::idempotency::ShownOnce;
use crate::openapi::problems::{BadPage, Invalid, Stale, WebhookMissing};
use crate::pagination::{PageRequest, page_response};
use crate::paths::{WebhookMessagePath, WebhookPath};
use crate::respond::versioned;
use crate::state::AppState;

/// An event a subscription can ask for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub(crate) enum EventTypeName {
    /// A goal was created (scope `goals:read`).
    #[serde(rename = "goal.created")]
    GoalCreated,
    /// A goal changed: its fields, status, steps or check-ins (`goals:read`).
    #[serde(rename = "goal.updated")]
    GoalUpdated,
    /// A goal was deleted (`goals:read`).
    #[serde(rename = "goal.deleted")]
    GoalDeleted,
    /// A check-in on a goal (`goals:read`).
    #[serde(rename = "goal.check_in.created")]
    GoalCheckInCreated,
    /// A check-in on a routine (`routines:read`).
    #[serde(rename = "routine.check_in.created")]
    RoutineCheckInCreated,
    /// A contact was added (`contacts:read`).
    #[serde(rename = "contact.created")]
    ContactCreated,
    /// A contact changed (`contacts:read`).
    #[serde(rename = "contact.updated")]
    ContactUpdated,
    /// A contact was removed (`contacts:read`).
    #[serde(rename = "contact.deleted")]
    ContactDeleted,
    /// A supporter accepted the person's invitation (`shares:read`).
    #[serde(rename = "share.accepted")]
    ShareAccepted,
    /// An article was published (the client's `content:events`).
    #[serde(rename = "content.article.published")]
    ContentArticlePublished,
}

/// Whether a subscription is sent anything.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SubscriptionStanding {
    /// It is sent its events.
    Active,
    /// Its client switched it off; events while it is off are not kept.
    Paused,
    /// Waymark switched it off: every attempt failed for three days. Switch it on
    /// again (`active: true`) once the address works.
    DisabledAfterFailures,
}

impl From<Standing> for SubscriptionStanding {
    fn from(standing: Standing) -> Self {
        match standing {
            Standing::Active => Self::Active,
            Standing::Paused => Self::Paused,
            Standing::DisabledAfterFailures => Self::DisabledAfterFailures,
        }
    }
}

/// A webhook subscription (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WebhookResponse {
    /// Its id.
    id: uuid::Uuid,
    /// Where events are posted.
    #[schema(example = "https://hooks.hillside.example/waymark", max_length = 1000)]
    url: String,
    /// What it is sent.
    #[schema(value_type = Vec<EventTypeName>, example = json!(["goal.created"]), min_items = 1, max_items = 10)]
    event_types: Vec<&'static str>,
    /// Whether it is sent anything.
    active: bool,
    /// Whether it is sent anything, and if not why.
    status: SubscriptionStanding,
    /// Since when every attempt has failed, if the last one did; three days of it
    /// disable the subscription.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs too.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    previous_secret_expires_at: Option<DateTime<Utc>>,
    /// When it was created.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Its version, also its `ETag`.
    #[schema(example = 1)]
    version: i64,
}

impl WebhookResponse {
    /// `subscription` as its client sees it at `now`.
    fn of(subscription: &Subscription, now: Instant) -> Self {
        Self {
            id: subscription.id.0,
            url: subscription.url.as_str().to_owned(),
            event_types: subscription.events.iter().map(EventType::as_str).collect(),
            active: subscription.standing == Standing::Active,
            status: subscription.standing.into(),
            failing_since: subscription.failing_since,
            previous_secret_expires_at: subscription.previous_secret_signs_until(now),
            created_at: subscription.created_at,
            updated_at: subscription.updated_at,
            version: subscription.version,
        }
    }
}

/// A subscription with its signing secret, shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct WebhookWithSecret {
    /// The subscription.
    #[serde(flatten)]
    webhook: WebhookResponse,
    /// The signing secret (Standard Webhooks): keep it now, it cannot be shown again.
    #[schema(
        example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwEXAMPLEexample=",
        min_length = 38,
        max_length = 100
    )]
    secret: String,
}

/// A subscription to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewWebhookRequest {
    /// Where to post events: an `https` URL of a public host, at most 1,000
    /// characters. Redirects are not followed.
    #[schema(
        example = "https://hooks.hillside.example/waymark",
        min_length = 1,
        max_length = 1000
    )]
    url: String,
    /// What to send. Personal events reach the subscription only for people who
    /// granted the client the event's read scope; content events need the client's
    /// `content:events` scope.
    #[schema(value_type = Vec<EventTypeName>, example = json!(["goal.created", "goal.check_in.created"]), min_items = 1, max_items = 10)]
    event_types: Vec<String>,
}

impl SubscriptionInput for NewWebhookRequest {
    fn url(&self) -> Option<&str> {
        Some(&self.url)
    }

    fn event_types(&self) -> Option<&[String]> {
        Some(&self.event_types)
    }
}

/// Changes to a subscription (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookPatch {
    /// A new address, by the rules of a new subscription.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 1000)]
    url: Patch<String>,
    /// New event types.
    #[serde(default)]
    #[schema(value_type = Vec<EventTypeName>, min_items = 1, max_items = 10)]
    event_types: Patch<Vec<String>>,
    /// `false` switches it off, `true` on again (also after it was disabled for
    /// failures).
    #[serde(default)]
    #[schema(value_type = bool)]
    active: Patch<bool>,
}

/// A patch whose fields have been read: a `null` is a problem already recorded.
struct CheckedPatch {
    url: Option<String>,
    event_types: Option<Vec<String>>,
    active: Option<bool>,
}

impl SubscriptionInput for CheckedPatch {
    fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    fn event_types(&self) -> Option<&[String]> {
        self.event_types.as_deref()
    }

    fn active(&self) -> Option<bool> {
        self.active
    }
}

/// A new signing secret, shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct RotatedSecret {
    /// The new signing secret: keep it now, it cannot be shown again.
    #[schema(
        example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwEXAMPLEexample=",
        min_length = 38,
        max_length = 100
    )]
    secret: String,
    /// Until when the secret before also signs every message (24 hours): a receiver
    /// accepts either while it switches over.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    previous_secret_expires_at: Option<DateTime<Utc>>,
}

/// One attempt to deliver a message.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AttemptResponse {
    /// The attempt's id.
    id: uuid::Uuid,
    /// The message's id: its `webhook-id`, the same on every attempt.
    #[schema(example = "msg_0193a1b2c3d47e8f9a0b1c2d3e4f5a6b", min_length = 36, max_length = 36)]
    message_id: String,
    /// The message's event type.
    #[schema(value_type = EventTypeName)]
    event_type: &'static str,
    /// When the attempt was made.
    #[serde(serialize_with = "crate::wire::time::instant")]
    attempted_at: DateTime<Utc>,
    /// Whether the address answered 2xx.
    delivered: bool,
    /// The HTTP status the address answered; `null` when it did not answer.
    #[schema(minimum = 100, maximum = 599)]
    status_code: Option<u16>,
    /// How long the attempt took, in milliseconds.
    #[schema(minimum = 0)]
    duration_ms: u64,
    /// Why it failed; `null` when it was delivered.
    #[schema(max_length = 300)]
    error: Option<String>,
}

impl From<&Attempt> for AttemptResponse {
    fn from(attempt: &Attempt) -> Self {
        Self {
            id: attempt.id,
            message_id: attempt.message.to_string(),
            event_type: attempt.event_type.as_str(),
            attempted_at: attempt.at,
            delivered: attempt.outcome.delivered(),
            status_code: attempt.outcome.status,
            duration_ms: u64::try_from(attempt.outcome.duration.as_millis()).unwrap_or(u64::MAX),
            error: attempt.outcome.error.clone(),
        }
    }
}

/// A page of subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WebhookPage {
    /// The subscriptions, oldest first.
    items: Vec<WebhookResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// A page of a subscription's delivery log.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AttemptPage {
    /// The attempts, newest first.
    items: Vec<AttemptResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// Subscribes an address to events.
///
/// The answer carries the signing secret, shown this once. Each event is posted as
/// JSON (`type`, `timestamp`, `data` with the resource's type, id and version and
/// the person's id), signed per the Standard Webhooks specification: `webhook-id`,
/// `webhook-timestamp`, `webhook-signature`. A client has at most 20 subscriptions.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    security(("client" = ["webhooks"])),
    request_body = NewWebhookRequest,
    responses(
        (status = 201, description = "The subscription, with its secret.", body = WebhookWithSecret,
            headers(("Location" = String, description = "The subscription's address."))),
        Invalid,
    ),
)]
#[post("/v1/webhooks")]
pub(crate) async fn create_webhook(
    principal: Principal,
    body: JsonBody<NewWebhookRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = principal.client()?;
    let policy = state.settings.webhook_targets;
    let (subscription, secret) = webhooks::subscribe(
        &state.ports,
        client,
        &principal.scopes,
        policy,
        now(),
        body.into_inner(),
    )
    .await?;
    let mut response = HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/webhooks/{}", subscription.id.0)))
        .insert_header((header::ETAG, format!("\"{}\"", subscription.version)))
        .json(WebhookWithSecret {
            webhook: WebhookResponse::of(&subscription, now()),
            secret: secret.expose(),
        });
    // A retry with the same Idempotency-Key must not show the secret again.
    response.extensions_mut().insert(ShownOnce);
    Ok(response)
}

/// Lists the client's subscriptions.
///
/// Oldest first, in pages (`limit`, `cursor`); secrets are never shown.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    security(("client" = ["webhooks"])),
    params(PageRequest),
    responses(
        (status = 200, description = "A page of subscriptions; `Link` points to the next.", body = WebhookPage),
        BadPage,
    ),
)]
#[get("/v1/webhooks")]
pub(crate) async fn list_webhooks(
    principal: Principal,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = principal.client()?;
    let limit = page.limit()?;
    let after = page.position(&state.cursors)?.map(SubscriptionId);
    let (subscriptions, more) = webhooks::list(&state.ports, client, after, limit).await?;
    let next_cursor = state.cursors.after_last(more, &subscriptions, |last| last.id.0);
    let now = now();
    let items =
        subscriptions.iter().map(|subscription| WebhookResponse::of(subscription, now)).collect();
    Ok(page_response("/v1/webhooks", limit, items, next_cursor))
}

/// One subscription.
///
/// Its address, event types, status and version (also its `ETag`); never its secret.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    security(("client" = ["webhooks"])),
    params(WebhookPath),
    responses(
        (status = 200, description = "The subscription.", body = WebhookResponse,
            headers(("ETag" = String, description = "Its version."))),
        WebhookMissing,
    ),
)]
#[get("/v1/webhooks/{webhook_id}")]
pub(crate) async fn get_webhook(
    principal: Principal,
    path: web::Path<WebhookPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let subscription = webhooks::get(&state.ports, principal.client()?, path.webhook_id()).await?;
    Ok(versioned(subscription.version, WebhookResponse::of(&subscription, now())))
}

/// Changes a subscription's address or event types, or switches it off or on.
///
/// A JSON merge patch; with `If-Match`, only if it is still at that version.
/// Switching a subscription on again after it was disabled for failures starts its
/// count of failures again; messages that waited are then sent.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    security(("client" = ["webhooks"])),
    params(WebhookPath),
    request_body(content((WebhookPatch = "application/merge-patch+json"), (WebhookPatch = "application/json"))),
    responses(
        (status = 200, description = "The changed subscription.", body = WebhookResponse,
            headers(("ETag" = String, description = "Its new version."))),
        WebhookMissing,
        Stale,
        Invalid,
    ),
)]
#[patch("/v1/webhooks/{webhook_id}")]
pub(crate) async fn update_webhook(
    principal: Principal,
    path: web::Path<WebhookPath>,
    if_match: IfMatch,
    body: JsonBody<WebhookPatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = principal.client()?;
    let patch = body.into_inner();
    let mut problems = Problems::default();
    let checked = CheckedPatch {
        url: patch.url.kept("/url", &mut problems),
        event_types: patch.event_types.kept("/event_types", &mut problems),
        active: patch.active.kept("/active", &mut problems),
    };
    if !problems.is_empty() {
        return Err(ApiError::Validation(
            problems.into_vec().into_iter().map(crate::problem::FieldError::from).collect(),
        ));
    }
    let subscription = webhooks::update(
        &state.ports,
        client,
        &principal.scopes,
        state.settings.webhook_targets,
        now(),
        path.webhook_id(),
        if_match.seen(),
        checked,
    )
    .await?;
    Ok(versioned(subscription.version, WebhookResponse::of(&subscription, now())))
}

/// Deletes a subscription.
///
/// Its waiting messages and its delivery log go with it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook",
    security(("client" = ["webhooks"])),
    params(WebhookPath),
    responses(
        (status = 204, description = "The subscription is gone."),
        WebhookMissing,
    ),
)]
#[delete("/v1/webhooks/{webhook_id}")]
pub(crate) async fn delete_webhook(
    principal: Principal,
    path: web::Path<WebhookPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    webhooks::remove(&state.ports, principal.client()?, path.webhook_id()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotates a subscription's signing secret.
///
/// The new secret is shown this once. For 24 hours every message is signed with both
/// secrets (two signatures in `webhook-signature`), so a receiver can switch over
/// without losing a message.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotate_webhook_secret",
    security(("client" = ["webhooks"])),
    params(WebhookPath),
    responses(
        (status = 200, description = "The new secret.", body = RotatedSecret),
        WebhookMissing,
    ),
)]
#[post("/v1/webhooks/{webhook_id}/secret/rotate")]
pub(crate) async fn rotate_webhook_secret(
    principal: Principal,
    path: web::Path<WebhookPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (subscription, secret) =
        webhooks::rotate_secret(&state.ports, principal.client()?, now(), path.webhook_id())
            .await?;
    let mut response = HttpResponse::Ok().json(RotatedSecret {
        secret: secret.expose(),
        previous_secret_expires_at: subscription.previous_secret_until,
    });
    response.extensions_mut().insert(ShownOnce);
    Ok(response)
}

/// A subscription's delivery log.
///
/// Every attempt to deliver a message, newest first, in pages: when, the status the
/// address answered, how long it took, and why it failed.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_attempts",
    security(("client" = ["webhooks"])),
    params(WebhookPath, PageRequest),
    responses(
        (status = 200, description = "A page of attempts; `Link` points to the next.", body = AttemptPage),
        WebhookMissing,
        BadPage,
    ),
)]
#[get("/v1/webhooks/{webhook_id}/attempts")]
pub(crate) async fn list_webhook_attempts(
    principal: Principal,
    path: web::Path<WebhookPath>,
    page: web::Query<PageRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = principal.client()?;
    let limit = page.limit()?;
    let before = page.position(&state.cursors)?;
    let id = path.webhook_id();
    let (attempts, more) = webhooks::attempts(&state.ports, client, id, before, limit).await?;
    let next_cursor = state.cursors.after_last(more, &attempts, |last| last.id);
    let items = attempts.iter().map(AttemptResponse::from).collect();
    let address = format!("/v1/webhooks/{}/attempts", id.0);
    Ok(page_response(&address, limit, items, next_cursor))
}

/// Sends one message again.
///
/// As soon as a worker can, under the same `webhook-id`, whatever became of it
/// before; its retries start again.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "redeliver_webhook_message",
    security(("client" = ["webhooks"])),
    params(WebhookMessagePath),
    responses(
        (status = 202, description = "The message will be sent again."),
        WebhookMissing,
    ),
)]
#[post("/v1/webhooks/{webhook_id}/messages/{message_id}/redeliver")]
pub(crate) async fn redeliver_webhook_message(
    principal: Principal,
    path: web::Path<WebhookMessagePath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = principal.client()?;
    let message = path.message_id().ok_or(ApiError::NotFound)?;
    webhooks::redeliver(&state.ports, client, now(), path.webhook_id(), message).await?;
    Ok(HttpResponse::Accepted().finish())
}

crate::redacted::redacted_debug!(WebhookWithSecret);
crate::redacted::redacted_debug!(RotatedSecret);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_event_types_and_statuses_are_the_domain_names() {
        for event in EventType::ALL {
            let documented: EventTypeName =
                serde_json::from_value(serde_json::json!(event.as_str())).expect("documented");
            assert_eq!(
                serde_json::to_value(documented).ok(),
                Some(serde_json::json!(event.as_str()))
            );
        }
        for standing in [Standing::Active, Standing::Paused, Standing::DisabledAfterFailures] {
            assert_eq!(
                serde_json::to_value(SubscriptionStanding::from(standing)).ok(),
                Some(serde_json::json!(standing.as_str()))
            );
        }
    }
}
