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
