//! The person's side of sharing: sharing with someone in their support network,
//! changing, pausing or ending what is shared, a new invitation, and seeing exactly
//! what the supporter sees.

use waymark_domain::acting::Acting;
use waymark_domain::contacts::{ContactId, Helpfulness};
use waymark_domain::goals::GoalId;
use waymark_domain::goals::ports::GoalQuery;
use waymark_domain::identity::secret::OpaqueSecret;
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::precondition::Precondition;
use waymark_domain::sharing::ports::{NewShare, SharePosition, ShareWriteError, SupportedShare};
use waymark_domain::sharing::{
    INVITATION_LIFETIME, MAX_GOALS_PER_SHARE, Share, ShareId, ShareTerms, SharedGoals,
};
use waymark_domain::time::Instant;
use waymark_domain::validation::{Problem, Problems};

use crate::failure::Failure;
use crate::input::Input;
use crate::shared_view::{self, SharedView};

/// Why a share operation did not happen.
pub type ShareFailure = Failure<ShareWriteError>;

/// How many times a change without `If-Match` is tried again when another change to
/// the same share landed between its read and its write.
const UPDATE_ATTEMPTS: usize = 3;

/// What an invitation code starts with, so a leaked one is recognisable.
const INVITATION_PREFIX: &str = "wmi_";

/// A share as the person proposes it.
#[derive(Debug, Clone)]
pub struct ProposedShare {
    /// The contact it is for.
    pub contact: ContactId,
    /// What it shows and allows.
    pub terms: ShareTerms,
    /// Whether the person confirmed sharing with a contact they marked unhelpful.
    pub confirm: bool,
}

/// What a client sent to change a share: the new terms, from the current ones.
pub trait ShareEdit {
    /// The new terms, or every problem with the change.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self, current: &ShareTerms) -> Result<ShareTerms, Vec<Problem>>;
}

/// A new invitation: the code, shown once, and when it stops being accepted.
#[derive(Debug)]
pub struct Invitation {
    /// The one-time code.
    pub code: OpaqueSecret,
    /// When it expires.
    pub expires_at: Instant,
}

fn new_invitation(now: Instant) -> Result<Invitation, StoreError> {
    let code = OpaqueSecret::generate(INVITATION_PREFIX)
        .map_err(|error| StoreError::Unexpected(error.into()))?;
    Ok(Invitation { code, expires_at: now + INVITATION_LIFETIME })
}

/// The problems with `terms` beyond their shape: every goal they name must be one of
/// the person's (those in `already` were checked when first shared), an expiry must
/// be in the future, and something must be shared.
async fn check_terms(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (terms, already): (&ShareTerms, &[GoalId]),
    mut problems: Problems,
) -> Result<(), ShareFailure> {
    if terms.goals.is_none() && !terms.routines_summary {
        problems.add(
            "/goals",
            "share at least one goal, all your active goals, or your routines summary",
        );
    }
    if terms.expires_at.is_some_and(|expiry| expiry <= now) {
        problems.add("/expires_at", "must be in the future");
    }
    if let SharedGoals::Chosen(chosen) = &terms.goals {
        let new: Vec<GoalId> = chosen
            .iter()
            .map(|choice| choice.goal)
            .filter(|goal| !already.contains(goal))
            .collect();
        if !new.is_empty() {
            let query =
                GoalQuery::newest(Some(new.clone()), Vec::new(), None, MAX_GOALS_PER_SHARE as u64);
            let found = ports.goals.list(acting.owner, query).await?;
            for (index, choice) in chosen.iter().enumerate() {
                let missing = new.contains(&choice.goal)
                    && !found.goals.iter().any(|goal| goal.id == choice.goal);
                if missing {
                    problems.add(&format!("/goals/{index}/goal_id"), "is not one of your goals");
                }
            }
        }
    }
    problems.or(|| Some(())).map_err(Failure::Invalid)
}

/// Shares with one of the person's contacts, and makes the invitation they accept it
/// with. A contact the person marked unhelpful needs `confirm`.
///
/// # Errors
/// [`Failure::Invalid`] (a contact or goal that is not the person's among them).
pub async fn create(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    proposal: impl Input<ProposedShare>,
) -> Result<(Share, Invitation), ShareFailure> {
    let proposal = proposal.parse().map_err(Failure::Invalid)?;
    let contact = ports.contacts.get(acting.owner, proposal.contact).await?;
    let mut problems = Problems::default();
    match &contact {
        None => problems.add("/contact_id", "is not one of your contacts"),
        Some(contact)
            if contact.details.helpfulness == Helpfulness::Unhelpful && !proposal.confirm =>
        {
            problems.add(
                "/confirm",
                "You marked this person as unhelpful at the moment, so we are checking \
                 before you share with them. If you still want to, send the same request \
                 with `confirm: true`. You can change or end what you share at any time.",
            );
        }
        Some(_) => {}
    }
    check_terms(ports, acting, now, (&proposal.terms, &[]), problems).await?;
    let invitation = new_invitation(now)?;
    let share = NewShare {
        contact: proposal.contact,
        terms: proposal.terms,
        invitation: invitation.code.digest(),
        invitation_expires_at: invitation.expires_at,
    };
    let share = ports.shares.create(acting, share, now).await.map_err(Failure::Refused)?;
    Ok((share, invitation))
}

/// One of the person's shares.
///
/// # Errors
/// [`ShareWriteError::NotFound`].
pub async fn get(ports: &StoragePorts, acting: Acting, id: ShareId) -> Result<Share, ShareFailure> {
    ports.shares.get(acting.owner, id).await?.ok_or(Failure::Refused(ShareWriteError::NotFound))
}

/// A page of the person's shares, newest first, and whether more follow.
///
/// # Errors
/// [`ShareWriteError::Store`] when storage fails.
pub async fn list(
    ports: &StoragePorts,
    acting: Acting,
    after: Option<SharePosition>,
    limit: u64,
) -> Result<(Vec<Share>, bool), ShareFailure> {
    Ok(ports.shares.list(acting.owner, after, limit).await?)
}

/// Changes what a share shows and allows (narrowing it takes effect on the
/// supporter's next request), pauses or resumes it, if it is still at a version
/// `seen` names and not over (expired or ended: final).
///
/// # Errors
/// [`ShareWriteError::NotFound`], [`ShareWriteError::PreconditionFailed`],
/// [`ShareWriteError::Over`] or [`Failure::Invalid`].
pub async fn update(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    (id, seen): (ShareId, &Precondition),
    edit: impl ShareEdit + Clone,
) -> Result<Share, ShareFailure> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let current = get(ports, acting, id).await?;
        seen.expected(current.version)?;
        if current.is_over(now) {
            return Err(Failure::Refused(ShareWriteError::Over));
        }
        let terms = edit.clone().parse(&current.terms).map_err(Failure::Invalid)?;
        // Nothing to change: no new version, so other clients' `If-Match` still holds.
        if terms == current.terms {
            return Ok(current);
        }
        let already: Vec<GoalId> = match &current.terms.goals {
            SharedGoals::Chosen(chosen) => chosen.iter().map(|choice| choice.goal).collect(),
            SharedGoals::AllActive(_) => Vec::new(),
        };
        let expiry_kept = terms.expires_at == current.terms.expires_at;
        let checked = ShareTerms {
            expires_at: if expiry_kept { None } else { terms.expires_at },
            ..terms.clone()
        };
        check_terms(ports, acting, now, (&checked, &already), Problems::default()).await?;
        match ports.shares.update(acting, id, terms, current.version, now).await {
            Err(ShareWriteError::PreconditionFailed)
                if !seen.is_conditional() && attempts < UPDATE_ATTEMPTS => {}
            answer => return answer.map_err(Failure::Refused),
        }
    }
}

/// A new invitation for a share nobody has accepted yet (the old code stops working).
///
/// # Errors
/// [`ShareWriteError::NotFound`], [`ShareWriteError::AlreadyAccepted`] or
/// [`ShareWriteError::Over`] (past its expiry).
pub async fn reinvite(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: ShareId,
) -> Result<(Share, Invitation), ShareFailure> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let current = get(ports, acting, id).await?;
        if !current.awaits_supporter() {
            return Err(Failure::Refused(ShareWriteError::AlreadyAccepted));
        }
        // An invitation to a share past its expiry could never be accepted.
        if current.is_over(now) {
            return Err(Failure::Refused(ShareWriteError::Over));
        }
        let invitation = new_invitation(now)?;
        let digest = (invitation.code.digest(), invitation.expires_at);
        // At the version read: an acceptance in between wins, and is seen on the next try.
        match ports.shares.reinvite(acting, id, digest, current.version, now).await {
            Err(ShareWriteError::PreconditionFailed) if attempts < UPDATE_ATTEMPTS => {}
            answer => return answer.map(|share| (share, invitation)).map_err(Failure::Refused),
        }
    }
}

/// Ends a share, if it is still at a version `seen` names: the supporter gets 404
/// from their next request on.
///
/// # Errors
/// [`ShareWriteError::NotFound`] or [`ShareWriteError::PreconditionFailed`].
pub async fn delete(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: ShareId,
    seen: &Precondition,
) -> Result<(), ShareFailure> {
    let expected =
        crate::preconditions::expected_version(seen, get(ports, acting, id), |share: &Share| {
            share.version
        })
        .await?;
    ports.shares.delete(acting, id, expected, now).await.map_err(Failure::Refused)
}

/// Exactly what the share's supporter sees while it is active, through the same
/// reads their own requests use: the share as it is listed for them, and what it
/// shows.
///
/// # Errors
/// [`ShareWriteError::NotFound`].
pub async fn preview(
    ports: &StoragePorts,
    acting: Acting,
    now: Instant,
    id: ShareId,
) -> Result<(SupportedShare, SharedView), ShareFailure> {
    let share = get(ports, acting, id).await?;
    let view = shared_view::everything(ports, &share, now).await?;
    let person = crate::person::account(ports, acting, ShareWriteError::NotFound).await?;
    let listed_as = SupportedShare { share, person_name: person.display_name.as_str().to_owned() };
    Ok((listed_as, view))
}
