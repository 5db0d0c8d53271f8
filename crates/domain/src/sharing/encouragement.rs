//! Encouragement: a short message a supporter sends about a goal shared with them.

use std::fmt;

use uuid::Uuid;

use super::ShareId;
use crate::goals::GoalId;
use crate::identity::AccountId;
use crate::time::Instant;
use crate::values::bounded_text;

/// Names one message of encouragement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EncouragementId(pub Uuid);

impl fmt::Display for EncouragementId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

bounded_text!(
    /// What a supporter wrote: plain text of 1 to 500 characters (apps show it as text,
    /// never as markup or links).
    EncouragementMessage, InvalidEncouragementMessage, 1, 500, "must be 1 to 500 characters of plain text, without control or invisible characters", paragraphs
);

/// How many messages one supporter may send about one goal in any 24 hours.
pub const MAX_ENCOURAGEMENTS_PER_GOAL_PER_DAY: u64 = 5;

/// A stored message of encouragement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encouragement {
    /// Its id.
    pub id: EncouragementId,
    /// The person it was sent to.
    pub owner: AccountId,
    /// The goal it is about.
    pub goal: GoalId,
    /// The share it came through; `None` once that share has ended.
    pub share: Option<ShareId>,
    /// Who sent it.
    pub supporter: AccountId,
    /// The sender's display name as it is now.
    pub supporter_name: String,
    /// What they wrote.
    pub message: EncouragementMessage,
    /// Whether the person has hidden it.
    pub hidden: bool,
    /// When it was sent.
    pub created_at: Instant,
    /// When it last changed (hidden or shown again).
    pub updated_at: Instant,
    /// Starts at 1, +1 with every change.
    pub version: i64,
}
