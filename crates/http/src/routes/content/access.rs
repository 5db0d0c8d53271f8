//! Who is reading content: anyone (published only, cacheable), or an editor, whose
//! token (scope `content:write`) unlocks drafts and archived articles. A missing or
//! unusable token on a public operation simply means a public reader.

use actix_web::HttpRequest;
use waymark_domain::identity::{Scope, ScopeSet};

use crate::auth::{Bearer, bearer};
use crate::state::AppState;

/// Whether the request carries a valid token with `content:write`.
pub(crate) fn is_editor(request: &HttpRequest, state: &AppState) -> bool {
    match bearer(request, &state.tokens) {
        Bearer::Valid(claims) => {
            ScopeSet::parse(&claims.scope).is_ok_and(|scopes| scopes.contains(Scope::ContentWrite))
        }
        Bearer::Missing | Bearer::Invalid => false,
    }
}
