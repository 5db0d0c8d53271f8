//! The OpenAPI 3.1 document: generated from the registered routes, then completed with
//! the parts no single route owns (info, tags, security scheme, shared problem
//! responses). `openapi/v1.json` in the repository is this document, pretty-printed.

use actix_web::App;
use utoipa::Modify;
use utoipa::OpenApi as _;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, RefOr, ResponseBuilder};
use utoipa_actix_web::AppExt;

use crate::problem::{FieldError, PROBLEM_JSON, Problem};

/// The name of the bearer-token security scheme operations refer to.
pub const BEARER_SCHEME: &str = "bearer";

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
        (name = "operations", description = "Liveness, readiness and metrics for operators and orchestrators."),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&SecuritySchemes),
)]
struct BaseDocument;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from `POST /v1/auth/token`."))
                    .build(),
            ),
        );
    }
}

fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                        "Problem",
                    ))))
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
            "500",
            "Something unexpected went wrong; the body carries the request id to quote.",
        ),
        (
            "503",
            "The request timed out or the database is unreachable. `Retry-After` is set.",
        ),
    ];
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for operation in operations.into_iter().flatten() {
            for (status, description) in shared {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem_response(description));
            }
        }
    }
}

/// The complete OpenAPI document, generated from the same registrations the server uses.
#[must_use]
pub fn openapi() -> OpenApi {
    let (_app, mut document) = App::new()
        .into_utoipa_app()
        .openapi(BaseDocument::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    add_shared_problem_responses(&mut document);
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
