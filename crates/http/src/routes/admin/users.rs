//! `PATCH /v1/admin/users/{user_id}`: changing an account's role.

use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;
use waymark_domain::identity::{AccountId, Role};

use crate::auth::Principal;
use crate::auth::vocabulary::RoleName;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, version_etag};
use crate::openapi::problems::AccountStale;
use crate::problem::{FieldError, Problem};
use crate::routes::auth::AccountResponse;
use crate::state::AppState;

/// A role change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleChange {
    /// `user`, `editor` or `admin`.
    #[schema(value_type = RoleName, example = "editor")]
    role: String,
}

/// Changes an account's role.
///
/// Every session of the account ends: its refresh tokens are revoked and access
/// tokens issued before stop working on their next request, so the new role's
/// scopes apply from its next sign-in. With `If-Match`, only if the account is still
/// at that version.
#[utoipa::path(
    tag = "admin",
    operation_id = "update_user_role",
    security(("oauth2" = ["admin"])),
    params(
        ("user_id" = uuid::Uuid, Path, description = "The account's id."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` you last saw."),
    ),
    request_body(content((RoleChange = "application/merge-patch+json"), (RoleChange = "application/json"))),
    responses(
        (status = 200, description = "The account with its new role.", body = AccountResponse, headers(("ETag" = String, description = "The new version."))),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
        AccountStale,
        (status = 422, description = "Not a role.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/v1/admin/users/{user_id}")]
pub(crate) async fn update_user(
    principal: Principal,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<RoleChange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let role = body
        .into_inner()
        .role
        .parse::<Role>()
        .map_err(|error| ApiError::Validation(vec![FieldError::invalid("/role", error)]))?;
    let target = AccountId(path.into_inner());
    let expected = if if_match.is_conditional() {
        let current = state
            .ports
            .accounts
            .get(target)
            .await?
            .ok_or(ApiError::NotFound)?;
        if_match.resolve(current.version)?
    } else {
        None
    };
    let account = state
        .ports
        .accounts
        .set_role(target, role, expected, principal.account()?)
        .await?;
    tracing::info!(target: "security", by = ?principal.subject, account_id = %target, role = %role, "role changed");
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, version_etag(account.version)))
        .json(AccountResponse::from(&account)))
}
