//! The JSON of encouragement a supporter sends, and of the person hiding one (what
//! each side reads is in `wire::shares`).

use serde::Deserialize;
use utoipa::ToSchema;
use waymark_application::Input;
use waymark_domain::sharing::EncouragementMessage;
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
