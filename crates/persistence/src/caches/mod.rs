//! Every in-memory cache, and the one table that says which change forgets which.
//!
//! - [`memory_cache`] is the one mechanism (serving switch, tickets, byte budget,
//!   counts-only `Debug`); [`goal_lists`], [`personal`], [`articles`], [`clients`] and
//!   [`shares`] and [`journal_heads`] are what each cache keeps, and [`stores`], [`cached_goals`], [`cached_journal`],
//!   [`cached_articles`], [`cached_clients`] and [`cached_shares`] the decorators that
//!   answer reads from them. The SQL stores know nothing of caches.
//! - Personal data is forgotten by the change journal: every write commits through
//!   [`crate::journal::Journal`], which tells [`Caches`] of its entries after the
//!   commit; other replicas hear of the same entries from PostgreSQL
//!   (`change_notices`) and forget the same way. [`stale_after`] is the table, and
//!   [`shares_stale_after`] its part for the shares supporters follow (cached by share,
//!   not by person). Every change forgets the person's journal head ([`journal_heads`]).
//! - Content is not personal data and has no journal: the article decorator forgets
//!   articles after every article write, and other replicas hear of article writes on
//!   a channel of their own. API clients are the same: the client decorator forgets
//!   them after every client write, and other replicas hear on the clients' channel.

pub(crate) mod articles;
pub(crate) mod cached_articles;
pub(crate) mod cached_clients;
pub(crate) mod cached_goals;
pub(crate) mod cached_journal;
pub(crate) mod cached_shares;
pub(crate) mod clients;
pub(crate) mod goal_lists;
pub(crate) mod journal_heads;
pub(crate) mod memory_cache;
pub(crate) mod personal;
pub(crate) mod shares;
pub(crate) mod stores;

use std::sync::Arc;

use waymark_domain::identity::AccountId;
use waymark_domain::journal::{Change, ChangeKind, ResourceType};
use waymark_domain::sharing::ShareId;

use crate::journal::HearsChanges;

use self::articles::ArticleCache;
use self::clients::ClientCache;
use self::goal_lists::GoalListCache;
use self::journal_heads::JournalHeadCache;
use self::personal::PersonalCache;
use self::shares::ShareCache;

/// The caches one server instance keeps.
#[derive(Debug, Clone)]
pub(crate) struct Caches {
    pub(crate) goal_lists: Arc<GoalListCache>,
    pub(crate) articles: Arc<ArticleCache>,
    pub(crate) personal: Arc<PersonalCache>,
    pub(crate) clients: Arc<ClientCache>,
    pub(crate) shares: Arc<ShareCache>,
    pub(crate) journal_heads: Arc<JournalHeadCache>,
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
        // Shares are cached by share, not by person (`shares_stale_after`); no cache
        // holds encouragement.
        (ResourceType::Share | ResourceType::Encouragement, _) => &[],
    }
}

/// Which shares a change makes stale in the cache of shares supporters follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SharesStale {
    /// None.
    None,
    /// This one.
    One(ShareId),
    /// Every one: an account changed (a sharing person's name, or a person erased,
    /// whose shares went with them), and shares are not cached by person.
    All,
}

/// Which cached shares `change` makes stale.
pub(crate) fn shares_stale_after(change: &Change) -> SharesStale {
    match change.resource {
        ResourceType::Share => SharesStale::One(ShareId(change.id)),
        ResourceType::Account => SharesStale::All,
        _ => SharesStale::None,
    }
}

impl Caches {
    /// Serves from every cache (changes can be heard).
    pub(crate) fn start_serving(&self) {
        self.goal_lists.start_serving();
        self.articles.start_serving();
        self.personal.start_serving();
        self.clients.start_serving();
        self.shares.start_serving();
        self.journal_heads.start_serving();
    }

    /// Serves from no cache (changes cannot be heard), forgetting everything.
    pub(crate) fn stop_serving(&self) {
        self.goal_lists.stop_serving();
        self.articles.stop_serving();
        self.personal.stop_serving();
        self.clients.stop_serving();
        self.shares.stop_serving();
        self.journal_heads.stop_serving();
    }

    /// Whether any cache keeps anything at all.
    pub(crate) fn any_enabled(&self) -> bool {
        self.goal_lists.is_enabled()
            || self.articles.is_enabled()
            || self.personal.is_enabled()
            || self.clients.is_enabled()
            || self.shares.is_enabled()
            || self.journal_heads.is_enabled()
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
        // Every change moves the person's journal on.
        if !changes.is_empty() {
            self.journal_heads.forget(owner);
        }
        let mut forgotten: Vec<PersonalCacheKind> = Vec::with_capacity(2);
        for kind in changes.iter().flat_map(stale_after) {
            if !forgotten.contains(kind) {
                forgotten.push(*kind);
                self.forget(owner, *kind);
            }
        }
        for change in changes {
            match shares_stale_after(change) {
                SharesStale::None => {}
                SharesStale::One(share) => self.shares.forget(share),
                SharesStale::All => self.shares.forget_everything(),
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

    #[test]
    fn a_share_change_forgets_that_share_and_an_account_change_every_share() {
        for kind in [ChangeKind::Created, ChangeKind::Updated, ChangeKind::Deleted] {
            let share = change(ResourceType::Share, kind);
            assert_eq!(shares_stale_after(&share), SharesStale::One(ShareId(share.id)));
            assert_eq!(shares_stale_after(&change(ResourceType::Account, kind)), SharesStale::All);
            assert_eq!(shares_stale_after(&change(ResourceType::Goal, kind)), SharesStale::None);
        }
    }
}
