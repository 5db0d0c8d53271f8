//! Articles and recovery stories: written by editors in Markdown, published for anyone
//! to read, with provenance for syndication and a review date.

use std::fmt;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::identity::Locale;
use crate::time::Instant;
use crate::values::{bounded_text, wire_enum};

/// Names one article, for ever (slugs may be reused after deletion; ids never are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArticleId(pub Uuid);

impl fmt::Display for ArticleId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

/// An article's address within its locale: 1 to 120 of `a-z`, `0-9` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

/// The longest slug, in characters (ASCII only).
pub const MAX_SLUG_LENGTH: usize = 120;

/// Why a slug was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to 120 of a-z, 0-9 and -, not starting or ending with -")]
pub struct InvalidSlug;

impl Slug {
    /// Checks `raw`.
    ///
    /// # Errors
    /// [`InvalidSlug`] when it breaks the rule.
    pub fn parse(raw: &str) -> Result<Self, InvalidSlug> {
        let valid = (1..=MAX_SLUG_LENGTH).contains(&raw.len())
            && raw.chars().all(|character| {
                character.is_ascii_lowercase() || character.is_ascii_digit() || character == '-'
            })
            && !raw.starts_with('-')
            && !raw.ends_with('-');
        valid.then(|| Self(raw.to_owned())).ok_or(InvalidSlug)
    }

    /// The slug.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The body in CommonMark: up to 200,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyMarkdown(String);

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "must be at most 200000 characters, without control characters other than tab and line breaks"
)]
pub struct InvalidBody;

/// The longest body.
pub const MAX_BODY_CHARS: usize = 200_000;

/// The longest HTML a body may render to: ten times the longest body, far beyond what
/// ordinary Markdown needs, and a bound on what a reader is sent.
pub const MAX_BODY_HTML_CHARS: usize = 10 * MAX_BODY_CHARS;

/// Why a body an editor wrote was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnrenderableBody {
    /// It breaks the rule for every body.
    #[error(transparent)]
    Invalid(#[from] InvalidBody),
    /// Its HTML would be too long.
    #[error("renders to more than {MAX_BODY_HTML_CHARS} characters of HTML")]
    RendersTooLong,
}

impl BodyMarkdown {
    /// Normalises and checks `raw`.
    ///
    /// # Errors
    /// [`InvalidBody`] when it breaks the rule.
    pub fn parse(raw: &str) -> Result<Self, InvalidBody> {
        crate::text::clean_markdown(raw)
            .filter(|body| body.chars().count() <= MAX_BODY_CHARS)
            .map(Self)
            .ok_or(InvalidBody)
    }

    /// A body an editor writes: [`BodyMarkdown::parse`], and its HTML at most
    /// [`MAX_BODY_HTML_CHARS`], so what readers are sent stays bounded.
    ///
    /// # Errors
    /// [`UnrenderableBody`] when it breaks either rule.
    pub fn parse_written(raw: &str) -> Result<Self, UnrenderableBody> {
        let body = Self::parse(raw)?;
        if super::markdown::renders_within(body.as_str(), MAX_BODY_HTML_CHARS) {
            Ok(body)
        } else {
            Err(UnrenderableBody::RendersTooLong)
        }
    }

    /// The Markdown.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

bounded_text!(
    /// An article's title: 1 to 200 characters.
    ArticleTitle, InvalidArticleTitle, 1, 200, "must be 1 to 200 characters, without control or invisible characters"
);
bounded_text!(
    /// A summary for lists and previews: up to 300 characters.
    Summary, InvalidSummary, 0, 300, "must be at most 300 characters, without control or invisible characters", paragraphs
);
bounded_text!(
    /// Warnings shown before the body, such as mentions of self-harm: up to 500.
    ContentNotes, InvalidContentNotes, 0, 500, "must be at most 500 characters, without control or invisible characters", paragraphs
);
bounded_text!(
    /// Who wrote it, or "Waymark editors": up to 200 characters.
    AuthorName, InvalidAuthorName, 0, 200, "must be at most 200 characters, without control or invisible characters"
);
bounded_text!(
    /// The organisation it comes from: up to 200 characters.
    Source, InvalidSource, 0, 200, "must be at most 200 characters, without control or invisible characters"
);
bounded_text!(
    /// The licence it may be syndicated under, such as `CC BY 4.0`: up to 100.
    Licence, InvalidLicence, 0, 100, "must be at most 100 characters, without control or invisible characters"
);

wire_enum!(
    /// What an article is.
    ArticleKind, UnknownArticleKind,
    "must be one of article, story",
    {
        Article => "article",
        Story => "story",
    }
);

wire_enum!(
    /// Where an article is in its life.
    ArticleStatus, UnknownArticleStatus,
    "must be one of draft, published, archived",
    {
        Draft => "draft",
        Published => "published",
        Archived => "archived",
    }
);

wire_enum!(
    /// What an article is about.
    Topic, UnknownTopic,
    "must be one of recovery, hope, acceptance, control, support, relationships, money, housing, treatment, medication, talking_therapy, creative_therapy, sleep, eating, exercise, routine, activities, spirituality, crisis",
    {
        Recovery => "recovery",
        Hope => "hope",
        Acceptance => "acceptance",
        Control => "control",
        Support => "support",
        Relationships => "relationships",
        Money => "money",
        Housing => "housing",
        Treatment => "treatment",
        Medication => "medication",
        TalkingTherapy => "talking_therapy",
        CreativeTherapy => "creative_therapy",
        Sleep => "sleep",
        Eating => "eating",
        Exercise => "exercise",
        Routine => "routine",
        Activities => "activities",
        Spirituality => "spirituality",
        Crisis => "crisis",
    }
);

/// The most topics an article may have.
pub const MAX_TOPICS: usize = 8;

/// What an editor writes about an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    /// Article or story.
    pub kind: ArticleKind,
    /// The title.
    pub title: ArticleTitle,
    /// The summary.
    pub summary: Summary,
    /// The body.
    pub body_markdown: BodyMarkdown,
    /// 1 to 8 topics, without repeats.
    pub topics: Vec<Topic>,
    /// Warnings shown first.
    pub content_notes: ContentNotes,
    /// Who wrote it.
    pub author_name: AuthorName,
    /// Where it comes from.
    pub source: Source,
    /// Its licence.
    pub licence: Licence,
    /// When it was last reviewed.
    pub last_reviewed: Option<NaiveDate>,
    /// When it should next be reviewed.
    pub next_review: Option<NaiveDate>,
}

/// A stored article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Its id.
    pub id: ArticleId,
    /// Its language.
    pub locale: Locale,
    /// Its address within the locale.
    pub slug: Slug,
    /// What the editors wrote.
    pub text: ArticleText,
    /// Draft, published or archived.
    pub status: ArticleStatus,
    /// When it was first published.
    pub published_at: Option<Instant>,
    /// How many times it has been published (its newest revision's number).
    pub revision: i32,
    /// When it was created.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Starts at 1, +1 with every change.
    pub version: i64,
}

impl Article {
    /// The body as safe HTML.
    #[must_use]
    pub fn body_html(&self) -> String {
        super::markdown::render(self.text.body_markdown.as_str())
    }

    /// Minutes to read it.
    #[must_use]
    pub fn reading_minutes(&self) -> u16 {
        super::markdown::reading_minutes(self.text.body_markdown.as_str())
    }
}

/// Changes to an article's text; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ArticleChanges {
    /// Article or story.
    pub kind: Option<ArticleKind>,
    /// A new title.
    pub title: Option<ArticleTitle>,
    /// A new summary.
    pub summary: Option<Summary>,
    /// A new body.
    pub body_markdown: Option<BodyMarkdown>,
    /// New topics.
    pub topics: Option<Vec<Topic>>,
    /// New notes.
    pub content_notes: Option<ContentNotes>,
    /// A new author.
    pub author_name: Option<AuthorName>,
    /// A new source.
    pub source: Option<Source>,
    /// A new licence.
    pub licence: Option<Licence>,
    /// A new review date, or none.
    pub last_reviewed: Option<Option<NaiveDate>>,
    /// A new next review date, or none.
    pub next_review: Option<Option<NaiveDate>>,
}

impl ArticleChanges {
    /// `text` with these changes applied.
    #[must_use]
    pub fn apply_to(&self, text: &ArticleText) -> ArticleText {
        ArticleText {
            kind: self.kind.unwrap_or(text.kind),
            title: self.title.clone().unwrap_or_else(|| text.title.clone()),
            summary: self.summary.clone().unwrap_or_else(|| text.summary.clone()),
            body_markdown: self.body_markdown.clone().unwrap_or_else(|| text.body_markdown.clone()),
            topics: self.topics.clone().unwrap_or_else(|| text.topics.clone()),
            content_notes: self.content_notes.clone().unwrap_or_else(|| text.content_notes.clone()),
            author_name: self.author_name.clone().unwrap_or_else(|| text.author_name.clone()),
            source: self.source.clone().unwrap_or_else(|| text.source.clone()),
            licence: self.licence.clone().unwrap_or_else(|| text.licence.clone()),
            last_reviewed: self.last_reviewed.unwrap_or(text.last_reviewed),
            next_review: self.next_review.unwrap_or(text.next_review),
        }
    }
}

/// An immutable copy of an article as it was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The article.
    pub article_id: ArticleId,
    /// 1 for the first publication, +1 for each after.
    pub number: i32,
    /// The text as published.
    pub text: ArticleText,
    /// When it was published.
    pub published_at: Instant,
}

wire_enum!(
    /// What happened to a published article, for the changes feed.
    ChangeKind, UnknownChangeKind,
    "must be one of published, updated, archived, deleted",
    {
        Published => "published",
        Updated => "updated",
        Archived => "archived",
        Deleted => "deleted",
    }
);

/// One entry of the changes feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its place in the feed: strictly increasing in commit order.
    pub sequence: i64,
    /// The article.
    pub article_id: ArticleId,
    /// Its locale.
    pub locale: Locale,
    /// Its slug.
    pub slug: Slug,
    /// What happened.
    pub kind: ChangeKind,
    /// When.
    pub at: Instant,
}
