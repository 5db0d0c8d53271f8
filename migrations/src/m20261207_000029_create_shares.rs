//! Sharing with supporters (issue 18): `shares` (what a person shares with whom, and
//! the digest of its invitation) and `encouragements` (what supporters sent).
//!
//! Both go with the person's account. Deleting the contact a share is for ends the
//! share. A supporter's account erased: their shares stay in the person's list as
//! ended (`supporter_account_id` set to NULL), and the encouragement they wrote goes.
//! A share ended by the person keeps the encouragement it brought (`share_id` NULL).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Shares::Table)
                    .col(ColumnDef::new(Shares::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Shares::AccountId).uuid().not_null())
                    .col(ColumnDef::new(Shares::ContactId).uuid().not_null())
                    .col(ColumnDef::new(Shares::Goals).text().not_null())
                    .col(ColumnDef::new(Shares::RoutinesSummary).boolean().not_null())
                    .col(ColumnDef::new(Shares::EncouragementAllowed).boolean().not_null())
                    .col(ColumnDef::new(Shares::Paused).boolean().not_null())
                    .col(ColumnDef::new(Shares::ExpiresAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Shares::InvitationDigest).string_len(64).null())
                    .col(
                        ColumnDef::new(Shares::InvitationExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Shares::SupporterAccountId).uuid().null())
                    .col(ColumnDef::new(Shares::AcceptedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Shares::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Shares::UpdatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Shares::Version).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shares_account")
                            .from(Shares::Table, Shares::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shares_contact")
                            .from(Shares::Table, Shares::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shares_supporter")
                            .from(Shares::Table, Shares::SupporterAccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_shares_account_created", [Shares::AccountId, Shares::CreatedAt, Shares::Id]),
            (
                "idx_shares_supporter_created",
                [Shares::SupporterAccountId, Shares::CreatedAt, Shares::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Shares::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_shares_invitation")
                    .table(Shares::Table)
                    .col(Shares::InvitationDigest)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shares_contact")
                    .table(Shares::Table)
                    .col(Shares::ContactId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Encouragements::Table)
                    .col(ColumnDef::new(Encouragements::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Encouragements::AccountId).uuid().not_null())
                    .col(ColumnDef::new(Encouragements::GoalId).uuid().not_null())
                    .col(ColumnDef::new(Encouragements::ShareId).uuid().null())
                    .col(ColumnDef::new(Encouragements::SupporterAccountId).uuid().not_null())
                    .col(ColumnDef::new(Encouragements::Message).text().not_null())
                    .col(ColumnDef::new(Encouragements::Hidden).boolean().not_null())
                    .col(
                        ColumnDef::new(Encouragements::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Encouragements::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Encouragements::Version).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_encouragements_account")
                            .from(Encouragements::Table, Encouragements::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_encouragements_goal")
                            .from(Encouragements::Table, Encouragements::GoalId)
                            .to(Goals::Table, Goals::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_encouragements_share")
                            .from(Encouragements::Table, Encouragements::ShareId)
                            .to(Shares::Table, Shares::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_encouragements_supporter")
                            .from(Encouragements::Table, Encouragements::SupporterAccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_encouragements_goal_created",
                vec![Encouragements::GoalId, Encouragements::CreatedAt, Encouragements::Id],
            ),
            (
                "idx_encouragements_supporter_goal",
                vec![
                    Encouragements::SupporterAccountId,
                    Encouragements::GoalId,
                    Encouragements::CreatedAt,
                ],
            ),
            ("idx_encouragements_account", vec![Encouragements::AccountId]),
            ("idx_encouragements_share", vec![Encouragements::ShareId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Encouragements::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Encouragements::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Shares::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Shares {
    Table,
    Id,
    AccountId,
    ContactId,
    Goals,
    RoutinesSummary,
    EncouragementAllowed,
    Paused,
    ExpiresAt,
    InvitationDigest,
    InvitationExpiresAt,
    SupporterAccountId,
    AcceptedAt,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Encouragements {
    Table,
    Id,
    AccountId,
    GoalId,
    ShareId,
    SupporterAccountId,
    Message,
    Hidden,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Goals {
    Table,
    Id,
}
