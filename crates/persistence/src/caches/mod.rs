//! Every in-memory cache, and the one table that says which change forgets which.
//!
//! - [`memory_cache`] is the one mechanism (serving switch, tickets, byte budget,
//!   counts-only `Debug`); [`goal_lists`], [`personal`], [`articles`] and [`clients`]
//!   are what each cache keeps, and [`stores`], [`cached_goals`], [`cached_articles`]
//!   and [`cached_clients`] the decorators that answer reads from them. The SQL stores
//!   know nothing of caches.
//! - Personal data is forgotten by the change journal: every write commits through
//!   [`crate::journal::Journal`], which tells [`Caches`] of its entries after the
//!   commit; other replicas hear of the same entries from PostgreSQL
//!   (`change_notices`) and forget the same way. [`stale_after`] is the table.
//! - Content is not personal data and has no journal: the article decorator forgets
//!   articles after every article write, and other replicas hear of article writes on
//!   a channel of their own. API clients are the same: the client decorator forgets
//!   them after every client write, and other replicas hear on the clients' channel.

pub(crate) mod articles;
pub(crate) mod cached_articles;
pub(crate) mod cached_clients;
pub(crate) mod cached_goals;
pub(crate) mod clients;
pub(crate) mod goal_lists;
pub(crate) mod memory_cache;
pub(crate) mod personal;
pub(crate) mod stores;

use std::sync::Arc;

use waymark_domain::identity::AccountId;
use waymark_domain::journal::{Change, ChangeKind, ResourceType};

use crate::journal::HearsChanges;

use self::articles::ArticleCache;
use self::clients::ClientCache;
use self::goal_lists::GoalListCache;
use self::personal::PersonalCache;

/// The caches one server instance keeps.
#[derive(Debug, Clone)]
pub(crate) struct Caches {
    pub(crate) goal_lists: Arc<GoalListCache>,
    pub(crate) articles: Arc<ArticleCache>,
    pub(crate) personal: Arc<PersonalCache>,
    pub(crate) clients: Arc<ClientCache>,
}

/// A cache of a person's data that a change can make stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PersonalCacheKind {
    /// Pages of their goal list (goals show step counts, last check-in, supporters).
    GoalLists,
    /// What their agenda and the check of an app's token read: the account, active
    /// routines, pauses, check-ins, and the grants they gave apps.
    Personal,
}

/// Which of a person's caches `change` makes stale. This is the whole table: a new
/// cache or a new resource type is one line here.
pub(crate) fn stale_after(change: &Change) -> &'static [PersonalCacheKind] {
    use PersonalCacheKind::{GoalLists, Personal};
    match (change.resource, change.kind) {
        // Erasing an account takes everything of theirs with it.
        (ResourceType::Account, ChangeKind::Deleted) => &[GoalLists, Personal],
        // The time zone and the token epoch are in the account the agenda reads.
        (ResourceType::Account, _) => &[Personal],
        (ResourceType::Goal | ResourceType::GoalStep | ResourceType::GoalCheckIn, _) => {
            &[GoalLists]
        }
        (ResourceType::Routine | ResourceType::RoutineCheckIn, _) => &[Personal],
        (ResourceType::Grant, _) => &[Personal],
        // No cache holds contacts or interactions; a contact's removal from goals is
        // journalled as goal updates.
        (ResourceType::Contact | ResourceType::ContactInteraction, _) => &[],
        // No cache holds shares or encouragement: every supporter request reads its
        // share from the database, so a narrowed or ended share holds at once.
        (ResourceType::Share | ResourceType::Encouragement, _) => &[],
    }
}

impl Caches {
    /// Serves from every cache (changes can be heard).
    pub(crate) fn start_serving(&self) {
        self.goal_lists.start_serving();
        self.articles.start_serving();
        self.personal.start_serving();
        self.clients.start_serving();
    }

    /// Serves from no cache (changes cannot be heard), forgetting everything.
    pub(crate) fn stop_serving(&self) {
        self.goal_lists.stop_serving();
        self.articles.stop_serving();
        self.personal.stop_serving();
        self.clients.stop_serving();
    }

    /// Whether any cache keeps anything at all.
    pub(crate) fn any_enabled(&self) -> bool {
        self.goal_lists.is_enabled()
            || self.articles.is_enabled()
            || self.personal.is_enabled()
            || self.clients.is_enabled()
    }

    /// Forgets `kind` for `owner`.
    fn forget(&self, owner: AccountId, kind: PersonalCacheKind) {
        match kind {
            PersonalCacheKind::GoalLists => self.goal_lists.forget(owner),
            PersonalCacheKind::Personal => self.personal.forget(owner),
        }
    }
}

impl HearsChanges for Caches {
    fn heard(&self, owner: AccountId, changes: &[Change]) {
        let mut forgotten: Vec<PersonalCacheKind> = Vec::with_capacity(2);
        for kind in changes.iter().flat_map(stale_after) {
            if !forgotten.contains(kind) {
                forgotten.push(*kind);
                self.forget(owner, *kind);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(resource: ResourceType, kind: ChangeKind) -> Change {
        Change { resource, id: waymark_domain::id::new_id(), kind, version: None }
    }

    #[test]
    fn every_change_to_what_a_cache_holds_forgets_that_cache() {
        use PersonalCacheKind::{GoalLists, Personal};
        for kind in [ChangeKind::Created, ChangeKind::Updated, ChangeKind::Deleted] {
            for resource in [ResourceType::Goal, ResourceType::GoalStep, ResourceType::GoalCheckIn]
            {
                assert!(stale_after(&change(resource, kind)).contains(&GoalLists));
            }
            for resource in [
                ResourceType::Routine,
                ResourceType::RoutineCheckIn,
                ResourceType::Account,
                ResourceType::Grant,
            ] {
                assert!(stale_after(&change(resource, kind)).contains(&Personal));
            }
        }
        assert_eq!(
            stale_after(&change(ResourceType::Account, ChangeKind::Deleted)),
            &[GoalLists, Personal]
        );
    }
}
