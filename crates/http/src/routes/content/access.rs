//! Who is reading content: anyone (published only, cacheable), or an editor, whose
//! token (a person's, with scope `content:write`, in a session still live) unlocks
//! drafts and archived articles. A missing, unusable or ended token on a public
//! operation simply means a public reader.

use actix_web::HttpRequest;
use waymark_domain::identity::Scope;

use crate::auth::tokens::TokenSubject;
use crate::auth::{Bearer, TokenIssuer, bearer, sessions};
use crate::error::ApiError;
use crate::state::AppState;

/// Whether the request carries a person's live token with `content:write`. API
/// clients' own tokens are never an editor's.
///
/// # Errors
/// [`ApiError::StorageUnavailable`] when the token's account cannot be read.
pub(crate) async fn is_editor(request: &HttpRequest, state: &AppState) -> Result<bool, ApiError> {
    let Bearer::Valid(claims) = bearer(request, &state.tokens) else {
        return Ok(false);
    };
    if !matches!(TokenIssuer::subject_of(&claims), Ok(TokenSubject::Account(_))) {
        return Ok(false);
    }
    let scopes = sessions::live_scopes(state, &claims).await?;
    Ok(scopes.is_some_and(|scopes| scopes.contains(Scope::ContentWrite)))
}
