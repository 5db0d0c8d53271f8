//! The JSON of encouragement: what a supporter sends, and what the person reads and
//! changes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::Input;
use waymark_domain::sharing::{Encouragement, EncouragementMessage};
use waymark_domain::validation::{Problem, Problems};

use crate::extract::Patch;

/// A message of encouragement to send.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EncouragementRequest {
    /// Plain text, 1 to 500 characters. It is shown as text: never as markup, and
    /// links are not made clickable.
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Proud of you for going along this week."
    )]
    message: String,
}

impl Input<EncouragementMessage> for EncouragementRequest {
    fn parse(self) -> Result<EncouragementMessage, Vec<Problem>> {
        let mut found = Problems::default();
        let message = found.check("/message", EncouragementMessage::parse(&self.message));
        found.or(|| message)
    }
}

/// A message you sent.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SentEncouragementResponse {
    id: uuid::Uuid,
    /// The goal it is about.
    goal_id: uuid::Uuid,
    message: String,
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
}

impl From<&Encouragement> for SentEncouragementResponse {
    fn from(sent: &Encouragement) -> Self {
        Self {
            id: sent.id.0,
            goal_id: sent.goal.0,
            message: sent.message.as_str().to_owned(),
            created_at: sent.created_at,
        }
    }
}

/// Who sent a message.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EncouragementSender {
    /// Their Waymark account's id.
    account_id: uuid::Uuid,
    /// Their display name as it is now.
    #[schema(example = "Sam")]
    display_name: String,
}

/// A message of encouragement you received.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EncouragementResponse {
    id: uuid::Uuid,
    /// The goal it is about.
    goal_id: uuid::Uuid,
    /// The share it came through; `null` once that share has ended.
    share_id: Option<uuid::Uuid>,
    /// Who sent it.
    from: EncouragementSender,
    /// What they wrote: plain text, to show as text.
    message: String,
    /// Whether you hid it.
    hidden: bool,
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1; the `ETag`.
    version: i64,
}

impl From<&Encouragement> for EncouragementResponse {
    fn from(message: &Encouragement) -> Self {
        Self {
            id: message.id.0,
            goal_id: message.goal.0,
            share_id: message.share.map(|share| share.0),
            from: EncouragementSender {
                account_id: message.supporter.0,
                display_name: message.supporter_name.clone(),
            },
            message: message.message.as_str().to_owned(),
            hidden: message.hidden,
            created_at: message.created_at,
            updated_at: message.updated_at,
            version: message.version,
        }
    }
}

/// Hides a message, or shows it again (a JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EncouragementPatch {
    /// `true` to hide it, `false` to show it again.
    #[serde(default)]
    #[schema(value_type = bool)]
    hidden: Patch<bool>,
}

impl Input<Option<bool>> for EncouragementPatch {
    fn parse(self) -> Result<Option<bool>, Vec<Problem>> {
        let mut found = Problems::default();
        let hidden = self.hidden.kept("/hidden", &mut found);
        found.or(|| Some(hidden))
    }
}
