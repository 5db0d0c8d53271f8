//! A share: what one person lets one supporter see, and where it stands.

use std::fmt;

use uuid::Uuid;

use crate::contacts::ContactId;
use crate::goals::{Goal, GoalId, GoalStatus};
use crate::identity::AccountId;
use crate::time::Instant;

/// Names one share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShareId(pub Uuid);

impl fmt::Display for ShareId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

/// The most goals one share may name.
pub const MAX_GOALS_PER_SHARE: usize = 100;

/// How long an invitation can be accepted.
pub const INVITATION_LIFETIME: chrono::Duration = chrono::Duration::days(7);

/// Which of a shared goal's fields the supporter sees, beyond what every shared goal
/// shows (its title, status, target date, step progress, and when check-ins were made
/// and how they went).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct GoalFields {
    /// Why the goal matters to the person.
    pub why: bool,
    /// The steps themselves (their titles and whether each is done).
    pub steps: bool,
    /// What the person wrote in check-ins, and how they felt.
    pub check_in_notes: bool,
}

/// One goal a share names, and which of its fields are shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChosenGoal {
    /// The goal.
    pub goal: GoalId,
    /// What of it is shared.
    pub fields: GoalFields,
}

/// Which goals a share shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SharedGoals {
    /// These goals (possibly none), whatever their status.
    Chosen(Vec<ChosenGoal>),
    /// Every goal of the person's that is active at the time of each request, each with
    /// the same fields.
    AllActive(GoalFields),
}

impl SharedGoals {
    /// What of `goal` the share shows, or `None` when it does not show the goal.
    #[must_use]
    pub fn fields_for(&self, goal: &Goal) -> Option<GoalFields> {
        self.fields_of(goal.id, goal.status)
    }

    /// Whether the share shows the goal `goal`, whose status is `status`.
    #[must_use]
    pub fn shows(&self, goal: GoalId, status: GoalStatus) -> bool {
        self.fields_of(goal, status).is_some()
    }

    fn fields_of(&self, goal: GoalId, status: GoalStatus) -> Option<GoalFields> {
        match self {
            Self::Chosen(chosen) => {
                chosen.iter().find(|choice| choice.goal == goal).map(|choice| choice.fields)
            }
            Self::AllActive(fields) => (status == GoalStatus::Active).then_some(*fields),
        }
    }

    /// Takes `goal` out of the chosen goals (it was deleted); answers whether they
    /// named it. Sharing every active goal names none.
    pub fn forget(&mut self, goal: GoalId) -> bool {
        match self {
            Self::Chosen(chosen) => {
                let before = chosen.len();
                chosen.retain(|choice| choice.goal != goal);
                chosen.len() != before
            }
            Self::AllActive(_) => false,
        }
    }

    /// Whether the share shows no goal at all.
    #[must_use]
    pub fn is_none(&self) -> bool {
        matches!(self, Self::Chosen(chosen) if chosen.is_empty())
    }
}

/// What a share shows and allows: the part the person chooses and may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareTerms {
    /// Which goals.
    pub goals: SharedGoals,
    /// Whether a weekly summary of the person's active routines is shared (names and
    /// how the week went; never notes).
    pub routines_summary: bool,
    /// Whether the supporter may send encouragement.
    pub encouragement: bool,
    /// When the share ends by itself; `None` for never.
    pub expires_at: Option<Instant>,
    /// Whether the person has paused it: while paused, the supporter sees nothing.
    pub paused: bool,
}

/// Whether a supporter may send encouragement about a goal through a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MayEncourage {
    /// They may.
    Yes,
    /// The share does not show them the goal (or anything, now).
    NotShown,
    /// The person turned encouragement off for the share.
    TurnedOff,
}

/// Where a share stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShareStatus {
    /// Waiting for the supporter to accept the invitation.
    Invited,
    /// Nobody accepted the invitation within its 7 days; a new one can be made.
    InvitationExpired,
    /// The supporter follows what is shared.
    Active,
    /// Paused by the person: the supporter sees nothing until it is resumed.
    Paused,
    /// Past its expiry: the supporter sees nothing.
    Expired,
    /// The supporter stepped back, or their account was erased.
    Ended,
}

/// A stored share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// Its id.
    pub id: ShareId,
    /// The person who shares.
    pub owner: AccountId,
    /// The contact in the person's support network it is for.
    pub contact: ContactId,
    /// What it shows and allows.
    pub terms: ShareTerms,
    /// When the invitation stops being accepted.
    pub invitation_expires_at: Instant,
    /// The supporter's account once they accepted; `None` before, and after they
    /// stepped back or their account was erased.
    pub supporter: Option<AccountId>,
    /// The supporter's display name as it is now, so the person sees who accepted.
    pub supporter_name: Option<String>,
    /// When the invitation was accepted.
    pub accepted_at: Option<Instant>,
    /// When it was created.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Starts at 1, +1 with every change.
    pub version: i64,
}

impl Share {
    /// Where the share stands at `now`.
    #[must_use]
    pub fn status(&self, now: Instant) -> ShareStatus {
        // Ended wins over expired: once the supporter stepped back or was erased,
        // nobody is left for it to expire for.
        if let (Some(_), None) = (self.accepted_at, self.supporter) {
            return ShareStatus::Ended;
        }
        if self.terms.expires_at.is_some_and(|expiry| expiry <= now) {
            return ShareStatus::Expired;
        }
        match (self.accepted_at, self.supporter) {
            (None, _) if self.invitation_expires_at <= now => ShareStatus::InvitationExpired,
            (None, _) => ShareStatus::Invited,
            (Some(_), _) if self.terms.paused => ShareStatus::Paused,
            (Some(_), _) => ShareStatus::Active,
        }
    }

    /// Whether `viewer` may see what the share shows at `now`: they are its supporter,
    /// and it is active (not paused, expired or ended).
    #[must_use]
    pub fn shows_to(&self, viewer: AccountId, now: Instant) -> bool {
        self.supporter == Some(viewer) && self.status(now) == ShareStatus::Active
    }

    /// Whether the share is over at `now`: expired, or ended by its supporter. Either
    /// is final: the person no longer changes its terms or invites anyone to it (they
    /// share again instead), since nothing could ever reach anyone through it.
    #[must_use]
    pub fn is_over(&self, now: Instant) -> bool {
        matches!(self.status(now), ShareStatus::Expired | ShareStatus::Ended)
    }

    /// Whether a new invitation may be made: nobody has accepted one yet.
    #[must_use]
    pub fn awaits_supporter(&self) -> bool {
        self.accepted_at.is_none()
    }

    /// Whether `supporter` may accept the share's invitation at `now`: it is waiting
    /// for someone (not expired, nobody accepted yet), and it is not their own.
    #[must_use]
    pub fn may_be_accepted_by(&self, supporter: AccountId, now: Instant) -> bool {
        self.status(now) == ShareStatus::Invited && self.owner != supporter
    }

    /// Whether `supporter` may send encouragement about a goal (`goal`, at `status`)
    /// at `now`: the share shows it to them, shows that goal, and allows it.
    #[must_use]
    pub fn takes_encouragement(
        &self,
        supporter: AccountId,
        (goal, status): (GoalId, GoalStatus),
        now: Instant,
    ) -> MayEncourage {
        if !self.shows_to(supporter, now) || !self.terms.goals.shows(goal, status) {
            return MayEncourage::NotShown;
        }
        if self.terms.encouragement { MayEncourage::Yes } else { MayEncourage::TurnedOff }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(now: Instant) -> Share {
        Share {
            id: ShareId(Uuid::now_v7()),
            owner: AccountId(Uuid::now_v7()),
            contact: ContactId(Uuid::now_v7()),
            terms: ShareTerms {
                goals: SharedGoals::AllActive(GoalFields::default()),
                routines_summary: false,
                encouragement: true,
                expires_at: None,
                paused: false,
            },
            invitation_expires_at: now + INVITATION_LIFETIME,
            supporter: None,
            supporter_name: None,
            accepted_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn a_share_shows_only_to_its_supporter_while_active() {
        let now = crate::time::now();
        let supporter = AccountId(Uuid::now_v7());
        let mut share = share(now);
        assert_eq!(share.status(now), ShareStatus::Invited);
        assert!(!share.shows_to(supporter, now));
        assert_eq!(share.status(now + INVITATION_LIFETIME), ShareStatus::InvitationExpired);

        share.supporter = Some(supporter);
        share.accepted_at = Some(now);
        assert!(share.shows_to(supporter, now));
        assert!(!share.shows_to(AccountId(Uuid::now_v7()), now), "nobody else");

        share.terms.paused = true;
        assert_eq!(share.status(now), ShareStatus::Paused);
        assert!(!share.shows_to(supporter, now));
        share.terms.paused = false;

        share.terms.expires_at = Some(now + chrono::Duration::hours(1));
        assert!(share.shows_to(supporter, now));
        assert_eq!(share.status(now + chrono::Duration::hours(1)), ShareStatus::Expired);
        assert!(!share.shows_to(supporter, now + chrono::Duration::hours(1)));

        share.supporter = None;
        assert_eq!(share.status(now), ShareStatus::Ended);
        assert_eq!(
            share.status(now + chrono::Duration::hours(1)),
            ShareStatus::Ended,
            "ended, not expired, once nobody is left for it to expire for"
        );
    }

    #[test]
    fn a_deleted_goal_is_forgotten_by_the_goals_that_chose_it() {
        let (kept, gone) = (GoalId(Uuid::now_v7()), GoalId(Uuid::now_v7()));
        let fields = GoalFields::default();
        let mut goals = SharedGoals::Chosen(vec![
            ChosenGoal { goal: kept, fields },
            ChosenGoal { goal: gone, fields },
        ]);
        assert!(goals.forget(gone));
        assert_eq!(goals, SharedGoals::Chosen(vec![ChosenGoal { goal: kept, fields }]));
        assert!(!goals.forget(gone), "once");
        assert!(!SharedGoals::AllActive(fields).forget(kept));
    }

    #[test]
    fn an_expired_or_ended_share_is_over() {
        let now = crate::time::now();
        let mut share = share(now);
        assert!(!share.is_over(now), "invited");
        assert!(!share.is_over(now + INVITATION_LIFETIME), "an invitation expired: reinvite");
        share.supporter = Some(AccountId(Uuid::now_v7()));
        share.accepted_at = Some(now);
        share.terms.paused = true;
        assert!(!share.is_over(now), "paused");
        share.terms.expires_at = Some(now + chrono::Duration::hours(1));
        assert!(share.is_over(now + chrono::Duration::hours(1)), "expired");
        share.terms.expires_at = None;
        share.supporter = None;
        assert!(share.is_over(now), "ended");
    }

    #[test]
    fn an_invitation_is_accepted_once_in_time_and_never_by_its_owner() {
        let now = crate::time::now();
        let supporter = AccountId(Uuid::now_v7());
        let mut share = share(now);
        assert!(share.may_be_accepted_by(supporter, now));
        assert!(!share.may_be_accepted_by(share.owner, now), "never one's own");
        assert!(!share.may_be_accepted_by(supporter, now + INVITATION_LIFETIME), "in time");
        share.supporter = Some(supporter);
        share.accepted_at = Some(now);
        assert!(!share.may_be_accepted_by(AccountId(Uuid::now_v7()), now), "once");
    }

    #[test]
    fn encouragement_needs_the_goal_shown_and_allowed() {
        let now = crate::time::now();
        let supporter = AccountId(Uuid::now_v7());
        let mut share = share(now);
        share.supporter = Some(supporter);
        share.accepted_at = Some(now);
        let goal = GoalId(Uuid::now_v7());
        let active = (goal, GoalStatus::Active);
        assert_eq!(share.takes_encouragement(supporter, active, now), MayEncourage::Yes);
        let paused = (goal, GoalStatus::Paused);
        assert_eq!(share.takes_encouragement(supporter, paused, now), MayEncourage::NotShown);
        share.terms.encouragement = false;
        assert_eq!(share.takes_encouragement(supporter, active, now), MayEncourage::TurnedOff);
        share.terms.paused = true;
        assert_eq!(share.takes_encouragement(supporter, active, now), MayEncourage::NotShown);
    }
}
