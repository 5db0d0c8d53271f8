//! Contacts (the support network), their interactions, and the goals they support.
//!
//! `contacts.channels` holds the channels as a JSON array (at most 10, always read and
//! written whole). `name_key` is the lower-cased name, the list's order;
//! `search_text` is the lower-cased name and organisation, searched with LIKE so both
//! databases match letter case alike. `last_contacted_set` is what the person set
//! directly; `last_contacted_at` is the later of it and the newest interaction;
//! `due_at` is when keeping in touch became due (`NULL` without an interval or for
//! contacts marked unhelpful). All three are written by the store in the same
//! transaction as whatever changes them.
//!
//! Indexes, and the query each serves:
//! - `idx_contacts_account_name (account_id, name_key, id)`: `GET /v1/contacts`,
//!   keyset on `(name_key, id)`.
//! - `idx_contacts_account_due (account_id, due_at, id)`: `GET /v1/contacts?due=true`,
//!   most overdue first.
//! - `idx_contact_interactions_contact (contact_id, at, id)`: a contact's
//!   interactions, newest first, and the newest one's instant.
//! - `idx_contact_interactions_account (account_id)`, `idx_goal_supporters_account
//!   (account_id)`: erasing an account.
//! - `goal_supporters` has the primary key `(goal_id, contact_id)` (one link per pair,
//!   also under racing PUTs) and `idx_goal_supporters_contact (contact_id, created_at)`
//!   for the goals a contact supports.
//!
//! `goals.supporter_ids` (added here) lists a goal's supporters' contact ids,
//! comma-separated, oldest link first: the goal's representation shows them, so the
//! store rewrites it, with a new goal version, in the transaction that changes a link.
//!
//! Every table refers to `accounts` with `ON DELETE CASCADE`; interactions and links
//! go with their contact, and links with their goal.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().not_null().to_owned()
}

fn optional_timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().null().to_owned()
}

fn cascade_to(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, columns: Vec<DynIden>) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Goals::Table)
                    .add_column(ColumnDef::new(Goals::SupporterIds).text().not_null().default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(ColumnDef::new(Contacts::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Contacts::AccountId).uuid().not_null())
                    .col(ColumnDef::new(Contacts::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Contacts::NameKey).text().not_null())
                    .col(ColumnDef::new(Contacts::SearchText).text().not_null())
                    .col(ColumnDef::new(Contacts::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Contacts::Organisation).string_len(200).not_null())
                    .col(ColumnDef::new(Contacts::Channels).text().not_null())
                    .col(ColumnDef::new(Contacts::PreferredMethod).string_len(16).null())
                    .col(ColumnDef::new(Contacts::KeepInTouchEveryDays).integer().null())
                    .col(optional_timestamp(Contacts::LastContactedSet))
                    .col(optional_timestamp(Contacts::LastContactedAt))
                    .col(optional_timestamp(Contacts::DueAt))
                    .col(ColumnDef::new(Contacts::Helpfulness).string_len(16).not_null())
                    .col(ColumnDef::new(Contacts::CanHelpWith).text().not_null())
                    .col(ColumnDef::new(Contacts::CrisisContact).boolean().not_null())
                    .col(ColumnDef::new(Contacts::KnowsAboutMyHealth).string_len(8).not_null())
                    .col(ColumnDef::new(Contacts::Notes).text().not_null())
                    .col(timestamp(Contacts::CreatedAt))
                    .col(timestamp(Contacts::UpdatedAt))
                    .col(ColumnDef::new(Contacts::Version).big_integer().not_null())
                    .foreign_key(&mut cascade_to(
                        "fk_contacts_account",
                        (Contacts::Table, Contacts::AccountId),
                        (Accounts::Table, Accounts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_contacts_account_name",
                Contacts::Table,
                vec![
                    Contacts::AccountId.into_iden(),
                    Contacts::NameKey.into_iden(),
                    Contacts::Id.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_contacts_account_due",
                Contacts::Table,
                vec![
                    Contacts::AccountId.into_iden(),
                    Contacts::DueAt.into_iden(),
                    Contacts::Id.into_iden(),
                ],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ContactInteractions::Table)
                    .col(ColumnDef::new(ContactInteractions::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ContactInteractions::ContactId).uuid().not_null())
                    .col(ColumnDef::new(ContactInteractions::AccountId).uuid().not_null())
                    .col(timestamp(ContactInteractions::At))
                    .col(ColumnDef::new(ContactInteractions::Method).string_len(16).not_null())
                    .col(ColumnDef::new(ContactInteractions::Note).text().not_null())
                    .col(ColumnDef::new(ContactInteractions::Felt).string_len(8).null())
                    .col(timestamp(ContactInteractions::CreatedAt))
                    .foreign_key(&mut cascade_to(
                        "fk_contact_interactions_contact",
                        (ContactInteractions::Table, ContactInteractions::ContactId),
                        (Contacts::Table, Contacts::Id),
                    ))
                    .foreign_key(&mut cascade_to(
                        "fk_contact_interactions_account",
                        (ContactInteractions::Table, ContactInteractions::AccountId),
                        (Accounts::Table, Accounts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_contact_interactions_contact",
                ContactInteractions::Table,
                vec![
                    ContactInteractions::ContactId.into_iden(),
                    ContactInteractions::At.into_iden(),
                    ContactInteractions::Id.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_contact_interactions_account",
                ContactInteractions::Table,
                vec![ContactInteractions::AccountId.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GoalSupporters::Table)
                    .col(ColumnDef::new(GoalSupporters::GoalId).uuid().not_null())
                    .col(ColumnDef::new(GoalSupporters::ContactId).uuid().not_null())
                    .col(ColumnDef::new(GoalSupporters::AccountId).uuid().not_null())
                    .col(ColumnDef::new(GoalSupporters::Role).string_len(200).not_null())
                    .col(timestamp(GoalSupporters::CreatedAt))
                    .primary_key(
                        Index::create().col(GoalSupporters::GoalId).col(GoalSupporters::ContactId),
                    )
                    .foreign_key(&mut cascade_to(
                        "fk_goal_supporters_goal",
                        (GoalSupporters::Table, GoalSupporters::GoalId),
                        (Goals::Table, Goals::Id),
                    ))
                    .foreign_key(&mut cascade_to(
                        "fk_goal_supporters_contact",
                        (GoalSupporters::Table, GoalSupporters::ContactId),
                        (Contacts::Table, Contacts::Id),
                    ))
                    .foreign_key(&mut cascade_to(
                        "fk_goal_supporters_account",
                        (GoalSupporters::Table, GoalSupporters::AccountId),
                        (Accounts::Table, Accounts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_goal_supporters_contact",
                GoalSupporters::Table,
                vec![GoalSupporters::ContactId.into_iden(), GoalSupporters::CreatedAt.into_iden()],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_goal_supporters_account",
                GoalSupporters::Table,
                vec![GoalSupporters::AccountId.into_iden()],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GoalSupporters::Table.into_iden(),
            ContactInteractions::Table.into_iden(),
            Contacts::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter().table(Goals::Table).drop_column(Goals::SupporterIds).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Goals {
    Table,
    Id,
    SupporterIds,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    AccountId,
    Name,
    NameKey,
    SearchText,
    Kind,
    Organisation,
    Channels,
    PreferredMethod,
    KeepInTouchEveryDays,
    LastContactedSet,
    LastContactedAt,
    DueAt,
    Helpfulness,
    CanHelpWith,
    CrisisContact,
    KnowsAboutMyHealth,
    Notes,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ContactInteractions {
    Table,
    Id,
    ContactId,
    AccountId,
    At,
    Method,
    Note,
    Felt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GoalSupporters {
    Table,
    GoalId,
    ContactId,
    AccountId,
    Role,
    CreatedAt,
}
