//! Who may call what, as the spec says it: the `oauth2` scheme with only the flows
//! whose tokens some operation accepts, `security: []` on public operations, and the
//! 401 and 403 problems every secured operation can answer.

use utoipa::Modify;
use utoipa::openapi::security::{
    AuthorizationCode, ClientCredentials, Flow, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::openapi::{OpenApi, RefOr, Response};
use waymark_domain::identity::Scope;

use super::{operations_mut, problem_response};
use crate::auth::security_table::{CLIENT_SCHEME, OAUTH2_SCHEME};

/// Where tokens come from, and are refreshed.
const TOKEN_URL: &str = "/v1/auth/token";

/// Where an app sends a person to sign in and say yes.
const AUTHORIZATION_URL: &str = "/v1/auth/authorize";

/// Adds the `oauth2` security scheme. It offers the authorization code flow (with
/// PKCE, for apps acting for a person) and the password flow (for Waymark's own,
/// first-party apps), both with refresh tokens; Swagger UI's *Authorize* offers both.
/// And the `client` scheme: an API client's own token (client credentials), which
/// only the operations declaring it accept (its webhook subscriptions); everywhere
/// else the server refuses it (see `SecurityTable`).
#[derive(Debug)]
pub(super) struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scopes_where = |for_clients: bool| {
            Scopes::from_iter(
                Scope::ALL
                    .iter()
                    .filter(|scope| scope.is_for_clients_only() == for_clients)
                    .map(|scope| (scope.as_str(), scope.description())),
            )
        };
        let scopes = scopes_where(false);
        components.add_security_scheme(
            OAUTH2_SCHEME,
            SecurityScheme::OAuth2(OAuth2::with_description(
                [
                    Flow::AuthorizationCode(AuthorizationCode::with_refresh_url(
                        AUTHORIZATION_URL,
                        TOKEN_URL,
                        scopes.clone(),
                        TOKEN_URL,
                    )),
                    Flow::Password(Password::with_refresh_url(TOKEN_URL, scopes, TOKEN_URL)),
                ],
                "An app acting for a person uses the authorization code flow with PKCE (S256, \
required): the person signs in and consents on Waymark's own pages, and the app never sees \
their password. Waymark's own (first-party) apps may also sign in with the e-mail address and \
password (password flow). Refresh with `grant_type=refresh_token` at the token endpoint. Access tokens are EdDSA-signed JWTs valid for \
15 minutes, issued and checked as RFC8725 (JWT Best Current Practices) asks: one pinned \
algorithm, `alg: none` and unknown keys refused, `iss`, `aud`, `exp` and `nbf` checked. Tokens an \
API client gets for itself (scheme `client`) reach only the operations that declare that scheme.",
            )),
        );
        components.add_security_scheme(
            CLIENT_SCHEME,
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::with_refresh_url(
                    TOKEN_URL,
                    scopes_where(true),
                    TOKEN_URL,
                ))],
                "A confidential API client's own token, for what it does for itself (its webhook \
subscriptions): `grant_type=client_credentials` at the token endpoint, with its id and secret \
(HTTP Basic). It reaches no person's data. Access tokens are EdDSA-signed JWTs valid for 15 \
minutes, issued and checked as RFC8725 (JWT Best Current Practices) asks; no refresh token is \
issued: the client asks the token endpoint again.",
            )),
        );
    }
}

/// Makes every operation say who may call it: operations without requirements get
/// an explicit `security: []`, and secured ones (no anonymous `{}` alternative) list
/// the 401 and 403 problems they can answer.
pub(super) fn declare_access(openapi: &mut OpenApi) {
    for (_, _, operation) in operations_mut(openapi) {
        let security = operation.security.get_or_insert_with(Vec::new);
        let requirements = serde_json::to_value(&*security).unwrap_or_default();
        let alternatives = requirements.as_array().cloned().unwrap_or_default();
        let anonymous_allowed = alternatives.is_empty()
            || alternatives
                .iter()
                .any(|alternative| alternative.as_object().is_some_and(|map| map.is_empty()));
        if anonymous_allowed {
            continue;
        }
        let responses = &mut operation.responses.responses;
        responses.entry("401".to_owned()).or_insert_with(unauthorized);
        responses.entry("403".to_owned()).or_insert_with(insufficient_scope);
    }
}

fn unauthorized() -> RefOr<Response> {
    problem_response(
        401,
        "unauthorized",
        "Authentication required",
        "No access token, or one that is not valid: expired, badly signed, for another audience, of an account that no longer exists, or issued before the account ended its sessions (a password or role change, signing out everywhere). `WWW-Authenticate` is set.",
    )
}

fn insufficient_scope() -> RefOr<Response> {
    problem_response(
        403,
        "insufficient-scope",
        "Insufficient scope",
        "The token lacks a scope this operation needs (its `security` lists them), or is an API client's token.",
    )
}
