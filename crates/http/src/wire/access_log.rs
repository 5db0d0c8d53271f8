//! One entry of the person's access log, as the person reads it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use waymark_domain::access_log::{AccessLogEntry, Accessor};

/// Who it was.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AccessorKind {
    /// An app you let in, acting with your grant.
    App,
    /// A Waymark administrator, acting on your account.
    Administrator,
    /// Someone you share with, reading what you share or sending encouragement.
    Supporter,
}

/// Who accessed your data.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccessorResponse {
    /// An app, an administrator or a supporter.
    kind: AccessorKind,
    /// The app's client id, or the administrator's or supporter's account id.
    id: uuid::Uuid,
    /// The app's name, or the person's display name, as they are now; `null`
    /// once the account is gone.
    #[schema(example = "Hillside app")]
    name: Option<String>,
}

/// What it reached.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccessedResource {
    /// The kind of thing (`goal`, `routine`, `contact`, `user`), or the list
    /// (`goals`) when it asked for a list.
    #[serde(rename = "type")]
    #[schema(example = "goal")]
    kind: String,
    /// Its id, when it named one and the answer showed it is yours (2xx, 3xx, 409,
    /// 412); `null` for a list, and otherwise: an id asked for in vain may be another
    /// person's.
    id: Option<String>,
}

/// One access to your data by someone other than you.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccessLogEntryResponse {
    /// The entry's id.
    id: uuid::Uuid,
    /// When it was answered.
    #[serde(serialize_with = "crate::wire::time::instant")]
    at: DateTime<Utc>,
    /// Who.
    accessor: AccessorResponse,
    /// What it did: the operation's id in this API's contract (`list_goals`,
    /// `update_goal`).
    #[schema(example = "list_goals")]
    operation: String,
    /// On what.
    resource: AccessedResource,
    /// How it was answered: the HTTP status (200 it got what it asked for; 403 or 404
    /// it did not).
    #[schema(example = 200)]
    status: u16,
}

impl From<&AccessLogEntry> for AccessLogEntryResponse {
    fn from(entry: &AccessLogEntry) -> Self {
        let record = &entry.record;
        let (kind, id) = match record.accessor {
            Accessor::App(client) => (AccessorKind::App, client.0),
            Accessor::Administrator(account) => (AccessorKind::Administrator, account.0),
            Accessor::Supporter(account) => (AccessorKind::Supporter, account.0),
        };
        Self {
            id: record.id,
            at: record.at,
            accessor: AccessorResponse { kind, id, name: entry.accessor_name.clone() },
            operation: record.operation.clone(),
            resource: AccessedResource {
                kind: record.resource_type.clone(),
                id: record.resource_id.clone(),
            },
            status: record.status,
        }
    }
}
