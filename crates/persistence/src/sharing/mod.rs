//! Shares in `shares` and encouragement in `encouragements`. Every query is filtered
//! by the person who shares or by the supporter; every write appends to the person's
//! change journal in its own transaction.

mod encouragements;
mod supporters;
mod terms;

use std::collections::HashMap;

use async_trait::async_trait;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use waymark_domain::acting::Acting;
use waymark_domain::contacts::ContactId;
use waymark_domain::goals::GoalId;
use waymark_domain::identity::AccountId;
use waymark_domain::identity::secret::SecretDigest;
use waymark_domain::journal::{Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::sharing::ports::{
    NewShare, SharePosition, ShareStore, ShareWriteError, SupportedShare,
};
use waymark_domain::sharing::{Share, ShareId, ShareTerms};
use waymark_domain::time::Instant;

pub(crate) use encouragements::SqlEncouragementStore;

use crate::entities::{accounts, contacts, shares};
use crate::error::{is_foreign_key_violation, store_error};
use crate::journal::Journal;
use crate::paging::{Direction::Descending, keyset_page};
use crate::writes::Writes;

/// [`ShareStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlShareStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
    /// Every write commits through it.
    pub(crate) journal: Journal,
}

pub(super) fn to_share(
    row: &shares::Model,
    supporter_name: Option<String>,
) -> Result<Share, StoreError> {
    Ok(Share {
        id: ShareId(row.id),
        owner: AccountId(row.account_id),
        contact: ContactId(row.contact_id),
        terms: ShareTerms {
            goals: terms::from_text(&row.goals)?,
            routines_summary: row.routines_summary,
            encouragement: row.encouragement_allowed,
            expires_at: row.expires_at,
            paused: row.paused,
        },
        invitation_expires_at: row.invitation_expires_at,
        supporter: row.supporter_account_id.map(AccountId),
        supporter_name,
        accepted_at: row.accepted_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// The display names of `accounts` (those that still exist), as they are now.
pub(super) async fn display_names(
    connection: &impl ConnectionTrait,
    accounts: impl IntoIterator<Item = uuid::Uuid>,
) -> Result<HashMap<uuid::Uuid, String>, StoreError> {
    let ids: Vec<uuid::Uuid> = accounts.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Id.is_in(ids))
        .all(connection)
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|account| (account.id, account.display_name))
        .collect())
}

/// `rows` as the person sees them, with their supporters' names.
pub(crate) async fn shares_of(
    connection: &impl ConnectionTrait,
    rows: &[shares::Model],
) -> Result<Vec<Share>, StoreError> {
    let names =
        display_names(connection, rows.iter().filter_map(|row| row.supporter_account_id)).await?;
    rows.iter()
        .map(|row| {
            let name = row.supporter_account_id.and_then(|id| names.get(&id).cloned());
            to_share(row, name)
        })
        .collect()
}

/// Gives the shares `supporter` follows a new version and journals them, in each
/// sharing person's journal, as changing with them (their account is being erased:
/// the shares end), as made by `actor` at `at`, inside the transaction making that
/// change; answers each person and their changes, for the journal to tell once the
/// transaction commits. The new version makes a change the person began before it
/// fail its version check, and read the share again, ended.
///
/// # Errors
/// [`StoreError`] when storage fails; the caller's transaction then rolls back.
pub(crate) async fn journal_supporter_change(
    connection: &impl ConnectionTrait,
    supporter: AccountId,
    actor: waymark_domain::journal::Actor,
    at: Instant,
) -> Result<Vec<(AccountId, Vec<Change>)>, StoreError> {
    let supported = shares::Entity::update_many()
        .col_expr(shares::Column::Version, Expr::col(shares::Column::Version).add(1))
        .col_expr(shares::Column::UpdatedAt, Expr::value(at))
        .filter(shares::Column::SupporterAccountId.eq(supporter.0))
        .exec_with_returning(connection)
        .await
        .map_err(store_error)?;
    let mut by_owner: HashMap<AccountId, Vec<Change>> = HashMap::new();
    for share in supported {
        by_owner.entry(AccountId(share.account_id)).or_default().push(Change::updated(
            ResourceType::Share,
            share.id,
            Some(share.version),
        ));
    }
    for (owner, changes) in &by_owner {
        crate::journal::append(connection, *owner, actor, at, changes).await?;
    }
    Ok(by_owner.into_iter().collect())
}

/// `row` as the person sees it.
pub(super) async fn share_of(
    connection: &impl ConnectionTrait,
    row: &shares::Model,
) -> Result<Share, StoreError> {
    let mut shares = shares_of(connection, std::slice::from_ref(row)).await?;
    shares.pop().ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("a share just read")))
}

pub(super) fn after_key(after: Option<SharePosition>) -> Option<crate::paging::After> {
    after.map(|(at, id)| (at.into(), id.0.into()))
}

impl SqlShareStore {
    /// Writes `update` to the owner's share `id` (if at `expected_version`, when given)
    /// with a new version, and journals it as `acting`'s.
    async fn change(
        &self,
        acting: Acting,
        id: ShareId,
        update: shares::ActiveModel,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Share, ShareWriteError> {
        let transaction = self.writes.begin().await?;
        let mut write = shares::Entity::update_many()
            .set(update)
            .col_expr(shares::Column::Version, Expr::col(shares::Column::Version).add(1))
            .col_expr(shares::Column::UpdatedAt, Expr::value(now))
            .filter(shares::Column::Id.eq(id.0))
            .filter(shares::Column::AccountId.eq(acting.owner.0));
        if let Some(version) = expected_version {
            write = write.filter(shares::Column::Version.eq(version));
        }
        let changed = write.exec(&transaction).await.map_err(store_error)?.rows_affected;
        let row = shares::Entity::find_by_id(id.0)
            .filter(shares::Column::AccountId.eq(acting.owner.0))
            .one(&transaction)
            .await
            .map_err(store_error)?;
        let Some(row) = row else {
            return Err(ShareWriteError::NotFound);
        };
        if changed == 0 {
            return Err(ShareWriteError::PreconditionFailed);
        }
        let share = share_of(&transaction, &row).await?;
        let change = Change::updated(ResourceType::Share, id.0, Some(share.version));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(share)
    }
}

/// Takes a deleted goal out of every share of `owner`'s that chose it, inside the
/// goal's deletion (`transaction`): each such share gets a new version, and its
/// change is answered for the journal. On PostgreSQL the shares are locked first, so
/// a change to one racing this waits, then fails its version check and reads again.
pub(crate) async fn forget_goal(
    transaction: &impl ConnectionTrait,
    owner: AccountId,
    goal: GoalId,
    now: Instant,
) -> Result<Vec<Change>, StoreError> {
    let mut naming = shares::Entity::find()
        .filter(shares::Column::AccountId.eq(owner.0))
        .filter(shares::Column::Goals.contains(goal.0.to_string()))
        .order_by_asc(shares::Column::Id);
    if transaction.get_database_backend() == DbBackend::Postgres {
        naming = naming.lock_exclusive();
    }
    let mut changes = Vec::new();
    for row in naming.all(transaction).await.map_err(store_error)? {
        let mut goals = terms::from_text(&row.goals)?;
        if !goals.forget(goal) {
            continue;
        }
        let version = row.version + 1;
        shares::Entity::update_many()
            .col_expr(shares::Column::Goals, Expr::value(terms::to_text(&goals)))
            .col_expr(shares::Column::Version, Expr::value(version))
            .col_expr(shares::Column::UpdatedAt, Expr::value(now))
            .filter(shares::Column::Id.eq(row.id))
            .exec(transaction)
            .await
            .map_err(store_error)?;
        changes.push(Change::updated(ResourceType::Share, row.id, Some(version)));
    }
    Ok(changes)
}

#[async_trait]
impl ShareStore for SqlShareStore {
    async fn create(
        &self,
        acting: Acting,
        share: NewShare,
        now: Instant,
    ) -> Result<Share, ShareWriteError> {
        let transaction = self.writes.begin().await?;
        let contact = contacts::Entity::find_by_id(share.contact.0)
            .filter(contacts::Column::AccountId.eq(acting.owner.0))
            .one(&transaction)
            .await
            .map_err(store_error)?;
        if contact.is_none() {
            return Err(ShareWriteError::NotFound);
        }
        let row = shares::Model {
            id: waymark_domain::id::new_id(),
            account_id: acting.owner.0,
            contact_id: share.contact.0,
            goals: terms::to_text(&share.terms.goals),
            routines_summary: share.terms.routines_summary,
            encouragement_allowed: share.terms.encouragement,
            paused: share.terms.paused,
            expires_at: share.terms.expires_at,
            invitation_digest: Some(share.invitation.as_str().to_owned()),
            invitation_expires_at: share.invitation_expires_at,
            supporter_account_id: None,
            accepted_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let inserted = shares::Entity::insert(shares::ActiveModel::from(row.clone()))
            .exec_without_returning(&transaction)
            .await;
        match inserted {
            Err(error) if is_foreign_key_violation(&error) => {
                return Err(ShareWriteError::NotFound);
            }
            other => other.map_err(store_error)?,
        };
        let created = to_share(&row, None)?;
        let change = Change::created(ResourceType::Share, row.id, Some(1));
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(created)
    }

    async fn get(&self, owner: AccountId, id: ShareId) -> Result<Option<Share>, StoreError> {
        let row = shares::Entity::find_by_id(id.0)
            .filter(shares::Column::AccountId.eq(owner.0))
            .one(&self.connection)
            .await
            .map_err(store_error)?;
        match row {
            Some(row) => Ok(Some(share_of(&self.connection, &row).await?)),
            None => Ok(None),
        }
    }

    async fn list(
        &self,
        owner: AccountId,
        after: Option<SharePosition>,
        limit: u64,
    ) -> Result<(Vec<Share>, bool), StoreError> {
        let select = shares::Entity::find().filter(shares::Column::AccountId.eq(owner.0));
        let (rows, more) = keyset_page(
            &self.connection,
            select,
            Descending,
            (shares::Column::CreatedAt, shares::Column::Id),
            after_key(after),
            limit,
        )
        .await?;
        Ok((shares_of(&self.connection, &rows).await?, more))
    }

    async fn update(
        &self,
        acting: Acting,
        id: ShareId,
        terms: ShareTerms,
        expected_version: i64,
        now: Instant,
    ) -> Result<Share, ShareWriteError> {
        let update = shares::ActiveModel {
            goals: Set(terms::to_text(&terms.goals)),
            routines_summary: Set(terms.routines_summary),
            encouragement_allowed: Set(terms.encouragement),
            paused: Set(terms.paused),
            expires_at: Set(terms.expires_at),
            ..Default::default()
        };
        self.change(acting, id, update, Some(expected_version), now).await
    }

    async fn reinvite(
        &self,
        acting: Acting,
        id: ShareId,
        (invitation, invitation_expires_at): (SecretDigest, Instant),
        expected_version: i64,
        now: Instant,
    ) -> Result<Share, ShareWriteError> {
        let update = shares::ActiveModel {
            invitation_digest: Set(Some(invitation.as_str().to_owned())),
            invitation_expires_at: Set(invitation_expires_at),
            ..Default::default()
        };
        self.change(acting, id, update, Some(expected_version), now).await
    }

    async fn delete(
        &self,
        acting: Acting,
        id: ShareId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), ShareWriteError> {
        let transaction = self.writes.begin().await?;
        let mut delete = shares::Entity::delete_many()
            .filter(shares::Column::Id.eq(id.0))
            .filter(shares::Column::AccountId.eq(acting.owner.0));
        if let Some(version) = expected_version {
            delete = delete.filter(shares::Column::Version.eq(version));
        }
        if delete.exec(&transaction).await.map_err(store_error)?.rows_affected == 0 {
            let exists = shares::Entity::find_by_id(id.0)
                .filter(shares::Column::AccountId.eq(acting.owner.0))
                .one(&transaction)
                .await
                .map_err(store_error)?
                .is_some();
            return Err(if exists {
                ShareWriteError::PreconditionFailed
            } else {
                ShareWriteError::NotFound
            });
        }
        let change = Change::deleted(ResourceType::Share, id.0);
        self.journal.commit(transaction, acting, now, &[change]).await?;
        Ok(())
    }

    async fn accept(
        &self,
        supporter: AccountId,
        invitation: &SecretDigest,
        now: Instant,
    ) -> Result<Option<Share>, StoreError> {
        self.accept_invitation(supporter, invitation, now).await
    }

    async fn supported(
        &self,
        supporter: AccountId,
        now: Instant,
        after: Option<SharePosition>,
        limit: u64,
    ) -> Result<(Vec<SupportedShare>, bool), StoreError> {
        self.followed_by(supporter, now, after, limit).await
    }

    async fn supported_share(
        &self,
        supporter: AccountId,
        id: ShareId,
    ) -> Result<Option<SupportedShare>, StoreError> {
        self.one_followed_by(supporter, id).await
    }

    async fn step_back(
        &self,
        supporter: AccountId,
        id: ShareId,
        now: Instant,
    ) -> Result<Option<AccountId>, StoreError> {
        self.stop_following(supporter, id, now).await
    }
}
