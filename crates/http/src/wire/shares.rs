//! The JSON of the person's shares: what they send to share and change a share, what
//! they read about it, and the invitation shown once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::Input;
use waymark_application::sharing::{ProposedShare, ShareEdit};
use waymark_domain::contacts::ContactId;
use waymark_domain::goals::GoalId;
use waymark_domain::sharing::Encouragement;
use waymark_domain::sharing::ports::SupportedShare;
use waymark_domain::sharing::{
    ChosenGoal, GoalFields, MAX_GOALS_PER_SHARE, Share, ShareTerms, SharedGoals,
};
use waymark_domain::time::Instant;
use waymark_domain::validation::{Problem, Problems};

use crate::extract::Patch;

/// Which of a goal's fields a share includes, beyond the title, status, target date,
/// step progress and when check-ins were made. Each defaults to `false`.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GoalFieldsBody {
    /// Why the goal matters to you.
    #[serde(default)]
    include_why: bool,
    /// The steps themselves (titles, and which are done).
    #[serde(default)]
    include_steps: bool,
    /// What you wrote in check-ins, and how you felt.
    #[serde(default)]
    include_check_in_notes: bool,
}

impl From<GoalFieldsBody> for GoalFields {
    fn from(body: GoalFieldsBody) -> Self {
        Self {
            why: body.include_why,
            steps: body.include_steps,
            check_in_notes: body.include_check_in_notes,
        }
    }
}

impl From<GoalFields> for GoalFieldsBody {
    fn from(fields: GoalFields) -> Self {
        Self {
            include_why: fields.why,
            include_steps: fields.steps,
            include_check_in_notes: fields.check_in_notes,
        }
    }
}

/// One goal to share, and which of its fields.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChosenGoalBody {
    /// One of your goals.
    goal_id: uuid::Uuid,
    /// Why the goal matters to you (default `false`).
    #[serde(default)]
    include_why: bool,
    /// The steps themselves (default `false`).
    #[serde(default)]
    include_steps: bool,
    /// What you wrote in check-ins, and how you felt (default `false`).
    #[serde(default)]
    include_check_in_notes: bool,
}

impl From<&ChosenGoal> for ChosenGoalBody {
    fn from(choice: &ChosenGoal) -> Self {
        Self {
            goal_id: choice.goal.0,
            include_why: choice.fields.why,
            include_steps: choice.fields.steps,
            include_check_in_notes: choice.fields.check_in_notes,
        }
    }
}

/// The chosen goals as the domain's, each named once and at most
/// [`MAX_GOALS_PER_SHARE`].
fn chosen(goals: Vec<ChosenGoalBody>, problems: &mut Problems) -> Option<SharedGoals> {
    if goals.len() > MAX_GOALS_PER_SHARE {
        problems.add("/goals", format!("may name at most {MAX_GOALS_PER_SHARE} goals"));
        return None;
    }
    let mut chosen: Vec<ChosenGoal> = Vec::with_capacity(goals.len());
    for (index, body) in goals.into_iter().enumerate() {
        let goal = GoalId(body.goal_id);
        if chosen.iter().any(|choice| choice.goal == goal) {
            problems.add(&format!("/goals/{index}/goal_id"), "names a goal already named");
            continue;
        }
        let fields = GoalFields {
            why: body.include_why,
            steps: body.include_steps,
            check_in_notes: body.include_check_in_notes,
        };
        chosen.push(ChosenGoal { goal, fields });
    }
    Some(SharedGoals::Chosen(chosen))
}

/// Something to share with one of your contacts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "contact_id": "0192f0c0-0000-7000-8000-000000000010",
    "goals": [{ "goal_id": "0192f0c0-0000-7000-8000-000000000001", "include_steps": true }],
    "routines_summary": true,
    "encouragement_allowed": true
}))]
pub(crate) struct NewShareRequest {
    /// The contact in your support network you share with.
    contact_id: uuid::Uuid,
    /// The goals you share (up to 100), each with the fields you include. Leave it out
    /// when you send `all_active_goals`.
    #[serde(default)]
    #[schema(max_items = 100)]
    goals: Vec<ChosenGoalBody>,
    /// Share every goal of yours that is active at the time, each with these fields,
    /// instead of chosen ones.
    #[serde(default)]
    all_active_goals: Option<GoalFieldsBody>,
    /// Also share a weekly summary of your active routines: their names and how the
    /// last seven days went, never notes (default `false`).
    #[serde(default)]
    routines_summary: bool,
    /// Whether they may send you encouragement about the goals you share (default
    /// `true`).
    #[serde(default = "yes")]
    encouragement_allowed: bool,
    /// When the share ends by itself (in the future); leave it out for never.
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
    /// `true` to share with a contact you marked `unhelpful`: without it, that is
    /// refused, so nothing is shared by mistake.
    #[serde(default)]
    confirm: bool,
}

fn yes() -> bool {
    true
}

impl Input<ProposedShare> for NewShareRequest {
    fn parse(self) -> Result<ProposedShare, Vec<Problem>> {
        let mut found = Problems::default();
        let goals = match self.all_active_goals {
            Some(_) if !self.goals.is_empty() => {
                found.add(
                    "/all_active_goals",
                    "send either `goals` or `all_active_goals`, not both",
                );
                None
            }
            Some(fields) => Some(SharedGoals::AllActive(fields.into())),
            None => chosen(self.goals, &mut found),
        };
        found.or(|| {
            Some(ProposedShare {
                contact: ContactId(self.contact_id),
                terms: ShareTerms {
                    goals: goals?,
                    routines_summary: self.routines_summary,
                    encouragement: self.encouragement_allowed,
                    expires_at: self.expires_at.map(waymark_domain::time::truncate),
                    paused: false,
                },
                confirm: self.confirm,
            })
        })
    }
}

/// Changes to a share (a JSON merge patch): what you leave out stays as it is.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SharePatch {
    /// The goals you share, replacing the ones shared now (`null` or `[]` for none).
    #[serde(default)]
    #[schema(value_type = Option<Vec<ChosenGoalBody>>, max_items = 100)]
    goals: Patch<Vec<ChosenGoalBody>>,
    /// Share every active goal with these fields instead; `null` to stop (then the
    /// share names the `goals` you send, or none).
    #[serde(default)]
    #[schema(value_type = Option<GoalFieldsBody>)]
    all_active_goals: Patch<GoalFieldsBody>,
    /// Whether the weekly routines summary is shared.
    #[serde(default)]
    #[schema(value_type = bool)]
    routines_summary: Patch<bool>,
    /// Whether encouragement is allowed.
    #[serde(default)]
    #[schema(value_type = bool)]
    encouragement_allowed: Patch<bool>,
    /// When it ends by itself (in the future), or `null` for never.
    #[serde(default)]
    #[schema(value_type = Option<DateTime<Utc>>)]
    expires_at: Patch<DateTime<Utc>>,
    /// `true` to pause it (the supporter sees nothing), `false` to resume.
    #[serde(default)]
    #[schema(value_type = bool)]
    paused: Patch<bool>,
}

impl ShareEdit for SharePatch {
    fn parse(self, current: &ShareTerms) -> Result<ShareTerms, Vec<Problem>> {
        let mut found = Problems::default();
        let problems = &mut found;
        let goals = match (self.all_active_goals, self.goals) {
            (Patch::Value(_), Patch::Value(goals)) if !goals.is_empty() => {
                problems.add(
                    "/all_active_goals",
                    "send either `goals` or `all_active_goals`, not both",
                );
                None
            }
            (Patch::Value(fields), _) => Some(SharedGoals::AllActive(fields.into())),
            (_, Patch::Value(goals)) => chosen(goals, problems),
            (_, Patch::Null) | (Patch::Null, Patch::Absent) => {
                Some(SharedGoals::Chosen(Vec::new()))
            }
            (Patch::Absent, Patch::Absent) => Some(current.goals.clone()),
        };
        let routines_summary = self.routines_summary.kept("/routines_summary", problems);
        let encouragement = self.encouragement_allowed.kept("/encouragement_allowed", problems);
        let paused = self.paused.kept("/paused", problems);
        let expires_at = match self.expires_at {
            Patch::Absent => current.expires_at,
            Patch::Null => None,
            Patch::Value(at) => Some(waymark_domain::time::truncate(at)),
        };
        found.or(|| {
            Some(ShareTerms {
                goals: goals?,
                routines_summary: routines_summary.unwrap_or(current.routines_summary),
                encouragement: encouragement.unwrap_or(current.encouragement),
                expires_at,
                paused: paused.unwrap_or(current.paused),
            })
        })
    }
}

/// Where a share stands.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ShareStatusName {
    /// Waiting for them to accept the invitation.
    Invited,
    /// Nobody accepted the invitation in its 7 days: make a new one.
    InvitationExpired,
    /// They follow what you share.
    Active,
    /// You paused it: they see nothing until you resume it.
    Paused,
    /// Past its expiry: they see nothing.
    Expired,
    /// They stepped back, or their account was closed.
    Ended,
}

impl ShareStatusName {
    pub(crate) fn of(share: &Share, now: Instant) -> Self {
        use waymark_domain::sharing::ShareStatus;
        match share.status(now) {
            ShareStatus::Invited => Self::Invited,
            ShareStatus::InvitationExpired => Self::InvitationExpired,
            ShareStatus::Active => Self::Active,
            ShareStatus::Paused => Self::Paused,
            ShareStatus::Expired => Self::Expired,
            ShareStatus::Ended => Self::Ended,
        }
    }
}

/// A share, as you see it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ShareResponse {
    id: uuid::Uuid,
    /// The contact you share with.
    contact_id: uuid::Uuid,
    /// Where it stands.
    status: ShareStatusName,
    /// The chosen goals you share (empty when you share all active goals).
    goals: Vec<ChosenGoalBody>,
    /// The fields of every active goal you share, or `null` when you chose goals.
    all_active_goals: Option<GoalFieldsBody>,
    /// Whether your weekly routines summary is shared.
    routines_summary: bool,
    /// Whether they may send you encouragement.
    encouragement_allowed: bool,
    /// Whether you paused it.
    paused: bool,
    /// When it ends by itself; `null` for never.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<DateTime<Utc>>,
    /// Until when the invitation can be accepted.
    #[serde(serialize_with = "crate::wire::time::instant")]
    invitation_expires_at: DateTime<Utc>,
    /// When it was accepted; `null` before.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    accepted_at: Option<DateTime<Utc>>,
    /// The display name of the Waymark account that accepted it, as it is now, so you
    /// can check it is who you meant; `null` before, or once it ended.
    #[schema(example = "Sam")]
    supporter_name: Option<String>,
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1; the `ETag`.
    version: i64,
}

impl ShareResponse {
    pub(crate) fn of(share: &Share, now: Instant) -> Self {
        let (goals, all_active_goals) = match &share.terms.goals {
            SharedGoals::Chosen(chosen) => {
                (chosen.iter().map(ChosenGoalBody::from).collect(), None)
            }
            SharedGoals::AllActive(fields) => (Vec::new(), Some((*fields).into())),
        };
        Self {
            id: share.id.0,
            contact_id: share.contact.0,
            status: ShareStatusName::of(share, now),
            goals,
            all_active_goals,
            routines_summary: share.terms.routines_summary,
            encouragement_allowed: share.terms.encouragement,
            paused: share.terms.paused,
            expires_at: share.terms.expires_at,
            invitation_expires_at: share.invitation_expires_at,
            accepted_at: share.accepted_at,
            supporter_name: share.supporter.and(share.supporter_name.clone()),
            created_at: share.created_at,
            updated_at: share.updated_at,
            version: share.version,
        }
    }
}

/// An invitation: give the code (or the link) to the person you share with. It is
/// shown only now, works once, and for 7 days.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InvitationResponse {
    /// The one-time code they accept with (`POST /v1/invitations/accept`).
    #[schema(example = "wmi_3q2-7wEXAMPLEexampleEXAMPLEexample012345678")]
    pub(crate) code: String,
    /// A link to send them: the code is after `#`, so it never reaches a server's logs.
    #[schema(
        example = "/v1/invitations/accept#code=wmi_3q2-7wEXAMPLEexampleEXAMPLEexample012345678"
    )]
    pub(crate) link: String,
    /// Until when it can be accepted.
    #[serde(serialize_with = "crate::wire::time::instant")]
    pub(crate) expires_at: DateTime<Utc>,
}

/// A new share, or a new invitation for one, with the invitation shown once.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InvitedShareResponse {
    /// The share.
    pub(crate) share: ShareResponse,
    /// The invitation.
    pub(crate) invitation: InvitationResponse,
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

/// Which goals a share shows, as its supporter is told.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SharedGoalsName {
    /// Goals they chose.
    Chosen,
    /// Every goal of theirs that is active.
    AllActive,
}

/// Someone who shares with you, and what.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SharedWithMeResponse {
    /// The share's id: the way to what it shows.
    id: uuid::Uuid,
    /// Their display name.
    #[schema(example = "Alex")]
    person_name: String,
    /// `active`, or `paused` (then it shows nothing for now).
    status: ShareStatusName,
    /// Which goals it shows.
    goals: SharedGoalsName,
    /// Whether it shows a weekly routines summary.
    routines_summary: bool,
    /// Whether you may send encouragement.
    encouragement_allowed: bool,
    /// When it ends by itself; `null` for never.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<DateTime<Utc>>,
    /// When you accepted it.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    accepted_at: Option<DateTime<Utc>>,
}

impl SharedWithMeResponse {
    pub(crate) fn of(shared: &SupportedShare, now: Instant) -> Self {
        let share = &shared.share;
        Self {
            id: share.id.0,
            person_name: shared.person_name.clone(),
            status: ShareStatusName::of(share, now),
            goals: match share.terms.goals {
                SharedGoals::Chosen(_) => SharedGoalsName::Chosen,
                SharedGoals::AllActive(_) => SharedGoalsName::AllActive,
            },
            routines_summary: share.terms.routines_summary,
            encouragement_allowed: share.terms.encouragement,
            expires_at: share.terms.expires_at,
            accepted_at: share.accepted_at,
        }
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
