//! A contact's interactions in `contact_interactions`. Recording or deleting one
//! keeps the contact's derived `last_contacted_at` and `due_at` in the same
//! transaction.

use async_trait::async_trait;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use waymark_domain::acting::Acting;
use waymark_domain::contacts::ports::{
    InteractionPosition, InteractionStore, InteractionWriteError, MAX_INTERACTIONS_PER_CONTACT,
};
use waymark_domain::contacts::{
    Contact, ContactId, ContactMethod, Felt, Interaction, InteractionId, InteractionNote,
    NewInteraction,
};
use waymark_domain::identity::AccountId;
use waymark_domain::journal::{Change, ResourceType};
use waymark_domain::ports::StoreError;
use waymark_domain::time::Instant;

use super::{SqlContactStore, contact_updated, lock_contact, refresh_last_contacted, to_contact};
use crate::entities::contact_interactions;
use crate::error::store_error;
use crate::paging::{Direction::Descending, keyset_page};

pub(crate) fn to_interaction(row: &contact_interactions::Model) -> Result<Interaction, StoreError> {
    let bad = |field: &str| {
        StoreError::Unexpected(anyhow::anyhow!("interaction {} has an invalid {field}", row.id))
    };
    Ok(Interaction {
        id: InteractionId(row.id),
        contact_id: ContactId(row.contact_id),
        at: row.at,
        method: row.method.parse::<ContactMethod>().map_err(|_| bad("method"))?,
        note: InteractionNote::parse(&row.note).map_err(|_| bad("note"))?,
        felt: row.felt.as_deref().map(str::parse::<Felt>).transpose().map_err(|_| bad("felt"))?,
        created_at: row.created_at,
    })
}

#[async_trait]
impl InteractionStore for SqlContactStore {
    async fn add_interaction(
        &self,
        acting: Acting,
        contact: ContactId,
        interaction: NewInteraction,
        now: Instant,
    ) -> Result<(Interaction, Contact), InteractionWriteError> {
        let owner = acting.owner;
        let transaction = self.writes.begin().await?;
        let row = lock_contact(&transaction, owner, contact)
            .await?
            .ok_or(InteractionWriteError::NotFound)?;
        let existing = contact_interactions::Entity::find()
            .filter(contact_interactions::Column::ContactId.eq(contact.0))
            .count(&transaction)
            .await
            .map_err(store_error)?;
        if existing >= MAX_INTERACTIONS_PER_CONTACT as u64 {
            return Err(InteractionWriteError::TooMany);
        }
        let inserted = contact_interactions::Entity::insert(contact_interactions::ActiveModel {
            id: Set(waymark_domain::id::new_id()),
            contact_id: Set(contact.0),
            account_id: Set(owner.0),
            at: Set(interaction.at),
            method: Set(interaction.method.as_str().to_owned()),
            note: Set(interaction.note.as_str().to_owned()),
            felt: Set(interaction.felt.map(|felt| felt.as_str().to_owned())),
            created_at: Set(now),
        })
        .exec_with_returning(&transaction)
        .await
        .map_err(store_error)?;
        let updated = refresh_last_contacted(&transaction, &row, now).await?;
        let changes = [
            Change::created(ResourceType::ContactInteraction, inserted.id, None),
            contact_updated(&updated),
        ];
        self.journal.commit(transaction, acting, now, &changes).await?;
        Ok((to_interaction(&inserted)?, to_contact(&updated)?))
    }

    async fn interactions(
        &self,
        owner: AccountId,
        contact: ContactId,
        after: Option<InteractionPosition>,
        limit: u64,
    ) -> Result<Option<(Vec<Interaction>, bool)>, StoreError> {
        if self.row(owner, contact).await?.is_none() {
            return Ok(None);
        }
        let select = contact_interactions::Entity::find()
            .filter(contact_interactions::Column::ContactId.eq(contact.0))
            .filter(contact_interactions::Column::AccountId.eq(owner.0));
        let columns = (contact_interactions::Column::At, contact_interactions::Column::Id);
        let after = after.map(|after| (after.at.into(), after.id.0.into()));
        let (rows, has_more) =
            keyset_page(&self.connection, select, Descending, columns, after, limit).await?;
        let interactions = rows.iter().map(to_interaction).collect::<Result<_, _>>()?;
        Ok(Some((interactions, has_more)))
    }

    async fn get_interaction(
        &self,
        owner: AccountId,
        contact: ContactId,
        id: InteractionId,
    ) -> Result<Option<Interaction>, StoreError> {
        contact_interactions::Entity::find_by_id(id.0)
            .filter(contact_interactions::Column::ContactId.eq(contact.0))
            .filter(contact_interactions::Column::AccountId.eq(owner.0))
            .one(&self.connection)
            .await
            .map_err(store_error)?
            .as_ref()
            .map(to_interaction)
            .transpose()
    }

    async fn delete_interaction(
        &self,
        acting: Acting,
        contact: ContactId,
        id: InteractionId,
        now: Instant,
    ) -> Result<(), InteractionWriteError> {
        let owner = acting.owner;
        let transaction = self.writes.begin().await?;
        let row = lock_contact(&transaction, owner, contact)
            .await?
            .ok_or(InteractionWriteError::NotFound)?;
        let deleted = contact_interactions::Entity::delete_many()
            .filter(contact_interactions::Column::Id.eq(id.0))
            .filter(contact_interactions::Column::ContactId.eq(contact.0))
            .filter(contact_interactions::Column::AccountId.eq(owner.0))
            .exec(&transaction)
            .await
            .map_err(store_error)?
            .rows_affected;
        if deleted == 0 {
            return Err(InteractionWriteError::NotFound);
        }
        let updated = refresh_last_contacted(&transaction, &row, now).await?;
        let changes =
            [Change::deleted(ResourceType::ContactInteraction, id.0), contact_updated(&updated)];
        self.journal.commit(transaction, acting, now, &changes).await?;
        Ok(())
    }
}
