//! Where to turn in a crisis: the published crisis lines that serve a locale, and
//! guidance on the crisis topic in it.

use waymark_domain::content::ports::{ArticleQuery, ServiceQuery};
use waymark_domain::content::service::Service;
use waymark_domain::content::{Article, ArticleStatus, Topic};
use waymark_domain::identity::Locale;
use waymark_domain::ports::{StoragePorts, StoreError};

/// The most guidance articles the crisis answer lists.
pub const GUIDANCE_LISTED: u64 = 10;

/// The crisis services and guidance for one locale.
#[derive(Debug, Clone)]
pub struct CrisisAnswer {
    /// Published crisis lines for the locale's country and language.
    pub services: Vec<Service>,
    /// Published articles on the `crisis` topic in the locale.
    pub guidance: Vec<Article>,
}

/// The crisis answer for `locale`, read from storage.
///
/// # Errors
/// [`StoreError`] when storage fails (callers fall back to what they remember).
pub async fn lines(ports: &StoragePorts, locale: &Locale) -> Result<CrisisAnswer, StoreError> {
    let services = ports
        .services
        .services(ServiceQuery {
            statuses: vec![ArticleStatus::Published],
            kind: None,
            text: None,
            crisis_only: true,
            within: None,
        })
        .await?
        .into_iter()
        .filter(|service| service.is_crisis_line_for(locale))
        .collect();
    let guidance = ports
        .articles
        .articles(ArticleQuery {
            statuses: vec![ArticleStatus::Published],
            locale: Some(locale.clone()),
            kind: None,
            topic: Some(Topic::Crisis),
            review_due_by: None,
            search: None,
            after: None,
            limit: GUIDANCE_LISTED,
        })
        .await?
        .articles
        .into_iter()
        .map(|(article, _)| article)
        .collect();
    Ok(CrisisAnswer { services, guidance })
}
