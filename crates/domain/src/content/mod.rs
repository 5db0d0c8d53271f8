//! Content: articles and recovery stories that organisations publish for people in
//! recovery, syndicated to other apps and sites.

pub mod article;
pub mod draft;
pub mod markdown;
pub mod ports;
pub mod service;
pub mod service_draft;

pub use article::{
    Article, ArticleChanges, ArticleId, ArticleKind, ArticleStatus, ArticleText, ArticleTitle,
    AuthorName, BodyMarkdown, Change, ChangeKind, ContentNotes, Licence, MAX_TOPICS, Revision,
    Slug, Source, Summary, Topic,
};
