//! `/v1/content/articles`: reading is public (published articles only, cacheable);
//! editors (scope `content:write`) also see drafts and archived articles, and write.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::articles::{self, ArticleEdit};
use waymark_domain::content::draft::{ArticleDraft, review_dates, topics};
use waymark_domain::content::ports::{ArticlePosition, ArticleQuery};
use waymark_domain::content::{
    Article, ArticleChanges, ArticleKind, ArticleStatus, ArticleTitle, AuthorName, BodyMarkdown,
    ContentNotes, Licence, Slug, Source, Summary, Topic,
};
use waymark_domain::identity::Locale;
use waymark_domain::time::now;
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use super::access::is_editor;
use super::representation::{
    ArticleKindName, ArticlePatch, ArticleResponse, ArticleSummaryResponse, NewArticleRequest,
    RevisionResponse, TopicName,
};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch};
use crate::openapi::problems::{ArticleMissing, BadQuery, Invalid, Stale};
use crate::pagination::{
    DEFAULT_LIMIT, bad_query, documented_query, documented_query_types, next_page_base,
    next_page_link, parse_bool, parse_limit,
};
use crate::problem::Problem;
use crate::public_cache::{ModifiedSince, cached_bytes, cached_json};
use crate::respond::{created, versioned};
use crate::state::AppState;
use crate::wire::names::ArticleStatusName;

/// The query parameters of `GET /v1/content/articles`, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ArticleListParameters {
    /// Only articles with this topic.
    #[param(value_type = Option<TopicName>)]
    topic: Option<String>,
    /// Only articles or only stories.
    #[param(value_type = Option<ArticleKindName>)]
    kind: Option<String>,
    /// Only this locale (BCP 47), such as `en-GB`.
    locale: Option<String>,
    /// Full-text search in titles, summaries and bodies (English stemming), best
    /// matches first; a title match ranks above a body match. 1 to 200 characters.
    #[param(min_length = 1, max_length = 200)]
    q: Option<String>,
    /// Editors only: `draft`, `published` or `archived` (default `published`).
    #[param(value_type = Option<ArticleStatusName>)]
    status: Option<String>,
    /// Editors only: `true` lists articles whose `next_review` is today or earlier.
    #[param(value_type = Option<bool>)]
    review_due: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

documented_query_types!(ArticleListParameters);

/// A page of articles.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticlePageResponse {
    /// Newest change first, or best match first with `q`.
    items: Vec<ArticleSummaryResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
enum CursorPosition {
    Updated { at: DateTime<Utc>, id: uuid::Uuid },
    Ranked { rank: f64, id: uuid::Uuid },
}

fn editors_only(what: &str) -> ApiError {
    ApiError::Forbidden { detail: format!("{what} is for editors (scope content:write).") }
}

fn parse_list(
    request: &HttpRequest,
    state: &AppState,
    editor: bool,
) -> Result<ArticleQuery, ApiError> {
    let mut query = ArticleQuery {
        statuses: vec![ArticleStatus::Published],
        locale: None,
        kind: None,
        topic: None,
        review_due_by: None,
        search: None,
        after: None,
        limit: DEFAULT_LIMIT,
    };
    let sent: ArticleListParameters = documented_query(request.query_string())?;
    if let Some(topic) = sent.topic {
        query.topic =
            Some(topic.parse::<Topic>().map_err(|error| bad_query(format!("topic {error}")))?);
    }
    if let Some(kind) = sent.kind {
        query.kind =
            Some(kind.parse::<ArticleKind>().map_err(|error| bad_query(format!("kind {error}")))?);
    }
    if let Some(locale) = sent.locale {
        query.locale =
            Some(Locale::parse(&locale).map_err(|error| bad_query(format!("locale {error}")))?);
    }
    if let Some(text) = sent.q {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 200 {
            return Err(bad_query("q must be 1 to 200 characters"));
        }
        query.search = Some(text.to_owned());
    }
    let status_given = sent.status.is_some();
    if let Some(status) = sent.status {
        if !editor {
            return Err(editors_only("Listing by status"));
        }
        query.statuses = vec![
            status
                .parse::<ArticleStatus>()
                .map_err(|error| bad_query(format!("status {error}")))?,
        ];
    }
    if let Some(review_due) = sent.review_due {
        if !editor {
            return Err(editors_only("The review list"));
        }
        if parse_bool("review_due", &review_due)? {
            query.review_due_by = Some(Utc::now().date_naive());
            if !status_given {
                query.statuses = Vec::new();
            }
        }
    }
    if let Some(limit) = sent.limit {
        query.limit = parse_limit(&limit)?;
    }
    let cursor = state.cursors.decode_sent(sent.cursor.as_deref())?;
    query.after = match (cursor, query.search.is_some()) {
        (None, _) => None,
        (Some(CursorPosition::Updated { at, id }), false) => {
            Some(ArticlePosition::Updated { updated_at: at, id })
        }
        (Some(CursorPosition::Ranked { rank, id }), true) => {
            Some(ArticlePosition::Ranked { rank, id })
        }
        _ => {
            return Err(bad_query(
                "cursor belongs to another list; start again from the first page",
            ));
        }
    };
    Ok(query)
}

/// Published articles and recovery stories.
///
/// Public: no token needed. Newest change first; with `q`, best match first. Filter
/// by `topic`, `kind` and `locale`. Editors (scope `content:write`) may list by
/// `status` and ask for `review_due=true`. Cacheable: `ETag`, `Last-Modified`,
/// `Cache-Control: public, max-age=300, stale-while-revalidate=86400`; 304 on
/// `If-None-Match` or `If-Modified-Since`.
#[utoipa::path(
    tag = "content",
    operation_id = "list_articles",
    // Anyone may read; an editor's token (`content:write`) also shows drafts.
    security((), ("oauth2" = ["content:write"])),
    params(ArticleListParameters),
    responses(
        (status = 200, description = "A page of articles.", body = ArticlePageResponse,
            headers(("ETag" = String, description = "A digest of the page."), ("Last-Modified" = String, description = "The newest change on the page."), ("Cache-Control" = String, description = "How long it may be cached."))),
        (status = 304, description = "Unchanged since the validators sent."),
        BadQuery,
        (status = 403, description = "`status` or `review_due` without an editor's token.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/content/articles")]
pub(crate) async fn list_articles(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let editor = is_editor(&request, &state).await?;
    let query = parse_list(&request, &state, editor)?;
    let public = query.statuses == [ArticleStatus::Published] && query.review_due_by.is_none();
    let limit = query.limit;
    let page = articles::list(&state.ports, query).await?;
    let next_cursor =
        state.cursors.after_last(page.has_more, &page.articles, |(last, rank)| match rank {
            Some(rank) => CursorPosition::Ranked { rank: *rank, id: last.id.0 },
            None => CursorPosition::Updated { at: last.updated_at, id: last.id.0 },
        });
    let last_modified = page
        .articles
        .iter()
        .map(|(article, _)| article.updated_at)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let body = ArticlePageResponse {
        items: page
            .articles
            .iter()
            .map(|(article, rank)| ArticleSummaryResponse::new(article, *rank))
            .collect(),
        next_cursor: next_cursor.clone(),
    };
    let mut response =
        cached_json(&request, &body, last_modified, ModifiedSince::Unreliable, public && !editor);
    if let Some(cursor) = next_cursor {
        let base = next_page_base("/v1/content/articles", request.query_string());
        if let Ok(link) = header::HeaderValue::from_str(&next_page_link(&base, limit, &cursor)) {
            response.headers_mut().insert(header::LINK, link);
        }
    }
    Ok(response)
}

fn address(path: (String, String)) -> Result<(Locale, Slug), ApiError> {
    let locale = Locale::parse(&path.0).map_err(|_| ApiError::NotFound)?;
    let slug = Slug::parse(&path.1).map_err(|_| ApiError::NotFound)?;
    Ok((locale, slug))
}

/// One published article or story, with its body as Markdown and sanitised HTML.
///
/// Public and cacheable (`ETag`, `Last-Modified`, 304). Drafts and archived articles
/// are 404 unless the caller is an editor.
#[utoipa::path(
    tag = "content",
    operation_id = "get_article",
    // Anyone may read; an editor's token (`content:write`) also shows drafts.
    security((), ("oauth2" = ["content:write"])),
    params(
        ("locale" = String, Path, description = "BCP 47, such as `en-GB`."),
        ("slug" = String, Path, description = "The article's slug."),
        // One article changes only when its `updated_at` does, so this is answered.
        ("If-Modified-Since" = Option<String>, Header, description = "The `Last-Modified` of your copy."),
    ),
    responses(
        (status = 200, description = "The article.", body = ArticleResponse,
            headers(("ETag" = String, description = "A digest of the answer."), ("Last-Modified" = String, description = "When it last changed."), ("Cache-Control" = String, description = "How long it may be cached."))),
        (status = 304, description = "Unchanged since the validators sent."),
        (status = 404, description = "No such published article.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/content/articles/{locale}/{slug}")]
pub(crate) async fn get_article(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (locale, slug) = address(path.into_inner())?;
    let editor = is_editor(&request, &state).await?;
    let article = articles::read(&state.ports, (&locale, &slug), editor).await?;
    let public = article.status == ArticleStatus::Published;
    let rendered = state.rendered_articles.of(&article);
    Ok(cached_bytes(
        &request,
        rendered.json,
        &rendered.etag,
        article.updated_at,
        ModifiedSince::Reliable,
        public && !editor,
    ))
}

/// Creates an article or story, as a draft.
///
/// Editors only. `body_html` and `reading_minutes` are derived. Send
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "content",
    operation_id = "create_article",
    security(("oauth2" = ["content:write"])),
    request_body = NewArticleRequest,
    responses(
        (status = 201, description = "The draft.", body = ArticleResponse,
            headers(("Location" = String, description = "Its address."), ("ETag" = String, description = "Its version."))),
        (status = 409, description = "The locale has an article with that slug, or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        Invalid,
    ),
)]
#[post("/v1/content/articles")]
pub(crate) async fn create_article(
    _editor: Principal,
    body: JsonBody<NewArticleRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let draft = ArticleDraft::from(body.into_inner());
    let article = articles::create(&state.ports, now(), &draft).await?;
    state.crisis.forget();
    let location =
        format!("/v1/content/articles/{}/{}", article.locale.as_str(), article.slug.as_str());
    Ok(created(location, article.version, ArticleResponse::from(&article)))
}

impl ArticleEdit for ArticlePatch {
    fn parse(self, current: &Article) -> Result<ArticleChanges, Vec<FieldProblem>> {
        let patch = self;
        let mut found = Problems::default();
        let problems = &mut found;
        let mut changes = ArticleChanges {
            kind: patch
                .kind
                .kept("/kind", problems)
                .and_then(|kind| problems.check("/kind", kind.parse::<ArticleKind>())),
            ..ArticleChanges::default()
        };
        changes.title = patch
            .title
            .kept("/title", problems)
            .and_then(|title| problems.check("/title", ArticleTitle::parse(&title)));
        if let Some(summary) = patch.summary.text() {
            changes.summary = problems.check("/summary", Summary::parse(&summary));
        }
        changes.body_markdown = patch
            .body_markdown
            .kept("/body_markdown", problems)
            .and_then(|body| problems.check("/body_markdown", BodyMarkdown::parse_written(&body)));
        changes.topics =
            patch.topics.kept("/topics", problems).and_then(|names| topics(&names, problems));
        if let Some(notes) = patch.content_notes.text() {
            changes.content_notes = problems.check("/content_notes", ContentNotes::parse(&notes));
        }
        if let Some(author) = patch.author_name.text() {
            changes.author_name = problems.check("/author_name", AuthorName::parse(&author));
        }
        if let Some(source) = patch.source.text() {
            changes.source = problems.check("/source", Source::parse(&source));
        }
        if let Some(licence) = patch.licence.text() {
            changes.licence = problems.check("/licence", Licence::parse(&licence));
        }
        let date = |patch: Patch<chrono::NaiveDate>| match patch {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(date) => Some(Some(date)),
        };
        changes.last_reviewed = date(patch.last_reviewed);
        changes.next_review = date(patch.next_review);
        review_dates(
            changes.last_reviewed.unwrap_or(current.text.last_reviewed),
            changes.next_review.unwrap_or(current.text.next_review),
            problems,
        );
        found.or(|| Some(changes))
    }
}

/// Changes an article.
///
/// Editors only. A JSON merge patch; `locale` and `slug` cannot change. With
/// `If-Match`, only if it is still at that version (else 412). A published article's
/// change is live at once: it stores a new revision and an `updated` entry in the
/// changes feed.
#[utoipa::path(
    tag = "content",
    operation_id = "update_article",
    security(("oauth2" = ["content:write"])),
    request_body(content((ArticlePatch = "application/merge-patch+json"), (ArticlePatch = "application/json"))),
    params(
        ("locale" = String, Path, description = "BCP 47."),
        ("slug" = String, Path, description = "The article's slug."),
    ),
    responses(
        (status = 200, description = "The changed article.", body = ArticleResponse, headers(("ETag" = String, description = "Its new version."))),
        ArticleMissing,
        Stale,
        Invalid,
    ),
)]
#[patch("/v1/content/articles/{locale}/{slug}")]
pub(crate) async fn update_article(
    _editor: Principal,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<ArticlePatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (locale, slug) = address(path.into_inner())?;
    let (seen, patch) = (if_match.seen(), body.into_inner());
    let article = articles::update(&state.ports, now(), (&locale, &slug), seen, patch).await?;
    state.crisis.forget();
    Ok(versioned(article.version, ArticleResponse::from(&article)))
}

async fn move_to(
    state: &AppState,
    path: (String, String),
    if_match: &IfMatch,
    status: ArticleStatus,
) -> Result<HttpResponse, ApiError> {
    let (locale, slug) = address(path)?;
    let seen = if_match.seen();
    let article = articles::move_to(&state.ports, now(), (&locale, &slug), seen, status).await?;
    state.crisis.forget();
    Ok(versioned(article.version, ArticleResponse::from(&article)))
}

/// Publishes a draft or archived article.
///
/// Editors only. Stores an immutable revision and a `published` entry in the changes
/// feed; `published_at` keeps the first publication's time. Publishing a published
/// article is 409 (change it with `PATCH`).
#[utoipa::path(
    tag = "content",
    operation_id = "publish_article",
    security(("oauth2" = ["content:write"])),
    params(
        ("locale" = String, Path, description = "BCP 47."),
        ("slug" = String, Path, description = "The article's slug."),
    ),
    responses(
        (status = 200, description = "The published article.", body = ArticleResponse, headers(("ETag" = String, description = "Its new version."))),
        ArticleMissing,
        (status = 409, description = "It is published already.", body = Problem, content_type = "application/problem+json"),
        Stale,
    ),
)]
#[post("/v1/content/articles/{locale}/{slug}/publish")]
pub(crate) async fn publish_article(
    _editor: Principal,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    move_to(&state, path.into_inner(), &if_match, ArticleStatus::Published).await
}

/// Archives a published article: it leaves public lists and reads.
///
/// Editors only. Adds an `archived` entry to the changes feed. Archiving anything but
/// a published article is 409.
#[utoipa::path(
    tag = "content",
    operation_id = "archive_article",
    security(("oauth2" = ["content:write"])),
    params(
        ("locale" = String, Path, description = "BCP 47."),
        ("slug" = String, Path, description = "The article's slug."),
    ),
    responses(
        (status = 200, description = "The archived article.", body = ArticleResponse, headers(("ETag" = String, description = "Its new version."))),
        ArticleMissing,
        (status = 409, description = "It is not published.", body = Problem, content_type = "application/problem+json"),
        Stale,
    ),
)]
#[post("/v1/content/articles/{locale}/{slug}/archive")]
pub(crate) async fn archive_article(
    _editor: Principal,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    move_to(&state, path.into_inner(), &if_match, ArticleStatus::Archived).await
}

/// Deletes an article and its revisions.
///
/// Editors only. One that was ever public leaves a `deleted` entry in the changes
/// feed, so mirrors take it down.
#[utoipa::path(
    tag = "content",
    operation_id = "delete_article",
    security(("oauth2" = ["content:write"])),
    params(
        ("locale" = String, Path, description = "BCP 47."),
        ("slug" = String, Path, description = "The article's slug."),
    ),
    responses(
        (status = 204, description = "It is gone."),
        ArticleMissing,
        Stale,
    ),
)]
#[delete("/v1/content/articles/{locale}/{slug}")]
pub(crate) async fn delete_article(
    _editor: Principal,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (locale, slug) = address(path.into_inner())?;
    articles::delete(&state.ports, now(), (&locale, &slug), if_match.seen()).await?;
    state.crisis.forget();
    Ok(HttpResponse::NoContent().finish())
}

/// Every revision of an article: the text each time it went public, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RevisionListResponse {
    /// The newest revisions first, at most 100; older ones are read by number.
    items: Vec<RevisionResponse>,
}

/// The most revisions one list shows.
pub(crate) const MAX_REVISIONS_LISTED: usize = 100;

/// An article's published revisions, newest first.
///
/// Editors only. Each is immutable. The newest 100 are listed; every revision stays
/// readable at `/revisions/{number}`.
#[utoipa::path(
    tag = "content",
    operation_id = "list_article_revisions",
    security(("oauth2" = ["content:write"])),
    params(
        ("locale" = String, Path, description = "BCP 47."),
        ("slug" = String, Path, description = "The article's slug."),
    ),
    responses(
        (status = 200, description = "The revisions.", body = RevisionListResponse),
        ArticleMissing,
    ),
)]
#[get("/v1/content/articles/{locale}/{slug}/revisions")]
pub(crate) async fn list_article_revisions(
    _editor: Principal,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (locale, slug) = address(path.into_inner())?;
    let revisions = articles::revisions(&state.ports, (&locale, &slug)).await?;
    Ok(HttpResponse::Ok().json(RevisionListResponse {
        items: revisions.iter().take(MAX_REVISIONS_LISTED).map(RevisionResponse::from).collect(),
    }))
}

/// One published revision of an article.
///
/// Editors only.
#[utoipa::path(
    tag = "content",
    operation_id = "get_article_revision",
    security(("oauth2" = ["content:write"])),
    params(
        ("locale" = String, Path, description = "BCP 47."),
        ("slug" = String, Path, description = "The article's slug."),
        ("number" = i32, Path, description = "The revision's number, from 1."),
    ),
    responses(
        (status = 200, description = "The revision.", body = RevisionResponse),
        (status = 404, description = "No such article or revision.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/content/articles/{locale}/{slug}/revisions/{number}")]
pub(crate) async fn get_article_revision(
    _editor: Principal,
    path: web::Path<(String, String, i32)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (locale, slug, number) = path.into_inner();
    let (locale, slug) = address((locale, slug))?;
    let revision = articles::revision(&state.ports, (&locale, &slug), number).await?;
    Ok(HttpResponse::Ok().json(RevisionResponse::from(&revision)))
}
