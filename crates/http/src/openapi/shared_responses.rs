//! Responses many operations give word for word (the generic 401, 403, 429, 500 and
//! 503 problems, headers included) declared once under `components.responses` and
//! referenced, so the contract says each once. Only identical responses are shared:
//! an operation that words its own (a 403 for a missing role, a 429 without rate-limit
//! headers) keeps it.

use std::collections::HashMap;

use utoipa::openapi::{OpenApi, Ref, RefOr};

use super::operations_mut;

/// The statuses whose common response is shared, and the name it is shared under.
const SHARED: [(&str, &str); 5] = [
    ("401", "Unauthorized"),
    ("403", "InsufficientScope"),
    ("429", "TooManyRequests"),
    ("500", "InternalError"),
    ("503", "ServiceUnavailable"),
];

/// Moves the most common wording of each shared status into `components.responses`,
/// and points every operation that words it the same way there.
pub(super) fn share_common_responses(openapi: &mut OpenApi) {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (_, _, operation) in operations_mut(openapi) {
        for (status, response) in &operation.responses.responses {
            if let (RefOr::T(response), true) = (response, is_shared(status)) {
                let text = serde_json::to_string(response).unwrap_or_default();
                *seen.entry((status.clone(), text)).or_default() += 1;
            }
        }
    }
    let mut most_common: HashMap<&str, (&str, usize)> = HashMap::new();
    for ((status, text), count) in &seen {
        let best = most_common.entry(status.as_str()).or_insert((text, 0));
        // Ties go to the lexically smaller text, so the document is the same every time.
        if *count > best.1 || (*count == best.1 && text.as_str() < best.0) {
            *best = (text, *count);
        }
    }
    let chosen: HashMap<String, String> = most_common
        .into_iter()
        .filter(|(_, (_, count))| *count > 1)
        .map(|(status, (text, _))| (status.to_owned(), text.to_owned()))
        .collect();

    let mut shared = Vec::new();
    for (_, _, operation) in operations_mut(openapi) {
        for (status, response) in &mut operation.responses.responses {
            let (Some(name), Some(text)) = (name_of(status), chosen.get(status)) else {
                continue;
            };
            let RefOr::T(inline) = response else { continue };
            if serde_json::to_string(inline).unwrap_or_default() != *text {
                continue;
            }
            if !shared.iter().any(|(known, _)| *known == name) {
                shared.push((name, inline.clone()));
            }
            *response = RefOr::Ref(Ref::new(format!("#/components/responses/{name}")));
        }
    }
    let components = openapi.components.get_or_insert_with(Default::default);
    for (name, response) in shared {
        components.responses.insert(name.to_owned(), RefOr::T(response));
    }
}

fn is_shared(status: &str) -> bool {
    name_of(status).is_some()
}

fn name_of(status: &str) -> Option<&'static str> {
    SHARED.iter().find(|(shared, _)| *shared == status).map(|(_, name)| *name)
}
