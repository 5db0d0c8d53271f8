//! `/v1/me`: the signed-in person's own account: read it, change the profile, change
//! the password, sign out everywhere, or delete the account and everything in it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use waymark_application::credentials::{self, PasswordCheck};
use waymark_application::{Input, accounts};
use waymark_domain::identity::{Account, DisplayName, Locale, ProfileChanges, TimeZoneName};
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, Patch, not_modified, version_etag};
use crate::openapi::problems::{AccountStale, Invalid};
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::account::AccountResponse;

fn account_response(account: &Account) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, version_etag(account.version)))
        .json(AccountResponse::from(account))
}

/// The rules every check of the person's own password follows, now.
fn password_check(state: &AppState) -> PasswordCheck<'_> {
    PasswordCheck {
        passwords: &*state.password_work,
        lockout: state.settings.sign_in_lockout,
        now: waymark_domain::time::now(),
    }
}

/// Your account.
///
/// Sends `ETag`; with `If-None-Match` naming it, the answer is 304.
#[utoipa::path(
    tag = "me",
    operation_id = "get_me",
    security(("oauth2" = ["profile"])),
    responses(
        (status = 200, description = "Your account.", body = AccountResponse, headers(("ETag" = String, description = "The account's version."))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`."),
    ),
)]
#[get("/v1/me")]
pub(crate) async fn get_me(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let account = accounts::get(&state.ports, principal.acting()?).await?;
    if let Some(unchanged) = not_modified(&request, &version_etag(account.version)) {
        return Ok(unchanged);
    }
    Ok(account_response(&account))
}

/// Profile changes (JSON merge patch): absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfilePatch {
    /// A new display name (1 to 100 characters).
    #[serde(default)]
    #[schema(value_type = String, example = "Sam R.", min_length = 1, max_length = 100)]
    display_name: Patch<String>,
    /// A new IANA time zone.
    #[serde(default)]
    #[schema(value_type = String, example = "Europe/Dublin", max_length = 64)]
    time_zone: Patch<String>,
    /// A new BCP 47 language tag.
    #[serde(default)]
    #[schema(value_type = String, example = "cy-GB", max_length = 35)]
    locale: Patch<String>,
}

impl Input<ProfileChanges> for ProfilePatch {
    fn parse(self) -> Result<ProfileChanges, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let changes = ProfileChanges {
            display_name: self
                .display_name
                .kept("/display_name", &mut problems)
                .and_then(|name| problems.check("/display_name", DisplayName::parse(&name))),
            time_zone: self
                .time_zone
                .kept("/time_zone", &mut problems)
                .and_then(|zone| problems.check("/time_zone", TimeZoneName::parse(&zone))),
            locale: self
                .locale
                .kept("/locale", &mut problems)
                .and_then(|locale| problems.check("/locale", Locale::parse(&locale))),
        };
        problems.or(|| Some(changes))
    }
}

/// Changes your display name, time zone or locale.
///
/// A JSON merge patch (`application/merge-patch+json`; `application/json` works the
/// same): fields left out stay as they are. With `If-Match`, the change is made only
/// if the account is still at that version (else 412).
#[utoipa::path(
    tag = "me",
    operation_id = "update_me",
    security(("oauth2" = ["profile"])),
    request_body(content((ProfilePatch = "application/merge-patch+json"), (ProfilePatch = "application/json"))),
    responses(
        (status = 200, description = "The changed account.", body = AccountResponse, headers(("ETag" = String, description = "The new version."))),
        AccountStale,
        Invalid,
    ),
)]
#[patch("/v1/me")]
pub(crate) async fn update_me(
    principal: Principal,
    if_match: IfMatch,
    body: JsonBody<ProfilePatch>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    let account =
        accounts::update_profile(&state.ports, principal.acting()?, if_match.seen(), patch).await?;
    Ok(account_response(&account))
}

/// A password change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChange {
    /// Your current password.
    #[schema(format = Password, max_length = 128)]
    current_password: String,
    /// The new password: 8 to 128 characters, not your e-mail address, not a common
    /// password.
    #[schema(format = Password, min_length = 8, max_length = 128)]
    new_password: String,
}

/// Changes your password.
///
/// Every session of the account ends, this one included: every refresh token and
/// every access token issued before stops working at once, on every device, so sign
/// in again with the new password.
#[utoipa::path(
    tag = "me",
    operation_id = "change_password",
    security(("oauth2" = ["profile"])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "The password was changed."),
        (status = 422, description = "The current password is not right, or the new one breaks a rule.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/me/password")]
pub(crate) async fn change_password(
    principal: Principal,
    body: JsonBody<PasswordChange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let change = body.into_inner();
    credentials::change_password(
        &state.ports,
        password_check(&state),
        principal.acting()?,
        change.current_password,
        &change.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Signs you out everywhere.
///
/// Ends every session of your account, on every device and app, this one included:
/// every refresh token is revoked and every access token issued before stops working
/// on its next request. Use it when a phone is lost or you think someone else has
/// signed in as you. Sign in again to go on.
#[utoipa::path(
    tag = "me",
    operation_id = "sign_out_everywhere",
    security(("oauth2" = ["profile"])),
    responses(
        (status = 204, description = "Every session has ended; the token that asked no longer works either."),
    ),
)]
#[post("/v1/me/sign-out-everywhere")]
pub(crate) async fn sign_out_everywhere(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    credentials::sign_out_everywhere(&state.ports, acting).await?;
    tracing::info!(target: "security", account_id = %acting.owner, "every session ended by the account's owner");
    Ok(HttpResponse::NoContent().finish())
}

/// Confirmation of an account deletion.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeletionConfirmation {
    /// Your current password.
    #[schema(format = Password, max_length = 128)]
    password: String,
}

/// Deletes your account and everything in it, immediately and for good.
///
/// Goals, routines, contacts, check-ins and every token are erased with it; nothing
/// can be recovered afterwards. Needs your current password.
#[utoipa::path(
    tag = "me",
    operation_id = "delete_me",
    security(("oauth2" = ["profile"])),
    request_body = DeletionConfirmation,
    responses(
        (status = 204, description = "The account and all its data are gone."),
        (status = 422, description = "The password is not right.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/v1/me")]
pub(crate) async fn delete_me(
    principal: Principal,
    body: JsonBody<DeletionConfirmation>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let acting = principal.acting()?;
    let password = body.into_inner().password;
    credentials::erase_account(&state.ports, password_check(&state), acting, password).await?;
    tracing::info!(target: "security", account_id = %acting.owner, "account deleted by its owner");
    Ok(HttpResponse::NoContent().finish())
}

crate::redacted::redacted_debug!(PasswordChange, DeletionConfirmation);
