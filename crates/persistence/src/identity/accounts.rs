//! Accounts in the `accounts` table. Deleting one cascades to every table that
//! refers to it.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use waymark_domain::acting::Acting;
use waymark_domain::identity::ports::{AccountStore, CreateAccountError, UpdateAccountError};
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::identity::{
    Account, AccountId, DisplayName, Email, Locale, NewAccount, PasswordHash, ProfileChanges,
    RevokedAccessTokens, Role, TimeZoneName,
};
use waymark_domain::journal::{Actor, Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::time;

use crate::entities::{accounts, refresh_tokens, sign_in_failures};
use crate::error::{is_conflict, is_unique_violation, retrying_conflicts, store_error};
use crate::identity::refresh_tokens::revoke_matching;
use crate::journal::Journal;
use crate::writes::{WriteTransaction, Writes};

/// [`AccountStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlAccountStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
    /// Every write commits through it: its entries, then whoever hears changes.
    pub(crate) journal: Journal,
}

/// Reads a stored row back into a domain account; a row that no longer parses is
/// corruption, reported as unexpected.
fn to_account(row: &accounts::Model) -> Result<Account, StoreError> {
    let corrupt = |field: &str| {
        StoreError::Unexpected(anyhow::anyhow!("account {} has an invalid {field}", row.id))
    };
    Ok(Account {
        id: AccountId(row.id),
        email: Email::parse(&row.email).map_err(|_| corrupt("email"))?,
        display_name: DisplayName::parse(&row.display_name).map_err(|_| corrupt("display_name"))?,
        time_zone: TimeZoneName::parse(&row.time_zone).map_err(|_| corrupt("time_zone"))?,
        locale: Locale::parse(&row.locale).map_err(|_| corrupt("locale"))?,
        role: row.role.parse::<Role>().map_err(|_| corrupt("role"))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        token_epoch: row.token_epoch,
        revoked_access_tokens: RevokedAccessTokens::from_stored(&row.revoked_access_tokens),
    })
}

impl SqlAccountStore {
    async fn row(&self, id: AccountId) -> Result<Option<accounts::Model>, StoreError> {
        accounts::Entity::find_by_id(id.0).one(&self.connection).await.map_err(store_error)
    }

    /// Runs `update` on account `id` if it is at `expected_version` (when given),
    /// bumping `version` and `updated_at`; ends its sessions too when `end_sessions`
    /// (see [`end_sessions`]). One transaction.
    /// [`Self::update_where_version_once`], run again (up to twice) when it loses a
    /// conflict with a concurrent transaction.
    async fn update_where_version(
        &self,
        id: AccountId,
        expected_version: Option<i64>,
        update: accounts::ActiveModel,
        end_sessions: bool,
        actor: Actor,
    ) -> Result<Account, UpdateAccountError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self
                .update_where_version_once(
                    id,
                    expected_version,
                    update.clone(),
                    end_sessions,
                    actor,
                )
                .await
            {
                Err(UpdateAccountError::Store(error)) if attempts < 3 && is_conflict(&error) => {}
                outcome => return outcome,
            }
        }
    }

    async fn update_where_version_once(
        &self,
        id: AccountId,
        expected_version: Option<i64>,
        update: accounts::ActiveModel,
        end_sessions: bool,
        actor: Actor,
    ) -> Result<Account, UpdateAccountError> {
        let now = time::now();
        let transaction = self.writes.begin().await?;
        let mut statement = accounts::Entity::update_many()
            .set(update)
            .col_expr(accounts::Column::Version, Expr::col(accounts::Column::Version).add(1))
            .col_expr(accounts::Column::UpdatedAt, Expr::value(now))
            .filter(accounts::Column::Id.eq(id.0));
        if let Some(expected) = expected_version {
            statement = statement.filter(accounts::Column::Version.eq(expected));
        }
        let changed = statement.exec(&transaction).await.map_err(store_error)?.rows_affected;
        if changed == 0 {
            let exists = accounts::Entity::find_by_id(id.0)
                .one(&transaction)
                .await
                .map_err(store_error)?
                .is_some();
            return Err(match (exists, expected_version) {
                (true, Some(_)) => UpdateAccountError::PreconditionFailed,
                _ => UpdateAccountError::NotFound,
            });
        }
        if end_sessions {
            end_sessions_of(&transaction, id, now).await?;
        }
        let row = accounts::Entity::find_by_id(id.0)
            .one(&transaction)
            .await
            .map_err(store_error)?
            .ok_or(UpdateAccountError::NotFound)?;
        let change = Change::updated(ResourceType::Account, row.id, Some(row.version));
        self.journal.commit(transaction, Acting { owner: id, actor }, now, &[change]).await?;
        Ok(to_account(&row)?)
    }
}

#[async_trait]
impl AccountStore for SqlAccountStore {
    async fn create(&self, account: NewAccount) -> Result<Account, CreateAccountError> {
        let now = time::now();
        let row = accounts::ActiveModel {
            id: Set(waymark_domain::id::new_id()),
            email: Set(account.email.as_str().to_owned()),
            password_hash: Set(account.password_hash.as_stored().to_owned()),
            display_name: Set(account.display_name.as_str().to_owned()),
            time_zone: Set(account.time_zone.name().to_owned()),
            locale: Set(account.locale.as_str().to_owned()),
            role: Set(account.role.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            token_epoch: Set(0),
            revoked_access_tokens: Set(String::new()),
        };
        let transaction = self.writes.begin().await?;
        let inserted = accounts::Entity::insert(row)
            .exec_with_returning(&transaction)
            .await
            .map_err(|error| {
                if is_unique_violation(&error) {
                    CreateAccountError::EmailTaken
                } else {
                    CreateAccountError::Store(store_error(error))
                }
            })?;
        let owner = AccountId(inserted.id);
        let change = Change::created(ResourceType::Account, inserted.id, Some(inserted.version));
        self.journal.commit(transaction, Acting::person(owner), now, &[change]).await?;
        Ok(to_account(&inserted)?)
    }

    async fn find_for_sign_in(
        &self,
        email: &Email,
    ) -> Result<Option<(Account, PasswordHash)>, StoreError> {
        let row = accounts::Entity::find()
            .filter(accounts::Column::Email.eq(email.as_str()))
            .one(&self.connection)
            .await
            .map_err(store_error)?;
        row.map(|row| Ok((to_account(&row)?, PasswordHash::from_stored(row.password_hash))))
            .transpose()
    }

    async fn get(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        self.row(id).await?.as_ref().map(to_account).transpose()
    }

    async fn password_hash(&self, id: AccountId) -> Result<Option<PasswordHash>, StoreError> {
        Ok(self.row(id).await?.map(|row| PasswordHash::from_stored(row.password_hash)))
    }

    async fn update_profile(
        &self,
        id: AccountId,
        changes: ProfileChanges,
        expected_version: Option<i64>,
    ) -> Result<Account, UpdateAccountError> {
        let mut update = accounts::ActiveModel::default();
        if let Some(name) = changes.display_name {
            update.display_name = Set(name.as_str().to_owned());
        }
        if let Some(zone) = changes.time_zone {
            update.time_zone = Set(zone.name().to_owned());
        }
        if let Some(locale) = changes.locale {
            update.locale = Set(locale.as_str().to_owned());
        }
        self.update_where_version(id, expected_version, update, false, Actor::Person(id)).await
    }

    async fn change_password(
        &self,
        id: AccountId,
        hash: PasswordHash,
    ) -> Result<Account, UpdateAccountError> {
        let update = accounts::ActiveModel {
            password_hash: Set(hash.as_stored().to_owned()),
            ..Default::default()
        };
        self.update_where_version(id, None, update, true, Actor::Person(id)).await
    }

    async fn set_role(
        &self,
        acting: Acting,
        role: Role,
        expected_version: Option<i64>,
    ) -> Result<Account, UpdateAccountError> {
        let update =
            accounts::ActiveModel { role: Set(role.as_str().to_owned()), ..Default::default() };
        self.update_where_version(acting.owner, expected_version, update, true, acting.actor).await
    }

    async fn sign_out_everywhere(&self, id: AccountId) -> Result<(), UpdateAccountError> {
        let ended = retrying_conflicts(|| async {
            let now = time::now();
            let transaction = self.writes.begin().await?;
            if !end_sessions_of(&transaction, id, now).await? {
                return Ok(false);
            }
            // The token epoch moved: whatever remembers the account must forget it.
            let version = accounts::Entity::find_by_id(id.0)
                .one(&transaction)
                .await
                .map_err(store_error)?
                .map(|row| row.version);
            let change = Change::updated(ResourceType::Account, id.0, version);
            self.journal.commit(transaction, Acting::person(id), now, &[change]).await?;
            Ok(true)
        })
        .await?;
        if ended { Ok(()) } else { Err(UpdateAccountError::NotFound) }
    }

    async fn revoke_access_token(
        &self,
        id: AccountId,
        token_id: &str,
        expires_at: time::Instant,
    ) -> Result<(), StoreError> {
        retrying_conflicts(|| async {
            let now = time::now();
            let transaction = self.writes.begin().await?;
            // Locked until commit, so two revocations at once both land (PostgreSQL;
            // SQLite has one writer).
            let Some(row) = accounts::Entity::find_by_id(id.0)
                .lock_exclusive()
                .one(&transaction)
                .await
                .map_err(store_error)?
            else {
                return Ok(());
            };
            let revoked = RevokedAccessTokens::from_stored(&row.revoked_access_tokens);
            match revoked.with(token_id, expires_at, now) {
                Some(revoked) => {
                    accounts::Entity::update_many()
                        .col_expr(
                            accounts::Column::RevokedAccessTokens,
                            Expr::value(revoked.to_stored()),
                        )
                        .filter(accounts::Column::Id.eq(id.0))
                        .exec(&transaction)
                        .await
                        .map_err(store_error)?;
                }
                None => {
                    end_sessions_of(&transaction, id, now).await?;
                }
            }
            // Whatever remembers the account must forget it, on every replica.
            let change = Change::updated(ResourceType::Account, id.0, Some(row.version));
            self.journal.commit(transaction, Acting::person(id), now, &[change]).await
        })
        .await
    }

    async fn delete(&self, id: AccountId) -> Result<bool, StoreError> {
        retrying_conflicts(|| self.delete_once(id)).await
    }
}

/// Ends every session of account `id` within `transaction`: moves its token epoch on
/// (access tokens issued before are refused) and revokes its refresh tokens. Answers
/// whether there was such an account.
async fn end_sessions_of(
    transaction: &WriteTransaction,
    id: AccountId,
    now: time::Instant,
) -> Result<bool, StoreError> {
    // Every token from before is refused by the epoch now, so the ones revoked one by
    // one need not be kept.
    let moved = accounts::Entity::update_many()
        .col_expr(accounts::Column::TokenEpoch, Expr::col(accounts::Column::TokenEpoch).add(1))
        .col_expr(accounts::Column::RevokedAccessTokens, Expr::value(String::new()))
        .filter(accounts::Column::Id.eq(id.0))
        .exec(transaction)
        .await
        .map_err(store_error)?
        .rows_affected;
    revoke_matching(transaction, refresh_tokens::Column::AccountId.eq(id.0), now).await?;
    Ok(moved > 0)
}

impl SqlAccountStore {
    /// One attempt at deleting account `id` and everything keyed to it.
    async fn delete_once(&self, id: AccountId) -> Result<bool, StoreError> {
        let transaction = self.writes.begin().await?;
        let Some(row) =
            accounts::Entity::find_by_id(id.0).one(&transaction).await.map_err(store_error)?
        else {
            return Ok(false);
        };
        // Rows keyed by something other than the account id are removed here, and the
        // access log (which has no key, see `access_log::append`); every table that
        // refers to `accounts` goes with it by ON DELETE CASCADE.
        sign_in_failures::Entity::delete_by_id(SecretDigest::of(&row.email).as_str().to_owned())
            .exec(&transaction)
            .await
            .map_err(store_error)?;
        crate::idempotency::delete_for_account(&transaction, id).await?;
        // The entry goes with the rest of the account's journal, but is heard all the
        // same: by this process, and on PostgreSQL by every replica (the notification
        // is sent when the entry is written).
        let now = time::now();
        let erased = vec![Change::deleted(ResourceType::Account, id.0)];
        crate::journal::append(&transaction, id, Actor::Person(id), now, &erased).await?;
        // The shares they followed end as their account goes (ON DELETE SET NULL):
        // each sharing person's journal says so, for their apps' sync.
        let mut changed =
            crate::sharing::journal_supporter_change(&transaction, id, Actor::Supporter(id), now)
                .await?;
        accounts::Entity::delete_by_id(id.0).exec(&transaction).await.map_err(store_error)?;
        crate::access_log::forget_account(&transaction, id).await?;
        changed.push((id, erased));
        self.journal.commit_appended_for(transaction, changed).await?;
        Ok(true)
    }
}
