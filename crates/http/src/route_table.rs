//! Which methods each path template accepts, taken from the OpenAPI document that the
//! routes themselves generate. The fallback uses it to tell 405 (the path exists, the
//! method does not) from 404 (nothing here).

use utoipa::openapi::OpenApi;

/// Path templates with the methods they accept.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    /// Builds the table from `spec`, plus routes served outside it.
    pub(crate) fn from_spec(spec: &OpenApi, extra: &[(&str, &str)]) -> Self {
        let mut routes: Vec<(Vec<String>, Vec<String>)> = spec
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let methods = methods_of(item);
                (segments(template), methods)
            })
            .collect();
        for (template, method) in extra {
            routes.push((segments(template), vec![(*method).to_owned()]));
        }
        Self { routes }
    }

    /// The template `path` matches, such as `/v1/goals/{goal_id}`, for labelling a
    /// request whose route actix no longer knows (one that timed out).
    pub(crate) fn template_for(&self, path: &str) -> Option<String> {
        let wanted = segments(path);
        self.routes
            .iter()
            .find(|(template, _)| matches(template, &wanted))
            .map(|(template, _)| template.join("/"))
    }

    /// The methods accepted at `path`, or an empty list when no template matches.
    pub(crate) fn allowed_methods(&self, path: &str) -> Vec<String> {
        let wanted = segments(path);
        let mut allowed: Vec<String> = self
            .routes
            .iter()
            .filter(|(template, _)| matches(template, &wanted))
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        allowed.sort();
        allowed.dedup();
        allowed
    }
}

/// Splits a path into segments. A trailing slash makes an empty last segment, so
/// `/health/live/` is not `/health/live` (actix routes them apart too).
pub(crate) fn segments(path: &str) -> Vec<String> {
    path.split('/').map(str::to_owned).collect()
}

/// Whether `path` (in segments) has the shape of `template`.
pub(crate) fn matches(template: &[String], path: &[String]) -> bool {
    template.len() == path.len()
        && template.iter().zip(path).all(|(expected, actual)| segment_matches(expected, actual))
}

/// A literal segment matches itself; `{name}` matches any non-empty segment, and
/// `{name}.vcf` any that ends in `.vcf` after at least one character.
fn segment_matches(expected: &str, actual: &str) -> bool {
    match expected.strip_prefix('{').and_then(|rest| rest.split_once('}')) {
        Some((_, suffix)) => actual.len() > suffix.len() && actual.ends_with(suffix),
        None => expected == actual,
    }
}

fn methods_of(item: &utoipa::openapi::PathItem) -> Vec<String> {
    let candidates = [
        ("GET", item.get.is_some()),
        ("PUT", item.put.is_some()),
        ("POST", item.post.is_some()),
        ("DELETE", item.delete.is_some()),
        ("PATCH", item.patch.is_some()),
        ("HEAD", item.head.is_some()),
        ("OPTIONS", item.options.is_some()),
    ];
    candidates
        .iter()
        .filter(|(_, present)| *present)
        .map(|(method, _)| (*method).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        RouteTable {
            routes: vec![
                (segments("/v1/goals/{goal_id}"), vec!["GET".to_owned(), "PATCH".to_owned()]),
                (segments("/health/live"), vec!["GET".to_owned()]),
            ],
        }
    }

    #[test]
    fn templates_match_any_single_segment() {
        assert_eq!(table().allowed_methods("/v1/goals/abc"), vec!["GET", "PATCH"]);
    }

    #[test]
    fn unknown_paths_allow_nothing() {
        assert!(table().allowed_methods("/v1/goals/abc/extra").is_empty());
        assert!(table().allowed_methods("/nowhere").is_empty());
    }

    #[test]
    fn trailing_slash_is_another_path() {
        assert!(table().allowed_methods("/health/live/").is_empty());
    }

    #[test]
    fn template_for_names_the_matching_template() {
        assert_eq!(table().template_for("/v1/goals/0193"), Some("/v1/goals/{goal_id}".to_owned()));
        assert_eq!(table().template_for("/elsewhere"), None);
    }
}
