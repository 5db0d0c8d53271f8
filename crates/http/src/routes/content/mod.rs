//! `/v1/content`: the public catalogue of recovery articles and stories, the
//! support-service directory and crisis lines, written by editors and syndicated to
//! partners' apps and sites.

mod access;
mod articles;
mod changes;
pub(crate) mod crisis;
pub(crate) mod rendered_articles;
pub(crate) mod representation;
mod services;

pub(crate) use articles::MAX_REVISIONS_LISTED;
pub(crate) use articles::{
    archive_article, create_article, delete_article, get_article, get_article_revision,
    list_article_revisions, list_articles, publish_article, update_article,
};
pub(crate) use changes::list_content_changes;
pub(crate) use crisis::{crisis_lines_page, get_crisis_lines};
pub(crate) use services::MAX_NEAR_LENGTH;
pub(crate) use services::{
    create_service, delete_service, get_service, list_services, update_service,
};
