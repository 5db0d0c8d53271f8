//! The routine, account and consent stores with the reads every agenda makes (the
//! account's time zone, the active routines, their pauses and the week's check-ins)
//! and every app's request needs (the account, the grant the person gave the app)
//! answered from [`PersonalCache`] when they can be. Writes go straight through: the journal
//! tells the cache what they changed.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use waymark_domain::acting::Acting;
use waymark_domain::identity::authorization::GrantId;
use waymark_domain::identity::ports::{
    AccountStore, Consent, ConsentStore, CreateAccountError, Grant, UpdateAccountError,
};
use waymark_domain::identity::{
    Account, AccountId, ClientId, Email, NewAccount, PasswordHash, ProfileChanges, Role, ScopeSet,
};
use waymark_domain::ports::StoreError;
use waymark_domain::routines::ports::{
    CheckInWriteError, RoutineCheckInStore, RoutinePage, RoutineQuery, RoutineStore,
    RoutineWriteError,
};
use waymark_domain::routines::stats::Paused;
use waymark_domain::routines::{
    NewRoutine, NewRoutineCheckIn, Routine, RoutineChanges, RoutineCheckIn, RoutineCheckInChanges,
    RoutineCheckInId, RoutineId,
};
use waymark_domain::time::Instant;

use crate::caches::personal::{Answer, PersonalCache, Question};
use crate::identity::accounts::SqlAccountStore;
use crate::identity::authorizations::SqlAuthorizationStore;
use crate::routines::SqlRoutineStore;

/// Answers `question` about `owner` from `cache`, or by `read`, keeping what it read.
async fn remembered<T: Clone>(
    cache: &PersonalCache,
    owner: AccountId,
    question: Question,
    wrap: fn(T) -> Answer,
    unwrap: fn(&Answer) -> Option<T>,
    read: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    if let Some(known) = cache.get(owner, &question).and_then(|answer| unwrap(&answer)) {
        return Ok(known);
    }
    let ticket = cache.ticket(owner);
    let value = read.await?;
    cache.store(ticket, question, Arc::new(wrap(value.clone())));
    Ok(value)
}

/// [`RoutineStore`] over SQL, remembering the agenda's reads.
#[derive(Debug, Clone)]
pub(crate) struct CachedRoutineStore {
    pub(crate) inner: SqlRoutineStore,
    pub(crate) cache: Arc<PersonalCache>,
}

#[async_trait]
impl RoutineStore for CachedRoutineStore {
    async fn create(
        &self,
        acting: Acting,
        routine: NewRoutine,
        now: Instant,
    ) -> Result<Routine, RoutineWriteError> {
        self.inner.create(acting, routine, now).await
    }

    async fn get(&self, owner: AccountId, id: RoutineId) -> Result<Option<Routine>, StoreError> {
        self.inner.get(owner, id).await
    }

    async fn list(&self, owner: AccountId, query: RoutineQuery) -> Result<RoutinePage, StoreError> {
        self.inner.list(owner, query).await
    }

    async fn active(&self, owner: AccountId) -> Result<Vec<Routine>, StoreError> {
        remembered(
            &self.cache,
            owner,
            Question::ActiveRoutines,
            Answer::ActiveRoutines,
            |answer| match answer {
                Answer::ActiveRoutines(routines) => Some(routines.clone()),
                _ => None,
            },
            self.inner.active(owner),
        )
        .await
    }

    async fn update(
        &self,
        acting: Acting,
        id: RoutineId,
        changes: RoutineChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Routine, RoutineWriteError> {
        self.inner.update(acting, id, changes, expected_version, now).await
    }

    async fn delete(
        &self,
        acting: Acting,
        id: RoutineId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), RoutineWriteError> {
        self.inner.delete(acting, id, expected_version, now).await
    }

    async fn pauses(
        &self,
        owner: AccountId,
        routines: &[RoutineId],
    ) -> Result<Vec<(RoutineId, Paused)>, StoreError> {
        remembered(
            &self.cache,
            owner,
            Question::Pauses(routines.to_vec()),
            Answer::Pauses,
            |answer| match answer {
                Answer::Pauses(pauses) => Some(pauses.clone()),
                _ => None,
            },
            self.inner.pauses(owner, routines),
        )
        .await
    }
}

#[async_trait]
impl RoutineCheckInStore for CachedRoutineStore {
    async fn check_in(
        &self,
        acting: Acting,
        routine: RoutineId,
        check_in: NewRoutineCheckIn,
        week_limit: Option<u8>,
        now: Instant,
    ) -> Result<RoutineCheckIn, CheckInWriteError> {
        self.inner.check_in(acting, routine, check_in, week_limit, now).await
    }

    async fn check_ins(
        &self,
        owner: AccountId,
        routines: &[RoutineId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RoutineCheckIn>, StoreError> {
        remembered(
            &self.cache,
            owner,
            Question::CheckIns(routines.to_vec(), from, to),
            Answer::CheckIns,
            |answer| match answer {
                Answer::CheckIns(check_ins) => Some(check_ins.clone()),
                _ => None,
            },
            self.inner.check_ins(owner, routines, from, to),
        )
        .await
    }

    async fn get_check_in(
        &self,
        owner: AccountId,
        routine: RoutineId,
        id: RoutineCheckInId,
    ) -> Result<Option<RoutineCheckIn>, StoreError> {
        self.inner.get_check_in(owner, routine, id).await
    }

    async fn update_check_in(
        &self,
        acting: Acting,
        routine: RoutineId,
        id: RoutineCheckInId,
        changes: RoutineCheckInChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<RoutineCheckIn, CheckInWriteError> {
        self.inner.update_check_in(acting, routine, id, changes, expected_version, now).await
    }

    async fn delete_check_in(
        &self,
        acting: Acting,
        routine: RoutineId,
        id: RoutineCheckInId,
        now: Instant,
    ) -> Result<(), CheckInWriteError> {
        self.inner.delete_check_in(acting, routine, id, now).await
    }
}

/// [`AccountStore`] over SQL, remembering accounts read by id.
#[derive(Debug, Clone)]
pub(crate) struct CachedAccountStore {
    pub(crate) inner: SqlAccountStore,
    pub(crate) cache: Arc<PersonalCache>,
}

#[async_trait]
impl AccountStore for CachedAccountStore {
    async fn create(&self, account: NewAccount) -> Result<Account, CreateAccountError> {
        self.inner.create(account).await
    }

    async fn find_for_sign_in(
        &self,
        email: &Email,
    ) -> Result<Option<(Account, PasswordHash)>, StoreError> {
        self.inner.find_for_sign_in(email).await
    }

    async fn get(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        remembered(
            &self.cache,
            id,
            Question::Account,
            Answer::Account,
            |answer| match answer {
                Answer::Account(account) => Some(account.clone()),
                _ => None,
            },
            self.inner.get(id),
        )
        .await
    }

    async fn password_hash(&self, id: AccountId) -> Result<Option<PasswordHash>, StoreError> {
        self.inner.password_hash(id).await
    }

    async fn update_profile(
        &self,
        id: AccountId,
        changes: ProfileChanges,
        expected_version: Option<i64>,
    ) -> Result<Account, UpdateAccountError> {
        self.inner.update_profile(id, changes, expected_version).await
    }

    async fn change_password(
        &self,
        id: AccountId,
        hash: PasswordHash,
    ) -> Result<Account, UpdateAccountError> {
        self.inner.change_password(id, hash).await
    }

    async fn set_role(
        &self,
        acting: Acting,
        role: Role,
        expected_version: Option<i64>,
    ) -> Result<Account, UpdateAccountError> {
        self.inner.set_role(acting, role, expected_version).await
    }

    async fn sign_out_everywhere(&self, id: AccountId) -> Result<(), UpdateAccountError> {
        self.inner.sign_out_everywhere(id).await
    }

    async fn revoke_access_token(
        &self,
        id: AccountId,
        token_id: &str,
        expires_at: Instant,
    ) -> Result<(), StoreError> {
        self.inner.revoke_access_token(id, token_id, expires_at).await
    }

    async fn delete(&self, id: AccountId) -> Result<bool, StoreError> {
        self.inner.delete(id).await
    }
}

/// [`ConsentStore`] over SQL, remembering the grant each person gave each app: every
/// request of an app acting for a person is checked against it.
#[derive(Debug, Clone)]
pub(crate) struct CachedConsentStore {
    pub(crate) inner: SqlAuthorizationStore,
    pub(crate) cache: Arc<PersonalCache>,
}

#[async_trait]
impl ConsentStore for CachedConsentStore {
    async fn consented(
        &self,
        account: AccountId,
        client: ClientId,
    ) -> Result<Option<Grant>, StoreError> {
        remembered(
            &self.cache,
            account,
            Question::Grant(client),
            Answer::Grant,
            |answer| match answer {
                Answer::Grant(grant) => Some(grant.clone()),
                _ => None,
            },
            self.inner.consented(account, client),
        )
        .await
    }

    async fn remember(
        &self,
        acting: Acting,
        client: ClientId,
        scopes: &ScopeSet,
        now: Instant,
    ) -> Result<GrantId, StoreError> {
        self.inner.remember(acting, client, scopes, now).await
    }

    async fn consents_of(&self, account: AccountId) -> Result<Vec<Consent>, StoreError> {
        self.inner.consents_of(account).await
    }

    async fn withdraw(
        &self,
        acting: Acting,
        client: ClientId,
        now: Instant,
    ) -> Result<bool, StoreError> {
        self.inner.withdraw(acting, client, now).await
    }
}
