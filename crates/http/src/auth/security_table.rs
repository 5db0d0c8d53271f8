//! The scopes each operation needs, read from the OpenAPI document's `security`
//! requirements. An operation declares its scope once, in its `#[utoipa::path]`
//! attribute; the spec shows it and the `Principal` extractor enforces it from here,
//! so the two cannot disagree.

use std::collections::HashMap;

use utoipa::openapi::OpenApi;
use waymark_domain::identity::{Scope, ScopeSet};

/// The name of the OAuth 2.0 security scheme operations list their scopes under.
pub const OAUTH2_SCHEME: &str = "oauth2";

/// `(method, path template)` to the scopes the operation requires.
#[derive(Debug, Clone, Default)]
pub struct SecurityTable {
    required: HashMap<(String, String), ScopeSet>,
}

impl SecurityTable {
    /// Reads every operation's `oauth2` requirement from `spec`.
    #[must_use]
    pub fn from_spec(spec: &OpenApi) -> Self {
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
                let scopes = requirements
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|requirement| requirement.get(OAUTH2_SCHEME))
                    .filter_map(serde_json::Value::as_array)
                    .flatten()
                    .filter_map(serde_json::Value::as_str)
                    .filter_map(|name| name.parse::<Scope>().ok());
                required.insert((method.to_owned(), path.clone()), ScopeSet::of(scopes));
            }
        }
        Self { required }
    }

    /// The scopes `method` on the route `template` requires, or `None` when the spec
    /// declares no security for it.
    #[must_use]
    pub fn required(&self, method: &str, template: &str) -> Option<&ScopeSet> {
        self.required.get(&(method.to_owned(), template.to_owned()))
    }
}
