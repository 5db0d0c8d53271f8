//! Contacts in the `contacts` table, their interactions in `contact_interactions`, and
//! supporter links in `goal_supporters`. Every query is filtered by the owner; lists
//! are keyset-paginated on the indexes migration `m20261125_000010` names.
//!
//! Derived columns are written in the transaction that changes what they derive from:
//! a contact's `last_contacted_at` and `due_at` with its interactions, a goal's
//! `supporter_ids` (and version) with its links. Each write ends by appending every
//! contact, interaction and goal it changed to the change journal.

pub(crate) mod interactions;
mod supporters;

pub(crate) use supporters::to_supporter;

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use waymark_domain::acting::Acting;
use waymark_domain::contacts::ports::{
    ContactPage, ContactPosition, ContactQuery, ContactStore, ContactWriteError,
    MAX_CONTACTS_PER_PERSON, NewContact,
};
use waymark_domain::contacts::{
    CanHelpWith, Channel, ChannelLabel, ChannelType, Contact, ContactChanges, ContactDetails,
    ContactId, ContactKind, ContactMethod, ContactName, ContactNotes, Helpfulness,
    KnowsAboutMyHealth, Organisation, due_since, last_contacted,
};
use waymark_domain::goals::GoalId;
use waymark_domain::identity::AccountId;
use waymark_domain::journal::Actor;
use waymark_domain::journal::{Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use crate::entities::{accounts, contact_interactions, contacts, goal_supporters, goals, shares};
use crate::error::{retrying_conflicts, store_error};
use crate::journal::Journal;
use crate::like::contains_pattern;
use crate::owned::{locked_owned_row, owned_row};
use crate::paging::{Direction::Ascending, keyset_page};
use crate::writes::{WriteTransaction, Writes};

/// How many times an unconditional update is retried when another writer changed the
/// contact between its read and its write.
const UPDATE_ATTEMPTS: usize = 3;

/// [`ContactStore`] on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct SqlContactStore {
    pub(crate) connection: DatabaseConnection,
    /// Where writes go (on SQLite, the one write connection).
    pub(crate) writes: Writes,
    /// Every write commits through it: its entries, then whoever hears changes.
    pub(crate) journal: Journal,
}

/// The contact ids in a goal's `supporter_ids` column; `None` if it is corrupt.
pub(crate) fn supporter_ids(column: &str) -> Option<Vec<ContactId>> {
    if column.is_empty() {
        return Some(Vec::new());
    }
    column.split(',').map(|id| uuid::Uuid::parse_str(id).ok().map(ContactId)).collect()
}

fn corrupt(id: uuid::Uuid, field: &str) -> StoreError {
    StoreError::Unexpected(anyhow::anyhow!("contact {id} has an invalid {field}"))
}

pub(crate) fn channels_json(channels: &[Channel]) -> String {
    Value::Array(
        channels
            .iter()
            .map(|channel| {
                json!({
                    "type": channel.kind.as_str(),
                    "value": channel.value,
                    "label": channel.label.as_str(),
                    "preferred": channel.preferred,
                })
            })
            .collect(),
    )
    .to_string()
}

pub(crate) fn channels_of(text: &str) -> Option<Vec<Channel>> {
    let Value::Array(items) = serde_json::from_str::<Value>(text).ok()? else {
        return None;
    };
    items
        .iter()
        .map(|item| {
            Some(Channel {
                kind: item.get("type")?.as_str()?.parse::<ChannelType>().ok()?,
                value: item.get("value")?.as_str()?.to_owned(),
                label: ChannelLabel::parse(item.get("label")?.as_str()?).ok()?,
                preferred: item.get("preferred")?.as_bool()?,
            })
        })
        .collect()
}

pub(crate) fn to_contact(row: &contacts::Model) -> Result<Contact, StoreError> {
    let bad = |field| corrupt(row.id, field);
    Ok(Contact {
        id: ContactId(row.id),
        owner: AccountId(row.account_id),
        details: ContactDetails {
            name: ContactName::parse(&row.name).map_err(|_| bad("name"))?,
            kind: row.kind.parse::<ContactKind>().map_err(|_| bad("kind"))?,
            organisation: Organisation::parse(&row.organisation)
                .map_err(|_| bad("organisation"))?,
            channels: channels_of(&row.channels).ok_or_else(|| bad("channels"))?,
            preferred_method: row
                .preferred_method
                .as_deref()
                .map(str::parse::<ContactMethod>)
                .transpose()
                .map_err(|_| bad("preferred_method"))?,
            keep_in_touch_every_days: row
                .keep_in_touch_every_days
                .map(u16::try_from)
                .transpose()
                .map_err(|_| bad("keep_in_touch_every_days"))?,
            helpfulness: row.helpfulness.parse::<Helpfulness>().map_err(|_| bad("helpfulness"))?,
            can_help_with: CanHelpWith::parse(&row.can_help_with)
                .map_err(|_| bad("can_help_with"))?,
            crisis_contact: row.crisis_contact,
            shared_with_services: row.shared_with_services,
            knows_about_my_health: row
                .knows_about_my_health
                .parse::<KnowsAboutMyHealth>()
                .map_err(|_| bad("knows_about_my_health"))?,
            notes: ContactNotes::parse(&row.notes).map_err(|_| bad("notes"))?,
        },
        last_contacted_at: row.last_contacted_at,
        last_contacted_set: row.last_contacted_set,
        due_since: row.due_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// Writes every column that `details` decides, derived ones included.
fn set_details(
    row: &mut contacts::ActiveModel,
    details: &ContactDetails,
    last_contacted_at: Option<Instant>,
    created_at: Instant,
) {
    let name = details.name.as_str();
    let organisation = details.organisation.as_str();
    row.name = Set(name.to_owned());
    row.name_key = Set(name.to_lowercase());
    row.search_text = Set(format!("{}\n{}", name.to_lowercase(), organisation.to_lowercase()));
    row.kind = Set(details.kind.as_str().to_owned());
    row.organisation = Set(organisation.to_owned());
    row.channels = Set(channels_json(&details.channels));
    row.preferred_method = Set(details.preferred_method.map(|method| method.as_str().to_owned()));
    row.keep_in_touch_every_days = Set(details.keep_in_touch_every_days.map(i32::from));
    row.last_contacted_at = Set(last_contacted_at);
    row.due_at = Set(due_since(details, last_contacted_at, created_at));
    row.helpfulness = Set(details.helpfulness.as_str().to_owned());
    row.can_help_with = Set(details.can_help_with.as_str().to_owned());
    row.crisis_contact = Set(details.crisis_contact);
    row.shared_with_services = Set(details.shared_with_services);
    row.knows_about_my_health = Set(details.knows_about_my_health.as_str().to_owned());
    row.notes = Set(details.notes.as_str().to_owned());
}

/// Takes the owner's row lock, so that counting and inserting their contacts happen
/// one writer at a time on both databases.
async fn lock_account(
    connection: &impl ConnectionTrait,
    owner: AccountId,
) -> Result<bool, StoreError> {
    Ok(accounts::Entity::update_many()
        .col_expr(accounts::Column::Id, Expr::col(accounts::Column::Id))
        .filter(accounts::Column::Id.eq(owner.0))
        .exec(connection)
        .await
        .map_err(store_error)?
        .rows_affected
        > 0)
}

/// The owner's contact row, locked for the rest of the transaction (a no-op write
/// takes the row lock on both databases).
async fn lock_contact(
    connection: &impl ConnectionTrait,
    owner: AccountId,
    id: ContactId,
) -> Result<Option<contacts::Model>, StoreError> {
    locked_owned_row::<contacts::Entity>(
        connection,
        (contacts::Column::Id, id.0),
        (contacts::Column::AccountId, owner),
        contacts::Column::Version,
    )
    .await
}

/// Works out `last_contacted_at` and `due_at` again from the interactions and the
/// value set directly, and gives the contact a new version.
async fn refresh_last_contacted(
    connection: &impl ConnectionTrait,
    row: &contacts::Model,
    now: Instant,
) -> Result<contacts::Model, StoreError> {
    let newest = contact_interactions::Entity::find()
        .filter(contact_interactions::Column::ContactId.eq(row.id))
        .order_by_desc(contact_interactions::Column::At)
        .one(connection)
        .await
        .map_err(store_error)?
        .map(|interaction| interaction.at);
    let last = last_contacted(newest, row.last_contacted_set);
    let details = to_contact(row)?.details;
    contacts::Entity::update_many()
        .col_expr(contacts::Column::LastContactedAt, Expr::value(last))
        .col_expr(contacts::Column::DueAt, Expr::value(due_since(&details, last, row.created_at)))
        .col_expr(contacts::Column::Version, Expr::col(contacts::Column::Version).add(1))
        .col_expr(contacts::Column::UpdatedAt, Expr::value(now))
        .filter(contacts::Column::Id.eq(row.id))
        .exec(connection)
        .await
        .map_err(store_error)?;
    contacts::Entity::find_by_id(row.id)
        .one(connection)
        .await
        .map_err(store_error)?
        .ok_or_else(|| corrupt(row.id, "row (it vanished while locked)"))
}

/// The journal's word for a contact row just written.
fn contact_updated(row: &contacts::Model) -> Change {
    Change::updated(ResourceType::Contact, row.id, Some(row.version))
}

/// Rewrites `goals`' `supporter_ids` from their links and gives each a new version,
/// answering the journal's word for each goal changed.
async fn refresh_goal_supporters(
    connection: &impl ConnectionTrait,
    goal_ids: &[uuid::Uuid],
    now: Instant,
) -> Result<Vec<Change>, StoreError> {
    let mut changed = Vec::with_capacity(goal_ids.len());
    for goal in goal_ids {
        // The new version is written first: it takes the goal's row lock, so the links
        // read next are the latest, and a racing link change waits for this one.
        let touched = goals::Entity::update_many()
            .col_expr(goals::Column::Version, Expr::col(goals::Column::Version).add(1))
            .col_expr(goals::Column::UpdatedAt, Expr::value(now))
            .filter(goals::Column::Id.eq(*goal))
            .exec_with_returning(connection)
            .await
            .map_err(store_error)?;
        changed.extend(
            touched
                .iter()
                .map(|row| Change::updated(ResourceType::Goal, row.id, Some(row.version))),
        );
        let ids: Vec<String> = goal_supporters::Entity::find()
            .filter(goal_supporters::Column::GoalId.eq(*goal))
            .order_by_asc(goal_supporters::Column::CreatedAt)
            .order_by_asc(goal_supporters::Column::ContactId)
            .all(connection)
            .await
            .map_err(store_error)?
            .iter()
            .map(|link| link.contact_id.to_string())
            .collect();
        goals::Entity::update_many()
            .col_expr(goals::Column::SupporterIds, Expr::value(ids.join(",")))
            .filter(goals::Column::Id.eq(*goal))
            .exec(connection)
            .await
            .map_err(store_error)?;
    }
    Ok(changed)
}

impl SqlContactStore {
    async fn row(
        &self,
        owner: AccountId,
        id: ContactId,
    ) -> Result<Option<contacts::Model>, StoreError> {
        owned_row::<contacts::Entity>(&self.connection, id.0, contacts::Column::AccountId, owner)
            .await
    }

    async fn owns_goal(&self, owner: AccountId, goal: GoalId) -> Result<bool, StoreError> {
        Ok(goals::Entity::find_by_id(goal.0)
            .filter(goals::Column::AccountId.eq(owner.0))
            .count(&self.connection)
            .await
            .map_err(store_error)?
            > 0)
    }

    /// One attempt at [`ContactStore::update`]: `Ok(None)` when another writer changed
    /// the contact between the read and the write.
    async fn update_once(
        &self,
        transaction: WriteTransaction,
        current: &contacts::Model,
        changes: &ContactChanges,
        actor: Actor,
        now: Instant,
    ) -> Result<Option<Contact>, ContactWriteError> {
        let contact = to_contact(current)?;
        let details = changes.apply_to(&contact.details);
        let last_set = changes.last_contacted_set.unwrap_or(contact.last_contacted_set);
        // Writing first takes the row lock (and SQLite's write lock) before anything is
        // read, and fails at once if another writer got there first.
        let locked = contacts::Entity::update_many()
            .col_expr(contacts::Column::Version, Expr::col(contacts::Column::Version))
            .filter(contacts::Column::Id.eq(current.id))
            .filter(contacts::Column::AccountId.eq(current.account_id))
            .filter(contacts::Column::Version.eq(current.version))
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        if locked == 0 {
            return Ok(None);
        }
        let newest = contact_interactions::Entity::find()
            .filter(contact_interactions::Column::ContactId.eq(current.id))
            .order_by_desc(contact_interactions::Column::At)
            .one(&transaction)
            .await
            .map_err(store_error)?
            .map(|interaction| interaction.at);
        let mut update = contacts::ActiveModel::default();
        set_details(&mut update, &details, last_contacted(newest, last_set), current.created_at);
        update.last_contacted_set = Set(last_set);
        update.version = Set(current.version + 1);
        update.updated_at = Set(now);
        let changed = contacts::Entity::update_many()
            .set(update)
            .filter(contacts::Column::Id.eq(current.id))
            .filter(contacts::Column::AccountId.eq(current.account_id))
            .filter(contacts::Column::Version.eq(current.version))
            .exec_with_returning(&transaction)
            .await
            .map_err(store_error)?;
        let Some(row) = changed.into_iter().next() else {
            return Ok(None);
        };
        let acting = Acting { owner: AccountId(row.account_id), actor };
        self.journal.commit(transaction, acting, now, &[contact_updated(&row)]).await?;
        Ok(Some(to_contact(&row)?))
    }

    async fn delete_once(
        &self,
        acting: Acting,
        id: ContactId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Result<(), ContactWriteError>, StoreError> {
        let owner = acting.owner;
        let transaction = self.writes.begin().await?;
        let Some(row) = lock_contact(&transaction, owner, id).await? else {
            return Ok(Err(ContactWriteError::NotFound));
        };
        if expected_version.is_some_and(|expected| expected != row.version) {
            return Ok(Err(ContactWriteError::PreconditionFailed));
        }
        // The contact is locked as a row that is going (FOR UPDATE), before anything
        // else: a share being made for it right now holds a key-share lock on it until
        // it commits, so it is waited for and its deletion journalled below, and a
        // share begun after this waits and then finds no contact.
        if transaction.get_database_backend() == DbBackend::Postgres {
            contacts::Entity::find_by_id(id.0)
                .lock_exclusive()
                .one(&transaction)
                .await
                .map_err(store_error)?;
        }
        let mut supported: Vec<uuid::Uuid> = goal_supporters::Entity::find()
            .filter(goal_supporters::Column::ContactId.eq(id.0))
            .all(&transaction)
            .await
            .map_err(store_error)?
            .iter()
            .map(|link| link.goal_id)
            .collect();
        supported.sort_unstable();
        supported.dedup();
        // Locks go contact, then goals (in id order), then links, as in every other
        // supporter write: on PostgreSQL the goals are locked before the deletion
        // cascades to their links, so two such writes never wait on each other in a
        // circle. SQLite has one writer.
        if transaction.get_database_backend() == DbBackend::Postgres && !supported.is_empty() {
            goals::Entity::find()
                .filter(goals::Column::Id.is_in(supported.iter().copied()))
                .order_by_asc(goals::Column::Id)
                .lock_exclusive()
                .all(&transaction)
                .await
                .map_err(store_error)?;
        }
        // What the person shared with this contact ends with it: journalled, so the
        // apps that sync know.
        let ended_shares: Vec<Change> = shares::Entity::find()
            .filter(shares::Column::ContactId.eq(id.0))
            .all(&transaction)
            .await
            .map_err(store_error)?
            .iter()
            .map(|share| Change::deleted(ResourceType::Share, share.id))
            .collect();
        // Interactions, links and shares go with the contact (ON DELETE CASCADE).
        contacts::Entity::delete_by_id(id.0).exec(&transaction).await.map_err(store_error)?;
        let mut changes = refresh_goal_supporters(&transaction, &supported, now).await?;
        changes.extend(ended_shares);
        changes.push(Change::deleted(ResourceType::Contact, id.0));
        self.journal.commit(transaction, acting, now, &changes).await?;
        Ok(Ok(()))
    }
}

#[async_trait]
impl ContactStore for SqlContactStore {
    async fn create(
        &self,
        acting: Acting,
        contacts: Vec<NewContact>,
        now: Instant,
    ) -> Result<Vec<Contact>, ContactWriteError> {
        let owner = acting.owner;
        let transaction = self.writes.begin().await?;
        if !lock_account(&transaction, owner).await? {
            return Err(ContactWriteError::NotFound);
        }
        let existing = contacts::Entity::find()
            .filter(contacts::Column::AccountId.eq(owner.0))
            .count(&transaction)
            .await
            .map_err(store_error)?;
        if existing.saturating_add(contacts.len() as u64) > MAX_CONTACTS_PER_PERSON as u64 {
            return Err(ContactWriteError::TooMany);
        }
        let mut created = Vec::with_capacity(contacts.len());
        for contact in contacts {
            let mut row = contacts::ActiveModel {
                id: Set(waymark_domain::id::new_id()),
                account_id: Set(owner.0),
                last_contacted_set: Set(contact.last_contacted_at),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            };
            set_details(&mut row, &contact.details, contact.last_contacted_at, now);
            let inserted = contacts::Entity::insert(row)
                .exec_with_returning(&transaction)
                .await
                .map_err(store_error)?;
            created.push(inserted);
        }
        let changes: Vec<Change> = created
            .iter()
            .map(|row| Change::created(ResourceType::Contact, row.id, Some(row.version)))
            .collect();
        self.journal.commit(transaction, acting, now, &changes).await?;
        let created = created.iter().map(to_contact).collect::<Result<_, _>>()?;
        Ok(created)
    }

    async fn get(&self, owner: AccountId, id: ContactId) -> Result<Option<Contact>, StoreError> {
        self.row(owner, id).await?.as_ref().map(to_contact).transpose()
    }

    async fn list(&self, owner: AccountId, query: ContactQuery) -> Result<ContactPage, StoreError> {
        let mut select = contacts::Entity::find().filter(contacts::Column::AccountId.eq(owner.0));
        if let Some(kind) = query.kind {
            select = select.filter(contacts::Column::Kind.eq(kind.as_str()));
        }
        if let Some(helpfulness) = query.helpfulness {
            select = select.filter(contacts::Column::Helpfulness.eq(helpfulness.as_str()));
        }
        if let Some(crisis) = query.crisis_contact {
            select = select.filter(contacts::Column::CrisisContact.eq(crisis));
        }
        if let Some(shared) = query.shared_with_services {
            select = select.filter(contacts::Column::SharedWithServices.eq(shared));
        }
        if let Some(text) = query.text.as_deref() {
            select =
                select.filter(Expr::col(contacts::Column::SearchText).like(contains_pattern(text)));
        }
        let key = if let Some(due_by) = query.due_by {
            select = select
                .filter(contacts::Column::DueAt.is_not_null())
                .filter(contacts::Column::DueAt.lte(due_by));
            contacts::Column::DueAt
        } else {
            contacts::Column::NameKey
        };
        let after = match (&query.after, query.due_by.is_some()) {
            (None, _) => None,
            (Some(ContactPosition::Name { name_key, id }), false) => {
                Some((name_key.as_str().into(), id.0.into()))
            }
            (Some(ContactPosition::Due { due_since, id }), true) => {
                Some(((*due_since).into(), id.0.into()))
            }
            (Some(_), _) => {
                return Err(StoreError::Unexpected(anyhow::anyhow!(
                    "a contact position from a list in another order"
                )));
            }
        };
        let columns = (key, contacts::Column::Id);
        let (rows, has_more) =
            keyset_page(&self.connection, select, Ascending, columns, after, query.limit).await?;
        Ok(ContactPage {
            contacts: rows.iter().map(to_contact).collect::<Result<_, _>>()?,
            has_more,
        })
    }

    async fn all(&self, owner: AccountId, crisis_only: bool) -> Result<Vec<Contact>, StoreError> {
        let mut select = contacts::Entity::find().filter(contacts::Column::AccountId.eq(owner.0));
        if crisis_only {
            select = select.filter(contacts::Column::CrisisContact.eq(true));
        }
        select
            .order_by_asc(contacts::Column::NameKey)
            .order_by_asc(contacts::Column::Id)
            .limit(MAX_CONTACTS_PER_PERSON as u64)
            .all(&self.connection)
            .await
            .map_err(store_error)?
            .iter()
            .map(to_contact)
            .collect()
    }

    async fn update(
        &self,
        acting: Acting,
        id: ContactId,
        changes: ContactChanges,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Contact, ContactWriteError> {
        let owner = acting.owner;
        for _ in 0..UPDATE_ATTEMPTS {
            // Read inside the write: the read pool does not see the writes released
            // earlier in the same SQLite batch.
            let transaction = self.writes.begin().await?;
            let current = owned_row::<contacts::Entity>(
                &transaction,
                id.0,
                contacts::Column::AccountId,
                owner,
            )
            .await?
            .ok_or(ContactWriteError::NotFound)?;
            if expected_version.is_some_and(|expected| expected != current.version) {
                return Err(ContactWriteError::PreconditionFailed);
            }
            if let Some(contact) =
                self.update_once(transaction, &current, &changes, acting.actor, now).await?
            {
                return Ok(contact);
            }
            if expected_version.is_some() {
                return Err(ContactWriteError::PreconditionFailed);
            }
        }
        Err(ContactWriteError::Busy)
    }

    async fn delete(
        &self,
        acting: Acting,
        id: ContactId,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<(), ContactWriteError> {
        retrying_conflicts(|| self.delete_once(acting, id, expected_version, now)).await?
    }
}
