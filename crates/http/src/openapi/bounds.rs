//! The largest value the contract allows for every string, array and whole number, so
//! a client, gateway or linter knows what it will send and get. A bound comes from the
//! value's format (a UUID is 36 characters), from a name that means the same thing
//! everywhere (`version`, `next_cursor`), or from the domain rule that checks the value
//! (`GoalTitle` allows 1 to 200 characters); a response states what its request
//! accepts. Numbers are written once, in the domain or beside the rule that enforces
//! them; a route that also states a bound itself must agree with the rule here.

use utoipa::openapi::OpenApi;
use waymark_domain::TextBounds;
use waymark_domain::access_log::MAX_RESOURCE_ID_CHARS;
use waymark_domain::contacts::contact::{MAX_CHANNELS, MAX_KEEP_IN_TOUCH_DAYS};
use waymark_domain::contacts::ports::{MAX_CONTACTS_PER_PERSON, MAX_SUPPORTERS_PER_GOAL};
use waymark_domain::contacts::{
    CanHelpWith, ContactName, ContactNotes, InteractionNote, Organisation, SupporterRole,
};
use waymark_domain::content::article::{MAX_BODY_CHARS, MAX_SLUG_LENGTH, MAX_TOPICS};
use waymark_domain::content::ports::MAX_SERVICES_CONSIDERED;
use waymark_domain::content::service::{Area, Eligibility, ServiceDescription, ServiceName};
use waymark_domain::content::{ArticleTitle, AuthorName, ContentNotes, Licence, Source, Summary};
use waymark_domain::goals::parts::{MAX_CHECK_IN_NOTE_CHARS, MAX_STEPS_PER_GOAL, StepTitle};
use waymark_domain::goals::{GoalTitle, GoalWhy, SupportNotes};
use waymark_domain::identity::Scope;
use waymark_domain::identity::email::MAX_EMAIL_LENGTH;
use waymark_domain::identity::locale::MAX_LOCALE_LENGTH;
use waymark_domain::identity::password::{MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH};
use waymark_domain::identity::profile::MAX_DISPLAY_NAME_LENGTH;
use waymark_domain::identity::secret::OPAQUE_SECRET_LENGTH;
use waymark_domain::identity::time_zone::MAX_TIME_ZONE_LENGTH;
use waymark_domain::routines::RoutineTitle;
use waymark_domain::routines::ports::MAX_ROUTINES_PER_PERSON;
use waymark_domain::routines::routine::{MAX_REMINDER_MINUTES, RoutineCheckInNote, RoutineNotes};
use waymark_domain::routines::schedule::{MAX_RANGE_DAYS, MAX_TIMES};
use waymark_domain::routines::stats::STREAK_HISTORY_DAYS;
use waymark_domain::sharing::{EncouragementMessage, MAX_GOALS_PER_SHARE};

use waymark_domain::content::article::MAX_BODY_HTML_CHARS;
use waymark_domain::goals::GoalStatus;

use super::schema_walk::{self, Bound};
use crate::auth::keys::MAX_KEYS;
use crate::pagination::{MAX_CURSOR_LENGTH, MAX_LIMIT};
use crate::problem::{
    MAX_DETAIL_CHARS, MAX_FIELD_ERRORS, MAX_INSTANCE_CHARS, MAX_MESSAGE_CHARS, MAX_POINTER_CHARS,
};
use crate::routes::contacts::{IMPORT_MAX_BYTES, MAX_CARDS};
use crate::routes::content::{MAX_NEAR_LENGTH, MAX_REVISIONS_LISTED};
use crate::routes::routines::{MAX_AGENDA_DAYS, MAX_BATCH, STATS_WINDOWS};
use waymark_application::crisis::GUIDANCE_LISTED;
use waymark_application::shared_view::{MAX_SUMMARY_ROUTINES, RECENT_CHECK_INS};

const fn text(min: usize, max: usize) -> Bound {
    Bound::Text { min, max, pattern: None }
}

const fn up_to(max: usize) -> Bound {
    text(0, max)
}

fn domain<T: TextBounds>() -> Bound {
    text(T::MIN_CHARS, T::MAX_CHARS)
}

const fn items(max: usize) -> Bound {
    Bound::Items { max }
}

const fn whole(min: i64, max: i64) -> Bound {
    Bound::Whole { min, max }
}

/// A count as a bound; every count used here is far below `i64::MAX`.
fn count<N: TryInto<i64>>(max: N) -> i64 {
    max.try_into().unwrap_or(i64::MAX)
}

/// A count as a number of items.
fn count_of<N: TryInto<usize>>(max: N) -> usize {
    max.try_into().unwrap_or(usize::MAX)
}

/// The most items of a page.
fn page() -> usize {
    count_of(MAX_LIMIT)
}

/// The most steps of a goal.
fn steps() -> i64 {
    i64::from(MAX_STEPS_PER_GOAL)
}

/// An agenda: every time of every routine on every day it spans.
fn agenda_items() -> usize {
    count_of(MAX_AGENDA_DAYS) * MAX_ROUTINES_PER_PERSON * MAX_TIMES
}

/// One routine's occurrences (or check-ins) over the longest range a query may span.
fn range_items() -> usize {
    count_of(MAX_RANGE_DAYS) * MAX_TIMES
}

/// Occurrences in the longest statistics window.
fn tally() -> i64 {
    let longest = STATS_WINDOWS.iter().copied().max().unwrap_or_default();
    i64::from(longest) * per_day()
}

/// Occurrences (or weeks) in the history streaks are counted over.
fn streak() -> i64 {
    STREAK_HISTORY_DAYS * per_day()
}

/// Every scope, space-separated.
fn all_scopes_length() -> usize {
    Scope::ALL.iter().map(|scope| scope.as_str().len() + 1).sum()
}

/// `HH:MM`, a local time of day.
const TIME_OF_DAY: Bound =
    Bound::Text { min: 5, max: 5, pattern: Some("^([01][0-9]|2[0-3]):[0-5][0-9]$") };

/// A BCP 47 language tag of the shape `Locale` accepts: a language, then subtags.
const LOCALE: Bound = Bound::Text {
    min: 2,
    max: MAX_LOCALE_LENGTH,
    pattern: Some("^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$"),
};

/// An ISO 3166 alpha-2 country.
const COUNTRY: Bound = Bound::Text { min: 2, max: 2, pattern: Some("^[A-Z]{2}$") };

/// A slug: lower-case letters, digits and inner hyphens.
const SLUG_PATTERN: &str = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";

/// A secret made by `OpaqueSecret`.
const SECRET: Bound = Bound::Text {
    min: OPAQUE_SECRET_LENGTH,
    max: OPAQUE_SECRET_LENGTH,
    pattern: Some("^wm[a-z]_[A-Za-z0-9_-]{43}$"),
};

/// An absolute URL of this server (`WAYMARK_PUBLIC_URL` plus a path).
const SERVER_URL: Bound = up_to(2048);

/// Words in the OAuth metadata and errors (`client_credentials`, `invalid_grant`).
const OAUTH_WORD: Bound = up_to(64);

/// The most occurrences a routine has in one day.
fn per_day() -> i64 {
    count(MAX_TIMES)
}

/// Where each bound applies: `Schema.property`, `Schema.property[]` for an array's
/// items, `*.property` for that property in every schema, or `?name` for every
/// parameter of that name.
#[allow(clippy::too_many_lines)] // One table, read top to bottom.
fn rules() -> Vec<(&'static str, Bound)> {
    let longest_slug = Bound::Text { min: 1, max: MAX_SLUG_LENGTH, pattern: Some(SLUG_PATTERN) };
    vec![
        // Names that mean the same thing in every schema.
        ("*.version", whole(1, i64::MAX)),
        ("*.next_cursor", up_to(MAX_CURSOR_LENGTH)),
        ("?cursor", up_to(MAX_CURSOR_LENGTH)),
        ("*.locale", LOCALE),
        ("?locale", LOCALE),
        ("*.time_zone", text(1, MAX_TIME_ZONE_LENGTH)),
        ("*.slug", longest_slug),
        ("?slug", longest_slug),
        ("*.country", COUNTRY),
        ("*.opens", TIME_OF_DAY),
        ("*.closes", TIME_OF_DAY),
        ("*.time", TIME_OF_DAY),
        ("ScheduleRequest.times[]", TIME_OF_DAY),
        ("ScheduleResponse.times[]", TIME_OF_DAY),
        ("ExportedChange.sequence", whole(1, i64::MAX)),
        // FHIR: `_lastUpdated` values, codes and words Waymark writes.
        ("?_lastUpdated[]", up_to(40)),
        ("CapabilityStatement.format[]", OAUTH_WORD),
        ("FhirMeta.profile[]", up_to(128)),
        ("FhirTimingRepeat.dayOfWeek[]", text(3, 3)),
        ("FhirTimingRepeat.timeOfDay[]", text(8, 8)),
        ("SmartConfiguration.capabilities[]", OAUTH_WORD),
        ("SmartConfiguration.code_challenge_methods_supported[]", OAUTH_WORD),
        ("SmartConfiguration.grant_types_supported[]", OAUTH_WORD),
        ("SmartConfiguration.response_types_supported[]", OAUTH_WORD),
        ("SmartConfiguration.scopes_supported[]", OAUTH_WORD),
        ("SmartConfiguration.token_endpoint_auth_methods_supported[]", OAUTH_WORD),
        // An attempt ends after 10 seconds; a minute leaves room for a slow record.
        ("AttemptResponse.duration_ms", whole(0, 60_000)),
        // Pages hold at most `limit` items.
        ("ArticlePageResponse.items", items(page())),
        ("ChangePageResponse.items", items(page())),
        ("CheckInPageResponse.items", items(page())),
        ("ClientPage.items", items(page())),
        ("WebhookPage.items", items(page())),
        ("AttemptPage.items", items(page())),
        ("ContactPageResponse.items", items(page())),
        ("GoalPageResponse.items", items(page())),
        ("InteractionPageResponse.items", items(page())),
        ("RoutinePageResponse.items", items(page())),
        ("ServicePageResponse.items", items(page())),
        ("SupportedGoalPageResponse.items", items(page())),
        ("SupporterPageResponse.items", items(page())),
        ("RevisionListResponse.items", items(MAX_REVISIONS_LISTED)),
        ("StepListResponse.items", items(count_of(MAX_STEPS_PER_GOAL))),
        // Accounts and tokens.
        ("AccountResponse.display_name", text(1, MAX_DISPLAY_NAME_LENGTH)),
        ("AccountResponse.email", text(3, MAX_EMAIL_LENGTH)),
        ("TokenParameters.username", up_to(MAX_EMAIL_LENGTH)),
        ("TokenParameters.password", up_to(MAX_PASSWORD_LENGTH)),
        ("RegisterRequest.password", text(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH)),
        ("TokenParameters.grant_type", OAUTH_WORD),
        ("TokenParameters.scope", up_to(all_scopes_length())),
        ("TokenParameters.refresh_token", up_to(OPAQUE_SECRET_LENGTH)),
        ("TokenParameters.token", up_to(OPAQUE_SECRET_LENGTH)),
        ("TokenParameters.client_id", up_to(36)),
        ("TokenParameters.client_secret", up_to(OPAQUE_SECRET_LENGTH)),
        ("TokenParameters.code", up_to(OPAQUE_SECRET_LENGTH)),
        ("TokenParameters.redirect_uri", up_to(512)),
        ("TokenParameters.code_verifier", text(43, 128)),
        ("TokenResponse.access_token", up_to(4096)),
        ("TokenResponse.refresh_token", SECRET),
        ("TokenResponse.scope", up_to(all_scopes_length())),
        ("TokenResponse.token_type", text(6, 6)),
        ("TokenResponse.expires_in", whole(1, i64::from(i32::MAX))),
        ("IntrospectionResponse.scope", up_to(all_scopes_length())),
        ("IntrospectionResponse.client_id", up_to(36)),
        ("IntrospectionResponse.sub", up_to(36)),
        ("IntrospectionResponse.token_type", OAUTH_WORD),
        ("IntrospectionResponse.iss", SERVER_URL),
        ("IntrospectionResponse.exp", whole(0, i64::MAX)),
        ("IntrospectionResponse.iat", whole(0, i64::MAX)),
        ("ServerMetadata.introspection_endpoint", SERVER_URL),
        ("OAuthError.error", OAUTH_WORD),
        ("OAuthError.error_description", up_to(500)),
        ("ClientResponse.name", Bound::As("NewClientRequest.name")),
        ("AppLetInResponse.name", Bound::As("NewClientRequest.name")),
        ("AppLetInResponse.scopes", items(Scope::ALL.len())),
        ("AppsLetInResponse.items", items(1000)),
        ("AccessLogPageResponse.items", items(page())),
        // An administrator's display name, or an app's name (`NewClientRequest.name`).
        ("AccessorResponse.name", up_to(MAX_DISPLAY_NAME_LENGTH.max(100))),
        ("AccessLogEntryResponse.operation", up_to(64)),
        ("AccessedResource.type", up_to(64)),
        ("AccessedResource.id", up_to(MAX_RESOURCE_ID_CHARS)),
        ("AccessLogEntryResponse.status", whole(100, 599)),
        ("ClientResponse.scopes", items(Scope::ALL.len())),
        ("CreatedClientResponse.client_secret", SECRET),
        ("CalendarFeedResponse.token", SECRET),
        ("CalendarFeedResponse.url", up_to(64)),
        ("?feed_token", SECRET),
        ("JwkSetResponse.keys", items(MAX_KEYS)),
        ("ServerMetadata.issuer", SERVER_URL),
        ("ServerMetadata.jwks_uri", SERVER_URL),
        ("ServerMetadata.token_endpoint", SERVER_URL),
        ("ServerMetadata.revocation_endpoint", SERVER_URL),
        ("ServerMetadata.authorization_endpoint", SERVER_URL),
        ("ServerMetadata.code_challenge_methods_supported", items(1)),
        ("ServerMetadata.code_challenge_methods_supported[]", OAUTH_WORD),
        ("ServerMetadata.grant_types_supported", items(4)),
        ("ServerMetadata.grant_types_supported[]", OAUTH_WORD),
        ("ServerMetadata.response_types_supported", items(1)),
        ("ServerMetadata.response_types_supported[]", OAUTH_WORD),
        ("ServerMetadata.token_endpoint_auth_methods_supported", items(3)),
        ("ServerMetadata.token_endpoint_auth_methods_supported[]", OAUTH_WORD),
        ("ServerMetadata.revocation_endpoint_auth_methods_supported", items(3)),
        ("ServerMetadata.revocation_endpoint_auth_methods_supported[]", OAUTH_WORD),
        ("ServerMetadata.scopes_supported", items(Scope::ALL.len())),
        ("ServerMetadata.scopes_supported[]", OAUTH_WORD),
        // Problems, as `Problem::within_limits` cuts them.
        ("Problem.type", up_to(100)),
        ("Problem.title", up_to(100)),
        ("Problem.detail", up_to(MAX_DETAIL_CHARS)),
        ("Problem.instance", up_to(MAX_INSTANCE_CHARS)),
        ("Problem.request_id", text(1, 128)),
        ("Problem.errors", items(MAX_FIELD_ERRORS)),
        ("FieldError.pointer", up_to(MAX_POINTER_CHARS)),
        ("FieldError.code", up_to(64)),
        ("FieldError.message", up_to(MAX_MESSAGE_CHARS)),
        ("HealthStatus.status", up_to(16)),
        // Sharing.
        ("ShareResponse.goals", items(MAX_GOALS_PER_SHARE)),
        ("ShareResponse.supporter_name", text(1, MAX_DISPLAY_NAME_LENGTH)),
        ("SharesPageResponse.items", items(page())),
        ("InvitationResponse.code", SECRET),
        // The server's address, the page's path, `#code=` and the code.
        ("InvitationResponse.link", up_to(2048 + 64 + OPAQUE_SECRET_LENGTH)),
        ("SharePreviewResponse.goals", items(MAX_GOALS_PER_SHARE)),
        ("SharedWithMeResponse.person_name", text(1, MAX_DISPLAY_NAME_LENGTH)),
        ("SharedWithMePageResponse.items", items(page())),
        ("SharedGoalsPageResponse.items", items(page())),
        ("SharedGoalResponse.title", domain::<GoalTitle>()),
        ("SharedGoalResponse.why", domain::<GoalWhy>()),
        ("SharedGoalResponse.status", up_to(16)),
        ("StepProgress.done", whole(0, steps())),
        ("StepProgress.total", whole(0, steps())),
        ("SharedGoalDetailResponse.steps", items(count_of(MAX_STEPS_PER_GOAL))),
        ("SharedGoalDetailResponse.recent_check_ins", items(count_of(RECENT_CHECK_INS))),
        ("SharedStepResponse.title", domain::<StepTitle>()),
        ("SharedCheckInResponse.note", up_to(MAX_CHECK_IN_NOTE_CHARS)),
        ("SharedCheckInResponse.feeling", up_to(16)),
        ("SharedCheckInResponse.progress", Bound::As("NewCheckInRequest.progress")),
        ("SharedRoutinesResponse.items", items(count_of(MAX_SUMMARY_ROUTINES))),
        ("SharedRoutineResponse.title", domain::<RoutineTitle>()),
        ("SharedRoutineResponse.category", up_to(32)),
        ("SharedRoutineResponse.planned", whole(0, 7 * per_day())),
        ("SharedRoutineResponse.done", whole(0, 7 * per_day())),
        ("SharedRoutineResponse.partly", whole(0, 7 * per_day())),
        ("SharedRoutineResponse.streak_unit", up_to(16)),
        ("SharedRoutineResponse.current_streak", whole(0, streak())),
        ("EncouragementPageResponse.items", items(page())),
        ("EncouragementResponse.message", domain::<EncouragementMessage>()),
        ("SentEncouragementResponse.message", domain::<EncouragementMessage>()),
        ("EncouragementSender.display_name", text(1, MAX_DISPLAY_NAME_LENGTH)),
        // Goals.
        ("NewGoalRequest.title", domain::<GoalTitle>()),
        ("GoalPatch.title", domain::<GoalTitle>()),
        ("GoalResponse.title", domain::<GoalTitle>()),
        ("SupportedGoalResponse.title", domain::<GoalTitle>()),
        ("NewGoalRequest.why", domain::<GoalWhy>()),
        ("GoalResponse.why", domain::<GoalWhy>()),
        ("NewGoalRequest.support_notes", domain::<SupportNotes>()),
        ("GoalResponse.support_notes", domain::<SupportNotes>()),
        ("GoalResponse.steps_total", whole(0, steps())),
        ("GoalResponse.steps_done", whole(0, steps())),
        ("GoalResponse.supporter_ids", items(MAX_SUPPORTERS_PER_GOAL)),
        ("GoalHistoryResponse.items", items(1000)),
        ("NewStepRequest.title", domain::<StepTitle>()),
        ("StepResponse.title", domain::<StepTitle>()),
        ("StepResponse.position", whole(0, steps() - 1)),
        ("NewCheckInRequest.note", up_to(MAX_CHECK_IN_NOTE_CHARS)),
        ("CheckInResponse.note", up_to(MAX_CHECK_IN_NOTE_CHARS)),
        ("CheckInResponse.progress", Bound::As("NewCheckInRequest.progress")),
        // Routines.
        ("NewRoutineRequest.title", domain::<RoutineTitle>()),
        ("RoutineResponse.title", domain::<RoutineTitle>()),
        ("AgendaItem.title", domain::<RoutineTitle>()),
        ("NewRoutineRequest.notes", domain::<RoutineNotes>()),
        ("RoutineResponse.notes", domain::<RoutineNotes>()),
        ("NewRoutineCheckInRequest.note", domain::<RoutineCheckInNote>()),
        ("RoutineCheckInResponse.note", domain::<RoutineCheckInNote>()),
        ("RoutineResponse.reminder_minutes_before", whole(0, i64::from(MAX_REMINDER_MINUTES))),
        ("ScheduleRequest.times", items(MAX_TIMES)),
        ("ScheduleResponse.times", items(MAX_TIMES)),
        ("ScheduleRequest.weekdays", items(7)),
        ("ScheduleResponse.weekdays", items(7)),
        ("ScheduleResponse.count", Bound::As("ScheduleRequest.count")),
        ("ScheduleResponse.interval", Bound::As("ScheduleRequest.interval")),
        ("ScheduleResponse.rrule", up_to(512)),
        ("AgendaResponse.items", items(agenda_items())),
        ("OccurrencesResponse.items", items(range_items())),
        ("RoutineCheckInsResponse.items", items(range_items())),
        ("BatchResponse.results", Bound::As("BatchRequest.items")),
        ("BatchResult.index", whole(0, count(MAX_BATCH) - 1)),
        ("BatchResult.status", whole(200, 599)),
        ("RoutineStatsResponse.days", stats_days()),
        ("RoutineStatsResponse.current_streak", whole(0, streak())),
        ("RoutineStatsResponse.longest_streak", whole(0, streak())),
        ("RoutineStatsResponse.streak_unit", up_to(16)),
        ("RoutineStatsResponse.per_weekday", items(7)),
        ("WeekdayTally.weekday", text(3, 3)),
        ("TallyResponse.expected", whole(0, tally())),
        ("TallyResponse.done", whole(0, tally())),
        ("TallyResponse.partly", whole(0, tally())),
        ("TallyResponse.skipped", whole(0, tally())),
        ("TallyResponse.missed", whole(0, tally())),
        ("WeekProgress.target", whole(0, 7 * per_day())),
        ("WeekProgress.checked_in", whole(0, 7 * per_day())),
        // Contacts.
        ("NewContactRequest.name", domain::<ContactName>()),
        ("ContactResponse.name", domain::<ContactName>()),
        ("ContactSummary.name", domain::<ContactName>()),
        ("NewContactRequest.organisation", domain::<Organisation>()),
        ("ContactResponse.organisation", domain::<Organisation>()),
        ("NewContactRequest.can_help_with", domain::<CanHelpWith>()),
        ("ContactResponse.can_help_with", domain::<CanHelpWith>()),
        ("NewContactRequest.notes", domain::<ContactNotes>()),
        ("ContactResponse.notes", domain::<ContactNotes>()),
        ("ContactResponse.channels", items(MAX_CHANNELS)),
        ("ContactResponse.keep_in_touch_every_days", whole(1, i64::from(MAX_KEEP_IN_TOUCH_DAYS))),
        ("NewInteractionRequest.note", domain::<InteractionNote>()),
        ("InteractionResponse.note", domain::<InteractionNote>()),
        ("SupporterRequest.role", domain::<SupporterRole>()),
        ("SupporterResponse.role", domain::<SupporterRole>()),
        ("SupportedGoalResponse.role", domain::<SupporterRole>()),
        ("CrisisResponse.contacts", items(MAX_CONTACTS_PER_PERSON)),
        ("ImportResponse.results", items(count_of(MAX_CARDS))),
        ("ImportResponse.created", whole(0, count(MAX_CARDS))),
        ("ImportResponse.failed", whole(0, count(MAX_CARDS))),
        ("ImportResult.card", whole(1, count(MAX_CARDS))),
        ("ImportResult.line", whole(1, i64::from(i32::MAX))),
        ("ImportResult.status", whole(200, 599)),
        // Content.
        ("NewArticleRequest.title", domain::<ArticleTitle>()),
        ("ArticleTextResponse.title", domain::<ArticleTitle>()),
        ("ArticleSummaryResponse.title", domain::<ArticleTitle>()),
        ("NewArticleRequest.summary", domain::<Summary>()),
        ("ArticleTextResponse.summary", domain::<Summary>()),
        ("ArticleSummaryResponse.summary", domain::<Summary>()),
        ("NewArticleRequest.content_notes", domain::<ContentNotes>()),
        ("ArticleTextResponse.content_notes", domain::<ContentNotes>()),
        ("ArticleSummaryResponse.content_notes", domain::<ContentNotes>()),
        ("NewArticleRequest.author_name", domain::<AuthorName>()),
        ("ArticleTextResponse.author_name", domain::<AuthorName>()),
        ("NewArticleRequest.source", domain::<Source>()),
        ("ArticleTextResponse.source", domain::<Source>()),
        ("NewArticleRequest.licence", domain::<Licence>()),
        ("ArticleTextResponse.licence", domain::<Licence>()),
        ("NewArticleRequest.body_markdown", up_to(MAX_BODY_CHARS)),
        ("ArticleTextResponse.body_markdown", up_to(MAX_BODY_CHARS)),
        ("ArticleTextResponse.body_html", up_to(MAX_BODY_HTML_CHARS)),
        ("NewArticleRequest.topics", items(MAX_TOPICS)),
        ("ArticleTextResponse.topics", items(MAX_TOPICS)),
        ("ArticleSummaryResponse.topics", items(MAX_TOPICS)),
        ("ArticleTextResponse.reading_minutes", whole(0, i64::from(u16::MAX))),
        ("ArticleSummaryResponse.reading_minutes", whole(0, i64::from(u16::MAX))),
        ("ArticleResponse.revision", whole(0, i64::from(i32::MAX))),
        ("RevisionResponse.number", whole(1, i64::from(i32::MAX))),
        ("?number", whole(1, i64::from(i32::MAX))),
        ("ChangeResponse.sequence", whole(1, i64::MAX)),
        ("NewServiceRequest.name", domain::<ServiceName>()),
        ("ServiceResponse.name", domain::<ServiceName>()),
        ("NewServiceRequest.description", domain::<ServiceDescription>()),
        ("ServiceResponse.description", domain::<ServiceDescription>()),
        ("NewServiceRequest.area", domain::<Area>()),
        ("ServiceResponse.area", domain::<Area>()),
        ("NewServiceRequest.eligibility", domain::<Eligibility>()),
        ("ServiceResponse.eligibility", domain::<Eligibility>()),
        ("ServiceResponse.channels", items(MAX_CHANNELS)),
        ("ServiceResponse.languages", Bound::As("NewServiceRequest.languages")),
        ("NewServiceRequest.languages[]", LOCALE),
        ("ServicePatch.languages[]", LOCALE),
        ("ServiceResponse.languages[]", LOCALE),
        ("HoursBody.periods", items(21)),
        ("PeriodBody.days", items(7)),
        ("?near", Bound::Text { min: 3, max: MAX_NEAR_LENGTH, pattern: None }),
        ("CrisisLinesResponse.services", items(count_of(MAX_SERVICES_CONSIDERED))),
        ("CrisisResponse.lines", items(count_of(MAX_SERVICES_CONSIDERED))),
        ("CrisisLinesResponse.guidance", items(count_of(GUIDANCE_LISTED))),
        ("CrisisLinesResponse.source", up_to(16)),
        ("?status", items(GoalStatus::ALL.len())),
        // An import is at most this many bytes, so at most as many characters.
        ("POST /v1/contacts/import", up_to(IMPORT_MAX_BYTES)),
    ]
}

/// The statistics windows, smallest to largest.
fn stats_days() -> Bound {
    let days = STATS_WINDOWS.iter().copied().map(i64::from);
    whole(days.clone().min().unwrap_or_default(), days.max().unwrap_or_default())
}

/// Bounds every value: by format, then by the rules above. Answers what did not fit:
/// a rule that names nothing, or a bound a route states differently (a test keeps
/// this empty).
pub(super) fn bound_every_value(openapi: &mut OpenApi) -> Vec<String> {
    schema_walk::bound_by_format(openapi);
    schema_walk::apply_rules(openapi, &rules())
}

/// Where the document still leaves a value unbounded (a test keeps this empty).
#[cfg(test)]
pub(super) fn unbounded(openapi: &mut OpenApi) -> Vec<String> {
    schema_walk::unbounded(openapi)
}
