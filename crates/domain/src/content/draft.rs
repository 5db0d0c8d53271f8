//! An article as an editor wrote it (JSON or a Markdown file), checked field by field,
//! every problem named by its JSON pointer.

use chrono::NaiveDate;

use super::article::{
    ArticleKind, ArticleText, ArticleTitle, AuthorName, BodyMarkdown, ContentNotes, Licence,
    MAX_TOPICS, Slug, Source, Summary, Topic,
};
use crate::identity::Locale;
use crate::validation::{Problem, Problems};

/// An article as written; absent optional fields take their defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleDraft {
    /// BCP 47 (default `en-GB`).
    pub locale: Option<String>,
    /// The address within the locale.
    pub slug: String,
    /// `article` (default) or `story`.
    pub kind: Option<String>,
    /// The title.
    pub title: String,
    /// The summary.
    pub summary: Option<String>,
    /// The body in CommonMark.
    pub body_markdown: String,
    /// 1 to 8 topics.
    pub topics: Vec<String>,
    /// Warnings shown first.
    pub content_notes: Option<String>,
    /// Who wrote it.
    pub author_name: Option<String>,
    /// Where it comes from.
    pub source: Option<String>,
    /// Its licence.
    pub licence: Option<String>,
    /// When it was last reviewed.
    pub last_reviewed: Option<NaiveDate>,
    /// When it should next be reviewed.
    pub next_review: Option<NaiveDate>,
}

/// A checked draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedArticle {
    /// Its locale.
    pub locale: Locale,
    /// Its slug.
    pub slug: Slug,
    /// Its text.
    pub text: ArticleText,
}

/// 1 to [`MAX_TOPICS`] topics without repeats, problems at `/topics/i`.
pub fn topics(names: &[String], problems: &mut Problems) -> Option<Vec<Topic>> {
    if names.is_empty() || names.len() > MAX_TOPICS {
        problems.add("/topics", format!("must have 1 to {MAX_TOPICS} topics"));
        return None;
    }
    let before = problems.len();
    let mut topics = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        let pointer = format!("/topics/{index}");
        if let Some(topic) = problems.check(&pointer, name.parse::<Topic>()) {
            if topics.contains(&topic) {
                problems.add(&pointer, "is given twice");
            }
            topics.push(topic);
        }
    }
    (problems.len() == before).then_some(topics)
}

/// `next_review`, unless it is before `last_reviewed`.
pub fn review_dates(
    last_reviewed: Option<NaiveDate>,
    next_review: Option<NaiveDate>,
    problems: &mut Problems,
) {
    if let (Some(last), Some(next)) = (last_reviewed, next_review)
        && next < last
    {
        problems.add("/next_review", "must not be before last_reviewed");
    }
}

impl ArticleDraft {
    /// Checks every field.
    ///
    /// # Errors
    /// Every problem found, each at its pointer.
    pub fn check(&self) -> Result<CheckedArticle, Vec<Problem>> {
        let mut problems = Problems::default();
        let locale = problems.check(
            "/locale",
            Locale::parse(
                self.locale.as_deref().unwrap_or(crate::identity::locale::DEFAULT_LOCALE),
            ),
        );
        let slug = problems.check("/slug", Slug::parse(&self.slug));
        let kind = problems
            .check("/kind", self.kind.as_deref().unwrap_or("article").parse::<ArticleKind>());
        let title = problems.check("/title", ArticleTitle::parse(&self.title));
        let summary =
            problems.check("/summary", Summary::parse(self.summary.as_deref().unwrap_or_default()));
        let body_markdown =
            problems.check("/body_markdown", BodyMarkdown::parse_written(&self.body_markdown));
        let topics = topics(&self.topics, &mut problems);
        let content_notes = problems.check(
            "/content_notes",
            ContentNotes::parse(self.content_notes.as_deref().unwrap_or_default()),
        );
        let author_name = problems.check(
            "/author_name",
            AuthorName::parse(self.author_name.as_deref().unwrap_or_default()),
        );
        let source =
            problems.check("/source", Source::parse(self.source.as_deref().unwrap_or_default()));
        let licence =
            problems.check("/licence", Licence::parse(self.licence.as_deref().unwrap_or_default()));
        review_dates(self.last_reviewed, self.next_review, &mut problems);
        let (
            Some(locale),
            Some(slug),
            Some(kind),
            Some(title),
            Some(summary),
            Some(body_markdown),
            Some(topics),
            Some(content_notes),
            Some(author_name),
            Some(source),
            Some(licence),
            true,
        ) = (
            locale,
            slug,
            kind,
            title,
            summary,
            body_markdown,
            topics,
            content_notes,
            author_name,
            source,
            licence,
            problems.is_empty(),
        )
        else {
            return Err(problems.into_vec());
        };
        Ok(CheckedArticle {
            locale,
            slug,
            text: ArticleText {
                kind,
                title,
                summary,
                body_markdown,
                topics,
                content_notes,
                author_name,
                source,
                licence,
                last_reviewed: self.last_reviewed,
                next_review: self.next_review,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_named_by_pointer() {
        let draft = ArticleDraft {
            locale: Some("not a locale".to_owned()),
            slug: "Bad Slug".to_owned(),
            title: String::new(),
            body_markdown: "ok".to_owned(),
            topics: vec!["hope".to_owned(), "hope".to_owned(), "cats".to_owned()],
            last_reviewed: NaiveDate::from_ymd_opt(2026, 6, 1),
            next_review: NaiveDate::from_ymd_opt(2026, 1, 1),
            ..ArticleDraft::default()
        };
        let pointers: Vec<String> =
            draft.check().unwrap_err().into_iter().map(|problem| problem.pointer).collect();
        assert_eq!(
            pointers,
            ["/locale", "/slug", "/title", "/topics/1", "/topics/2", "/next_review"]
        );
    }
}
