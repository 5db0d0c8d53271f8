//! The person's record as a FHIR client reads it (`/fhir/r4`): the person, their
//! goals, their recovery plan and the contacts they share with services. Read-only;
//! every read is scoped to the person the token acts for, so another person's id is
//! simply not found, and a search naming another patient finds nothing.

use waymark_domain::acting::Acting;
use waymark_domain::contacts::Contact;
use waymark_domain::contacts::ports::{ContactPage, ContactPosition, ContactQuery};
use waymark_domain::goals::ports::{GoalPage, GoalPosition, GoalQuery};
use waymark_domain::goals::{Goal, GoalId, GoalStatus};
use waymark_domain::identity::{Account, AccountId};
use waymark_domain::journal::Sequence;
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::routines::Routine;
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
pub async fn goal(ports: &StoragePorts, acting: Acting, id: GoalId) -> Result<Goal, FhirReadError> {
    ports.goals.get(acting.owner, id).await?.ok_or(FhirReadError::NotFound)
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
) -> Result<GoalPage, FhirReadError> {
    let another_patient = search.patient.is_some_and(|patient| patient != acting.owner);
    let no_status_matches = search.statuses.as_ref().is_some_and(Vec::is_empty);
    if another_patient || no_status_matches {
        return Ok(GoalPage { goals: Vec::new().into(), has_more: false });
    }
    let mut query =
        GoalQuery::newest(None, search.statuses.unwrap_or_default(), search.after, search.count);
    query.updated_from = search.updated_from;
    query.updated_before = search.updated_before;
    Ok(ports.goals.list(acting.owner, query).await?)
}

/// The most goals one recovery plan names.
pub const MAX_PLAN_GOALS: u64 = 500;

/// The person's recovery plan: the goals they are working on (active or paused,
/// newest first, at most [`MAX_PLAN_GOALS`]) and their active routines.
#[derive(Debug, Clone)]
pub struct RecoveryPlan {
    /// Whose.
    pub person: Account,
    /// The person's journal head when the plan was read: it moves with every change
    /// to anything the plan holds, so it is the plan's version.
    pub version: Sequence,
    /// The goals being worked on.
    pub goals: Vec<Goal>,
    /// The active routines, each an activity.
    pub routines: Vec<Routine>,
}

impl RecoveryPlan {
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
    // The version is read before what it versions: a change landing in between gives
    // an answer newer than its version, which the next conditional read answers again
    // in full; the other order could hide that change behind a 304.
    let version = ports.journal.head(acting.owner).await?;
    let statuses = vec![GoalStatus::Active, GoalStatus::Paused];
    let page = ports.goals.list(acting.owner, GoalQuery::newest(None, statuses, None, 100)).await?;
    let mut goals = page.goals.to_vec();
    let mut has_more = page.has_more;
    while has_more && (goals.len() as u64) < MAX_PLAN_GOALS {
        let after = goals
            .last()
            .map(|goal| GoalPosition::Newest { created_at: goal.created_at, id: goal.id });
        let statuses = vec![GoalStatus::Active, GoalStatus::Paused];
        let next = ports.goals.list(acting.owner, GoalQuery::newest(None, statuses, after, 100));
        let next = next.await?;
        goals.extend(next.goals.iter().cloned());
        has_more = next.has_more;
    }
    goals.truncate(usize::try_from(MAX_PLAN_GOALS).unwrap_or(usize::MAX));
    let routines = ports.routines.active(acting.owner).await?;
    Ok(RecoveryPlan { person, version, goals, routines })
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
    let query = ContactQuery {
        kind: None,
        helpfulness: None,
        crisis_contact: None,
        shared_with_services: Some(true),
        text: None,
        due_by: None,
        after,
        limit: count,
    };
    Ok(ports.contacts.list(acting.owner, query).await?)
}
