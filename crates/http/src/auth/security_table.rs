//! What each operation requires of a token, read from the OpenAPI document's
//! `security` requirements. An operation declares its scopes once, in its
//! `#[utoipa::path]` attribute, and the `oauth2` scheme lists the flows whose tokens
//! reach the operations that name it; the spec shows both and the `Principal`
//! extractor enforces both from here, so a client or gateway reading the spec reaches
//! the same decision as the server.

use serde_json::Value;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::Operation as SpecOperation;
use waymark_domain::identity::{Scope, ScopeSet};

use crate::route_table::{matches, segments};

/// The name of the OAuth 2.0 security scheme operations list their scopes under.
pub const OAUTH2_SCHEME: &str = "oauth2";

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
    operations: Vec<Operation>,
}

#[derive(Debug, Clone)]
struct Operation {
    method: String,
    template: Vec<String>,
    required: Option<Requirement>,
}

impl Operation {
    /// How many characters of the template are literal: where two templates match a
    /// path (`/v1/contacts/export.vcf` and `/v1/contacts/{contact_id}`), the router
    /// serves the more literal one, as actix does with this codebase's routes.
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
                operations.push(Operation {
                    method: method.to_owned(),
                    template: segments(path),
                    required: requirement(operation, &schemes_with_client_flow),
                });
            }
        }
        Self { operations }
    }

    /// What `method` on `path` requires, from the operation the router serves it with,
    /// or `None` when that operation is public (or there is none).
    #[must_use]
    pub fn required_at(&self, method: &str, path: &str) -> Option<&Requirement> {
        let wanted = segments(path);
        self.operations
            .iter()
            .filter(|operation| operation.method == method && matches(&operation.template, &wanted))
            .max_by_key(|operation| operation.literal_length())
            .and_then(|operation| operation.required.as_ref())
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
        .filter_map(|alternative| alternative.get(OAUTH2_SCHEME))
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
    fn public_operations_and_unknown_paths_require_nothing() {
        assert_eq!(scopes_at("GET", "/v1/content/articles/en/coping"), None, "anyone may read");
        assert_eq!(scopes_at("GET", "/health/live"), None);
        assert_eq!(scopes_at("GET", "/v1/nowhere"), None);
        assert_eq!(scopes_at("PUT", "/v1/goals"), None, "no such operation");
    }
}
