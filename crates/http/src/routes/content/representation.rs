//! How articles, revisions and the changes feed look on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_domain::content::draft::ArticleDraft;
use waymark_domain::content::{Article, ArticleText, Change, Revision};

use crate::extract::Patch;
use crate::wire::names::ArticleStatusName;

/// Article or story.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ArticleKindName {
    Article,
    Story,
}

/// What an article is about.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TopicName {
    Recovery,
    Hope,
    Acceptance,
    Control,
    Support,
    Relationships,
    Money,
    Housing,
    Treatment,
    Medication,
    TalkingTherapy,
    CreativeTherapy,
    Sleep,
    Eating,
    Exercise,
    Routine,
    Activities,
    Spirituality,
    Crisis,
}

/// What happened to a public article.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ChangeKindName {
    Published,
    Updated,
    Archived,
    Deleted,
}

/// The text of an article, as published or as it stands.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleTextResponse {
    /// Article or story.
    #[schema(value_type = ArticleKindName)]
    kind: &'static str,
    /// The title.
    #[schema(example = "Small steps count")]
    title: String,
    /// A summary for lists and previews.
    summary: String,
    /// The body in CommonMark.
    body_markdown: String,
    /// The body as HTML, sanitised: raw HTML in the Markdown is shown as text, and
    /// links keep only `https`, `http`, `mailto`, `tel` and relative addresses.
    body_html: String,
    /// Minutes to read, at 200 words a minute.
    reading_minutes: u16,
    /// Topics.
    #[schema(value_type = Vec<TopicName>)]
    topics: Vec<&'static str>,
    /// Warnings to show before the body, such as mentions of self-harm.
    content_notes: String,
    /// Who wrote it.
    author_name: String,
    /// The organisation it comes from (credit it when you republish).
    source: String,
    /// The licence it may be republished under.
    #[schema(example = "CC BY 4.0")]
    licence: String,
    /// When it was last reviewed.
    #[schema(value_type = Option<String>, format = Date)]
    last_reviewed: Option<NaiveDate>,
    /// When it should next be reviewed.
    #[schema(value_type = Option<String>, format = Date)]
    next_review: Option<NaiveDate>,
}

impl From<&ArticleText> for ArticleTextResponse {
    fn from(text: &ArticleText) -> Self {
        Self {
            kind: text.kind.as_str(),
            title: text.title.as_str().to_owned(),
            summary: text.summary.as_str().to_owned(),
            body_markdown: text.body_markdown.as_str().to_owned(),
            body_html: waymark_domain::content::markdown::render(text.body_markdown.as_str()),
            reading_minutes: waymark_domain::content::markdown::reading_minutes(
                text.body_markdown.as_str(),
            ),
            topics: text.topics.iter().map(|topic| topic.as_str()).collect(),
            content_notes: text.content_notes.as_str().to_owned(),
            author_name: text.author_name.as_str().to_owned(),
            source: text.source.as_str().to_owned(),
            licence: text.licence.as_str().to_owned(),
            last_reviewed: text.last_reviewed,
            next_review: text.next_review,
        }
    }
}

/// An article or recovery story.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleResponse {
    /// Its id, stable for ever: mirror by id.
    id: uuid::Uuid,
    /// Its language (BCP 47).
    #[schema(example = "en-GB")]
    locale: String,
    /// Its address within the locale.
    #[schema(example = "small-steps-count")]
    slug: String,
    /// Draft, published or archived.
    #[schema(value_type = ArticleStatusName)]
    status: &'static str,
    /// When it was first published.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    published_at: Option<DateTime<Utc>>,
    /// How many times it went public (its newest revision's number; 0 for a draft
    /// never published).
    revision: i32,
    /// The text.
    #[serde(flatten)]
    text: ArticleTextResponse,
    /// When it was created.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1, +1 with every change; editors send it in `If-Match`.
    version: i64,
}

impl From<&Article> for ArticleResponse {
    fn from(article: &Article) -> Self {
        Self {
            id: article.id.0,
            locale: article.locale.as_str().to_owned(),
            slug: article.slug.as_str().to_owned(),
            status: article.status.as_str(),
            published_at: article.published_at,
            revision: article.revision,
            text: ArticleTextResponse::from(&article.text),
            created_at: article.created_at,
            updated_at: article.updated_at,
            version: article.version,
        }
    }
}

/// An article in a list: everything but its body.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleSummaryResponse {
    /// Its id.
    id: uuid::Uuid,
    /// Its language.
    locale: String,
    /// Its address within the locale.
    slug: String,
    /// Article or story.
    #[schema(value_type = ArticleKindName)]
    kind: &'static str,
    /// Draft, published or archived.
    #[schema(value_type = ArticleStatusName)]
    status: &'static str,
    /// The title.
    title: String,
    /// The summary.
    summary: String,
    /// Topics.
    #[schema(value_type = Vec<TopicName>)]
    topics: Vec<&'static str>,
    /// Minutes to read.
    reading_minutes: u16,
    /// Warnings to show first.
    content_notes: String,
    /// When it was first published.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    published_at: Option<DateTime<Utc>>,
    /// When it should next be reviewed.
    #[schema(value_type = Option<String>, format = Date)]
    next_review: Option<NaiveDate>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// With `q`: how well it matches (larger is better).
    #[serde(skip_serializing_if = "Option::is_none")]
    relevance: Option<f64>,
}

impl ArticleSummaryResponse {
    pub(crate) fn new(article: &Article, relevance: Option<f64>) -> Self {
        let text = &article.text;
        Self {
            id: article.id.0,
            locale: article.locale.as_str().to_owned(),
            slug: article.slug.as_str().to_owned(),
            kind: text.kind.as_str(),
            status: article.status.as_str(),
            title: text.title.as_str().to_owned(),
            summary: text.summary.as_str().to_owned(),
            topics: text.topics.iter().map(|topic| topic.as_str()).collect(),
            reading_minutes: article.reading_minutes(),
            content_notes: text.content_notes.as_str().to_owned(),
            published_at: article.published_at,
            next_review: text.next_review,
            updated_at: article.updated_at,
            relevance,
        }
    }
}

/// A published revision: the text exactly as it went public.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RevisionResponse {
    /// The article.
    article_id: uuid::Uuid,
    /// 1 for the first publication, +1 for each after.
    number: i32,
    /// When it went public.
    #[serde(serialize_with = "crate::wire::time::instant")]
    published_at: DateTime<Utc>,
    /// The text.
    #[serde(flatten)]
    text: ArticleTextResponse,
}

impl From<&Revision> for RevisionResponse {
    fn from(revision: &Revision) -> Self {
        Self {
            article_id: revision.article_id.0,
            number: revision.number,
            published_at: revision.published_at,
            text: ArticleTextResponse::from(&revision.text),
        }
    }
}

/// One entry of the changes feed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ChangeResponse {
    /// Its place in the feed (increasing).
    sequence: i64,
    /// The article's id.
    id: uuid::Uuid,
    /// Its locale.
    locale: String,
    /// Its slug.
    slug: String,
    /// What happened: `published` (it went public), `updated` (its public text
    /// changed), `archived` or `deleted` (take it down).
    #[schema(value_type = ChangeKindName)]
    change: &'static str,
    /// When.
    #[serde(serialize_with = "crate::wire::time::instant")]
    at: DateTime<Utc>,
}

impl From<&Change> for ChangeResponse {
    fn from(change: &Change) -> Self {
        Self {
            sequence: change.sequence,
            id: change.article_id.0,
            locale: change.locale.as_str().to_owned(),
            slug: change.slug.as_str().to_owned(),
            change: change.kind.as_str(),
            at: change.at,
        }
    }
}

/// A new article (a draft until published).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewArticleRequest {
    /// BCP 47 (default `en-GB`).
    #[serde(default)]
    #[schema(example = "en-GB")]
    pub(crate) locale: Option<String>,
    /// 1 to 120 of `a-z`, `0-9`, `-`; unique in the locale.
    #[schema(
        example = "small-steps-count",
        min_length = 1,
        max_length = 120,
        pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
    )]
    pub(crate) slug: String,
    /// `article` (default) or `story`.
    #[serde(default)]
    #[schema(value_type = Option<ArticleKindName>)]
    pub(crate) kind: Option<String>,
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub(crate) title: String,
    /// Up to 300 characters.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub(crate) summary: Option<String>,
    /// CommonMark, up to 200,000 characters.
    #[schema(max_length = 200000)]
    pub(crate) body_markdown: String,
    /// 1 to 8 topics.
    #[schema(value_type = Vec<TopicName>, min_items = 1, max_items = 8)]
    pub(crate) topics: Vec<String>,
    /// Warnings shown first (up to 500).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub(crate) content_notes: Option<String>,
    /// Who wrote it (up to 200).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub(crate) author_name: Option<String>,
    /// The organisation it comes from (up to 200).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub(crate) source: Option<String>,
    /// Its licence (up to 100).
    #[serde(default)]
    #[schema(max_length = 100)]
    pub(crate) licence: Option<String>,
    /// When it was last reviewed.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) last_reviewed: Option<NaiveDate>,
    /// When it should next be reviewed (not before `last_reviewed`).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) next_review: Option<NaiveDate>,
}

impl From<NewArticleRequest> for ArticleDraft {
    fn from(request: NewArticleRequest) -> Self {
        Self {
            locale: request.locale,
            slug: request.slug,
            kind: request.kind,
            title: request.title,
            summary: request.summary,
            body_markdown: request.body_markdown,
            topics: request.topics,
            content_notes: request.content_notes,
            author_name: request.author_name,
            source: request.source,
            licence: request.licence,
            last_reviewed: request.last_reviewed,
            next_review: request.next_review,
        }
    }
}

/// Changes to an article (JSON merge patch). `locale` and `slug` cannot change;
/// `null` clears `summary`, `content_notes`, `author_name`, `source`, `licence` and the
/// review dates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArticlePatch {
    /// Article or story.
    #[serde(default)]
    #[schema(value_type = ArticleKindName)]
    pub(crate) kind: Patch<String>,
    /// A new title.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub(crate) title: Patch<String>,
    /// A new summary.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub(crate) summary: Patch<String>,
    /// A new body.
    #[serde(default)]
    #[schema(value_type = String, max_length = 200000)]
    pub(crate) body_markdown: Patch<String>,
    /// New topics (1 to 8).
    #[serde(default)]
    #[schema(value_type = Vec<TopicName>, min_items = 1, max_items = 8)]
    pub(crate) topics: Patch<Vec<String>>,
    /// New warnings.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub(crate) content_notes: Patch<String>,
    /// A new author.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub(crate) author_name: Patch<String>,
    /// A new source.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub(crate) source: Patch<String>,
    /// A new licence.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub(crate) licence: Patch<String>,
    /// When it was last reviewed.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) last_reviewed: Patch<NaiveDate>,
    /// When it should next be reviewed.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) next_review: Patch<NaiveDate>,
}
