//! The export as one JSON document: a header, the account, then one array per section
//! of [`SECTIONS`], each item exactly as the API's own routes answer it (with the id of
//! what it belongs to where that representation does not carry it). The document's
//! schema is built from the same list of sections, so the two cannot drift apart.

use std::borrow::Cow;
use std::io::{self, Write};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};
use waymark_application::export::{Export, Item, SECTIONS, Section};
use waymark_domain::export::Record;
use waymark_domain::journal::{Actor, ChangeKind, JournalEntry, ResourceType};
use waymark_domain::sync::Resource;
use waymark_domain::time::Instant;

use crate::wire::access_log::AccessLogEntryResponse;
use crate::wire::account::AccountResponse;
use crate::wire::contacts::{ContactResponse, InteractionResponse, SupporterResponse};
use crate::wire::goals::{CheckInResponse, GoalResponse, StatusChangeResponse, StepResponse};
use crate::wire::grants::AppLetInResponse;
use crate::wire::routines::{RoutineCheckInResponse, RoutineResponse};
use crate::wire::shares::{
    EncouragementResponse, SentEncouragementResponse, ShareResponse, SharedWithMeResponse,
};

/// What the document says it is, in its `format`.
pub(crate) const FORMAT: &str = "waymark-export";

/// The version of the document's layout, in its `format_version`.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// A step, with its goal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExportedStep {
    /// The goal it is a step of.
    goal_id: uuid::Uuid,
    #[serde(flatten)]
    step: StepResponse,
}

/// A check-in on a goal, with its goal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExportedGoalCheckIn {
    /// The goal it is a check-in on.
    goal_id: uuid::Uuid,
    #[serde(flatten)]
    check_in: CheckInResponse,
}

/// A change of a goal's status, with its goal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExportedStatusChange {
    /// The change's id.
    id: uuid::Uuid,
    /// The goal whose status changed.
    goal_id: uuid::Uuid,
    #[serde(flatten)]
    change: StatusChangeResponse,
}

/// A time a routine was paused.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExportedRoutinePause {
    /// The pause's id.
    id: uuid::Uuid,
    /// The routine.
    routine_id: uuid::Uuid,
    /// The first paused day (`YYYY-MM-DD`, in the routine's time zone).
    #[schema(value_type = String, format = Date, example = "2026-11-02")]
    paused_on: NaiveDate,
    /// The day it was active again; `null` while it is still paused.
    #[schema(value_type = Option<String>, format = Date, example = "2026-11-09")]
    resumed_on: Option<NaiveDate>,
}

/// Who made a change.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ChangedByKind {
    /// You (in Waymark's own apps).
    Person,
    /// A Waymark administrator (your account's role).
    Administrator,
    /// An app you let in.
    App,
    /// Someone you share with (accepting a share, sending encouragement).
    Supporter,
}

/// Who made a change.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ChangedBy {
    /// What kind of actor.
    kind: ChangedByKind,
    /// Your account's id, an administrator's or supporter's account id, or an app's
    /// client id.
    id: uuid::Uuid,
}

/// The kind of thing a change was made to.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ChangedType {
    /// Your account.
    Account,
    /// A goal.
    Goal,
    /// A step of a goal.
    GoalStep,
    /// A check-in on a goal.
    GoalCheckIn,
    /// A routine.
    Routine,
    /// A check-in on a routine.
    RoutineCheckIn,
    /// A contact.
    Contact,
    /// An interaction with a contact.
    ContactInteraction,
    /// What you let an app do.
    Grant,
    /// A share you gave a supporter.
    Share,
    /// A message of encouragement.
    Encouragement,
}

impl From<ResourceType> for ChangedType {
    fn from(resource: ResourceType) -> Self {
        match resource {
            ResourceType::Account => Self::Account,
            ResourceType::Goal => Self::Goal,
            ResourceType::GoalStep => Self::GoalStep,
            ResourceType::GoalCheckIn => Self::GoalCheckIn,
            ResourceType::Routine => Self::Routine,
            ResourceType::RoutineCheckIn => Self::RoutineCheckIn,
            ResourceType::Contact => Self::Contact,
            ResourceType::ContactInteraction => Self::ContactInteraction,
            ResourceType::Grant => Self::Grant,
            ResourceType::Share => Self::Share,
            ResourceType::Encouragement => Self::Encouragement,
        }
    }
}

/// What a change did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum JournalChangeKind {
    /// It was made.
    Created,
    /// It changed.
    Updated,
    /// It was deleted.
    Deleted,
}

impl From<ChangeKind> for JournalChangeKind {
    fn from(kind: ChangeKind) -> Self {
        match kind {
            ChangeKind::Created => Self::Created,
            ChangeKind::Updated => Self::Updated,
            ChangeKind::Deleted => Self::Deleted,
        }
    }
}

/// One change to your data, as the change journal recorded it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExportedChange {
    /// Its place among your changes: 1, 2, 3, ... in the order they were made; the
    /// earliest are gone once older than the journal keeps.
    sequence: i64,
    /// The kind of thing that changed.
    #[serde(rename = "type")]
    resource_type: ChangedType,
    /// Its id.
    id: uuid::Uuid,
    /// What the change did.
    change: JournalChangeKind,
    /// Its version after the change, for things that have versions.
    version: Option<i64>,
    /// Who made it.
    by: ChangedBy,
    /// When.
    #[serde(serialize_with = "crate::wire::time::instant")]
    at: DateTime<Utc>,
}

impl From<&JournalEntry> for ExportedChange {
    fn from(entry: &JournalEntry) -> Self {
        let (kind, id) = match entry.actor {
            Actor::Person(account) => (ChangedByKind::Person, account.0),
            Actor::Administrator(account) => (ChangedByKind::Administrator, account.0),
            Actor::App(client) => (ChangedByKind::App, client.0),
            Actor::Supporter(account) => (ChangedByKind::Supporter, account.0),
        };
        Self {
            sequence: entry.sequence.0,
            resource_type: entry.change.resource.into(),
            id: entry.change.id,
            change: entry.change.kind.into(),
            version: entry.change.version,
            by: ChangedBy { kind, id },
            at: entry.at,
        }
    }
}

/// The key a section's array has in the document.
pub(crate) fn key_of(section: Section) -> &'static str {
    match section {
        Section::Goals => "goals",
        Section::GoalSteps => "goal_steps",
        Section::GoalCheckIns => "goal_check_ins",
        Section::GoalStatusChanges => "goal_status_changes",
        Section::GoalSupporters => "goal_supporters",
        Section::EncouragementsReceived => "encouragements_received",
        Section::Routines => "routines",
        Section::RoutinePauses => "routine_pauses",
        Section::RoutineCheckIns => "routine_check_ins",
        Section::Contacts => "contacts",
        Section::ContactInteractions => "contact_interactions",
        Section::SharesGiven => "shares_given",
        Section::SharesReceived => "shares_received",
        Section::EncouragementsSent => "encouragements_sent",
        Section::AppGrants => "app_grants",
        Section::AccessLog => "access_log",
        Section::Changes => "changes",
    }
}

/// What a section's array says of itself in the spec.
fn description_of(section: Section) -> &'static str {
    match section {
        Section::Goals => "Your goals, as `GET /v1/goals/{goal_id}` answers them.",
        Section::GoalSteps => "Every step of every goal.",
        Section::GoalCheckIns => "Every check-in on every goal, notes included.",
        Section::GoalStatusChanges => {
            "Every change of every goal's status, oldest first within a goal."
        }
        Section::GoalSupporters => "Which contacts support which goals, and how.",
        Section::EncouragementsReceived => {
            "Encouragement your supporters sent you, hidden ones too."
        }
        Section::Routines => "Your routines.",
        Section::RoutinePauses => "When your routines were paused.",
        Section::RoutineCheckIns => "Every check-in on every routine.",
        Section::Contacts => "Your contacts: your support network.",
        Section::ContactInteractions => "Every interaction with every contact.",
        Section::SharesGiven => "What you share with supporters.",
        Section::SharesReceived => "What others share with you, as their supporter.",
        Section::EncouragementsSent => "Encouragement you sent as someone's supporter.",
        Section::AppGrants => "The apps you let in, and what they may do.",
        Section::AccessLog => {
            "Who else accessed your data (apps, administrators, supporters), newest first."
        }
        Section::Changes => {
            "Every change to your data the journal still holds (90 days by default), oldest first, up to `changes_through`."
        }
    }
}

/// An item type's place in the spec.
struct ItemType {
    name: fn() -> Cow<'static, str>,
    schema: fn() -> RefOr<Schema>,
    schemas: fn(&mut Vec<(String, RefOr<Schema>)>),
}

fn item_type<T: ToSchema>() -> ItemType {
    ItemType { name: T::name, schema: T::schema, schemas: T::schemas }
}

/// The type of a section's items.
fn item_type_of(section: Section) -> ItemType {
    match section {
        Section::Goals => item_type::<GoalResponse>(),
        Section::GoalSteps => item_type::<ExportedStep>(),
        Section::GoalCheckIns => item_type::<ExportedGoalCheckIn>(),
        Section::GoalStatusChanges => item_type::<ExportedStatusChange>(),
        Section::GoalSupporters => item_type::<SupporterResponse>(),
        Section::EncouragementsReceived => item_type::<EncouragementResponse>(),
        Section::EncouragementsSent => item_type::<SentEncouragementResponse>(),
        Section::Routines => item_type::<RoutineResponse>(),
        Section::RoutinePauses => item_type::<ExportedRoutinePause>(),
        Section::RoutineCheckIns => item_type::<RoutineCheckInResponse>(),
        Section::Contacts => item_type::<ContactResponse>(),
        Section::ContactInteractions => item_type::<InteractionResponse>(),
        Section::SharesGiven => item_type::<ShareResponse>(),
        Section::SharesReceived => item_type::<SharedWithMeResponse>(),
        Section::AppGrants => item_type::<AppLetInResponse>(),
        Section::AccessLog => item_type::<AccessLogEntryResponse>(),
        Section::Changes => item_type::<ExportedChange>(),
    }
}

/// The most items the spec says a section holds: none is limited by the API, only by
/// what a person can write; this bound documents that a client must stream, not that
/// the server cuts anything off.
const MOST_ITEMS: usize = 100_000_000;

/// The export document, as the spec documents it (the server writes it a piece at a
/// time and never holds it as one value).
#[derive(Debug)]
pub(crate) struct PersonalExport;

impl PartialSchema for PersonalExport {
    fn schema() -> RefOr<Schema> {
        let mut document = ObjectBuilder::new()
            .description(Some("Everything Waymark holds about you, at the time it was written."))
            .property(
                "format",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([FORMAT]))
                    .description(Some("What this document is.")),
            )
            .required("format")
            .property(
                "format_version",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int32,
                    )))
                    .minimum(Some(1))
                    .maximum(Some(1))
                    .description(Some("The version of this layout; a new one says so here.")),
            )
            .required("format_version")
            .property(
                "exported_at",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::DateTime,
                    )))
                    .max_length(Some(40))
                    .description(Some("When the export began.")),
            )
            .required("exported_at")
            .property(
                "changes_through",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int64,
                    )))
                    .minimum(Some(0))
                    .maximum(Some(i64::MAX))
                    .description(Some(
                        "The journal sequence `changes` goes up to: the export began there. \
                         Sections read after it may hold later changes.",
                    )),
            )
            .required("changes_through")
            .property("account", Ref::from_schema_name(AccountResponse::name()))
            .required("account");
        for section in SECTIONS {
            let key = key_of(section);
            let items = ArrayBuilder::new()
                .items(Ref::from_schema_name((item_type_of(section).name)()))
                .max_items(Some(MOST_ITEMS))
                .description(Some(description_of(section)));
            document = document.property(key, items).required(key);
        }
        RefOr::T(Schema::Object(document.build()))
    }
}

impl ToSchema for PersonalExport {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((AccountResponse::name().into_owned(), AccountResponse::schema()));
        AccountResponse::schemas(schemas);
        for section in SECTIONS {
            let item = item_type_of(section);
            schemas.push(((item.name)().into_owned(), (item.schema)()));
            (item.schemas)(schemas);
        }
    }
}

/// Writes the document's opening: the header and the account, up to where the first
/// section begins.
pub(crate) fn write_opening(out: &mut (impl Write + ?Sized), export: &Export) -> io::Result<()> {
    #[derive(Serialize)]
    struct Opening<'a> {
        format: &'static str,
        format_version: u32,
        #[serde(serialize_with = "crate::wire::time::instant")]
        exported_at: DateTime<Utc>,
        changes_through: i64,
        account: &'a AccountResponse,
    }
    let account = AccountResponse::from(export.account());
    let opening = Opening {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        exported_at: export.started_at(),
        changes_through: export.changes_through().0,
        account: &account,
    };
    let mut json = serde_json::to_vec(&opening)?;
    // Left open, for the sections to follow.
    json.pop();
    out.write_all(&json)
}

/// Writes a section's opening: its key and the array's bracket.
pub(crate) fn write_section_opening(
    out: &mut (impl Write + ?Sized),
    section: Section,
) -> io::Result<()> {
    write!(out, ",\"{}\":[", key_of(section))
}

/// Writes one item of a section; `first` when it is the section's first.
pub(crate) fn write_item(
    out: &mut (impl Write + ?Sized),
    item: &Item,
    first: bool,
    now: Instant,
) -> io::Result<()> {
    if !first {
        out.write_all(b",")?;
    }
    let written = match item {
        Item::Resource(resource) => match &**resource {
            Resource::Goal(goal) => serde_json::to_writer(&mut *out, &GoalResponse::from(goal)),
            Resource::GoalStep(step) => serde_json::to_writer(
                &mut *out,
                &ExportedStep { goal_id: step.goal_id.0, step: step.into() },
            ),
            Resource::GoalCheckIn(check_in) => serde_json::to_writer(
                &mut *out,
                &ExportedGoalCheckIn { goal_id: check_in.goal_id.0, check_in: check_in.into() },
            ),
            Resource::Routine(routine) => {
                serde_json::to_writer(&mut *out, &RoutineResponse::from(routine))
            }
            Resource::RoutineCheckIn(check_in) => {
                serde_json::to_writer(&mut *out, &RoutineCheckInResponse::from(check_in))
            }
            Resource::Contact(contact) => {
                serde_json::to_writer(&mut *out, &ContactResponse::from(contact))
            }
            Resource::ContactInteraction(interaction) => {
                serde_json::to_writer(&mut *out, &InteractionResponse::from(interaction))
            }
            Resource::Share(share) => {
                serde_json::to_writer(&mut *out, &ShareResponse::of(share, now))
            }
        },
        Item::Record(record) => match &**record {
            Record::GoalStatusChange(change) => serde_json::to_writer(
                &mut *out,
                &ExportedStatusChange {
                    id: change.id,
                    goal_id: change.goal.0,
                    change: (&change.change).into(),
                },
            ),
            Record::GoalSupporter(supporter) => {
                serde_json::to_writer(&mut *out, &SupporterResponse::new(supporter, None))
            }
            Record::RoutinePause(pause) => serde_json::to_writer(
                &mut *out,
                &ExportedRoutinePause {
                    id: pause.id,
                    routine_id: pause.routine.0,
                    paused_on: pause.paused.from,
                    resumed_on: pause.paused.until,
                },
            ),
            Record::EncouragementReceived(message) => {
                serde_json::to_writer(&mut *out, &EncouragementResponse::from(message))
            }
            Record::EncouragementSent(message) => {
                serde_json::to_writer(&mut *out, &SentEncouragementResponse::from(message))
            }
        },
        Item::ShareFollowed(shared) => {
            serde_json::to_writer(&mut *out, &SharedWithMeResponse::of(shared, now))
        }
        Item::App(app) => serde_json::to_writer(&mut *out, &AppLetInResponse::from(&**app)),
        Item::Access(entry) => {
            serde_json::to_writer(&mut *out, &AccessLogEntryResponse::from(&**entry))
        }
        Item::Change(entry) => serde_json::to_writer(&mut *out, &ExportedChange::from(&**entry)),
    };
    written.map_err(io::Error::from)
}

/// Writes a section's closing bracket.
pub(crate) fn write_section_closing(out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    out.write_all(b"]")
}

/// Writes the document's closing brace.
pub(crate) fn write_closing(out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    out.write_all(b"}")
}
