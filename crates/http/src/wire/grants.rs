//! An app the person let in, as the person reads it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use waymark_application::authorization::AppLetIn;

use crate::auth::vocabulary::ScopeName;

/// An app you have let in.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AppLetInResponse {
    /// This grant: the `grant` claim of every access token the app holds under it.
    /// Letting the app in again after taking it back is a new grant.
    grant_id: uuid::Uuid,
    /// The app's client id; `DELETE /v1/me/grants/{client_id}` takes it back.
    client_id: uuid::Uuid,
    /// The app's name, as its consent page showed it.
    #[schema(example = "Hillside app")]
    name: String,
    /// What you let it have.
    #[schema(value_type = Vec<ScopeName>, example = json!(["goals:read"]))]
    scopes: Vec<String>,
    /// When you last said yes.
    #[serde(serialize_with = "crate::wire::time::instant")]
    granted_at: DateTime<Utc>,
    /// When it last got tokens (signing you in, or refreshing); `null` if never.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    last_used_at: Option<DateTime<Utc>>,
}

impl From<&AppLetIn> for AppLetInResponse {
    fn from(app: &AppLetIn) -> Self {
        Self {
            grant_id: app.consent.grant_id.0,
            client_id: app.client.id.0,
            name: app.client.name.clone(),
            scopes: app.consent.scopes.iter().map(|scope| scope.as_str().to_owned()).collect(),
            granted_at: app.consent.granted_at,
            last_used_at: app.consent.last_used_at,
        }
    }
}
