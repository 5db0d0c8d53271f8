//! `GET /v1/content/crisis`: crisis lines and guidance for a locale, answered even
//! when the database is down, and never rate limited.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_domain::contacts::ChannelType;
use waymark_domain::content::service::Service;
use waymark_domain::identity::Locale;

use super::representation::ArticleSummaryResponse;
use crate::crisis_board::{Provenance, crisis_answer};
use crate::error::ApiError;
use crate::pages::{HtmlPage, escape, page};
use crate::pagination::{documented_query, documented_query_types};
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::services::ServiceResponse;

/// Where to turn in a crisis.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CrisisLinesResponse {
    /// The locale answered for.
    #[schema(example = "en-GB")]
    locale: String,
    /// Published crisis lines for the locale's country and language.
    services: Vec<ServiceResponse>,
    /// Published guidance on the `crisis` topic in the locale.
    guidance: Vec<ArticleSummaryResponse>,
    /// `live` (read from the database within the last 30 seconds), `remembered` (the
    /// last good answer, the database not answering) or `built_in` (the set compiled
    /// into Waymark).
    #[schema(example = "live")]
    source: &'static str,
}

/// The query parameters of `GET /v1/content/crisis`, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CrisisParameters {
    /// BCP 47 (default `en-GB`).
    locale: Option<String>,
}

documented_query_types!(CrisisParameters);

/// The locale a crisis request names (`?locale=`), or the default one.
fn asked_locale(request: &HttpRequest) -> Result<Locale, ApiError> {
    let sent: CrisisParameters = documented_query(request.query_string())?;
    match sent.locale {
        Some(locale) => {
            Locale::parse(&locale).map_err(|error| ApiError::BadRequest(format!("locale {error}")))
        }
        None => Ok(Locale::default_locale()),
    }
}

/// Crisis lines and guidance for a locale.
///
/// Public, never rate limited, and answered even when the database is down: the last
/// good answer is kept in memory (re-read at most every 30 seconds, and after content
/// changes on this instance), and a built-in set of crisis lines compiled into
/// Waymark stands in when there is none. `source` says which was used. Cacheable for
/// five minutes.
#[utoipa::path(
    tag = "content",
    operation_id = "get_crisis_lines",
    params(CrisisParameters),
    responses(
        (status = 200, description = "Crisis lines and guidance.", body = CrisisLinesResponse),
        (status = 400, description = "`locale` is not a language tag.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/content/crisis")]
pub(crate) async fn get_crisis_lines(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let locale = asked_locale(&request)?;
    let (answer, provenance) = crisis_answer(&state, &locale).await;
    let now = Utc::now();
    // A fallback answer given during an outage must not outlive it in shared caches.
    let caching = if provenance == Provenance::Live {
        crate::public_cache::PUBLIC
    } else {
        "public, max-age=30"
    };
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, caching)).json(
        CrisisLinesResponse {
            locale: locale.as_str().to_owned(),
            services: answer
                .services
                .iter()
                .map(|service| ServiceResponse::new(service, now, None))
                .collect(),
            guidance: answer
                .guidance
                .iter()
                .map(|article| ArticleSummaryResponse::new(article, None))
                .collect(),
            source: provenance.as_str(),
        },
    ))
}

/// The crisis lines as a page, for a person (the sign-in and consent pages link here).
///
/// The same lines as `GET /v1/content/crisis`, answered the same way (never rate
/// limited, even with the database down), as plain HTML a person can read and act on:
/// each line's name, what it offers, and links to call, text or visit.
#[utoipa::path(
    tag = "content",
    operation_id = "crisis_lines_page",
    params(CrisisParameters),
    responses(
        (status = 200, description = "The page.", content_type = "text/html", body = HtmlPage),
        (status = 400, description = "`locale` is not a language tag.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/v1/content/crisis.html")]
pub(crate) async fn crisis_lines_page(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let locale = asked_locale(&request)?;
    let (answer, _) = crisis_answer(&state, &locale).await;
    // A page for someone in crisis is never empty: with no lines published for the
    // locale, the built-in ones stand in.
    let lines: String = if answer.services.is_empty() {
        state.crisis.built_in_for(&locale).iter().map(line).collect()
    } else {
        answer.services.iter().map(line).collect()
    };
    let body = format!(
        "<h1>Help right now</h1>\
<p>If you or someone else is in danger right now, call your local emergency number.</p>\
<p>These services are there for you, whatever you are going through:</p>{lines}"
    );
    Ok(page(StatusCode::OK, "Help right now", &body))
}

/// One crisis line: its name, what it offers, and a link for each way to reach it.
fn line(service: &Service) -> String {
    let details = &service.details;
    let ways: String = details
        .channels
        .iter()
        .filter_map(|channel| {
            let value = escape(&channel.value);
            match channel.kind {
                ChannelType::Phone => Some(format!("<li><a href=\"tel:{value}\">Call {value}</a></li>")),
                ChannelType::Mobile => Some(format!(
                    "<li><a href=\"tel:{value}\">Call {value}</a> or <a href=\"sms:{value}\">text</a></li>"
                )),
                ChannelType::Email => Some(format!("<li><a href=\"mailto:{value}\">E-mail {value}</a></li>")),
                ChannelType::Website | ChannelType::Forum | ChannelType::Video => Some(format!(
                    "<li><a href=\"{value}\" rel=\"noopener noreferrer\">{value}</a></li>"
                )),
                ChannelType::Address => None,
            }
        })
        .collect();
    format!(
        "<section><h2>{name}</h2><p>{description}</p><ul>{ways}</ul></section>",
        name = escape(details.name.as_str()),
        description = escape(details.description.as_str()),
    )
}
