//! `contacts.shared_with_services`: whether the person lets the health and care
//! services they connect through FHIR see a contact (as a `RelatedPerson`). Off for
//! every contact until the person turns it on.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .add_column(
                        ColumnDef::new(Contacts::SharedWithServices)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .drop_column(Contacts::SharedWithServices)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    SharedWithServices,
}
