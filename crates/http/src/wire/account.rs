//! An account on the wire, as its owner (or an administrator) sees it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use waymark_domain::identity::Account;

use crate::auth::vocabulary::RoleName;

/// An account, as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccountResponse {
    /// The account's id.
    id: uuid::Uuid,
    /// The e-mail address it signs in with (normalised to lower case).
    #[schema(example = "sam@example.org")]
    email: String,
    /// The name it is shown by.
    #[schema(example = "Sam")]
    display_name: String,
    /// Its IANA time zone.
    #[schema(example = "Europe/London")]
    time_zone: String,
    /// Its BCP 47 language tag.
    #[schema(example = "en-GB")]
    locale: String,
    /// `user`, `editor` or `admin`.
    #[schema(value_type = RoleName, example = "user")]
    role: String,
    /// When it was created.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1 and grows by one with every change; also the `ETag`.
    #[schema(example = 1)]
    version: i64,
}

impl From<&Account> for AccountResponse {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.0,
            email: account.email.to_string(),
            display_name: account.display_name.to_string(),
            time_zone: account.time_zone.to_string(),
            locale: account.locale.to_string(),
            role: account.role.to_string(),
            created_at: account.created_at,
            updated_at: account.updated_at,
            version: account.version,
        }
    }
}

impl AccountResponse {
    /// The `ETag` of `account`.
    pub(crate) fn etag(account: &Account) -> String {
        format!("\"{}\"", account.version)
    }
}
