//! The person's support network: adding contacts (one at a time or from vCards),
//! reading, changing and deleting them.

use waymark_domain::acting::Acting;
use waymark_domain::contacts::contact::{
    SHARING_WITH_SERVICES_IS_THE_PERSONS_CHOICE, may_choose_sharing_with_services,
};
use waymark_domain::contacts::ports::{ContactPage, ContactQuery, ContactWriteError, NewContact};
use waymark_domain::contacts::{Contact, ContactChanges, ContactDraft, ContactId, PhoneRegion};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::precondition::Precondition;
use waymark_domain::time::Instant;
use waymark_domain::validation::Problem;

use crate::failure::Failure;
use crate::person::account;
use crate::preconditions::expected_version;

/// Why a contact operation did not happen.
pub type ContactFailure = Failure<ContactWriteError>;

/// What a client sent to change a contact. Phone numbers without a country code are
/// read in `region`, the person's, and a last-contacted time may not be after `now`.
pub trait ContactEdit {
    /// The changes, or every problem with them.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self, region: PhoneRegion, now: Instant) -> Result<ContactChanges, Vec<Problem>>;
}

/// The phone region of the person's locale, in which numbers without a country code
/// are read.
async fn region(ports: &StoragePorts, acting: Acting) -> Result<PhoneRegion, ContactFailure> {
    let account = account(ports, acting, ContactWriteError::NotFound).await?;
    Ok(PhoneRegion::of(&account.locale))
}

/// Adds a contact to the person's support network.
///
/// # Errors
/// [`Failure::Invalid`], or [`ContactWriteError::TooMany`].
pub async fn create(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    draft: ContactDraft,
) -> Result<Contact, ContactFailure> {
    let mut created = import(ports, acting, now, vec![Ok(draft)]).await?;
    match created.pop() {
        Some(Ok(contact)) => Ok(contact),
        Some(Err(problems)) => Err(Failure::Invalid(problems)),
        None => Err(Failure::Refused(ContactWriteError::NotFound)),
    }
}

/// Adds many contacts at once (a vCard import): each draft that checks is added, in
/// one write; the answer holds, in order, each contact added or the problems of each
/// draft that did not check (or could not be read: the `Err` given for it).
///
/// # Errors
/// [`ContactWriteError::TooMany`] when the valid drafts would pass the person's limit,
/// and storage failures; then nothing is added.
pub async fn import(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    drafts: Vec<Result<ContactDraft, Vec<Problem>>>,
) -> Result<Vec<Result<Contact, Vec<Problem>>>, ContactFailure> {
    let region = region(ports, acting).await?;
    let checked: Vec<Result<NewContact, Vec<Problem>>> = drafts
        .into_iter()
        .map(|draft| {
            let checked = draft?.check(region, now)?;
            if checked.details.shared_with_services
                && !may_choose_sharing_with_services(acting.actor)
            {
                return Err(vec![sharing_is_the_persons_choice()]);
            }
            Ok(NewContact {
                details: checked.details,
                last_contacted_at: checked.last_contacted_at,
            })
        })
        .collect();
    let valid: Vec<NewContact> =
        checked.iter().filter_map(|draft| draft.as_ref().ok().cloned()).collect();
    let asked = valid.len();
    let created = if valid.is_empty() {
        Vec::new()
    } else {
        ports.contacts.create(acting, valid, now).await.map_err(Failure::Refused)?
    };
    if created.len() != asked {
        return Err(Failure::Refused(ContactWriteError::Store(StoreError::Unexpected(
            anyhow::anyhow!("{asked} contacts were stored as {}", created.len()),
        ))));
    }
    let mut created = created.into_iter();
    Ok(checked
        .into_iter()
        .map(|draft| draft.and_then(|_| created.next().ok_or_else(Vec::new)))
        .collect())
}

/// One of the person's contacts.
///
/// # Errors
/// [`ContactWriteError::NotFound`].
pub async fn get(
    ports: &StoragePorts,
    acting: Acting,
    id: ContactId,
) -> Result<Contact, ContactFailure> {
    ports.contacts.get(acting.owner, id).await?.ok_or(Failure::Refused(ContactWriteError::NotFound))
}

/// A page of the person's contacts.
///
/// # Errors
/// [`ContactWriteError::Store`] when storage fails.
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    query: ContactQuery,
) -> Result<ContactPage, ContactFailure> {
    Ok(ports.contacts.list(acting.owner, query).await?)
}

/// Every contact of the person's, or only those they marked as crisis contacts.
///
/// # Errors
/// [`ContactWriteError::Store`] when storage fails.
pub async fn all(
    ports: &StoragePorts,
    acting: Acting,
    crisis_only: bool,
) -> Result<Vec<Contact>, ContactFailure> {
    Ok(ports.contacts.all(acting.owner, crisis_only).await?)
}

/// Changes one of the person's contacts, if it is still at a version `seen` names.
///
/// # Errors
/// [`ContactWriteError::NotFound`], [`ContactWriteError::PreconditionFailed`] or
/// [`Failure::Invalid`].
pub async fn update(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: ContactId,
    seen: &Precondition,
    edit: impl ContactEdit,
) -> Result<Contact, ContactFailure> {
    let current = get(ports, acting, id).await?;
    let expected = seen.expected(current.version)?;
    let changes = edit.parse(region(ports, acting).await?, now).map_err(Failure::Invalid)?;
    let choosing = changes
        .shared_with_services
        .is_some_and(|shared| shared != current.details.shared_with_services);
    if choosing && !may_choose_sharing_with_services(acting.actor) {
        return Err(Failure::Invalid(vec![sharing_is_the_persons_choice()]));
    }
    ports.contacts.update(acting, id, changes, expected, now).await.map_err(Failure::Refused)
}

/// Deletes one of the person's contacts with its interactions; it stops supporting
/// any goal.
///
/// # Errors
/// [`ContactWriteError::NotFound`] or [`ContactWriteError::PreconditionFailed`].
pub async fn delete(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: ContactId,
    seen: &Precondition,
) -> Result<(), ContactFailure> {
    let expected =
        expected_version(seen, get(ports, acting, id), |contact| contact.version).await?;
    ports.contacts.delete(acting, id, expected, now).await.map_err(Failure::Refused)
}

/// The problem of an app choosing whether a contact is shared with services.
fn sharing_is_the_persons_choice() -> Problem {
    Problem {
        pointer: "/shared_with_services".to_owned(),
        code: "invalid",
        message: SHARING_WITH_SERVICES_IS_THE_PERSONS_CHOICE.to_owned(),
    }
}
