//! The access log: every request on a person's data made by anyone but the person
//! themself (an app acting through the person's grant, an administrator acting on
//! their account, a supporter through a share), so the person can see who looked at or changed what, and when.

use async_trait::async_trait;
use uuid::Uuid;

use crate::identity::{AccountId, ClientId};
use crate::ports::StoreError;
use crate::time::Instant;

/// Who accessed a person's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accessor {
    /// An app acting for the person through the grant they gave it.
    App(ClientId),
    /// An administrator acting on the person's account.
    Administrator(AccountId),
    /// A supporter reading what the person shares with them, or sending
    /// encouragement.
    Supporter(AccountId),
}

impl Accessor {
    /// The stored name of the accessor's kind.
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Self::App(_) => "app",
            Self::Administrator(_) => "administrator",
            Self::Supporter(_) => "supporter",
        }
    }

    /// The accessor from its stored kind and ids, or `None` when they do not fit.
    #[must_use]
    pub fn from_stored(kind: &str, client: Option<Uuid>, account: Option<Uuid>) -> Option<Self> {
        match (kind, client, account) {
            ("app", Some(client), _) => Some(Self::App(ClientId(client))),
            ("administrator", _, Some(account)) => Some(Self::Administrator(AccountId(account))),
            ("supporter", _, Some(account)) => Some(Self::Supporter(AccountId(account))),
            _ => None,
        }
    }
}

/// The longest resource id kept: ids are UUIDs, but the path may hold anything.
pub const MAX_RESOURCE_ID_CHARS: usize = 100;

/// One access, as it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    /// Time-ordered, so the log pages by time and id.
    pub id: Uuid,
    /// Whose data it was.
    pub owner: AccountId,
    /// When the request was answered.
    pub at: Instant,
    /// Who made it.
    pub accessor: Accessor,
    /// The operation, by its `operationId` in the API's contract (`list_goals`).
    pub operation: String,
    /// The kind of resource it was on (`goal`), or the collection (`goals`).
    pub resource_type: String,
    /// The resource's id, from the request's path, when it named one.
    pub resource_id: Option<String>,
    /// The HTTP status it was answered with.
    pub status: u16,
}

/// Whether an answer with `status` shows that what the request named is there: it was
/// served (2xx, 3xx), or refused for its state (409, 412). Refusals before any
/// lookup (400, 401, 403, 422), 404, 429 and failures show nothing of it.
fn shows_it_exists(status: u16) -> bool {
    matches!(status, 200..=399 | 409 | 412)
}

impl AccessRecord {
    /// `accessor`'s access to `owner`'s data just now, through `operation`, on
    /// `resource` (its kind, and its id when the path named one, cut to
    /// [`MAX_RESOURCE_ID_CHARS`], if `status` shows it is there), answered with
    /// `status`.
    #[must_use]
    pub fn new(
        owner: AccountId,
        accessor: Accessor,
        operation: &str,
        (resource_type, resource_id): (String, Option<String>),
        status: u16,
    ) -> Self {
        Self {
            id: crate::id::new_id(),
            owner,
            at: crate::time::now(),
            accessor,
            operation: operation.to_owned(),
            resource_type,
            // An id the answer did not show to be the owner's is not kept: it may be
            // another person's, and this log is the owner's to read. NUL, which no
            // PostgreSQL text holds, is left out.
            resource_id: resource_id
                .filter(|_| shows_it_exists(status))
                .map(|id| id.chars().filter(|c| *c != '\0').take(MAX_RESOURCE_ID_CHARS).collect()),
            status,
        }
    }
}

/// One access as the person reads it: the record and the accessor's name now (an
/// app's name, an administrator's display name), `None` once they are gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogEntry {
    /// What happened.
    pub record: AccessRecord,
    /// Who, by name.
    pub accessor_name: Option<String>,
}

/// Where a page of the log ends: the last entry's time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessLogPosition {
    /// The last entry's time.
    pub at: Instant,
    /// The last entry's id.
    pub id: Uuid,
}

/// A page of one person's access log, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogQuery {
    /// Whose log.
    pub owner: AccountId,
    /// Only accesses by this app.
    pub client: Option<ClientId>,
    /// Only accesses by this person (an administrator).
    pub person: Option<AccountId>,
    /// After this position.
    pub after: Option<AccessLogPosition>,
    /// At most this many.
    pub limit: u64,
}

/// Where the access log is kept.
#[async_trait]
pub trait AccessLogStore: Send + Sync + std::fmt::Debug {
    /// Adds `records`, in one transaction. A record whose owner's account is gone
    /// (erased while the record waited) is dropped, so nothing outlives an erasure.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails; then none were added.
    async fn append(&self, records: &[AccessRecord]) -> Result<(), StoreError>;

    /// One page of a person's log, newest first, and whether more is waiting.
    ///
    /// # Errors
    /// [`StoreError`] when storage fails.
    async fn page(&self, query: &AccessLogQuery)
    -> Result<(Vec<AccessLogEntry>, bool), StoreError>;
}
