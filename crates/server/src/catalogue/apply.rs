//! Applying a checked catalogue to the store: create what is new, change what
//! differs, leave what is the same, so applying it twice changes nothing.

use waymark_domain::content::ports::{ArticleWriteError, ServiceWriteError};
use waymark_domain::content::{ArticleChanges, ArticleStatus};
use waymark_domain::ports::StoragePorts;
use waymark_domain::ports::StoreError;

use super::files::Catalogue;

/// What applying a catalogue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Entries that were new.
    pub created: usize,
    /// Entries whose text, details or status changed.
    pub updated: usize,
    /// Entries that were already as the catalogue says.
    pub unchanged: usize,
}

fn article_error(error: ArticleWriteError) -> StoreError {
    match error {
        ArticleWriteError::Store(store) => store,
        other => StoreError::Unexpected(anyhow::anyhow!("{other}")),
    }
}

fn service_error(error: ServiceWriteError) -> StoreError {
    match error {
        ServiceWriteError::Store(store) => store,
        other => StoreError::Unexpected(anyhow::anyhow!("{other}")),
    }
}

/// Upserts every entry, calling `progress(done, total)` after each.
///
/// # Errors
/// [`StoreError`] when storage fails part way (what was applied stays applied, and
/// applying again finishes the job).
pub async fn apply(
    ports: &StoragePorts,
    catalogue: &Catalogue,
    mut progress: impl FnMut(usize, usize),
) -> Result<Summary, StoreError> {
    let total = catalogue.articles.len() + catalogue.services.len();
    let mut summary = Summary::default();
    let mut done = 0;
    for entry in &catalogue.articles {
        let now = waymark_domain::time::now();
        let (status, mut changed, created) =
            match ports.articles.article_for_update(&entry.locale, &entry.slug).await? {
                Some(article) if article.text == entry.text => (article.status, false, false),
                Some(article) => {
                    let text = &entry.text;
                    let changes = ArticleChanges {
                        kind: Some(text.kind),
                        title: Some(text.title.clone()),
                        summary: Some(text.summary.clone()),
                        body_markdown: Some(text.body_markdown.clone()),
                        topics: Some(text.topics.clone()),
                        content_notes: Some(text.content_notes.clone()),
                        author_name: Some(text.author_name.clone()),
                        source: Some(text.source.clone()),
                        licence: Some(text.licence.clone()),
                        last_reviewed: Some(text.last_reviewed),
                        next_review: Some(text.next_review),
                    };
                    ports
                        .articles
                        .update_article(&entry.locale, &entry.slug, changes, None, now)
                        .await
                        .map_err(article_error)?;
                    (article.status, true, false)
                }
                None => {
                    ports
                        .articles
                        .create_article(
                            entry.locale.clone(),
                            entry.slug.clone(),
                            entry.text.clone(),
                            now,
                        )
                        .await
                        .map_err(article_error)?;
                    (ArticleStatus::Draft, false, true)
                }
            };
        let steps: &[ArticleStatus] = match (status, entry.status) {
            (ArticleStatus::Draft | ArticleStatus::Archived, ArticleStatus::Published) => {
                &[ArticleStatus::Published]
            }
            (ArticleStatus::Draft, ArticleStatus::Archived) => {
                &[ArticleStatus::Published, ArticleStatus::Archived]
            }
            (ArticleStatus::Published, ArticleStatus::Archived) => &[ArticleStatus::Archived],
            // A published article is never pulled back to draft by an import.
            _ => &[],
        };
        for step in steps {
            ports
                .articles
                .set_article_status(&entry.locale, &entry.slug, *step, None, now)
                .await
                .map_err(article_error)?;
            changed = true;
        }
        if created {
            summary.created += 1;
        } else if changed {
            summary.updated += 1;
        } else {
            summary.unchanged += 1;
        }
        done += 1;
        progress(done, total);
    }
    for entry in &catalogue.services {
        let now = waymark_domain::time::now();
        match ports.services.service(&entry.slug).await? {
            None => {
                ports
                    .services
                    .create_service(entry.slug.clone(), entry.details.clone(), entry.status, now)
                    .await
                    .map_err(service_error)?;
                summary.created += 1;
            }
            Some(service) if service.details == entry.details && service.status == entry.status => {
                summary.unchanged += 1;
            }
            Some(_) => {
                ports
                    .services
                    .update_service(&entry.slug, entry.details.clone(), entry.status, None, now)
                    .await
                    .map_err(service_error)?;
                summary.updated += 1;
            }
        }
        done += 1;
        progress(done, total);
    }
    Ok(summary)
}
