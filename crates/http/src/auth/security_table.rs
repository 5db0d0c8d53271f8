//! What each operation requires of a token, read from the OpenAPI document's
//! `security` requirements. An operation declares its scopes once, in its
//! `#[utoipa::path]` attribute, and the `oauth2` scheme lists the flows whose tokens
//! reach the operations that name it; the spec shows both and the `Principal`
//! extractor enforces both from here, so a client or gateway reading the spec reaches
//! the same decision as the server.

use std::collections::HashMap;

use serde_json::Value;
use utoipa::openapi::OpenApi;
use waymark_domain::identity::{Scope, ScopeSet};

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

/// `(method, path template)` to what the operation requires.
#[derive(Debug, Clone, Default)]
pub struct SecurityTable {
    required: HashMap<(String, String), Requirement>,
}

impl SecurityTable {
    /// Reads every secured operation's requirement from `spec`. Operations with no
    /// `security`, or `security: []`, are public and have no entry.
    #[must_use]
    pub fn from_spec(spec: &OpenApi) -> Self {
        let schemes_with_client_flow = schemes_offering_client_credentials(spec);
        let mut required = HashMap::new();
        for (path, item) in &spec.paths.paths {
            let operations = [
                ("GET", item.get.as_ref()),
                ("PUT", item.put.as_ref()),
                ("POST", item.post.as_ref()),
                ("DELETE", item.delete.as_ref()),
                ("PATCH", item.patch.as_ref()),
            ];
            for (method, operation) in operations {
                let Some(security) = operation.and_then(|operation| operation.security.as_ref())
                else {
                    continue;
                };
                let requirements = serde_json::to_value(security).unwrap_or_default();
                let alternatives: Vec<&serde_json::Map<String, Value>> = requirements
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object)
                    .collect();
                if alternatives.is_empty() {
                    continue;
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
                required.insert(
                    (method.to_owned(), path.clone()),
                    Requirement { scopes: ScopeSet::of(scopes), accepts_client_tokens },
                );
            }
        }
        Self { required }
    }

    /// What `method` on the route `template` requires, or `None` when the spec
    /// declares it public.
    #[must_use]
    pub fn required(&self, method: &str, template: &str) -> Option<&Requirement> {
        self.required.get(&(method.to_owned(), template.to_owned()))
    }
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
