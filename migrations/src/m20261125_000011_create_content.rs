//! The content catalogue: articles and stories, their published revisions, and the
//! changes feed partners mirror the catalogue from.
//!
//! - `content_articles`: the current text of each article; `(locale, slug)` is unique.
//!   `topics` is stored as `,a,b,` so one topic is found with LIKE `%,a,%`.
//!   `search_key` is a small integer naming the article in the full-text index.
//! - `content_revisions`: an immutable copy of the text each time it went public,
//!   numbered from 1 per article.
//! - `content_changes`: the feed. `sequence` comes from the one row of `content_feed`,
//!   which every content write updates first: writes take its lock in turn, so
//!   sequence order is commit order and a reader never sees a later number before an
//!   earlier one commits.
//!
//! Full-text search: on PostgreSQL a stored `tsvector` (title weighted A, summary B,
//! body C, English stemming) with a GIN index; on SQLite an FTS5 table (Porter
//! stemming) kept in step by triggers, ranked with bm25 weighting the title highest.
//!
//! Indexes: `idx_content_articles_listing (status, updated_at, id)` for lists newest
//! first; the unique `(locale, slug)` for reads; the GIN or FTS5 index for search.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_SEARCH: &str = r"
ALTER TABLE content_articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
    || setweight(to_tsvector('english', coalesce(body_markdown, '')), 'C')
) STORED;
CREATE INDEX idx_content_articles_search ON content_articles USING GIN (search_vector);
";

const SQLITE_SEARCH: &[&str] = &[
    "CREATE VIRTUAL TABLE content_articles_fts USING fts5(title, summary, body_markdown, tokenize = 'porter unicode61')",
    "CREATE TRIGGER content_articles_fts_insert AFTER INSERT ON content_articles BEGIN
        INSERT INTO content_articles_fts (rowid, title, summary, body_markdown)
        VALUES (new.search_key, new.title, new.summary, new.body_markdown);
    END",
    "CREATE TRIGGER content_articles_fts_delete AFTER DELETE ON content_articles BEGIN
        DELETE FROM content_articles_fts WHERE rowid = old.search_key;
    END",
    "CREATE TRIGGER content_articles_fts_update AFTER UPDATE ON content_articles BEGIN
        DELETE FROM content_articles_fts WHERE rowid = old.search_key;
        INSERT INTO content_articles_fts (rowid, title, summary, body_markdown)
        VALUES (new.search_key, new.title, new.summary, new.body_markdown);
    END",
];

fn text(column: impl IntoIden, length: u32) -> ColumnDef {
    ColumnDef::new(column).string_len(length).not_null().to_owned()
}

fn long_text(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).text().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ContentArticles::Table)
                    .col(ColumnDef::new(ContentArticles::Id).uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new(ContentArticles::SearchKey)
                            .big_integer()
                            .not_null()
                            .unique_key(),
                    )
                    .col(text(ContentArticles::Locale, 35))
                    .col(text(ContentArticles::Slug, 120))
                    .col(text(ContentArticles::Kind, 16))
                    .col(text(ContentArticles::Title, 200))
                    .col(long_text(ContentArticles::Summary))
                    .col(long_text(ContentArticles::BodyMarkdown))
                    .col(text(ContentArticles::Topics, 400))
                    .col(long_text(ContentArticles::ContentNotes))
                    .col(text(ContentArticles::AuthorName, 200))
                    .col(text(ContentArticles::Source, 200))
                    .col(text(ContentArticles::Licence, 100))
                    .col(text(ContentArticles::Status, 16))
                    .col(
                        ColumnDef::new(ContentArticles::PublishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(ContentArticles::LastReviewed).date().null())
                    .col(ColumnDef::new(ContentArticles::NextReview).date().null())
                    .col(ColumnDef::new(ContentArticles::Revision).integer().not_null())
                    .col(
                        ColumnDef::new(ContentArticles::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ContentArticles::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ContentArticles::Version).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_content_articles_locale_slug")
                    .table(ContentArticles::Table)
                    .col(ContentArticles::Locale)
                    .col(ContentArticles::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_content_articles_listing")
                    .table(ContentArticles::Table)
                    .col(ContentArticles::Status)
                    .col(ContentArticles::UpdatedAt)
                    .col(ContentArticles::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ContentRevisions::Table)
                    .col(ColumnDef::new(ContentRevisions::ArticleId).uuid().not_null())
                    .col(ColumnDef::new(ContentRevisions::Number).integer().not_null())
                    .col(text(ContentRevisions::Kind, 16))
                    .col(text(ContentRevisions::Title, 200))
                    .col(long_text(ContentRevisions::Summary))
                    .col(long_text(ContentRevisions::BodyMarkdown))
                    .col(text(ContentRevisions::Topics, 400))
                    .col(long_text(ContentRevisions::ContentNotes))
                    .col(text(ContentRevisions::AuthorName, 200))
                    .col(text(ContentRevisions::Source, 200))
                    .col(text(ContentRevisions::Licence, 100))
                    .col(ColumnDef::new(ContentRevisions::LastReviewed).date().null())
                    .col(ColumnDef::new(ContentRevisions::NextReview).date().null())
                    .col(
                        ColumnDef::new(ContentRevisions::PublishedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ContentRevisions::ArticleId)
                            .col(ContentRevisions::Number),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_content_revisions_article")
                            .from(ContentRevisions::Table, ContentRevisions::ArticleId)
                            .to(ContentArticles::Table, ContentArticles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ContentChanges::Table)
                    .col(
                        ColumnDef::new(ContentChanges::Sequence)
                            .big_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ContentChanges::ArticleId).uuid().not_null())
                    .col(text(ContentChanges::Locale, 35))
                    .col(text(ContentChanges::Slug, 120))
                    .col(text(ContentChanges::Kind, 16))
                    .col(ColumnDef::new(ContentChanges::At).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContentFeed::Table)
                    .col(ColumnDef::new(ContentFeed::Id).integer().not_null().primary_key())
                    .col(ColumnDef::new(ContentFeed::LastSequence).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(ContentFeed::Table)
                    .columns([ContentFeed::Id, ContentFeed::LastSequence])
                    .values_panic([1.into(), 0.into()])
                    .to_owned(),
            )
            .await?;

        let connection = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                connection.execute_unprepared(POSTGRES_SEARCH).await.map(|_| ())
            }
            _ => {
                for statement in SQLITE_SEARCH {
                    connection.execute_unprepared(statement).await?;
                }
                Ok(())
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            for statement in [
                "DROP TRIGGER IF EXISTS content_articles_fts_insert",
                "DROP TRIGGER IF EXISTS content_articles_fts_delete",
                "DROP TRIGGER IF EXISTS content_articles_fts_update",
                "DROP TABLE IF EXISTS content_articles_fts",
            ] {
                manager.get_connection().execute_unprepared(statement).await?;
            }
        }
        for table in [
            ContentFeed::Table.into_iden(),
            ContentChanges::Table.into_iden(),
            ContentRevisions::Table.into_iden(),
            ContentArticles::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ContentArticles {
    Table,
    Id,
    SearchKey,
    Locale,
    Slug,
    Kind,
    Title,
    Summary,
    BodyMarkdown,
    Topics,
    ContentNotes,
    AuthorName,
    Source,
    Licence,
    Status,
    PublishedAt,
    LastReviewed,
    NextReview,
    Revision,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ContentRevisions {
    Table,
    ArticleId,
    Number,
    Kind,
    Title,
    Summary,
    BodyMarkdown,
    Topics,
    ContentNotes,
    AuthorName,
    Source,
    Licence,
    LastReviewed,
    NextReview,
    PublishedAt,
}

#[derive(DeriveIden)]
enum ContentChanges {
    Table,
    Sequence,
    ArticleId,
    Locale,
    Slug,
    Kind,
    At,
}

#[derive(DeriveIden)]
enum ContentFeed {
    Table,
    Id,
    LastSequence,
}
