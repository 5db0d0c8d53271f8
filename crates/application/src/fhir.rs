//! The person's record as a FHIR client reads it (`/fhir/r4`): the person, their
//! goals, their recovery plan and the contacts they share with services. Read-only;
//! every read is scoped to the person the token acts for, so another person's id is
//! simply not found, and a search naming another patient finds nothing.

use std::collections::BTreeSet;
use waymark_domain::acting::Acting;

use waymark_domain::contacts::ports::{ContactPage, ContactPosition, ContactQuery};
use waymark_domain::contacts::{Contact, ContactId};
use waymark_domain::goals::ports::{GoalPage, GoalPosition, GoalQuery};
use waymark_domain::goals::{Goal, GoalId, GoalStatus};
use waymark_domain::identity::{Account, AccountId};
use waymark_domain::journal::ResourceType;
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::routines::Routine;
use waymark_domain::sync::Resource;
use waymark_domain::time::Instant;

/// Why a FHIR read found nothing to answer.
#[derive(Debug, thiserror::Error)]
pub enum FhirReadError {
    /// No such resource of the person's (another person's is not found either).
    #[error("not found")]
    NotFound,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A search of the person's goals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalSearch {
    /// `patient`: whose goals (`None`: the person's own).
    pub patient: Option<AccountId>,
    /// `lifecycle-status`: goals with one of these statuses (`None`: any; empty:
    /// none, for codes no Waymark goal has).
    pub statuses: Option<Vec<GoalStatus>>,
    /// `_lastUpdated`: changed at or after this instant.
    pub updated_from: Option<Instant>,
    /// `_lastUpdated`: changed before this instant.
    pub updated_before: Option<Instant>,
    /// After this goal (the previous page's last).
    pub after: Option<GoalPosition>,
    /// `_count`: at most this many.
    pub count: u64,
}

/// Goals with what their FHIR view needs besides: their person, whose time zone the
/// dates are days in, and which of their supporters the person shares with services.
#[derive(Debug, Clone)]
pub struct WithPerson<T> {
    /// The goal or goals.
    pub value: T,
    /// Whose they are.
    pub person: Account,
    /// The supporters of these goals that the person shares with services (the only
    /// ones a FHIR client may be pointed to), with their versions, by id.
    pub shared_supporters: Vec<(ContactId, i64)>,
}

async fn person(ports: &StoragePorts, acting: Acting) -> Result<Account, FhirReadError> {
    ports.accounts.get(acting.owner).await?.ok_or(FhirReadError::NotFound)
}

/// The supporters of `goals` that the person shares with services: those contacts
/// alone are read, by id, and nothing when no goal has a supporter.
async fn shared_supporters(
    ports: &StoragePorts,
    acting: Acting,
    goals: &[Goal],
) -> Result<Vec<(ContactId, i64)>, FhirReadError> {
    let supporters: BTreeSet<uuid::Uuid> =
        goals.iter().flat_map(|goal| goal.supporters.iter().map(|id| id.0)).collect();
    if supporters.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<uuid::Uuid> = supporters.into_iter().collect();
    let found = ports.current_state.find(acting.owner, ResourceType::Contact, &ids).await?;
    let mut found: Vec<(ContactId, i64)> = found
        .into_iter()
        .filter_map(|resource| match resource {
            Resource::Contact(contact) if contact.details.shared_with_services => {
                Some((contact.id, contact.version))
            }
            _ => None,
        })
        .collect();
    found.sort_unstable();
    Ok(found)
}

/// The person, as a FHIR `Patient`, when `id` is theirs.
///
/// # Errors
/// [`FhirReadError::NotFound`] for any other id.
pub async fn patient(
    ports: &StoragePorts,
    acting: Acting,
    id: AccountId,
) -> Result<Account, FhirReadError> {
    if id != acting.owner {
        return Err(FhirReadError::NotFound);
    }
    ports.accounts.get(acting.owner).await?.ok_or(FhirReadError::NotFound)
}

/// One of the person's goals.
///
/// # Errors
/// [`FhirReadError::NotFound`].
pub async fn goal(
    ports: &StoragePorts,
    acting: Acting,
    id: GoalId,
) -> Result<WithPerson<Goal>, FhirReadError> {
    let goal = ports.goals.get(acting.owner, id).await?.ok_or(FhirReadError::NotFound)?;
    let shared_supporters = shared_supporters(ports, acting, std::slice::from_ref(&goal)).await?;
    Ok(WithPerson { value: goal, person: person(ports, acting).await?, shared_supporters })
}

/// A page of the person's goals matching `search`, newest first (the order of
/// `GET /v1/goals`, so the same pages are served from memory).
///
/// # Errors
/// [`FhirReadError::Store`].
pub async fn goals(
    ports: &StoragePorts,
    acting: Acting,
    search: GoalSearch,
) -> Result<WithPerson<GoalPage>, FhirReadError> {
    let person = person(ports, acting).await?;
    let another_patient = search.patient.is_some_and(|patient| patient != acting.owner);
    let no_status_matches = search.statuses.as_ref().is_some_and(Vec::is_empty);
    if another_patient || no_status_matches {
        let nothing = GoalPage { goals: Vec::new().into(), has_more: false };
        return Ok(WithPerson { value: nothing, person, shared_supporters: Vec::new() });
    }
    let mut query =
        GoalQuery::newest(None, search.statuses.unwrap_or_default(), search.after, search.count);
    query.updated_from = search.updated_from;
    query.updated_before = search.updated_before;
    let page = ports.goals.list(acting.owner, query).await?;
    let shared_supporters = shared_supporters(ports, acting, &page.goals).await?;
    Ok(WithPerson { value: page, person, shared_supporters })
}

/// FNV-1a, 64 bits: the same on every replica and in every build.
struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    fn add(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// A goal's FHIR version (`meta.versionId`, and its `ETag`): its own version, and,
/// when it has supporters, a digest of which of them the person shares with services
/// (`shared_supporters`, by id) and their versions, since the resource names them.
#[must_use]
pub fn goal_version(goal: &Goal, shared_supporters: &[(ContactId, i64)]) -> String {
    if goal.supporters.is_empty() {
        return goal.version.to_string();
    }
    let mut digest = Digest::default();
    for supporter in &goal.supporters {
        if let Ok(found) = shared_supporters.binary_search_by_key(supporter, |(id, _)| *id) {
            digest.add(supporter.0.as_bytes());
            digest.add(&shared_supporters[found].1.to_be_bytes());
        }
    }
    format!("{}-{}", goal.version, digest.hex())
}

/// The most goals one recovery plan names.
pub const MAX_PLAN_GOALS: u64 = 500;

/// The person's recovery plan: the goals they are working on (active or paused,
/// newest first, at most [`MAX_PLAN_GOALS`]) and their active routines.
#[derive(Debug, Clone)]
pub struct RecoveryPlan {
    /// Whose.
    pub person: Account,
    /// The goals being worked on.
    pub goals: Vec<Goal>,
    /// The active routines, each an activity.
    pub routines: Vec<Routine>,
}

impl RecoveryPlan {
    /// The plan's version: a digest of what it holds (each goal's and routine's id
    /// and version), so it changes exactly when what the plan says can change,
    /// whichever cache or replica each part was read from. 16 hexadecimal digits.
    #[must_use]
    pub fn version(&self) -> String {
        let mut digest = Digest::default();
        digest.add(self.person.id.0.as_bytes());
        for goal in &self.goals {
            digest.add(b"g");
            digest.add(goal.id.0.as_bytes());
            digest.add(&goal.version.to_be_bytes());
        }
        for routine in &self.routines {
            digest.add(b"r");
            digest.add(routine.id.0.as_bytes());
            digest.add(&routine.version.to_be_bytes());
        }
        digest.hex()
    }

    /// When anything the plan holds last changed (the account's creation when it
    /// holds nothing).
    #[must_use]
    pub fn last_updated(&self) -> Instant {
        let goals = self.goals.iter().map(|goal| goal.updated_at);
        let routines = self.routines.iter().map(|routine| routine.updated_at);
        goals.chain(routines).max().unwrap_or(self.person.created_at)
    }
}

/// The person's recovery plan, when `id` is theirs (a person has exactly one, under
/// their own id).
///
/// # Errors
/// [`FhirReadError::NotFound`] for any other id.
pub async fn recovery_plan(
    ports: &StoragePorts,
    acting: Acting,
    id: AccountId,
) -> Result<RecoveryPlan, FhirReadError> {
    let person = patient(ports, acting, id).await?;
    let worked_on = || vec![GoalStatus::Active, GoalStatus::Paused];
    let mut goals: Vec<Goal> = Vec::new();
    let mut after = None;
    loop {
        let query = GoalQuery::newest(None, worked_on(), after, 100);
        let page = ports.goals.list(acting.owner, query).await?;
        goals.extend(page.goals.iter().cloned());
        after = goals
            .last()
            .map(|goal| GoalPosition::Newest { created_at: goal.created_at, id: goal.id });
        if !page.has_more || goals.len() as u64 >= MAX_PLAN_GOALS {
            break;
        }
    }
    goals.truncate(usize::try_from(MAX_PLAN_GOALS).unwrap_or(usize::MAX));
    let routines = ports.routines.active(acting.owner).await?;
    Ok(RecoveryPlan { person, goals, routines })
}

/// One of the contacts the person shares with services.
///
/// # Errors
/// [`FhirReadError::NotFound`], for a contact that is not shared with services too.
pub async fn related_person(
    ports: &StoragePorts,
    acting: Acting,
    id: waymark_domain::contacts::ContactId,
) -> Result<Contact, FhirReadError> {
    ports
        .contacts
        .get(acting.owner, id)
        .await?
        .filter(|contact| contact.details.shared_with_services)
        .ok_or(FhirReadError::NotFound)
}

/// A page of the contacts the person shares with services, by name; none when
/// `patient` names someone else.
///
/// # Errors
/// [`FhirReadError::Store`].
pub async fn related_people(
    ports: &StoragePorts,
    acting: Acting,
    patient: Option<AccountId>,
    after: Option<ContactPosition>,
    count: u64,
) -> Result<ContactPage, FhirReadError> {
    if patient.is_some_and(|patient| patient != acting.owner) {
        return Ok(ContactPage { contacts: Vec::new(), has_more: false });
    }
    let mut query = ContactQuery::by_name(count);
    query.shared_with_services = Some(true);
    query.after = after;
    Ok(ports.contacts.list(acting.owner, query).await?)
}
