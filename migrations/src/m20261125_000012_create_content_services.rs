//! The support-service directory, `content_services`.
//!
//! `channels`, `opening_hours` (`NULL` when unknown) and `languages` are JSON; `lat`
//! and `lon` are `NULL` for services without a place. `name_key` (the lower-cased
//! name) orders lists; `search_text` (name, description and area, lower-cased) is
//! searched with LIKE. `idx_content_services_place (status, lat, lon)` serves the
//! bounding-box prefilter of `near=`; `idx_content_services_name (status, name_key)`
//! the lists by name.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let text = |column: ContentServices, length: u32| {
            ColumnDef::new(column).string_len(length).not_null().to_owned()
        };
        let long_text =
            |column: ContentServices| ColumnDef::new(column).text().not_null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(ContentServices::Table)
                    .col(ColumnDef::new(ContentServices::Id).uuid().not_null().primary_key())
                    .col(text(ContentServices::Slug, 120).unique_key().to_owned())
                    .col(text(ContentServices::Name, 200))
                    .col(long_text(ContentServices::NameKey))
                    .col(long_text(ContentServices::SearchText))
                    .col(text(ContentServices::Kind, 32))
                    .col(long_text(ContentServices::Description))
                    .col(long_text(ContentServices::Channels))
                    .col(ColumnDef::new(ContentServices::OpeningHours).text().null())
                    .col(text(ContentServices::Area, 200))
                    .col(ColumnDef::new(ContentServices::Lat).double().null())
                    .col(ColumnDef::new(ContentServices::Lon).double().null())
                    .col(ColumnDef::new(ContentServices::OnlineOnly).boolean().not_null())
                    .col(text(ContentServices::Cost, 16))
                    .col(long_text(ContentServices::Languages))
                    .col(long_text(ContentServices::Eligibility))
                    .col(ColumnDef::new(ContentServices::LastVerified).date().null())
                    .col(ColumnDef::new(ContentServices::CrisisLine).boolean().not_null())
                    .col(ColumnDef::new(ContentServices::Country).string_len(2).null())
                    .col(text(ContentServices::Status, 16))
                    .col(
                        ColumnDef::new(ContentServices::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ContentServices::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ContentServices::Version).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_content_services_place")
                    .table(ContentServices::Table)
                    .col(ContentServices::Status)
                    .col(ContentServices::Lat)
                    .col(ContentServices::Lon)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_content_services_name")
                    .table(ContentServices::Table)
                    .col(ContentServices::Status)
                    .col(ContentServices::NameKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ContentServices::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ContentServices {
    Table,
    Id,
    Slug,
    Name,
    NameKey,
    SearchText,
    Kind,
    Description,
    Channels,
    OpeningHours,
    Area,
    Lat,
    Lon,
    OnlineOnly,
    Cost,
    Languages,
    Eligibility,
    LastVerified,
    CrisisLine,
    Country,
    Status,
    CreatedAt,
    UpdatedAt,
    Version,
}
