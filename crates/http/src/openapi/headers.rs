//! The headers the server sends and honours, declared once under `components` and
//! referenced from every operation they apply to, decided by the same facts the
//! server acts on: the paths the rate limiter and the idempotency middleware cover,
//! the statuses an operation documents (201, 304, 409, 412, 429, 503), and whether it
//! pages with a cursor. A header a route declares inline under a shared name (its
//! `ETag`, say) is replaced by the shared declaration.

use actix_web::http::Method;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{OpenApi, Ref, RefOr, Required, Schema};

use super::{operations_mut, problem_response};
use crate::middleware::idempotency::honours_idempotency_key;
use crate::middleware::rate_limit::is_rate_limited;

/// The largest number of seconds a `Retry-After` or `RateLimit-Reset` says.
const MAX_SECONDS: i64 = i32::MAX as i64;

/// An entity tag: a resource's version, or a digest of public content.
const ETAG_PATTERN: &str = r#"^"[0-9a-f]{1,32}"$"#;

/// An HTTP date (RFC 9110), such as `Wed, 25 Nov 2026 10:00:00 GMT`.
const HTTP_DATE_PATTERN: &str =
    r"^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$";

/// A request id the server echoes rather than replaces.
const REQUEST_ID_PATTERN: &str = "^[A-Za-z0-9._:-]{1,128}$";

/// The response headers every operation may reference, by name.
fn response_headers() -> Vec<(&'static str, Header)> {
    vec![
        (
            "X-Request-Id",
            header(
                "The request's id, also in logs and problem bodies: yours when you sent a sane one, otherwise a new UUIDv7.",
                text(128, Some(REQUEST_ID_PATTERN)),
            ),
        ),
        (
            "RateLimit-Limit",
            header(
                "Requests the caller may make in a minute here (the tighter bucket when several apply).",
                integer(1, i64::from(u32::MAX)),
            ),
        ),
        (
            "RateLimit-Remaining",
            header("Requests left now; 0 on a 429.", integer(0, i64::from(u32::MAX))),
        ),
        (
            "RateLimit-Reset",
            header(
                "Seconds until the quota is whole again; on a 429, seconds until a request will be accepted, the same as `Retry-After`.",
                integer(0, MAX_SECONDS),
            ),
        ),
        ("Retry-After", header("Seconds to wait before trying again.", integer(0, MAX_SECONDS))),
        (
            "Location",
            header(
                "Where the created resource lives, relative to this server.",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::Custom("uri-reference".to_owned())))
                    .max_length(Some(512))
                    .build()
                    .into(),
            ),
        ),
        (
            "Link",
            header(
                "`<...>; rel=\"next\"`: the next page (the same query with `cursor`), sent only when there is one.",
                text(8192, Some(r#"^<[^>]+>; rel="next"$"#)),
            ),
        ),
        (
            "ETag",
            header(
                "The version the body shows (`\"<version>\"`), or a digest of public content; send it back in `If-Match` or `If-None-Match`.",
                text(34, Some(ETAG_PATTERN)),
            ),
        ),
        (
            "Last-Modified",
            header(
                "When the content last changed (an HTTP date).",
                text(29, Some(HTTP_DATE_PATTERN)),
            ),
        ),
        (
            "Cache-Control",
            header(
                "How long the answer may be cached: `no-store` unless the operation says otherwise (public content: `public, max-age=...`; an editor's view of it: `private, no-store`).",
                text(128, Some("^[a-z0-9=, -]+$")),
            ),
        ),
        (
            "Content-Disposition",
            header(
                "`attachment`, with the name to save the file as.",
                text(128, Some(r#"^attachment; filename="[A-Za-z0-9._-]+"$"#)),
            ),
        ),
        (
            "Idempotent-Replayed",
            header(
                "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["true"]))
                    .build()
                    .into(),
            ),
        ),
        (
            "WWW-Authenticate",
            header(
                "The challenge: `Bearer` (RFC 6750), with `error=\"invalid_token\"` for a token that is not valid; `Basic` from the token endpoint for a client that failed to authenticate.",
                text(256, Some("^(Bearer|Basic)( .*)?$")),
            ),
        ),
    ]
}

/// The request headers operations may reference, by name.
fn request_headers() -> Vec<Parameter> {
    vec![
        parameter(
            "X-Request-Id",
            "Your id for this request, echoed back and logged; one that is not 1 to 128 letters, digits, `-`, `_`, `.` or `:` is replaced by a new one.",
            text(128, Some(REQUEST_ID_PATTERN)),
        ),
        parameter(
            "Idempotency-Key",
            "Makes a retry safe: the first successful answer to this key is kept for 24 hours and replayed (with `Idempotent-Replayed: true`) to a retry of the same request; the same key with another request is 409.",
            RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]+$"))
                    .build(),
            )),
        ),
        parameter(
            "If-Match",
            "Only change it if it is still at this `ETag` (else 412); `*` or no header changes it whatever its version.",
            text(1024, Some(r#"^(\*|(W/)?"[0-9a-f]{1,32}"(, *(W/)?"[0-9a-f]{1,32}")*)$"#)),
        ),
        parameter(
            "If-None-Match",
            "The `ETag` of your copy: 304 when it is still current.",
            text(1024, Some(r#"^(\*|(W/)?"[0-9a-f]{1,32}"(, *(W/)?"[0-9a-f]{1,32}")*)$"#)),
        ),
        parameter(
            "If-Modified-Since",
            "The `Last-Modified` of your copy: 304 when nothing changed since (`If-None-Match` wins when both are sent).",
            text(29, Some(HTTP_DATE_PATTERN)),
        ),
    ]
}

fn header(description: &str, schema: RefOr<Schema>) -> Header {
    HeaderBuilder::new().schema(Some(schema)).description(Some(description)).build()
}

fn parameter(name: &str, description: &str, schema: RefOr<Schema>) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn text(max_length: usize, pattern: Option<&str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(max_length))
        .pattern(pattern)
        .build()
        .into()
}

fn integer(minimum: i64, maximum: i64) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(minimum))
        .maximum(Some(maximum))
        .build()
        .into()
}

fn header_ref(name: &str) -> RefOr<Header> {
    RefOr::Ref(Ref::new(format!("#/components/headers/{name}")))
}

fn parameter_ref(name: &str) -> RefOr<Parameter> {
    RefOr::Ref(Ref::new(format!("#/components/parameters/{name}")))
}

/// Declares the shared headers and references them from every operation.
pub(super) fn declare_headers(openapi: &mut OpenApi) {
    let components = openapi.components.get_or_insert_with(Default::default);
    let shared_responses = response_headers();
    let shared_requests = request_headers();
    let response_names: Vec<&str> = shared_responses.iter().map(|(name, _)| *name).collect();
    let request_names: Vec<String> = shared_requests.iter().map(|p| p.name.clone()).collect();
    for (name, header) in shared_responses {
        components.headers.insert(name.to_owned(), RefOr::T(header));
    }
    for parameter in shared_requests {
        components.parameters.insert(parameter.name.clone(), RefOr::T(parameter));
    }

    for (path, method, operation) in operations_mut(openapi) {
        let idempotent =
            method == Method::POST.as_str() && honours_idempotency_key(&Method::POST, path);
        if idempotent {
            document_key_conflicts(operation);
        }
        declare_request_headers(operation, idempotent, &request_names);
        declare_response_headers(operation, is_rate_limited(path), idempotent, &response_names);
    }
}

/// A POST that honours `Idempotency-Key` can answer 409 whatever else it does.
fn document_key_conflicts(operation: &mut Operation) {
    operation
        .responses
        .responses
        .entry("409".to_owned())
        .or_insert_with(|| {
            problem_response(
                409,
                "conflict",
                "Conflict",
                "The `Idempotency-Key` was used for a different request, or its first request is still running (`Retry-After` is set).",
            )
        });
}

/// References the request headers the operation honours.
fn declare_request_headers(operation: &mut Operation, idempotent: bool, shared: &[String]) {
    let documents = |status: &str| operation.responses.responses.contains_key(status);
    let mut wanted = vec!["X-Request-Id"];
    if idempotent {
        wanted.push("Idempotency-Key");
    }
    if documents("412") {
        wanted.push("If-Match");
    }
    if documents("304") {
        wanted.push("If-None-Match");
    }
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    // Inline declarations under a shared name give way to the shared one.
    parameters.retain(|parameter| match parameter {
        RefOr::T(parameter) if parameter.parameter_in == ParameterIn::Header => {
            let name = shared.iter().find(|name| name.eq_ignore_ascii_case(&parameter.name));
            if let Some(name) = name {
                wanted.push(name.as_str());
            }
            name.is_none()
        }
        _ => true,
    });
    for name in shared.iter().filter(|name| wanted.contains(&name.as_str())) {
        parameters.push(parameter_ref(name));
    }
}

/// References the headers each of the operation's responses carries.
fn declare_response_headers(
    operation: &mut Operation,
    rate_limited: bool,
    idempotent: bool,
    shared: &[&'static str],
) {
    let paged = operation.parameters.iter().flatten().any(|parameter| {
        matches!(parameter, RefOr::T(parameter)
            if parameter.parameter_in == ParameterIn::Query && parameter.name == "cursor")
    });
    // A 304 repeats the validators the 200 would have carried (RFC 9110 15.4.5).
    let validators: Vec<&str> = match operation.responses.responses.get("200") {
        Some(RefOr::T(ok)) => ["ETag", "Last-Modified"]
            .into_iter()
            .filter(|name| ok.headers.keys().any(|key| key.eq_ignore_ascii_case(name)))
            .collect(),
        _ => Vec::new(),
    };
    for (status, response) in &mut operation.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        let mut wanted = vec!["X-Request-Id", "Cache-Control"];
        if rate_limited {
            wanted.extend(["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]);
        }
        match status.as_str() {
            "429" | "503" => wanted.push("Retry-After"),
            // A retry while the first request is still running.
            "409" if idempotent => wanted.push("Retry-After"),
            "401" => wanted.push("WWW-Authenticate"),
            "201" => wanted.push("Location"),
            "200" if paged => wanted.push("Link"),
            "304" => wanted.extend(["ETag"].iter().chain(&validators)),
            _ => {}
        }
        if idempotent && status.starts_with('2') {
            wanted.push("Idempotent-Replayed");
        }
        for name in shared {
            // A header the route declares inline gives way to the shared one.
            let declared_inline =
                response.headers.keys().find(|key| key.eq_ignore_ascii_case(name)).cloned();
            if let Some(key) = declared_inline {
                response.headers.remove(&key);
                wanted.push(name);
            }
            if wanted.contains(name) {
                response.headers.insert((*name).to_owned(), header_ref(name));
            }
        }
    }
}
