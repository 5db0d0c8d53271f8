//! The OpenAPI 3.1 document: generated from the registered routes, then completed with
//! the parts no single route owns (info, server, tags, security scheme, who may call
//! what, headers, bounds, request shapes for generators, links and shared problem
//! responses). `openapi/v1.json` in the repository is this document, pretty-printed.

mod access;
mod bounds;
mod headers;
mod media_types;
pub(crate) mod problems;
mod schema_walk;
mod shared_responses;

use access::SecuritySchemes;

use actix_web::App;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::Operation;
use utoipa::openapi::server::ServerBuilder;
use utoipa::openapi::{ContentBuilder, OpenApi, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};
use utoipa_actix_web::AppExt;

use crate::middleware::rate_limit::is_rate_limited;
use crate::problem::{FieldError, PROBLEM_JSON, Problem};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Waymark API",
        description = "Waymark is the shared backend for personal-recovery apps in mental health: \
goals that matter to the person, daily routines, their support network, and trustworthy recovery \
information.\n\nEvery error is an RFC 9457 problem document (`application/problem+json`) carrying \
the request id that is also sent as `X-Request-Id`. Resources live under `/v1`; operational \
endpoints (`/health/*`, `/metrics`) are not versioned.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "Waymark maintainers", email = "maintainers@waymark.invalid"),
    ),
    tags(
        (name = "auth", description = "Sign up, sign in (OAuth 2.0 token endpoint), revoke tokens, and the keys and metadata to verify tokens with."),
        (name = "admin", description = "Administration for role `admin`: API clients and account roles."),
        (name = "goals", description = "Your goals: what you want to have done, why it matters, whether you'd like support, and how the goal has changed over time."),
        (name = "routines", description = "Your routines: things you do regularly, on a schedule in your time zone; when they happen (across daylight-saving changes), your agenda, and how each occurrence went. Skipping is a choice, not a failure."),
        (name = "contacts", description = "Your support network: how to reach each person or service, how often you would like to be in touch and when you last were, how each relationship feels, who knows about your health, which goals each supports, vCard exchange with phones, and your crisis view."),
        (name = "content", description = "The public catalogue: recovery articles and stories for anyone to read (no token), cacheable, with a changes feed for partners who mirror it. Editors (scope `content:write`) write drafts, publish and archive, and keep every published revision."),
        (name = "sharing", description = "Sharing with supporters: you choose who in your support network may follow which goals (and a weekly routines summary), change, pause or end it at any time, and see exactly what they see; they accept an invitation with their own account, read only what you chose, and can send encouragement, which you can hide. Every read a supporter makes is in your access log."),
        (name = "sync", description = "Delta sync for apps that keep a copy of a person's data: everything on the first call, then only what changed since (each change as the thing is now, or that it was deleted), in order, for the kinds the token may read."),
        (name = "webhooks", description = "Webhooks for API clients (confidential clients, with their own client-credentials token and scope `webhooks`): subscribe an https address to events, and Waymark posts each one, signed per the Standard Webhooks specification, retrying for about three days. Personal events reach a client only for people who granted it the event's read scope; content events need the `content:events` scope an administrator gives. Each subscription has a delivery log, and a message can be sent again by hand."),
        (name = "fhir", description = "HL7 FHIR R4 for NHS and charity systems, behind SMART on FHIR (standalone launch, v2): the person (`Patient`, UK Core), their goals (`Goal`), their one personal recovery plan (`CarePlan`: the goals being worked on and a `Timing` per active routine) and the contacts they chose to share with services (`RelatedPerson`, UK Core). Read-only, `application/fhir+json`, errors as `OperationOutcome`; an app needs the person's consent to the `patient/*.rs` scopes, and every read it makes is in the person's access log."),
        (name = "me", description = "Your own account: profile, password, and deleting the account with all its data."),
        (name = "operations", description = "Liveness, readiness and metrics for operators and orchestrators."),
    ),
    components(schemas(Problem, FieldError, crate::pages::CookieText, crate::wire::fhir::OperationOutcome)),
    modifiers(&SecuritySchemes, &ThisServer),
)]
struct BaseDocument;

/// The one server entry: wherever the document was fetched from.
struct ThisServer;

impl Modify for ThisServer {
    fn modify(&self, openapi: &mut OpenApi) {
        let server = ServerBuilder::new()
            .url("/")
            .description(Some(
                "This deployment, whichever environment it is (local, staging or production): \
paths are relative to the origin serving `/v1/openapi.json`, so a generated client is given its \
base URL by its caller.",
            ))
            // A public API: every partner and app may call it.
            .extensions(Some(Extensions::builder().add("x-internal", false).build()))
            .build();
        openapi.servers = Some(vec![server]);
    }
}

/// A shared problem response with an example of its own status, so Swagger UI does
/// not show the schema's validation example under every status.
fn problem_response(
    status: u16,
    slug: &str,
    title: &str,
    description: &str,
) -> RefOr<utoipa::openapi::Response> {
    let example = serde_json::json!({
        "type": format!("/problems/{slug}"),
        "title": title,
        "status": status,
        "instance": "/v1/me",
        "request_id": "0193a5e4-7d1c-7b4e-9b2a-3f0c5d6e7f80",
    });
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem"))))
                    .example(Some(example))
                    .build(),
            )
            .build(),
    )
}

/// Adds the problem responses any operation can give (500 for a bug, 503 when the
/// request timed out) to every operation that does not document them itself. Runs after
/// the routes are registered, since `Modify` runs before.
fn add_shared_problem_responses(openapi: &mut OpenApi) {
    let shared = [
        (
            500,
            "internal-error",
            "Something went wrong",
            "Something unexpected went wrong; the body carries the request id to quote.",
        ),
        (
            503,
            "service-unavailable",
            "Service temporarily unavailable",
            "The request timed out or the database is unreachable. `Retry-After` is set.",
        ),
    ];
    for (path, _, operation) in operations_mut(openapi) {
        if is_rate_limited(path) {
            operation.responses.responses.entry("429".to_owned()).or_insert_with(|| {
                problem_response(429, "too-many-requests", "Too many requests", "Too many requests from this caller; `Retry-After` (and `RateLimit-Reset`) say when to try again.")
            });
        }
        for (status, slug, title, description) in shared {
            operation
                .responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| problem_response(status, slug, title, description));
        }
    }
}

/// Links every create operation (a `POST` answering 201) to the operations on the item
/// it created, so clients and tools (schemathesis' stateful tests among them) can go
/// from a new item to reading, changing and deleting it. The item's path is the
/// collection's path plus one or two parameter segments: `{x_id}` is the new item's
/// `id`, any other name (`{locale}`, `{slug}`) the field of that name; the collection's
/// own parameters are the request's.
fn link_created_items(openapi: &mut OpenApi) {
    let paths: Vec<String> = openapi.paths.paths.keys().cloned().collect();
    for collection in &paths {
        let item_paths: Vec<&String> = paths
            .iter()
            .filter(|path| {
                path.strip_prefix(collection.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|rest| {
                        rest.split('/').count() <= 2 && rest.split('/').all(is_parameter_segment)
                    })
            })
            .collect();
        let mut links = Vec::new();
        for item_path in item_paths {
            let Some(item) = openapi.paths.paths.get(item_path) else {
                continue;
            };
            let targets =
                [item.get.as_ref(), item.put.as_ref(), item.patch.as_ref(), item.delete.as_ref()];
            for operation_id in
                targets.into_iter().flatten().filter_map(|operation| operation.operation_id.clone())
            {
                let mut link = utoipa::openapi::link::LinkBuilder::new()
                    .operation_id(operation_id.clone())
                    .description(format!("The item just created, at `{item_path}`."));
                for name in parameter_names(item_path) {
                    let value = if parameter_names(collection).contains(&name) {
                        format!("$request.path.{name}")
                    } else if name == "id" || name.ends_with("_id") {
                        "$response.body#/id".to_owned()
                    } else {
                        format!("$response.body#/{name}")
                    };
                    link = link.parameter(name, value);
                }
                links.push((operation_id, link.build()));
            }
        }
        let created = openapi
            .paths
            .paths
            .get_mut(collection)
            .and_then(|item| item.post.as_mut())
            .and_then(|create| create.responses.responses.get_mut("201"));
        if let Some(RefOr::T(response)) = created {
            for (name, link) in links {
                response.links.insert(name, RefOr::T(link));
            }
        }
    }
}

fn is_parameter_segment(segment: &str) -> bool {
    segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}')
}

fn parameter_names(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|segment| is_parameter_segment(segment))
        .map(|segment| segment[1..segment.len() - 1].to_owned())
        .collect()
}

/// Every operation of `openapi` with its path template and method.
fn operations_mut(
    openapi: &mut OpenApi,
) -> impl Iterator<Item = (&str, &'static str, &mut Operation)> {
    openapi.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("GET", item.get.as_mut()),
            ("PUT", item.put.as_mut()),
            ("POST", item.post.as_mut()),
            ("DELETE", item.delete.as_mut()),
            ("PATCH", item.patch.as_mut()),
            ("HEAD", item.head.as_mut()),
        ]
        .into_iter()
        .filter_map(move |(method, operation)| {
            operation.map(|operation| (path.as_str(), method, operation))
        })
    })
}

/// The document as the routes declare it, with who may call what and every header.
fn declared() -> OpenApi {
    let (_app, mut document) = App::new()
        .into_utoipa_app()
        .openapi(BaseDocument::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    add_shared_problem_responses(&mut document);
    access::declare_access(&mut document);
    media_types::answer_fhir_errors_as_operation_outcomes(&mut document);
    headers::declare_headers(&mut document);
    document
}

/// The complete OpenAPI document, generated from the same registrations the server uses.
#[must_use]
pub fn openapi() -> OpenApi {
    let mut document = declared();
    // A rule that fits nothing, or disagrees with a route, is reported by the tests
    // below; the document is still whole without it.
    bounds::bound_every_value(&mut document);
    media_types::separate_form_schemas(&mut document);
    media_types::send_documents_as_bytes(&mut document);
    link_created_items(&mut document);
    shared_responses::share_common_responses(&mut document);
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    document
}

/// The document as the pretty-printed JSON committed in `openapi/v1.json`.
///
/// # Errors
/// Only if serialisation fails, which would be a bug in the document types.
pub fn openapi_json() -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&openapi())?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bound_rule_names_a_value_and_agrees_with_its_route() {
        let misfits = bounds::bound_every_value(&mut declared());
        assert!(misfits.is_empty(), "{misfits:#?}");
    }

    #[test]
    fn every_string_array_and_whole_number_is_bounded() {
        let unbounded = bounds::unbounded(&mut openapi());
        assert!(unbounded.is_empty(), "{unbounded:#?}");
    }
}
