//! Whether a verified token's session is still live: for a token issued to an API
//! client, the client is still enabled; for a person's token, the account
//! still exists and has not moved its token epoch on since the token was issued (a
//! password or role change, "sign out everywhere"). Every place that acts on a token
//! asks here: the `Principal` extractor, content reads that show editors more, and
//! idempotent replays. The account is read through the account store, which remembers
//! it, so asking costs no database round trip while nothing about the account changes.

use waymark_application::grants;
use waymark_domain::identity::ClientId;

use super::tokens::{AccessClaims, TokenIssuer, TokenSubject};
use crate::error::ApiError;
use crate::state::AppState;

/// Whether `claims`, already verified, still speak for someone: a token issued to an
/// API client only while that client exists and is enabled, and a person's token only
/// while their account is at the token's epoch.
///
/// # Errors
/// [`ApiError::StorageUnavailable`] when the account or client cannot be read.
pub(crate) async fn is_live(state: &AppState, claims: &AccessClaims) -> Result<bool, ApiError> {
    let client = claims.client_id.as_deref().map(ClientId::parse);
    if let Some(client) = client {
        let Some(client) = client else {
            return Ok(false);
        };
        if !grants::is_client_enabled(&state.ports, client).await? {
            return Ok(false);
        }
    }
    match TokenIssuer::subject_of(claims) {
        Ok(TokenSubject::Account(account)) => {
            let issued_in = claims.token_epoch.unwrap_or(0);
            Ok(grants::is_session_live(&state.ports, account, issued_in).await?)
        }
        Ok(TokenSubject::Client(_)) => Ok(true),
        Err(_) => Ok(false),
    }
}
