//! The JSON a supporter reads: who shares with them and what, each goal as shared,
//! the routines summary, and the person's preview of exactly that. Every type here is
//! built only from the application's shared views, which hold nothing a share does not
//! include.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::Input;
use waymark_application::shared_view::{SharedGoal, SharedGoalDetail, SharedRoutine, SharedView};
use waymark_domain::routines::stats::StreakUnit;
use waymark_domain::sharing::ports::SupportedShare;
use waymark_domain::time::Instant;
use waymark_domain::validation::{Problem, Problems};

use crate::wire::shares::SharedWithMeResponse;

/// The longest invitation code read: every code is far shorter.
const MAX_CODE_CHARS: usize = 100;

/// An invitation code to accept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AcceptInvitationRequest {
    /// The code you were given.
    #[schema(
        min_length = 1,
        max_length = 100,
        example = "wmi_3q2-7wEXAMPLEexampleEXAMPLEexample012345678"
    )]
    code: String,
}

impl Input<String> for AcceptInvitationRequest {
    fn parse(self) -> Result<String, Vec<Problem>> {
        let mut found = Problems::default();
        let length = self.code.chars().count();
        if !(1..=MAX_CODE_CHARS).contains(&length) {
            found.add("/code", format!("must be 1 to {MAX_CODE_CHARS} characters"));
        }
        found.or(|| Some(self.code))
    }
}

/// Steps done of all.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StepProgress {
    /// Steps done.
    done: i32,
    /// Steps in all.
    total: i32,
}

/// A goal shared with you.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SharedGoalResponse {
    id: uuid::Uuid,
    /// What they want to have done.
    #[schema(example = "Join a walking group")]
    title: String,
    /// Why it matters to them, if they share it; else `null`.
    why: Option<String>,
    /// `active`, `paused`, `achieved` or `let_go`.
    #[schema(example = "active")]
    status: String,
    /// When they hope to have done it.
    #[schema(value_type = Option<String>, format = Date)]
    target_date: Option<NaiveDate>,
    /// Steps done of all.
    step_progress: StepProgress,
    /// When they last checked in on it.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    last_check_in_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
}

impl From<&SharedGoal> for SharedGoalResponse {
    fn from(goal: &SharedGoal) -> Self {
        Self {
            id: goal.id.0,
            title: goal.title.as_str().to_owned(),
            why: goal.why.as_ref().map(|why| why.as_str().to_owned()),
            status: goal.status.as_str().to_owned(),
            target_date: goal.target_date,
            step_progress: StepProgress { done: goal.steps_done, total: goal.steps_total },
            last_check_in_at: goal.last_check_in_at,
            updated_at: goal.updated_at,
        }
    }
}

/// A step of a goal shared with you.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SharedStepResponse {
    title: String,
    done: bool,
}

/// A check-in on a goal shared with you.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SharedCheckInResponse {
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// Progress as they see it (0 to 100), if they said.
    progress: Option<u8>,
    /// Whether it was a setback: expected, and worth recording.
    setback: bool,
    /// What they wrote, if they share their notes; else `null`.
    note: Option<String>,
    /// How they felt, if they share their notes and said; else `null`.
    feeling: Option<String>,
}

/// A goal shared with you, with its steps (if shared) and latest check-ins.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SharedGoalDetailResponse {
    #[serde(flatten)]
    goal: SharedGoalResponse,
    /// Its steps in order, if they share them; else `null`.
    steps: Option<Vec<SharedStepResponse>>,
    /// Its latest 20 check-ins, newest first.
    recent_check_ins: Vec<SharedCheckInResponse>,
}

impl From<&SharedGoalDetail> for SharedGoalDetailResponse {
    fn from(detail: &SharedGoalDetail) -> Self {
        Self {
            goal: SharedGoalResponse::from(&detail.goal),
            steps: detail.steps.as_ref().map(|steps| {
                steps
                    .iter()
                    .map(|step| SharedStepResponse {
                        title: step.title.as_str().to_owned(),
                        done: step.done,
                    })
                    .collect()
            }),
            recent_check_ins: detail
                .check_ins
                .iter()
                .map(|check_in| SharedCheckInResponse {
                    created_at: check_in.created_at,
                    progress: check_in.progress.map(waymark_domain::goals::Progress::value),
                    setback: check_in.setback,
                    note: check_in.note.as_ref().map(|note| note.as_str().to_owned()),
                    feeling: check_in.feeling.map(|feeling| feeling.as_str().to_owned()),
                })
                .collect(),
        }
    }
}

/// How a routine went over the last seven days.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SharedRoutineResponse {
    #[schema(example = "Evening walk")]
    title: String,
    #[schema(example = "exercise")]
    category: String,
    /// Times it was planned in the last seven days (paused days left out).
    planned: u32,
    /// Times done.
    done: u32,
    /// Times partly done.
    partly: u32,
    /// What the streak counts: `occurrences`, or `weeks`.
    #[schema(example = "occurrences")]
    streak_unit: &'static str,
    /// The streak up to today.
    current_streak: u32,
}

impl From<&SharedRoutine> for SharedRoutineResponse {
    fn from(routine: &SharedRoutine) -> Self {
        Self {
            title: routine.title.as_str().to_owned(),
            category: routine.category.as_str().to_owned(),
            planned: routine.planned,
            done: routine.done,
            partly: routine.partly,
            streak_unit: match routine.streak_unit {
                StreakUnit::Occurrences => "occurrences",
                StreakUnit::Weeks => "weeks",
            },
            current_streak: routine.current_streak,
        }
    }
}

/// A weekly routines summary.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SharedRoutinesResponse {
    /// Each active routine (up to 100), newest first.
    items: Vec<SharedRoutineResponse>,
}

impl SharedRoutinesResponse {
    pub(crate) fn of(routines: &[SharedRoutine]) -> Self {
        Self { items: routines.iter().map(SharedRoutineResponse::from).collect() }
    }
}

/// Exactly what the supporter sees while the share is active.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SharePreviewResponse {
    /// The share as it is listed for them (`GET /v1/shared-with-me/{share_id}`).
    listed_as: SharedWithMeResponse,
    /// The goals as they see each one (`GET /v1/shared-with-me/{share_id}/goals/{goal_id}`),
    /// newest first: up to 100.
    goals: Vec<SharedGoalDetailResponse>,
    /// Whether more goals are shared than shown here.
    more_goals: bool,
    /// The routines summary as they see it, or `null` when it is not shared.
    routines_summary: Option<SharedRoutinesResponse>,
}

impl SharePreviewResponse {
    pub(crate) fn of(listed_as: &SupportedShare, view: &SharedView, now: Instant) -> Self {
        Self {
            listed_as: SharedWithMeResponse::of(listed_as, now),
            goals: view.goals.iter().map(SharedGoalDetailResponse::from).collect(),
            more_goals: view.more_goals,
            routines_summary: view.routines.as_deref().map(SharedRoutinesResponse::of),
        }
    }
}
