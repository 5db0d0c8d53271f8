//! The change journal, replacing tombstones.
//!
//! - `change_journal`: one row per change to a person's data, written in the change's
//!   own transaction with `id` from an ever-growing series and no `sequence`; the
//!   person's `sequence` is given when the entry is first read. The unique index
//!   `(account_id, sequence)` is what readers page on (and finds the entries still
//!   to number); `idx_change_journal_at` serves the retention sweep.
//! - `change_journal_heads`: each person's last sequence number, locked while
//!   numbering, so numbers are handed out in order and without gaps.
//!
//! Existing tombstones become `deleted` entries, numbered per person in the order of
//! their deletion, and the `tombstones` table is dropped. Both tables go with their
//! account (ON DELETE CASCADE). `down` turns `deleted` entries back into tombstones.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChangeJournal::Table)
                    .col(
                        ColumnDef::new(ChangeJournal::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ChangeJournal::AccountId).uuid().not_null())
                    .col(ColumnDef::new(ChangeJournal::Sequence).big_integer().null())
                    .col(ColumnDef::new(ChangeJournal::ResourceType).string_len(32).not_null())
                    .col(ColumnDef::new(ChangeJournal::ResourceId).uuid().not_null())
                    .col(ColumnDef::new(ChangeJournal::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(ChangeJournal::Version).big_integer().null())
                    .col(ColumnDef::new(ChangeJournal::ActorKind).string_len(32).not_null())
                    .col(ColumnDef::new(ChangeJournal::ActorId).uuid().not_null())
                    .col(ColumnDef::new(ChangeJournal::At).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_change_journal_account")
                            .from(ChangeJournal::Table, ChangeJournal::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_journal_account_sequence")
                    .table(ChangeJournal::Table)
                    .col(ChangeJournal::AccountId)
                    .col(ChangeJournal::Sequence)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_journal_at")
                    .table(ChangeJournal::Table)
                    .col(ChangeJournal::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChangeJournalHeads::Table)
                    .col(
                        ColumnDef::new(ChangeJournalHeads::AccountId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ChangeJournalHeads::LastSequence).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_change_journal_heads_account")
                            .from(ChangeJournalHeads::Table, ChangeJournalHeads::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let connection = manager.get_connection();
        connection
            .execute_unprepared(
                "INSERT INTO change_journal \
                 (account_id, sequence, resource_type, resource_id, kind, version, actor_kind, actor_id, at) \
                 SELECT account_id, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY deleted_at, id), \
                 kind, id, 'deleted', NULL, 'person', account_id, deleted_at FROM tombstones \
                 ORDER BY account_id, deleted_at, id",
            )
            .await?;
        connection
            .execute_unprepared(
                "INSERT INTO change_journal_heads (account_id, last_sequence) \
                 SELECT account_id, MAX(sequence) FROM change_journal GROUP BY account_id",
            )
            .await?;
        manager.drop_table(Table::drop().table(Tombstones::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tombstones::Table)
                    .col(ColumnDef::new(Tombstones::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Tombstones::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Tombstones::AccountId).uuid().not_null())
                    .col(
                        ColumnDef::new(Tombstones::DeletedAt).timestamp_with_time_zone().not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tombstones_account")
                            .from(Tombstones::Table, Tombstones::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tombstones_owner_deleted")
                    .table(Tombstones::Table)
                    .col(Tombstones::AccountId)
                    .col(Tombstones::DeletedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tombstones_deleted")
                    .table(Tombstones::Table)
                    .col(Tombstones::DeletedAt)
                    .to_owned(),
            )
            .await?;
        // Only the tombstone kinds of old: goals, routines and contacts.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO tombstones (id, kind, account_id, deleted_at) \
                 SELECT resource_id, resource_type, account_id, MAX(at) FROM change_journal \
                 WHERE kind = 'deleted' AND resource_type IN ('goal', 'routine', 'contact') \
                 GROUP BY resource_id, resource_type, account_id",
            )
            .await?;
        for table in [ChangeJournalHeads::Table.into_iden(), ChangeJournal::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ChangeJournal {
    Table,
    Id,
    AccountId,
    Sequence,
    ResourceType,
    ResourceId,
    Kind,
    Version,
    ActorKind,
    ActorId,
    At,
}

#[derive(DeriveIden)]
enum ChangeJournalHeads {
    Table,
    AccountId,
    LastSequence,
}

#[derive(DeriveIden)]
enum Tombstones {
    Table,
    Id,
    Kind,
    AccountId,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}
