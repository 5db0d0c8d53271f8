//! `GET/POST /v1/auth/authorize`: the authorization endpoint (OAuth 2.1 section 4.1).
//! An app sends the person here; they sign in, then allow or deny what the app asks;
//! the app gets a code (or an error) back at its redirect URI, with `state` and `iss`
//! (RFC 9207). Between the pages the flow travels in a signed form field, and a
//! cookie set on the first page must come back with every form (CSRF).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use waymark_application::authorization::{
    self, AuthorizationParameters, AuthorizationRefused, AuthorizationRequest,
};
use waymark_application::grants::{self, GrantError};
use waymark_domain::identity::secret::{OpaqueSecret, SecretDigest};
use waymark_domain::identity::{AccountId, Scope};

use crate::error::ApiError;
use crate::pages::{CookieText, HtmlPage, escape, page};
use crate::state::AppState;

/// The cookie the forms' CSRF value must match.
const CSRF_COOKIE: &str = "waymark_authorize";

/// How long a person has to sign in (seconds).
const FLOW_LIFETIME: i64 = 600;

/// How long a person has to decide once signed in (seconds).
const DECISION_LIFETIME: i64 = 300;

/// The longest signed flow (its request's values are bounded; this leaves room).
const MAX_FLOW_LENGTH: usize = 8192;

/// The authorization request, as an app sends it (RFC 6749 section 4.1.1, RFC 7636).
/// Parameters this server does not know are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuthorizeQuery {
    /// `code`.
    #[param(max_length = 16, example = "code")]
    response_type: Option<String>,
    /// The app's client id.
    #[param(max_length = 36)]
    client_id: Option<String>,
    /// One of the app's registered redirect URIs.
    #[param(max_length = 512)]
    redirect_uri: Option<String>,
    /// Space-separated scopes; the app's own scopes when absent.
    #[param(max_length = 512, example = "goals:read routines:read")]
    scope: Option<String>,
    /// Sent back to the app unchanged; use it against cross-site request forgery.
    #[param(max_length = 1024)]
    state: Option<String>,
    /// BASE64URL(SHA-256(code_verifier)), 43 characters.
    #[param(max_length = 43, min_length = 43)]
    code_challenge: Option<String>,
    /// `S256` (`plain` is refused).
    #[param(max_length = 8, example = "S256")]
    code_challenge_method: Option<String>,
    /// SMART App Launch: the FHIR base URL the app will call (`{public URL}/fhir/r4`);
    /// any other value is refused.
    #[param(max_length = 2048)]
    aud: Option<String>,
}

impl AuthorizeQuery {
    fn parameters<'a>(&'a self, fhir_base: &'a str) -> AuthorizationParameters<'a> {
        AuthorizationParameters {
            response_type: self.response_type.as_deref(),
            client_id: self.client_id.as_deref(),
            redirect_uri: self.redirect_uri.as_deref(),
            scope: self.scope.as_deref(),
            state: self.state.as_deref(),
            code_challenge: self.code_challenge.as_deref(),
            code_challenge_method: self.code_challenge_method.as_deref(),
            aud: self.aud.as_deref(),
            fhir_base,
        }
    }
}

/// What the pages' forms send back.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AuthorizeForm {
    /// The signed flow the page carried.
    #[schema(max_length = 4096)]
    flow: String,
    /// `sign_in`, `allow` or `deny`.
    #[schema(max_length = 8, example = "sign_in")]
    action: String,
    /// The e-mail address (signing in).
    #[serde(default)]
    #[schema(max_length = 254)]
    email: Option<String>,
    /// The password (signing in).
    #[serde(default)]
    #[schema(max_length = 1024, format = Password)]
    password: Option<String>,
}

impl AuthorizeForm {
    fn fields(&self) -> impl Iterator<Item = &str> {
        [
            Some(self.flow.as_str()),
            Some(self.action.as_str()),
            self.email.as_deref(),
            self.password.as_deref(),
        ]
        .into_iter()
        .flatten()
    }
}

/// The flow between the pages, signed so it cannot be changed on the way.
#[derive(Debug, Serialize, Deserialize)]
struct Flow {
    /// Always `authorize`: no other signed value passes for a flow.
    purpose: String,
    /// The request as the app sent it; checked again on every step.
    request: AuthorizeQuery,
    /// The digest of the value the browser's cookie must hold (the value itself is
    /// never in the page, so a copied form is no use without the cookie).
    csrf_digest: String,
    /// When the flow started, or when the person signed in, in Unix seconds.
    started: i64,
    /// The person, once they have signed in, with their token epoch then: a password
    /// change or "sign out everywhere" in between ends the flow.
    account: Option<(uuid::Uuid, i64)>,
}

const PURPOSE: &str = "authorize";

/// Starts the authorization code flow: shows the sign-in page.
///
/// For apps acting for a person (OAuth 2.1 authorization code flow with PKCE, as
/// AppAuth does it). An unknown `client_id`, or a `redirect_uri` the app has not
/// registered, gets an error page and is never redirected to; every other problem
/// goes back to the redirect URI with `error`, `error_description`, `state` and `iss`.
#[utoipa::path(
    tag = "auth",
    operation_id = "authorize",
    params(AuthorizeQuery),
    responses(
        (status = 200, description = "The sign-in page.", content_type = "text/html", body = HtmlPage,
            headers(("Set-Cookie" = CookieText, description = "The value the page's form must come back with."))),
        (status = 303, description = "Back to the app with `error`, `error_description`, `state` and `iss`.",
            headers(("Location" = String, description = "The app's redirect URI."))),
        (status = 400, description = "The app or its redirect URI is not registered: an error page, no redirect.", content_type = "text/html", body = HtmlPage),
    ),
)]
#[get("/v1/auth/authorize")]
pub(crate) async fn authorize(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let sent: AuthorizeQuery =
        serde_urlencoded::from_str(request.query_string()).unwrap_or_default();
    let checked =
        match authorization::check(&state.ports, sent.parameters(state.fhir_base())).await? {
            Ok(checked) => checked,
            Err(refused) => return Ok(refusal(&state, refused)),
        };
    let csrf = OpaqueSecret::generate("").map_err(|error| ApiError::Internal(error.into()))?;
    let csrf = csrf.expose().to_owned();
    let flow = Flow {
        purpose: PURPOSE.to_owned(),
        request: sent,
        csrf_digest: SecretDigest::of(&csrf).as_str().to_owned(),
        started: chrono::Utc::now().timestamp(),
        account: None,
    };
    let mut response = sign_in_page(&state, &checked, &flow, None, StatusCode::OK);
    // base64url, so nothing in it needs quoting in a cookie.
    let cookie = format!(
        "{CSRF_COOKIE}={csrf}; Path={}; Max-Age={FLOW_LIFETIME}; HttpOnly; Secure; SameSite=Strict",
        crate::pages::AUTHORIZE_PATH
    );
    let cookie =
        header::HeaderValue::from_str(&cookie).map_err(|error| ApiError::Internal(error.into()))?;
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

/// Takes the sign-in and consent pages' forms.
///
/// `action=sign_in` with `email` and `password` (the same lockout as the token
/// endpoint, the same answer for an unknown address and a wrong password); then, if
/// the person has not already let the app have all it asks for, the consent page;
/// `action=allow` or `deny` from it. Ends at the app's redirect URI with `code` (valid
/// 60 seconds, once) or `error=access_denied`, and `state` and `iss`.
#[utoipa::path(
    tag = "auth",
    operation_id = "authorize_decision",
    request_body(content = AuthorizeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The consent page.", content_type = "text/html", body = HtmlPage),
        (status = 303, description = "Back to the app with `code` or `error`, and `state` and `iss`.",
            headers(("Location" = String, description = "The app's redirect URI."))),
        (status = 400, description = "The form did not come from this flow's page, the flow expired, or the sign-in was not right: a page saying so.", content_type = "text/html", body = HtmlPage),
        (status = 429, description = "Too many sign-in attempts: the sign-in page, saying how long to wait.", content_type = "text/html", body = HtmlPage),
    ),
)]
#[post("/v1/auth/authorize")]
pub(crate) async fn authorize_decision(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Anything but a whole form from this flow's page (a field missing, NUL in one)
    // gets the page that asks the person to start again.
    let form = serde_urlencoded::from_bytes::<AuthorizeForm>(&body)
        .ok()
        .filter(|form| !form.fields().any(|field| field.contains('\0')));
    let Some(form) = form else {
        return Ok(expired());
    };
    let Some(mut flow) = open_flow(&state, &request, &form.flow) else {
        return Ok(expired());
    };
    let checked =
        match authorization::check(&state.ports, flow.request.parameters(state.fhir_base())).await?
        {
            Ok(checked) => checked,
            Err(refused) => return Ok(refusal(&state, refused)),
        };
    let now = waymark_domain::time::now();
    let signed_in = match flow.account {
        Some((account, epoch)) => {
            let account = AccountId(account);
            if !authorization::still_signed_in(&state.ports, account, epoch).await? {
                return Ok(expired());
            }
            Some(account)
        }
        None => None,
    };
    let code = match (form.action.as_str(), signed_in) {
        ("sign_in", None) => match sign_in(&state, &checked, &mut flow, form, now).await? {
            Ok(code) => code,
            Err(page) => return Ok(page),
        },
        ("allow", Some(account)) => {
            authorization::allow(&state.ports, now, account, &checked).await?
        }
        ("deny", Some(_)) => {
            let denied = [("error", "access_denied"), ("error_description", "The person said no.")];
            return Ok(back_to_app(
                &state,
                &checked.redirect_uri,
                checked.state.as_deref(),
                &denied,
            ));
        }
        _ => return Ok(expired()),
    };
    let answer = [("code", code.expose())];
    Ok(back_to_app(&state, &checked.redirect_uri, checked.state.as_deref(), &answer))
}

/// The sign-in form: the code to send the app when the person signed in and had let it
/// have everything it asks for already; otherwise the page to show (the consent page,
/// with `flow` now signed in, or the sign-in page again saying what was wrong).
async fn sign_in(
    state: &AppState,
    checked: &AuthorizationRequest,
    flow: &mut Flow,
    form: AuthorizeForm,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<OpaqueSecret, HttpResponse>, ApiError> {
    let email = form.email.unwrap_or_default();
    let password = form.password.unwrap_or_default();
    let passwords = &*state.password_work;
    let lockout = state.settings.sign_in_lockout;
    let account = match grants::sign_in(&state.ports, passwords, lockout, now, &email, password)
        .await
    {
        Ok(Some(account)) => account,
        Ok(None) => {
            let wrong = "The e-mail address or password is not right.";
            let page = sign_in_page(state, checked, flow, Some(wrong), StatusCode::BAD_REQUEST);
            return Ok(Err(page));
        }
        Err(GrantError::TooManyAttempts { wait }) => {
            let minutes = wait.as_secs().div_ceil(60).max(1);
            let wait = format!("Too many attempts. Please wait {minutes} minutes, then try again.");
            let status = StatusCode::TOO_MANY_REQUESTS;
            return Ok(Err(sign_in_page(state, checked, flow, Some(&wait), status)));
        }
        Err(GrantError::Store(error)) => return Err(error.into()),
        Err(other) => return Err(ApiError::Internal(other.into())),
    };
    match authorization::code_if_consented(&state.ports, now, account.id, checked).await? {
        Some(code) => Ok(Ok(code)),
        None => {
            flow.account = Some((account.id.0, account.token_epoch));
            flow.started = chrono::Utc::now().timestamp();
            Ok(Err(consent_page(state, checked, flow)))
        }
    }
}

/// Signs flows, with a key of their own.
fn signer(state: &AppState) -> crate::pagination::CursorSigner {
    state.cursors.for_purpose(PURPOSE, MAX_FLOW_LENGTH)
}

/// The flow `sealed` carries, if it is one this server signed, still fresh (started
/// less than [`FLOW_LIFETIME`] ago, or signed in less than [`DECISION_LIFETIME`] ago),
/// in the browser that sends its cookie back.
fn open_flow(state: &AppState, request: &HttpRequest, sealed: &str) -> Option<Flow> {
    let flow: Flow = signer(state).decode(sealed).ok()?;
    let cookie = cookie(request, CSRF_COOKIE)?;
    let lifetime = if flow.account.is_some() { DECISION_LIFETIME } else { FLOW_LIFETIME };
    let fresh = (0..lifetime).contains(&(chrono::Utc::now().timestamp() - flow.started));
    let same_browser =
        SecretDigest::from_stored(flow.csrf_digest.clone()).matches(&SecretDigest::of(&cookie));
    (flow.purpose == PURPOSE && fresh && same_browser && !cookie.is_empty()).then_some(flow)
}

/// The value of the cookie `name` the request carries.
fn cookie(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// The answer to a refused request: an error page, or back to the app.
fn refusal(state: &AppState, refused: AuthorizationRefused) -> HttpResponse {
    match refused {
        AuthorizationRefused::NotRedirectable(why) => page(
            StatusCode::BAD_REQUEST,
            "This link cannot be used",
            &format!(
                "<h1>This link cannot be used</h1><p>{}</p><p>Please go back to the app and try again. If it keeps happening, tell the app's makers.</p>",
                escape(why)
            ),
        ),
        AuthorizationRefused::Redirected { redirect_uri, state: app_state, error, description } => {
            back_to_app(
                state,
                &redirect_uri,
                app_state.as_deref(),
                &[("error", error), ("error_description", &description)],
            )
        }
    }
}

fn expired() -> HttpResponse {
    page(
        StatusCode::BAD_REQUEST,
        "Please start again",
        "<h1>Please start again</h1><p>This page has expired, or was not opened in this browser. Please go back to the app and connect again.</p>",
    )
}

/// 303 to the app's `redirect_uri` with `parameters`, `state` and `iss` added.
fn back_to_app(
    state: &AppState,
    redirect_uri: &str,
    app_state: Option<&str>,
    parameters: &[(&str, &str)],
) -> HttpResponse {
    let issuer = state.tokens.settings().issuer.trim_end_matches('/').to_owned();
    let mut all: Vec<(&str, &str)> = parameters.to_vec();
    if let Some(app_state) = app_state {
        all.push(("state", app_state));
    }
    all.push(("iss", &issuer));
    let query = serde_urlencoded::to_string(&all).unwrap_or_default();
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{redirect_uri}{separator}{query}")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn sign_in_page(
    state: &AppState,
    checked: &AuthorizationRequest,
    flow: &Flow,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let sealed = signer(state).encode(flow);
    let (message, described) = match error {
        Some(error) => (
            format!("<p id=\"sign-in-error\" class=\"error\" role=\"alert\">{}</p>", escape(error)),
            " aria-describedby=\"sign-in-error\" aria-invalid=\"true\"",
        ),
        None => (String::new(), ""),
    };
    let body = format!(
        "<h1>Sign in to Waymark</h1>\
<p><strong>{app}</strong> would like to connect to your Waymark account. Sign in first; you will then see what it asks for, and can say no.</p>\
{message}\
<form method=\"post\" action=\"/v1/auth/authorize\">\
<input type=\"hidden\" name=\"flow\" value=\"{sealed}\">\
<label for=\"email\">E-mail address</label>\
<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required{described}>\
<label for=\"password\">Password</label>\
<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required{described}>\
<button type=\"submit\" name=\"action\" value=\"sign_in\">Sign in</button>\
</form>",
        app = escape(&checked.client.name),
        sealed = escape(&sealed),
    );
    page(status, "Sign in", &body)
}

fn consent_page(state: &AppState, checked: &AuthorizationRequest, flow: &Flow) -> HttpResponse {
    let sealed = signer(state).encode(flow);
    let app = escape(&checked.client.name);
    let asks: String =
        checked.scopes.iter().map(|scope| format!("<li>{}</li>", in_plain_words(scope))).collect();
    let body = format!(
        "<h1>Allow {app} to use your Waymark account?</h1>\
<p>{app} is asking to:</p><ul>{asks}</ul>\
<p>It will not see your password. You can change your mind at any time.</p>\
<form method=\"post\" action=\"/v1/auth/authorize\">\
<input type=\"hidden\" name=\"flow\" value=\"{sealed}\">\
<button type=\"submit\" name=\"action\" value=\"allow\">Allow</button>\
<button type=\"submit\" name=\"action\" value=\"deny\" class=\"secondary\">Deny</button>\
</form>",
        sealed = escape(&sealed),
    );
    page(StatusCode::OK, "Allow access", &body)
}

/// What a scope lets an app do, in the words a person would use.
fn in_plain_words(scope: Scope) -> &'static str {
    match scope {
        Scope::GoalsRead => "See your goals and how they are going",
        Scope::GoalsWrite => "Add and change your goals, their steps and check-ins",
        Scope::RoutinesRead => "See your routines and how they have gone",
        Scope::RoutinesWrite => "Add check-ins to your routines, and change your routines",
        Scope::ContactsRead => "See the people in your support network",
        Scope::ContactsWrite => "Add and change the people in your support network",
        Scope::SharesRead => "See what you share with your supporters, and their encouragement",
        Scope::SharesWrite => "Share your goals with supporters, and change or end what you share",
        Scope::SharedRead => "See what other people share with you as their supporter",
        Scope::SharedWrite => "Send encouragement to people you support",
        Scope::Profile => "See your name and account details",
        Scope::ContentWrite => "Write recovery content",
        Scope::Admin => "Administer Waymark",
        // Never asked of a person: only a client's own token carries these.
        Scope::Webhooks => "Manage the app's own webhooks",
        Scope::ContentEvents => "Be told when recovery content is published",
        Scope::FhirPatientRead => "See your name, in the format NHS and care services use",
        Scope::FhirGoalRead => {
            "See your goals and how they are going, in the format NHS and care services use"
        }
        Scope::FhirCarePlanRead => {
            "See your recovery plan: the goals you are working on and when your routines happen"
        }
        Scope::FhirRelatedPersonRead => {
            "See the people in your support network you chose to share with services"
        }
        Scope::LaunchPatient => "Know that the record it opens is yours",
    }
}
