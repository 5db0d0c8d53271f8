//! The person's export: everything Waymark holds about them (UK GDPR articles 15 and
//! 20), as sections read one after the other, each a page at a time, so that an export
//! holds at most a page in memory however much the person has.
//!
//! Every section is read in a stable order (ids, or the journal's sequence); the access
//! log newest first, as the person reads it. The export is not one snapshot: a change
//! made while it is read may be in it or not, and [`Export::changes_through`] says up
//! to which journal entry its list of changes goes.

use uuid::Uuid;
use waymark_domain::access_log::{AccessLogEntry, AccessLogPosition, AccessLogQuery};
use waymark_domain::acting::Acting;
use waymark_domain::contacts::Contact;
use waymark_domain::export::{Record, RecordPart, RecordPosition};
use waymark_domain::goals::{Goal, GoalStatus};
use waymark_domain::identity::{Account, AccountId};
use waymark_domain::journal::{JournalEntry, ResourceType, Sequence};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::routines::Routine;
use waymark_domain::routines::stats::Stats;
use waymark_domain::sharing::ports::{SharePosition, SupportedShare};
use waymark_domain::sync::Resource;
use waymark_domain::time::Instant;

use crate::accounts::AccountFailure;
use crate::authorization::{self, AppLetIn};

/// How many records an export reads at a time.
pub const PAGE: u64 = 200;

/// The days a summary's routine counts look back over.
pub const SUMMARY_DAYS: u32 = 28;

/// A section of the export, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// The goals.
    Goals,
    /// Their steps.
    GoalSteps,
    /// Their check-ins.
    GoalCheckIns,
    /// Every change of their statuses.
    GoalStatusChanges,
    /// The contacts supporting them.
    GoalSupporters,
    /// Encouragement supporters sent.
    EncouragementsReceived,
    /// The routines.
    Routines,
    /// When they were paused.
    RoutinePauses,
    /// Their check-ins.
    RoutineCheckIns,
    /// The contacts.
    Contacts,
    /// Their interactions.
    ContactInteractions,
    /// The shares the person gave supporters.
    SharesGiven,
    /// The shares the person follows as a supporter.
    SharesReceived,
    /// Encouragement the person sent as a supporter.
    EncouragementsSent,
    /// The apps the person let in.
    AppGrants,
    /// Who else accessed the person's data.
    AccessLog,
    /// Every change to the person's data the journal still holds.
    Changes,
}

/// Every section, in the order they are written.
pub const SECTIONS: [Section; 17] = [
    Section::Goals,
    Section::GoalSteps,
    Section::GoalCheckIns,
    Section::GoalStatusChanges,
    Section::GoalSupporters,
    Section::EncouragementsReceived,
    Section::Routines,
    Section::RoutinePauses,
    Section::RoutineCheckIns,
    Section::Contacts,
    Section::ContactInteractions,
    Section::SharesGiven,
    Section::SharesReceived,
    Section::EncouragementsSent,
    Section::AppGrants,
    Section::AccessLog,
    Section::Changes,
];

/// Where a section's records come from.
enum Source {
    /// A kind of resource sync also carries.
    Current(ResourceType),
    /// A part of the person's other records.
    Records(RecordPart),
    /// The shares the person follows (as their own list answers them).
    SharesFollowed,
    /// The apps let in (a handful: read at once).
    Apps,
    /// The access log.
    AccessLog,
    /// The change journal.
    Journal,
}

impl Section {
    fn source(self) -> Source {
        match self {
            Self::Goals => Source::Current(ResourceType::Goal),
            Self::GoalSteps => Source::Current(ResourceType::GoalStep),
            Self::GoalCheckIns => Source::Current(ResourceType::GoalCheckIn),
            Self::GoalStatusChanges => Source::Records(RecordPart::GoalStatusChanges),
            Self::GoalSupporters => Source::Records(RecordPart::GoalSupporters),
            Self::EncouragementsReceived => Source::Records(RecordPart::EncouragementsReceived),
            Self::Routines => Source::Current(ResourceType::Routine),
            Self::RoutinePauses => Source::Records(RecordPart::RoutinePauses),
            Self::RoutineCheckIns => Source::Current(ResourceType::RoutineCheckIn),
            Self::Contacts => Source::Current(ResourceType::Contact),
            Self::ContactInteractions => Source::Current(ResourceType::ContactInteraction),
            Self::SharesGiven => Source::Current(ResourceType::Share),
            Self::SharesReceived => Source::SharesFollowed,
            Self::EncouragementsSent => Source::Records(RecordPart::EncouragementsSent),
            Self::AppGrants => Source::Apps,
            Self::AccessLog => Source::AccessLog,
            Self::Changes => Source::Journal,
        }
    }
}

/// One exported item.
#[derive(Debug, Clone)]
pub enum Item {
    /// A resource sync also carries.
    Resource(Box<Resource>),
    /// Another of the person's records.
    Record(Box<Record>),
    /// A share the person follows.
    ShareFollowed(Box<SupportedShare>),
    /// An app let in.
    App(Box<AppLetIn>),
    /// An access to the person's data.
    Access(Box<AccessLogEntry>),
    /// A change to the person's data.
    Change(Box<JournalEntry>),
}

/// A page of one section. Every section gives at least one page, empty when the person
/// has nothing in it; the section's last page says so.
#[derive(Debug, Clone)]
pub struct Page {
    /// Its section.
    pub section: Section,
    /// Its items, in the section's order.
    pub items: Vec<Item>,
    /// Whether it is the section's last.
    pub last: bool,
}

/// Where the reading of a section stands.
#[derive(Debug, Clone, Copy)]
enum Position {
    Start,
    Resource(Uuid),
    Record(RecordPosition),
    Share(SharePosition),
    Access(AccessLogPosition),
    Journal(Sequence),
}

/// An export being read: its account, then its sections' pages in order.
#[derive(Debug)]
pub struct Export {
    ports: StoragePorts,
    account: Account,
    started_at: Instant,
    changes_through: Sequence,
    section: usize,
    position: Position,
}

/// Begins the export of the acting person's data: reads their account (so that a
/// failure is known before anything is written) and where their journal stands.
///
/// # Errors
/// The account is gone, or storage failed.
pub async fn begin(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
) -> Result<Export, AccountFailure> {
    let account = crate::accounts::get(ports, acting).await?;
    let changes_through = ports.journal.head(acting.owner).await?;
    Ok(Export {
        ports: ports.clone(),
        account,
        started_at: now,
        changes_through,
        section: 0,
        position: Position::Start,
    })
}

impl Export {
    /// The person's account.
    #[must_use]
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// When the export began.
    #[must_use]
    pub fn started_at(&self) -> Instant {
        self.started_at
    }

    /// The last journal entry the export's changes go up to.
    #[must_use]
    pub fn changes_through(&self) -> Sequence {
        self.changes_through
    }

    fn owner(&self) -> AccountId {
        self.account.id
    }

    /// The next page, `None` after the last section's last page.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; the export cannot go on then.
    pub async fn next_page(&mut self) -> Result<Option<Page>, StoreError> {
        let Some(section) = SECTIONS.get(self.section).copied() else {
            return Ok(None);
        };
        let (items, next) = self.read(section).await?;
        let last = next.is_none();
        match next {
            Some(position) => self.position = position,
            None => {
                self.section += 1;
                self.position = Position::Start;
            }
        }
        Ok(Some(Page { section, items, last }))
    }

    /// A page of `section` from where it stands, and where the next page starts
    /// (`None` when this is its last).
    async fn read(&self, section: Section) -> Result<(Vec<Item>, Option<Position>), StoreError> {
        let owner = self.owner();
        let ports = &self.ports;
        match section.source() {
            Source::Current(resource) => {
                let after = match self.position {
                    Position::Resource(id) => Some(id),
                    _ => None,
                };
                let found = ports.current_state.after(owner, resource, after, PAGE).await?;
                let next = full(&found).then(|| found.last().map(|last| last.id()));
                let items = found.into_iter().map(|found| Item::Resource(Box::new(found)));
                Ok((items.collect(), next.flatten().map(Position::Resource)))
            }
            Source::Records(part) => {
                let after = match self.position {
                    Position::Record(position) => Some(position),
                    _ => None,
                };
                let (found, more) = ports.personal_records.page(owner, part, after, PAGE).await?;
                let next = found.last().filter(|_| more).map(Record::position);
                let items = found.into_iter().map(|found| Item::Record(Box::new(found)));
                Ok((items.collect(), next.map(Position::Record)))
            }
            Source::SharesFollowed => {
                let after = match self.position {
                    Position::Share(position) => Some(position),
                    _ => None,
                };
                let (found, more) =
                    ports.shares.supported(owner, self.started_at, after, PAGE).await?;
                let next = found
                    .last()
                    .filter(|_| more)
                    .map(|last| (last.share.created_at, last.share.id));
                let items = found.into_iter().map(|found| Item::ShareFollowed(Box::new(found)));
                Ok((items.collect(), next.map(Position::Share)))
            }
            Source::Apps => {
                let apps = authorization::apps_let_in(ports, owner).await?;
                Ok((apps.into_iter().map(|app| Item::App(Box::new(app))).collect(), None))
            }
            Source::AccessLog => {
                let after = match self.position {
                    Position::Access(position) => Some(position),
                    _ => None,
                };
                let query =
                    AccessLogQuery { owner, client: None, person: None, after, limit: PAGE };
                let (found, more) = ports.access_log.page(&query).await?;
                let next = found
                    .last()
                    .filter(|_| more)
                    .map(|last| AccessLogPosition { at: last.record.at, id: last.record.id });
                let items = found.into_iter().map(|found| Item::Access(Box::new(found)));
                Ok((items.collect(), next.map(Position::Access)))
            }
            Source::Journal => {
                let after = match self.position {
                    Position::Journal(sequence) => sequence,
                    _ => Sequence(0),
                };
                let mut found = ports.journal.entries_after(owner, after, PAGE).await?;
                found.retain(|entry| entry.sequence <= self.changes_through);
                let next = found
                    .last()
                    .map(|last| last.sequence)
                    .filter(|last| full(&found) && *last < self.changes_through);
                let items = found.into_iter().map(|found| Item::Change(Box::new(found)));
                Ok((items.collect(), next.map(Position::Journal)))
            }
        }
    }
}

/// Whether a page read with [`PAGE`] is full, so that more may follow it.
fn full<T>(page: &[T]) -> bool {
    page.len() as u64 >= PAGE
}

/// Whether a goal is being worked on (active or paused): a summary shows those first.
#[must_use]
pub fn being_worked_on(goal: &Goal) -> bool {
    matches!(goal.status, GoalStatus::Active | GoalStatus::Paused)
}

/// A page of `owner`'s resources of kind `resource` after `after`, in id order, each as
/// `pick` takes it, and whether more follow.
async fn current_page<T>(
    ports: &StoragePorts,
    (owner, resource): (AccountId, ResourceType),
    after: Option<Uuid>,
    pick: fn(Resource) -> Option<T>,
) -> Result<(Vec<T>, bool), StoreError> {
    let found = ports.current_state.after(owner, resource, after, PAGE).await?;
    let more = full(&found);
    Ok((found.into_iter().filter_map(pick).collect(), more))
}

/// A page of `owner`'s goals after `after`, in id order (oldest first), and whether
/// more follow.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn goals_page(
    ports: &StoragePorts,
    owner: AccountId,
    after: Option<Uuid>,
) -> Result<(Vec<Goal>, bool), StoreError> {
    current_page(ports, (owner, ResourceType::Goal), after, |found| match found {
        Resource::Goal(goal) => Some(goal),
        _ => None,
    })
    .await
}

/// A page of `owner`'s contacts after `after`, in id order, and whether more follow.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn contacts_page(
    ports: &StoragePorts,
    owner: AccountId,
    after: Option<Uuid>,
) -> Result<(Vec<Contact>, bool), StoreError> {
    current_page(ports, (owner, ResourceType::Contact), after, |found| match found {
        Resource::Contact(contact) => Some(contact),
        _ => None,
    })
    .await
}

/// `owner`'s active routines, read at once (as their calendar is).
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn active_routines(
    ports: &StoragePorts,
    owner: AccountId,
) -> Result<Vec<Routine>, StoreError> {
    ports.routines.active(owner).await
}

/// How `routine` went over the last [`SUMMARY_DAYS`], up to `now`.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn how_it_went(
    ports: &StoragePorts,
    routine: &Routine,
    now: Instant,
) -> Result<Stats, StoreError> {
    crate::routines::how_it_went(ports, routine, now, SUMMARY_DAYS).await
}
