//! How goals look on the wire, and how requests become domain values.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::goals::{GoalDraft, GoalEdit};
use waymark_domain::goals::{
    Area, CheckIn, Goal, GoalChanges, GoalStatus, GoalTitle, GoalWhy, NewGoal, Progress,
    StatusChange, Step, SupportNotes, target_date_from,
};
use waymark_domain::validation::{Problem, Problems};

use crate::extract::Patch;
use crate::wire::names::{FeelingName, StatusName};

/// The part of life a goal belongs to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AreaName {
    Social,
    Work,
    Study,
    Volunteering,
    Health,
    Housing,
    Money,
    Relationships,
    Hobbies,
    Spirituality,
    Other,
}

/// A goal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GoalResponse {
    /// The goal's id.
    id: uuid::Uuid,
    /// What the person wants to have done.
    #[schema(example = "Join the Tuesday walking group")]
    title: String,
    /// What makes it important to them.
    #[schema(example = "Getting out helps my mood, and I'd like to meet people.")]
    why: String,
    /// The part of life it belongs to.
    #[schema(value_type = AreaName, example = "social")]
    area: String,
    /// When they hope to have done it (`YYYY-MM-DD`), if they chose a date.
    #[schema(value_type = Option<String>, format = Date, example = "2027-03-31")]
    target_date: Option<NaiveDate>,
    /// Where they are with it.
    #[schema(value_type = StatusName, example = "active")]
    status: String,
    /// When the status last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    status_changed_at: DateTime<Utc>,
    /// Whether they would like support with it.
    needs_support: bool,
    /// What support they would like.
    #[schema(example = "A friend to come along the first time.")]
    support_notes: String,
    /// When it was created.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1, +1 with every change (to the goal, its steps or check-ins);
    /// also the `ETag`.
    #[schema(example = 1)]
    version: i64,
    /// How many steps it has.
    #[schema(example = 3)]
    steps_total: i32,
    /// How many of them are done.
    #[schema(example = 1)]
    steps_done: i32,
    /// When it was last checked in on.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    last_check_in_at: Option<DateTime<Utc>>,
    /// The contacts supporting it (see `/v1/goals/{goal_id}/supporters`), in the
    /// order they were added.
    supporter_ids: Vec<uuid::Uuid>,
}

impl From<&Goal> for GoalResponse {
    fn from(goal: &Goal) -> Self {
        Self {
            id: goal.id.0,
            title: goal.title.as_str().to_owned(),
            why: goal.why.as_str().to_owned(),
            area: goal.area.as_str().to_owned(),
            target_date: goal.target_date,
            status: goal.status.as_str().to_owned(),
            status_changed_at: goal.status_changed_at,
            needs_support: goal.needs_support,
            support_notes: goal.support_notes.as_str().to_owned(),
            created_at: goal.created_at,
            updated_at: goal.updated_at,
            version: goal.version,
            steps_total: goal.steps_total,
            steps_done: goal.steps_done,
            last_check_in_at: goal.last_check_in_at,
            supporter_ids: goal.supporters.iter().map(|contact| contact.0).collect(),
        }
    }
}

/// A new goal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewGoalRequest {
    /// What you want to have done: 1 to 200 characters.
    #[schema(example = "Join the Tuesday walking group", min_length = 1, max_length = 200)]
    pub(crate) title: String,
    /// What makes it important to you (up to 4000 characters).
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub(crate) why: String,
    /// The part of life it belongs to.
    #[schema(value_type = AreaName, example = "social")]
    pub(crate) area: String,
    /// When you hope to have done it; not before today.
    #[schema(value_type = Option<String>, format = Date, example = "2027-03-31")]
    pub(crate) target_date: Option<NaiveDate>,
    /// `active` when omitted.
    #[schema(value_type = Option<StatusName>, example = "active")]
    pub(crate) status: Option<String>,
    /// Whether you would like support (default `false`).
    #[serde(default)]
    pub(crate) needs_support: bool,
    /// What support you would like (up to 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub(crate) support_notes: String,
}

/// Changes to a goal (JSON merge patch): absent fields stay as they are; `null`
/// clears `why`, `support_notes` and `target_date`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GoalPatch {
    /// A new title (1 to 200 characters).
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub(crate) title: Patch<String>,
    /// A new reason, or `null` to clear it.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub(crate) why: Patch<String>,
    /// A new area.
    #[serde(default)]
    #[schema(value_type = AreaName)]
    pub(crate) area: Patch<String>,
    /// A new target date, or `null` for none.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) target_date: Patch<NaiveDate>,
    /// A new status; each change is kept in the history.
    #[serde(default)]
    #[schema(value_type = StatusName)]
    pub(crate) status: Patch<String>,
    /// Whether you would like support.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub(crate) needs_support: Patch<bool>,
    /// What support you would like, or `null` to clear it.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub(crate) support_notes: Patch<String>,
}

/// One change of a goal's status.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StatusChangeResponse {
    /// The status before; `null` for the goal's creation.
    #[schema(value_type = Option<StatusName>)]
    from: Option<String>,
    /// The status after.
    #[schema(value_type = StatusName)]
    to: String,
    /// When.
    #[serde(serialize_with = "crate::wire::time::instant")]
    at: DateTime<Utc>,
}

impl From<&StatusChange> for StatusChangeResponse {
    fn from(change: &StatusChange) -> Self {
        Self {
            from: change.from.map(|status| status.as_str().to_owned()),
            to: change.to.as_str().to_owned(),
            at: change.at,
        }
    }
}

/// A goal's status history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GoalHistoryResponse {
    /// Every status change, the creation first (at most 1000).
    pub(crate) items: Vec<StatusChangeResponse>,
}

impl GoalDraft for NewGoalRequest {
    fn parse(self, set_on: NaiveDate) -> Result<NewGoal, Vec<Problem>> {
        let mut problems = Problems::default();
        let title = problems.check("/title", GoalTitle::parse(&self.title));
        let why = problems.check("/why", GoalWhy::parse(&self.why));
        let area = problems.check("/area", self.area.parse::<Area>());
        let status = match &self.status {
            Some(name) => problems.check("/status", name.parse::<GoalStatus>()),
            None => Some(GoalStatus::Active),
        };
        let support_notes =
            problems.check("/support_notes", SupportNotes::parse(&self.support_notes));
        let target_date = self
            .target_date
            .map(|date| problems.check("/target_date", target_date_from(date, set_on)));
        problems.or(|| {
            Some(NewGoal {
                title: title?,
                why: why?,
                area: area?,
                target_date: target_date.map_or(Some(None), |date| date.map(Some))?,
                status: status?,
                needs_support: self.needs_support,
                support_notes: support_notes?,
            })
        })
    }
}

impl GoalEdit for GoalPatch {
    fn parse(self, set_on: NaiveDate) -> Result<GoalChanges, Vec<Problem>> {
        let mut problems = Problems::default();
        let changes = GoalChanges {
            title: self
                .title
                .kept("/title", &mut problems)
                .and_then(|title| problems.check("/title", GoalTitle::parse(&title))),
            why: self.why.text().and_then(|why| problems.check("/why", GoalWhy::parse(&why))),
            area: self
                .area
                .kept("/area", &mut problems)
                .and_then(|name| problems.check("/area", name.parse::<Area>())),
            target_date: match self.target_date {
                Patch::Absent => None,
                Patch::Null => Some(None),
                Patch::Value(date) => {
                    problems.check("/target_date", target_date_from(date, set_on)).map(Some)
                }
            },
            status: self
                .status
                .kept("/status", &mut problems)
                .and_then(|name| problems.check("/status", name.parse::<GoalStatus>())),
            needs_support: self.needs_support.kept("/needs_support", &mut problems),
            support_notes: self
                .support_notes
                .text()
                .and_then(|notes| problems.check("/support_notes", SupportNotes::parse(&notes))),
        };
        problems.or(|| Some(changes))
    }
}

/// A step towards a goal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StepResponse {
    /// The step's id.
    id: uuid::Uuid,
    /// What it is.
    #[schema(example = "Ask at the library about the walking group")]
    title: String,
    /// Whether it is done.
    done: bool,
    /// When it was marked done (set by the server).
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    done_at: Option<DateTime<Utc>>,
    /// Its place in the goal's order, from 0.
    #[schema(example = 0)]
    position: i32,
    /// When it was created.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1, +1 with every change; also the `ETag`.
    version: i64,
}

impl From<&Step> for StepResponse {
    fn from(step: &Step) -> Self {
        Self {
            id: step.id.0,
            title: step.title.as_str().to_owned(),
            done: step.done,
            done_at: step.done_at,
            position: step.position,
            created_at: step.created_at,
            updated_at: step.updated_at,
            version: step.version,
        }
    }
}

/// A check-in on a goal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CheckInResponse {
    /// The check-in's id.
    id: uuid::Uuid,
    /// What the person wrote.
    #[schema(example = "Went once this week. Harder than I thought, but I went.")]
    note: String,
    /// Progress as they see it, 0 to 100.
    #[schema(example = 30)]
    progress: Option<u8>,
    /// How they felt.
    #[schema(value_type = Option<FeelingName>, example = "okay")]
    feeling: Option<String>,
    /// Whether this was a setback: expected, and worth recording.
    setback: bool,
    /// When it was made.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// Check-ins do not change: the same as `created_at`.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Always 1: check-ins do not change.
    version: i64,
}

impl From<&CheckIn> for CheckInResponse {
    fn from(check_in: &CheckIn) -> Self {
        Self {
            id: check_in.id.0,
            note: check_in.note.as_str().to_owned(),
            progress: check_in.progress.map(Progress::value),
            feeling: check_in.feeling.map(|feeling| feeling.as_str().to_owned()),
            setback: check_in.setback,
            created_at: check_in.created_at,
            updated_at: check_in.created_at,
            version: 1,
        }
    }
}
