//! The starter catalogue (`content/seed`), compiled into the binary: `waymark content
//! seed` loads it, the first start of an empty embedded database loads it, and its
//! crisis lines answer when the database cannot.

use waymark_domain::content::ArticleStatus;
use waymark_domain::content::service::{Service, ServiceId};

use super::files::read;

macro_rules! seed_files {
    ($($path:literal),+ $(,)?) => {
        /// Every file of the starter catalogue, as `(relative path, text)`.
        #[must_use]
        pub fn seed_files() -> Vec<(String, String)> {
            vec![$(($path.to_owned(), include_str!(concat!("../../../../content/seed/", $path)).to_owned())),+]
        }
    };
}

seed_files!(
    "services.yaml",
    "en-GB/building-a-routine.md",
    "en-GB/eating-well.md",
    "en-GB/exercise-and-activity.md",
    "en-GB/hope-and-acceptance.md",
    "en-GB/in-a-crisis.md",
    "en-GB/money-and-housing-worries.md",
    "en-GB/sleep-and-wellbeing.md",
    "en-GB/spirituality-and-meaning.md",
    "en-GB/story-facing-the-letters.md",
    "en-GB/story-finding-a-rhythm-again.md",
    "en-GB/story-people-who-understand.md",
    "en-GB/support-and-relationships.md",
    "en-GB/taking-back-control.md",
    "en-GB/treatment-options.md",
    "en-GB/what-recovery-means.md",
);

/// The starter catalogue's published crisis lines, for when the database cannot
/// answer. Their ids are derived from their slugs, so they are the same on every
/// instance and every start.
#[must_use]
pub fn built_in_crisis_lines() -> Vec<Service> {
    let Ok(catalogue) = read(&seed_files()) else {
        tracing::error!("the built-in catalogue does not check; no built-in crisis lines");
        return Vec::new();
    };
    let compiled = chrono::DateTime::UNIX_EPOCH;
    catalogue
        .services
        .into_iter()
        .filter(|entry| entry.details.crisis_line && entry.status == ArticleStatus::Published)
        .map(|entry| Service {
            id: ServiceId(uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_URL,
                format!("waymark:service:{}", entry.slug.as_str()).as_bytes(),
            )),
            slug: entry.slug,
            details: entry.details,
            status: entry.status,
            created_at: compiled,
            updated_at: compiled,
            version: 1,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_catalogue_checks_and_covers_what_it_must() {
        let catalogue = read(&seed_files()).unwrap_or_else(|problems| {
            panic!("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
        });
        let stories =
            catalogue.articles.iter().filter(|entry| entry.text.kind.as_str() == "story").count();
        assert!(catalogue.articles.len() - stories >= 12);
        assert!(stories >= 3);
        assert!(catalogue.services.len() >= 10);
        for topic in waymark_domain::content::Topic::ALL {
            assert!(
                catalogue.articles.iter().any(|entry| entry.text.topics.contains(topic)),
                "{topic}"
            );
        }
        let lines = built_in_crisis_lines();
        assert!(lines.iter().any(|line| line.details.name.as_str() == "Samaritans"));
    }
}
