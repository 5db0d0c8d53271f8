//! A contact's interactions: when the person was in touch, how, and how it felt.

use waymark_domain::acting::Acting;
use waymark_domain::contacts::ports::{InteractionPosition, InteractionWriteError};
use waymark_domain::contacts::{Contact, ContactId, Interaction, InteractionId, NewInteraction};
use waymark_domain::ports::StoragePorts;
use waymark_domain::time::Instant;
use waymark_domain::validation::Problem;

use crate::failure::Failure;

/// Why an interaction operation did not happen.
pub type InteractionFailure = Failure<InteractionWriteError>;

/// What a client sent to record an interaction; it may not be after `now`.
pub trait InteractionDraft {
    /// The interaction, or every problem with it.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self, now: Instant) -> Result<NewInteraction, Vec<Problem>>;
}

/// Records an interaction with one of the person's contacts; the contact's
/// `last_contacted_at` moves forward to it when it is newer. Answers the interaction
/// and the contact as it is now.
///
/// # Errors
/// [`Failure::Invalid`], or [`InteractionWriteError::NotFound`] or
/// [`InteractionWriteError::TooMany`].
pub async fn record(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    contact: ContactId,
    draft: impl InteractionDraft,
) -> Result<(Interaction, Contact), InteractionFailure> {
    let interaction = draft.parse(now).map_err(Failure::Invalid)?;
    ports
        .interactions
        .add_interaction(acting, contact, interaction, now)
        .await
        .map_err(Failure::Refused)
}

/// A page of a contact's interactions, newest first, and whether more follow.
///
/// # Errors
/// [`InteractionWriteError::NotFound`] when the person has no such contact.
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    contact: ContactId,
    after: Option<InteractionPosition>,
    limit: u64,
) -> Result<(Vec<Interaction>, bool), InteractionFailure> {
    ports
        .interactions
        .interactions(acting.owner, contact, after, limit)
        .await?
        .ok_or(Failure::Refused(InteractionWriteError::NotFound))
}

/// One interaction with one of the person's contacts.
///
/// # Errors
/// [`InteractionWriteError::NotFound`].
pub async fn get(
    ports: &StoragePorts,
    acting: Acting,
    (contact, id): (ContactId, InteractionId),
) -> Result<Interaction, InteractionFailure> {
    ports
        .interactions
        .get_interaction(acting.owner, contact, id)
        .await?
        .ok_or(Failure::Refused(InteractionWriteError::NotFound))
}

/// Deletes an interaction; the contact's `last_contacted_at` is worked out again.
///
/// # Errors
/// [`InteractionWriteError::NotFound`].
pub async fn delete(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (contact, id): (ContactId, InteractionId),
) -> Result<(), InteractionFailure> {
    ports.interactions.delete_interaction(acting, contact, id, now).await.map_err(Failure::Refused)
}
