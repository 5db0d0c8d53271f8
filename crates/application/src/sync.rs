//! Delta sync for apps that keep a copy of a person's data: the changes since the app
//! last asked, read from the change journal, each as the resource is now or as gone.
//!
//! A sync with nothing to start from first reads the journal's head, then the person's
//! current resources, kind by kind in id order ([`SYNCED`]), a page at a time; after
//! the last page it carries on from that head. Whatever changed while those pages were
//! read is in the journal after the head, so an app that applies every page (a change
//! as "put this", a deletion as "remove this if you have it") ends with exactly what the
//! server holds. A resource may come more than once; the later answer is the newer.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;
use waymark_domain::identity::{AccountId, ScopeSet};
use waymark_domain::journal::{JournalEntry, ResourceType, Sequence};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::sync::{Resource, SYNCED, SyncedKinds};

use crate::failure::Failure;

/// Where a sync stands: how far it has read the person's journal, and, during a first
/// sync, how far it has read their current resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPosition {
    /// The kinds the sync carries (those its token could read when it began).
    pub kinds: SyncedKinds,
    /// The last journal entry the app has (during a first sync: the head when it began).
    pub journal: Sequence,
    /// During a first sync, where its reading of current resources stands.
    pub first_pass: Option<FirstPass>,
}

/// How far a first sync has read the person's current resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstPass {
    /// The kind it reads now.
    pub resource: ResourceType,
    /// The last id of that kind it gave.
    pub after: Option<Uuid>,
}

/// One resource changed since the position asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncItem {
    /// It exists, and is now this.
    Changed(Box<Resource>),
    /// It no longer exists (with whatever belonged to it).
    Deleted {
        /// Its kind.
        resource: ResourceType,
        /// Its id.
        id: Uuid,
    },
}

/// A page of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPage {
    /// The changes, oldest first.
    pub items: Vec<SyncItem>,
    /// Where the next call starts.
    pub next: SyncPosition,
    /// Whether more changes are waiting now.
    pub more: bool,
}

/// Why a sync could not go on.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The token reads none of the kinds sync carries.
    #[error("the token reads none of the kinds sync carries")]
    NothingReadable,
    /// The position was reached with other kinds than the token reads now: what the
    /// app holds is not what this token would have given it.
    #[error("the sync began with other scopes")]
    OtherScopes,
    /// The changes after the position are no longer held (the journal keeps them for
    /// the retention period): the app must start again from nothing.
    #[error("the changes since this position are no longer held")]
    Expired,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a sync could not go on.
pub type SyncFailure = Failure<SyncError>;

/// The kinds a token with `scopes` syncs: those its read scopes cover.
///
/// # Errors
/// [`SyncError::NothingReadable`] when they cover none.
pub fn kinds_for(scopes: &ScopeSet) -> Result<SyncedKinds, SyncFailure> {
    let kinds = SyncedKinds::readable_with(scopes);
    if kinds.is_empty() {
        return Err(Failure::Refused(SyncError::NothingReadable));
    }
    Ok(kinds)
}

/// What a sync answer depends on besides the request: the person's journal head.
/// Every change to what sync carries is a journal entry, so two equal requests answered
/// at the same head get the same changes, and an answer may be reused while the head
/// stays where it was (a share's status also changes with time).
///
/// # Errors
/// A store error.
pub async fn stamp(ports: &StoragePorts, owner: AccountId) -> Result<Sequence, StoreError> {
    ports.journal.head(owner).await
}

/// Up to `limit` changes to `owner`'s resources of the kinds `kinds` after `since`
/// (everything there is, when `None`), and where to go on from.
///
/// A page of journal changes covers up to `limit` journal entries; entries of kinds
/// the caller may not read are passed over, so a page can hold fewer items than
/// `limit` while more are waiting.
///
/// # Errors
/// [`SyncError::OtherScopes`] when `since` was reached with other kinds;
/// [`SyncError::Expired`] when the changes after it are gone; a store error.
pub async fn changes(
    ports: &StoragePorts,
    owner: AccountId,
    kinds: SyncedKinds,
    since: Option<SyncPosition>,
    limit: u64,
) -> Result<SyncPage, SyncFailure> {
    let position = match since {
        Some(position) if position.kinds != kinds => {
            return Err(Failure::Refused(SyncError::OtherScopes));
        }
        Some(position) => position,
        None => {
            let head = ports.journal.head(owner).await?;
            let first = kinds.iter().next();
            SyncPosition {
                kinds,
                journal: head,
                first_pass: first.map(|resource| FirstPass { resource, after: None }),
            }
        }
    };
    match position.first_pass {
        Some(pass) => first_pass(ports, owner, kinds, position.journal, pass, limit).await,
        None => journal_changes(ports, owner, kinds, position.journal, limit).await,
    }
}

/// A page of the person's current resources, from `pass` on, in the order of
/// [`SYNCED`]; once all are read, the position after the journal's `head`.
async fn first_pass(
    ports: &StoragePorts,
    owner: AccountId,
    kinds: SyncedKinds,
    head: Sequence,
    pass: FirstPass,
    limit: u64,
) -> Result<SyncPage, SyncFailure> {
    let mut items = Vec::new();
    let remaining_kinds =
        kinds.iter().skip_while(|resource| *resource != pass.resource).collect::<Vec<_>>();
    let mut after = pass.after;
    for resource in remaining_kinds {
        let room = limit - items.len() as u64;
        if room == 0 {
            // The page is full as this kind begins.
            let next = FirstPass { resource, after: None };
            return Ok(SyncPage {
                items,
                next: SyncPosition { kinds, journal: head, first_pass: Some(next) },
                more: true,
            });
        }
        let found = ports.current_state.after(owner, resource, after, room + 1).await?;
        let full = found.len() as u64 > room;
        items.extend(
            found
                .into_iter()
                .take(usize::try_from(room).unwrap_or(usize::MAX))
                .map(|resource| SyncItem::Changed(Box::new(resource))),
        );
        if full {
            let last = items.last().map(item_id);
            return Ok(SyncPage {
                items,
                next: SyncPosition {
                    kinds,
                    journal: head,
                    first_pass: Some(FirstPass { resource, after: last }),
                },
                more: true,
            });
        }
        after = None;
    }
    // Every current resource has been given; what changed since is in the journal.
    let more = !ports.journal.entries_after(owner, head, 1).await?.is_empty();
    Ok(SyncPage { items, next: SyncPosition { kinds, journal: head, first_pass: None }, more })
}

/// The resources changed in up to `limit` journal entries after `after`.
async fn journal_changes(
    ports: &StoragePorts,
    owner: AccountId,
    kinds: SyncedKinds,
    after: Sequence,
    limit: u64,
) -> Result<SyncPage, SyncFailure> {
    let (mut entries, head) = ports.journal.entries_and_head_after(owner, after, limit + 1).await?;
    // The journal has no gaps: an entry missing right after the position was
    // removed by retention, and so, perhaps, were others the app never saw.
    let expired = match entries.first() {
        Some(first) => Some(first.sequence.0) != after.0.checked_add(1),
        None => head != after,
    };
    if expired {
        return Err(Failure::Refused(SyncError::Expired));
    }
    let more = entries.len() as u64 > limit;
    entries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = SyncPosition {
        kinds,
        journal: entries.last().map_or(after, |entry| entry.sequence),
        first_pass: None,
    };
    let items = current_of(ports, owner, named_in(&entries, kinds)).await?;
    Ok(SyncPage { items, next, more })
}

/// Each resource `entries` name, of the kinds `kinds`, once, where it first appears:
/// a resource is written before what belongs to it (a goal before its steps, a
/// contact before its interactions), so a page gives parents before their children.
fn named_in(entries: &[JournalEntry], kinds: SyncedKinds) -> Vec<(ResourceType, Uuid)> {
    let mut seen = HashSet::new();
    entries
        .iter()
        .map(|entry| (entry.change.resource, entry.change.id))
        .filter(|(resource, id)| kinds.contains(*resource) && seen.insert((*resource, *id)))
        .collect()
}

/// `named` as each is now: the resource, or that it is gone.
async fn current_of(
    ports: &StoragePorts,
    owner: AccountId,
    named: Vec<(ResourceType, Uuid)>,
) -> Result<Vec<SyncItem>, StoreError> {
    let mut found: HashMap<(ResourceType, Uuid), Resource> = HashMap::new();
    for resource in SYNCED {
        let ids: Vec<Uuid> =
            named.iter().filter(|(kind, _)| *kind == resource).map(|(_, id)| *id).collect();
        if ids.is_empty() {
            continue;
        }
        for current in ports.current_state.find(owner, resource, &ids).await? {
            found.insert((resource, current.id()), current);
        }
    }
    Ok(named
        .into_iter()
        .map(|(resource, id)| match found.remove(&(resource, id)) {
            Some(current) => SyncItem::Changed(Box::new(current)),
            None => SyncItem::Deleted { resource, id },
        })
        .collect())
}

fn item_id(item: &SyncItem) -> Uuid {
    match item {
        SyncItem::Changed(resource) => resource.id(),
        SyncItem::Deleted { id, .. } => *id,
    }
}
