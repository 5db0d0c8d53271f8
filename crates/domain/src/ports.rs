//! Every storage port in one bundle, so the server wires storage into the HTTP layer
//! in one place and tests can wire it the same way, and the error every port shares.

use std::sync::Arc;

use crate::access_log::AccessLogStore;
use crate::contacts::ports::{ContactStore, InteractionStore, SupporterStore};
use crate::content::ports::{ArticleStore, ContentChanges, ServiceStore};
use crate::goals::ports::{GoalPartsStore, GoalStore};
use crate::health::{StorageHealth, StorageUnavailable};
use crate::idempotency::IdempotencyStore;
use crate::identity::ports::{
    AccountStore, AuthorizationCodeStore, ClientStore, ConsentStore, RefreshTokenStore,
    SignInThrottle,
};
use crate::journal::ChangeJournal;
use crate::routines::ports::{CalendarFeedStore, RoutineCheckInStore, RoutineStore};
use crate::sharing::ports::{EncouragementStore, ShareStore};

/// Storage failed in a way the caller cannot fix.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Storage could not be reached; the caller answers 503.
    #[error(transparent)]
    Unavailable(#[from] StorageUnavailable),
    /// Anything else; a bug or corruption, answered 500 and logged.
    #[error("unexpected storage error")]
    Unexpected(#[source] anyhow::Error),
}

/// The storage adapter's implementations of the domain's ports.
#[derive(Debug, Clone)]
pub struct StoragePorts {
    /// Readiness and pool occupancy.
    pub health: Arc<dyn StorageHealth>,
    /// Accounts and credentials.
    pub accounts: Arc<dyn AccountStore>,
    /// Refresh tokens.
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    /// API clients.
    pub clients: Arc<dyn ClientStore>,
    /// Authorization codes of the authorization code flow.
    pub authorization_codes: Arc<dyn AuthorizationCodeStore>,
    /// What each person has let each app do.
    pub consents: Arc<dyn ConsentStore>,
    /// Failed sign-ins.
    pub sign_in_throttle: Arc<dyn SignInThrottle>,
    /// Stored first responses for `Idempotency-Key` retries.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Goals and their history.
    pub goals: Arc<dyn GoalStore>,
    /// Goals' steps and check-ins.
    pub goal_parts: Arc<dyn GoalPartsStore>,
    /// Routines and their pauses.
    pub routines: Arc<dyn RoutineStore>,
    /// Check-ins on routines.
    pub routine_check_ins: Arc<dyn RoutineCheckInStore>,
    /// Calendar feed addresses.
    pub calendar_feeds: Arc<dyn CalendarFeedStore>,
    /// Contacts: the person's support network.
    pub contacts: Arc<dyn ContactStore>,
    /// Contacts' interactions.
    pub interactions: Arc<dyn InteractionStore>,
    /// Which contacts support which goals.
    pub supporters: Arc<dyn SupporterStore>,
    /// Articles and their revisions.
    pub articles: Arc<dyn ArticleStore>,
    /// Support services and crisis lines.
    pub services: Arc<dyn ServiceStore>,
    /// The public feed of content changes.
    pub content_changes: Arc<dyn ContentChanges>,
    /// Every committed change to a person's data, in order.
    pub journal: Arc<dyn ChangeJournal>,
    /// A person's resources as they are now, for delta sync.
    pub current_state: Arc<dyn crate::sync::CurrentState>,
    /// The rest of a person's records, for their export.
    pub personal_records: Arc<dyn crate::export::PersonalRecords>,
    /// Who else accessed each person's data.
    pub access_log: Arc<dyn AccessLogStore>,
    /// What each person shares with whom.
    pub shares: Arc<dyn ShareStore>,
    /// Encouragement supporters send.
    pub encouragements: Arc<dyn EncouragementStore>,
    /// API clients' webhook subscriptions and their delivery logs.
    pub webhooks: Arc<dyn crate::webhooks::ports::SubscriptionStore>,
    /// The webhook messages waiting to be sent.
    pub outbox: Arc<dyn crate::webhooks::ports::Outbox>,
}
