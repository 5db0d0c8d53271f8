//! What each operation requires of a token, read from the OpenAPI document's
//! `security` requirements. An operation declares its scopes once, in its
//! `#[utoipa::path]` attribute, and the `oauth2` scheme lists the flows whose tokens
//! reach the operations that name it; the spec shows both and the authentication
//! middleware enforces both from here, so a client or gateway reading the spec reaches
//! the same decision as the server.

use std::sync::Arc;

use serde_json::Value;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::Operation as SpecOperation;
use waymark_domain::identity::{Scope, ScopeSet};

use crate::route_table::{matches, segments};

/// The name of the OAuth 2.0 security scheme operations list their scopes under.
pub const OAUTH2_SCHEME: &str = "oauth2";

/// The security scheme of an API client's own token (client credentials).
pub const CLIENT_SCHEME: &str = "client";

/// The OAuth 2.0 flow (in the spec's `flows` map) that issues API-client tokens.
const CLIENT_CREDENTIALS_FLOW: &str = "clientCredentials";

/// What one secured operation requires.
#[derive(Debug, Clone, Default)]
pub struct Requirement {
    /// The scopes the token must carry.
    pub scopes: ScopeSet,
    /// Whether a token an API client got for itself (client credentials) may call it:
    /// only when one of the schemes the operation names offers that flow.
    pub accepts_client_tokens: bool,
}

/// Every operation of the spec with what it requires, `None` for a public one.
#[derive(Debug, Clone, Default)]
pub struct SecurityTable {
    operations: Vec<Arc<Operation>>,
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    method: String,
    /// Its path template, as the spec and the router write it.
    path: String,
    template: Vec<String>,
    /// Its `operationId`.
    id: String,
    required: Option<Requirement>,
}

impl Operation {
    /// Its `operationId` (`list_goals`).
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// Its path template (`/v1/goals/{goal_id}`).
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// What it requires of a token, or `None` when it is public.
    pub(crate) fn required(&self) -> Option<&Requirement> {
        self.required.as_ref()
    }

    /// The resource `path` (which this operation serves) is on, for the access log:
    /// the kind the last path parameter names and its value (`goal` and the goal's id
    /// for `/v1/goals/{goal_id}/steps`), or the collection (`goals`) when there is none.
    /// Only an id is kept: any other text the caller put in the path is not.
    pub(crate) fn resource_in(&self, path: &str) -> (String, Option<String>) {
        let sent = segments(path);
        let parameter = self.template.iter().zip(&sent).rev().find_map(|(template, sent)| {
            let (name, suffix) = template.strip_prefix('{')?.split_once('}')?;
            let value = sent.strip_suffix(suffix).unwrap_or(sent);
            let id = uuid::Uuid::parse_str(value).ok().map(|id| id.to_string());
            Some((name.strip_suffix("_id").unwrap_or(name).to_owned(), id))
        });
        match parameter {
            Some((kind, id)) => (kind, id),
            None => {
                let collection = self.template.iter().rev().find(|segment| !segment.is_empty());
                (collection.cloned().unwrap_or_default(), None)
            }
        }
    }

    /// How many characters of the template are literal (see
    /// [`SecurityTable::operation_at`]).
    fn literal_length(&self) -> usize {
        self.template
            .iter()
            .map(|segment| match segment.split_once('}') {
                Some((_, suffix)) if segment.starts_with('{') => suffix.len(),
                _ => segment.len(),
            })
            .sum()
    }
}

impl SecurityTable {
    /// Reads every operation's requirement from `spec`.
    #[must_use]
    pub fn from_spec(spec: &OpenApi) -> Self {
        let schemes_with_client_flow = schemes_offering_client_credentials(spec);
        let mut operations = Vec::new();
        for (path, item) in &spec.paths.paths {
            let methods = [
                ("GET", item.get.as_ref()),
                ("PUT", item.put.as_ref()),
                ("POST", item.post.as_ref()),
                ("DELETE", item.delete.as_ref()),
                ("PATCH", item.patch.as_ref()),
            ];
            for (method, operation) in methods {
                let Some(operation) = operation else {
                    continue;
                };
                operations.push(Arc::new(Operation {
                    method: method.to_owned(),
                    path: path.clone(),
                    template: segments(path),
                    id: operation.operation_id.clone().unwrap_or_default(),
                    required: requirement(operation, &schemes_with_client_flow),
                }));
            }
        }
        Self { operations }
    }

    /// The operation the router serves `method` on `path` (decoded, as the router
    /// matches it) with, if any. Where two templates match, the more literal one:
    /// this codebase registers literal routes (`/v1/contacts/export.vcf`) before the
    /// parameter routes they overlap, and actix serves the first registered. The
    /// `Principal` extractor checks the router agreed, and refuses (500) if not.
    pub(crate) fn operation_at(&self, method: &str, path: &str) -> Option<&Arc<Operation>> {
        let wanted = segments(path);
        self.operations
            .iter()
            .filter(|operation| operation.method == method && matches(&operation.template, &wanted))
            .max_by_key(|operation| operation.literal_length())
    }

    /// What `method` on `path` requires, from the operation the router serves it with,
    /// or `None` when that operation is public (or there is none).
    #[must_use]
    pub fn required_at(&self, method: &str, path: &str) -> Option<&Requirement> {
        self.operation_at(method, path).and_then(|operation| operation.required.as_ref())
    }
}

/// What `operation` requires of a token, or `None` when it declares no `security`,
/// `security: []`, or an anonymous alternative (`{}`): then it is public, and the
/// handler decides what a token shows (content reads show editors their drafts).
fn requirement(
    operation: &SpecOperation,
    schemes_with_client_flow: &[String],
) -> Option<Requirement> {
    let security = operation.security.as_ref()?;
    let requirements = serde_json::to_value(security).unwrap_or_default();
    let alternatives: Vec<&serde_json::Map<String, Value>> =
        requirements.as_array().into_iter().flatten().filter_map(Value::as_object).collect();
    if alternatives.is_empty() || alternatives.iter().any(|alternative| alternative.is_empty()) {
        return None;
    }
    let scopes = alternatives
        .iter()
        .flat_map(|alternative| alternative.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|name| name.parse::<Scope>().ok());
    let accepts_client_tokens = alternatives
        .iter()
        .flat_map(|alternative| alternative.keys())
        .any(|scheme| schemes_with_client_flow.contains(scheme));
    Some(Requirement { scopes: ScopeSet::of(scopes), accepts_client_tokens })
}

/// The names of the OAuth 2.0 schemes that offer the client-credentials flow.
fn schemes_offering_client_credentials(spec: &OpenApi) -> Vec<String> {
    let schemes = spec
        .components
        .as_ref()
        .map(|components| serde_json::to_value(&components.security_schemes))
        .and_then(Result::ok)
        .unwrap_or_default();
    schemes
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, scheme)| scheme["flows"].get(CLIENT_CREDENTIALS_FLOW).is_some())
        .map(|(name, _)| name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes_at(method: &str, path: &str) -> Option<String> {
        SecurityTable::from_spec(&crate::openapi::openapi())
            .required_at(method, path)
            .map(|required| required.scopes.to_string())
    }

    #[test]
    fn a_path_two_templates_match_takes_the_more_literal_ones_requirement() {
        assert_eq!(scopes_at("GET", "/v1/contacts/export.vcf").as_deref(), Some("contacts:read"));
        assert_eq!(
            scopes_at("PATCH", "/v1/contacts/export.vcf").as_deref(),
            Some("contacts:write")
        );
        assert_eq!(scopes_at("GET", "/v1/routines/calendar.ics").as_deref(), Some("routines:read"));
    }

    #[test]
    fn the_resource_is_the_one_the_last_path_parameter_names() {
        let table = SecurityTable::from_spec(&crate::openapi::openapi());
        let resource = |method: &str, path: &str| {
            let operation = table.operation_at(method, path).unwrap();
            (operation.id().to_owned(), operation.resource_in(path))
        };
        let (goal, step) =
            ("0192f0c0-0000-7000-8000-000000000001", "0192f0c0-0000-7000-8000-000000000002");
        let steps = resource("GET", &format!("/v1/goals/{goal}/steps"));
        assert_eq!(steps.1, ("goal".to_owned(), Some(goal.to_owned())));
        let one = resource("PATCH", &format!("/v1/goals/{goal}/steps/{step}"));
        assert_eq!(one.1, ("step".to_owned(), Some(step.to_owned())));
        let card = resource("GET", &format!("/v1/contacts/{goal}.vcf"));
        assert_eq!(card.0, "export_contact_vcard");
        assert_eq!(card.1, ("contact".to_owned(), Some(goal.to_owned())));
        let planted = resource("GET", "/v1/goals/call-me-on-07700900000");
        assert_eq!(planted.1, ("goal".to_owned(), None), "only ids are kept");
        assert_eq!(
            resource("GET", "/v1/goals"),
            ("list_goals".to_owned(), ("goals".to_owned(), None))
        );
    }

    #[test]
    fn public_operations_and_unknown_paths_require_nothing() {
        assert_eq!(scopes_at("GET", "/v1/content/articles/en/coping"), None, "anyone may read");
        assert_eq!(scopes_at("GET", "/health/live"), None);
        assert_eq!(scopes_at("GET", "/v1/nowhere"), None);
        assert_eq!(scopes_at("PUT", "/v1/goals"), None, "no such operation");
    }
}
