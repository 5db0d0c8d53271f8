//! `/v1/content`: the public catalogue of recovery articles and stories, written by
//! editors and syndicated to partners' apps and sites.

mod access;
mod articles;
mod changes;
mod representation;

pub(crate) use articles::{
    archive_article, create_article, delete_article, get_article, get_article_revision,
    list_article_revisions, list_articles, publish_article, update_article,
};
pub(crate) use changes::list_content_changes;
