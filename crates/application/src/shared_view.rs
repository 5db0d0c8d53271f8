//! What a supporter sees of a share: the one place that decides it. The supporter's
//! own requests and the person's preview both read through here, so the preview can
//! never differ from what the supporter gets. Each view type holds only fields a
//! share may show; a field the share does not include is `None`, never read out.

use chrono::NaiveDate;
use waymark_domain::goals::ports::{GoalPosition, GoalQuery};
use waymark_domain::goals::{
    CheckInNote, Feeling, Goal, GoalId, GoalStatus, GoalTitle, GoalWhy, Progress, StepTitle,
};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::routines::ports::RoutineQuery;
use waymark_domain::routines::stats::StreakUnit;
use waymark_domain::routines::{Category, RoutineTitle};
use waymark_domain::sharing::{GoalFields, MAX_GOALS_PER_SHARE, Share, SharedGoals};
use waymark_domain::time::Instant;

/// How many of a goal's latest check-ins a supporter sees.
pub const RECENT_CHECK_INS: u64 = 20;

/// How many active routines the weekly summary covers.
pub const MAX_SUMMARY_ROUTINES: u64 = 100;

/// A goal as a supporter sees it.
#[derive(Debug, Clone)]
pub struct SharedGoal {
    /// The goal's id.
    pub id: GoalId,
    /// What the person wants to have done.
    pub title: GoalTitle,
    /// Why it matters, if the share includes it.
    pub why: Option<GoalWhy>,
    /// Where the person is with it.
    pub status: GoalStatus,
    /// When they hope to have done it.
    pub target_date: Option<NaiveDate>,
    /// Steps done.
    pub steps_done: i32,
    /// Steps in all.
    pub steps_total: i32,
    /// When the person last checked in on it.
    pub last_check_in_at: Option<Instant>,
    /// When it was set (the order of a shared goal list).
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Its version (not shown: what is shown of it changes only with it).
    pub version: i64,
    /// What of it the share includes.
    pub fields: GoalFields,
}

impl SharedGoal {
    fn of(goal: &Goal, fields: GoalFields) -> Self {
        Self {
            id: goal.id,
            title: goal.title.clone(),
            why: fields.why.then(|| goal.why.clone()),
            status: goal.status,
            target_date: goal.target_date,
            steps_done: goal.steps_done,
            steps_total: goal.steps_total,
            last_check_in_at: goal.last_check_in_at,
            created_at: goal.created_at,
            updated_at: goal.updated_at,
            version: goal.version,
            fields,
        }
    }
}

/// A step as a supporter sees it (only when the share includes steps).
#[derive(Debug, Clone)]
pub struct SharedStep {
    /// What it is.
    pub title: StepTitle,
    /// Whether it is done.
    pub done: bool,
}

/// A check-in as a supporter sees it.
#[derive(Debug, Clone)]
pub struct SharedCheckIn {
    /// When it was made.
    pub created_at: Instant,
    /// Progress as the person sees it, if they said.
    pub progress: Option<Progress>,
    /// Whether it was a setback.
    pub setback: bool,
    /// What they wrote, if the share includes notes.
    pub note: Option<CheckInNote>,
    /// How they felt, if the share includes notes and they said.
    pub feeling: Option<Feeling>,
}

/// A goal with its steps (if shared) and latest check-ins.
#[derive(Debug, Clone)]
pub struct SharedGoalDetail {
    /// The goal.
    pub goal: SharedGoal,
    /// Its steps in order, if the share includes them.
    pub steps: Option<Vec<SharedStep>>,
    /// Its latest [`RECENT_CHECK_INS`] check-ins, newest first.
    pub check_ins: Vec<SharedCheckIn>,
}

/// How an active routine went over the last seven days, without notes.
#[derive(Debug, Clone)]
pub struct SharedRoutine {
    /// Its title.
    pub title: RoutineTitle,
    /// What kind of routine it is.
    pub category: Category,
    /// Times it was planned in the last seven days (paused days left out).
    pub planned: u32,
    /// Times done.
    pub done: u32,
    /// Times partly done.
    pub partly: u32,
    /// What its streak counts.
    pub streak_unit: StreakUnit,
    /// Its streak up to today.
    pub current_streak: u32,
}

/// Everything a supporter sees of a share, at once.
#[derive(Debug, Clone)]
pub struct SharedView {
    /// The goals, newest first, with their details.
    pub goals: Vec<SharedGoalDetail>,
    /// Whether more goals are shared than the view holds ([`MAX_GOALS_PER_SHARE`]).
    pub more_goals: bool,
    /// The weekly routines summary, if the share includes it.
    pub routines: Option<Vec<SharedRoutine>>,
}

/// A page of the goals `share` shows, newest first, after `after`, and whether more
/// follow.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn goals(
    ports: &StoragePorts,
    share: &Share,
    after: Option<GoalPosition>,
    limit: u64,
) -> Result<(Vec<SharedGoal>, bool), StoreError> {
    let (ids, statuses) = match &share.terms.goals {
        SharedGoals::Chosen(chosen) if chosen.is_empty() => return Ok((Vec::new(), false)),
        SharedGoals::Chosen(chosen) => {
            (Some(chosen.iter().map(|choice| choice.goal).collect()), Vec::new())
        }
        SharedGoals::AllActive(_) => (None, vec![GoalStatus::Active]),
    };
    let page =
        ports.goals.list(share.owner, GoalQuery::newest(ids, statuses, after, limit)).await?;
    let shown = page
        .goals
        .iter()
        .filter_map(|goal| Some(SharedGoal::of(goal, share.terms.goals.fields_for(goal)?)))
        .collect();
    Ok((shown, page.has_more))
}

/// One goal `share` shows, with its steps (if shared) and latest check-ins; `None`
/// when the share does not show it.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn goal(
    ports: &StoragePorts,
    share: &Share,
    id: GoalId,
) -> Result<Option<SharedGoalDetail>, StoreError> {
    let Some(goal) = ports.goals.get(share.owner, id).await? else {
        return Ok(None);
    };
    let Some(fields) = share.terms.goals.fields_for(&goal) else {
        return Ok(None);
    };
    detail(ports, share, SharedGoal::of(&goal, fields)).await
}

async fn detail(
    ports: &StoragePorts,
    share: &Share,
    goal: SharedGoal,
) -> Result<Option<SharedGoalDetail>, StoreError> {
    let steps = if goal.fields.steps {
        let Some(steps) = ports.goal_parts.steps(share.owner, goal.id).await? else {
            return Ok(None);
        };
        Some(
            steps
                .into_iter()
                .map(|step| SharedStep { title: step.title, done: step.done })
                .collect(),
        )
    } else {
        None
    };
    let Some(page) =
        ports.goal_parts.check_ins(share.owner, goal.id, None, RECENT_CHECK_INS).await?
    else {
        return Ok(None);
    };
    let notes = goal.fields.check_in_notes;
    let check_ins = page
        .check_ins
        .into_iter()
        .map(|check_in| SharedCheckIn {
            created_at: check_in.created_at,
            progress: check_in.progress,
            setback: check_in.setback,
            note: notes.then_some(check_in.note),
            feeling: if notes { check_in.feeling } else { None },
        })
        .collect();
    Ok(Some(SharedGoalDetail { goal, steps, check_ins }))
}

/// The weekly summary of the person's active routines, if `share` includes it.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn routines(
    ports: &StoragePorts,
    share: &Share,
    now: Instant,
) -> Result<Option<Vec<SharedRoutine>>, StoreError> {
    if !share.terms.routines_summary {
        return Ok(None);
    }
    let query = RoutineQuery {
        category: None,
        active: Some(true),
        goal_id: None,
        after: None,
        limit: MAX_SUMMARY_ROUTINES,
    };
    let page = ports.routines.list(share.owner, query).await?;
    let mut summary = Vec::with_capacity(page.routines.len());
    for routine in page.routines {
        let stats = crate::routines::how_it_went(ports, &routine, now, 7).await?;
        summary.push(SharedRoutine {
            title: routine.title,
            category: routine.category,
            planned: stats.window.expected,
            done: stats.window.done,
            partly: stats.window.partly,
            streak_unit: stats.unit,
            current_streak: stats.current_streak,
        });
    }
    Ok(Some(summary))
}

/// Everything `share` shows: up to [`MAX_GOALS_PER_SHARE`] goals with their details,
/// and the routines summary.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn everything(
    ports: &StoragePorts,
    share: &Share,
    now: Instant,
) -> Result<SharedView, StoreError> {
    let (shown, more_goals) = goals(ports, share, None, MAX_GOALS_PER_SHARE as u64).await?;
    let mut details = Vec::with_capacity(shown.len());
    for goal in shown {
        if let Some(detail) = detail(ports, share, goal).await? {
            details.push(detail);
        }
    }
    Ok(SharedView { goals: details, more_goals, routines: routines(ports, share, now).await? })
}
