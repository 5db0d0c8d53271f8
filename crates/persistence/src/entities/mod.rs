//! sea-orm entities, one per table. They never leave this crate: stores convert them
//! to domain values.

/// The `Relation` and `ActiveModelBehavior` of a table that sea-orm joins to nothing:
/// the stores write their joins in SQL.
macro_rules! without_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}
use without_relations;

pub(crate) mod access_log;
pub(crate) mod accounts;
pub(crate) mod api_clients;
pub(crate) mod authorization_codes;
pub(crate) mod calendar_feeds;
pub(crate) mod change_journal;
pub(crate) mod change_journal_heads;
pub(crate) mod consents;
pub(crate) mod contact_interactions;
pub(crate) mod contacts;
pub(crate) mod content_articles;
pub(crate) mod content_changes;
pub(crate) mod content_feed;
pub(crate) mod content_revisions;
pub(crate) mod content_services;
pub(crate) mod encouragements;
pub(crate) mod goal_check_ins;
pub(crate) mod goal_status_changes;
pub(crate) mod goal_steps;
pub(crate) mod goal_supporters;
pub(crate) mod goals;
pub(crate) mod idempotency_records;
pub(crate) mod refresh_tokens;
pub(crate) mod routine_check_ins;
pub(crate) mod routine_pauses;
pub(crate) mod routines;
pub(crate) mod shares;
pub(crate) mod sign_in_failures;
pub(crate) mod webhook_attempts;
pub(crate) mod webhook_messages;
pub(crate) mod webhook_subscriptions;
