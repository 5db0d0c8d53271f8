//! `PATCH /v1/admin/users/{user_id}`: changing an account's role.

use actix_web::http::header;
use actix_web::{HttpResponse, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;
use waymark_application::{Input, accounts};
use waymark_domain::identity::Role;
use waymark_domain::validation::{Problem as FieldProblem, Problems};

use crate::auth::Principal;
use crate::auth::vocabulary::RoleName;
use crate::error::ApiError;
use crate::extract::{IfMatch, JsonBody, version_etag};
use crate::openapi::problems::AccountStale;
use crate::paths::UserPath;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::account::AccountResponse;

/// A role change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleChange {
    /// `user`, `editor` or `admin`.
    #[schema(value_type = RoleName, example = "editor")]
    role: String,
}

impl Input<Role> for RoleChange {
    fn parse(self) -> Result<Role, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let role = problems.check("/role", self.role.parse::<Role>());
        problems.or(|| role)
    }
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
    params(UserPath),
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
    path: web::Path<UserPath>,
    if_match: IfMatch,
    body: JsonBody<RoleChange>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let target = path.user_id();
    let acting = principal.administering(target)?;
    let change = body.into_inner();
    let account = accounts::set_role(&state.ports, acting, if_match.seen(), change).await?;
    tracing::info!(target: "security", by = ?principal.subject, account_id = %target, role = %account.role, "role changed");
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, version_etag(account.version)))
        .json(AccountResponse::from(&account)))
}
