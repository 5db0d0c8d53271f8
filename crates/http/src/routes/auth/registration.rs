//! `POST /v1/auth/register`: creating an account.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use waymark_application::Input;
use waymark_application::credentials::{self, SignUp};
use waymark_domain::identity::{DisplayName, Email, Locale, NewPassword, TimeZoneName};
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::openapi::problems::Invalid;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::account::AccountResponse;

/// A new account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegisterRequest {
    /// The e-mail address to sign in with; compared without regard to letter case.
    #[schema(example = "sam@example.org", max_length = 254)]
    email: String,
    /// 8 to 128 characters; not the e-mail address and not one of the most common
    /// passwords. No rules about digits or symbols: a long phrase is best.
    #[schema(example = "a walk by the canal every morning", min_length = 8, max_length = 128, format = Password)]
    password: String,
    /// The name to be shown by.
    #[schema(example = "Sam", min_length = 1, max_length = 100)]
    display_name: String,
    /// An IANA time zone name; `Europe/London` when omitted.
    #[schema(example = "Europe/London", max_length = 64)]
    time_zone: Option<String>,
    /// A BCP 47 language tag; `en-GB` when omitted.
    #[schema(example = "en-GB", max_length = 35)]
    locale: Option<String>,
}

impl Input<SignUp> for RegisterRequest {
    fn parse(self) -> Result<SignUp, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let email = problems.check("/email", Email::parse(&self.email));
        let password =
            problems.check("/password", NewPassword::parse(&self.password, email.as_ref()));
        let display_name = problems.check("/display_name", DisplayName::parse(&self.display_name));
        let time_zone = match &self.time_zone {
            Some(zone) => problems.check("/time_zone", TimeZoneName::parse(zone)),
            None => Some(TimeZoneName::default_zone()),
        };
        let locale = match &self.locale {
            Some(locale) => problems.check("/locale", Locale::parse(locale)),
            None => Some(Locale::default_locale()),
        };
        problems.or(|| {
            Some(SignUp {
                email: email?,
                password: password?,
                display_name: display_name?,
                time_zone: time_zone?,
                locale: locale?,
            })
        })
    }
}

/// Creates an account with role `user`.
///
/// Sign in afterwards with `POST /v1/auth/token` (grant `password`). An address can
/// hold one account, whatever its letter case.
#[utoipa::path(
    tag = "auth",
    operation_id = "register",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The account was created.", body = AccountResponse,
            headers(("Location" = String, description = "`/v1/me`"), ("ETag" = String, description = "The account's version."))),
        (status = 409, description = "An account with this e-mail address exists.", body = Problem, content_type = "application/problem+json"),
        Invalid,
        (status = 429, description = "Too many sign-ups from this address; `Retry-After` is set.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/auth/register")]
pub(crate) async fn register(
    body: JsonBody<RegisterRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let account =
        credentials::sign_up(&state.ports, &*state.password_work, body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/v1/me"))
        .insert_header((header::ETAG, AccountResponse::etag(&account)))
        .json(AccountResponse::from(&account)))
}

crate::redacted::redacted_debug!(RegisterRequest);
