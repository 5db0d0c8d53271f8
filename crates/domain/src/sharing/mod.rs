//! Sharing with supporters: a person lets someone from their support network follow
//! chosen goals (and, if they like, a weekly summary of their routines) and send
//! encouragement. The person is always in control: a share says exactly which goals
//! and which of their fields a supporter sees, it can be narrowed, paused or ended at
//! any time, and a supporter never sees more than it says.

mod encouragement;
pub mod ports;
mod share;

pub use encouragement::{
    Encouragement, EncouragementId, EncouragementMessage, InvalidEncouragementMessage,
    MAX_ENCOURAGEMENTS_PER_GOAL_PER_DAY,
};
pub use share::{
    ChosenGoal, GoalFields, INVITATION_LIFETIME, MAX_GOALS_PER_SHARE, MayEncourage, Share, ShareId,
    ShareStatus, ShareTerms, SharedGoals,
};
