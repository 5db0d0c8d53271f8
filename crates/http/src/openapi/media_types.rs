//! Request bodies in shapes generated clients serialise as the server reads them.
//! A body offered both form-encoded and as JSON with one schema leaves a generator
//! unable to tell which encoding a value asks for (openapi-python-client then sends
//! both, or fails to import the module), so the form-encoded media type gets its own
//! copy of the schema, named after it; the server reads either the same. A body in
//! another media type (a vCard import) is a document sent as it is, so its string is
//! `format: binary` and generators pass the bytes through untouched.

use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
use utoipa::openapi::{OpenApi, Ref, RefOr, Schema};

use super::operations_mut;

const FORM: &str = "application/x-www-form-urlencoded";

/// The schema names every form-encoded body gets its own copy of.
pub(super) fn separate_form_schemas(openapi: &mut OpenApi) {
    let mut copies = Vec::new();
    for (_, _, operation) in operations_mut(openapi) {
        let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
            continue;
        };
        let json_offered = body.content.keys().any(|kind| kind.contains("json"));
        let Some(RefOr::T(form)) = body.content.get_mut(FORM) else {
            continue;
        };
        let Some(RefOr::Ref(reference)) = form.schema.as_mut() else {
            continue;
        };
        let Some(name) =
            reference.ref_location.strip_prefix("#/components/schemas/").map(str::to_owned)
        else {
            continue;
        };
        if !json_offered {
            continue;
        }
        let copy = format!("{name}Form");
        *reference = Ref::from_schema_name(copy.clone());
        if !copies.contains(&(name.clone(), copy.clone())) {
            copies.push((name, copy));
        }
    }
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    for (name, copy) in copies {
        if let Some(schema) = components.schemas.get(&name).cloned() {
            components.schemas.insert(copy, schema);
        }
    }
}

/// Marks every request body that is neither JSON nor a form as a document of bytes.
pub(super) fn send_documents_as_bytes(openapi: &mut OpenApi) {
    for (_, _, operation) in operations_mut(openapi) {
        let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
            continue;
        };
        for (kind, content) in &mut body.content {
            if kind.contains("json") || kind == FORM {
                continue;
            }
            if let RefOr::T(content) = content
                && let Some(RefOr::T(Schema::Object(document))) = content.schema.as_mut()
            {
                document.format = Some(SchemaFormat::KnownFormat(KnownFormat::Binary));
            }
        }
    }
}

/// Under `/fhir/`, every error is an `OperationOutcome` in `application/fhir+json`,
/// as the problem completion middleware writes it, whatever problem the operation
/// (or the shared 401, 403, 429, 500 and 503) declared.
pub(super) fn answer_fhir_errors_as_operation_outcomes(openapi: &mut OpenApi) {
    for (path, _, operation) in operations_mut(openapi) {
        if !path.starts_with("/fhir/") {
            continue;
        }
        for (status, response) in &mut operation.responses.responses {
            let is_error = status.starts_with('4') || status.starts_with('5');
            let RefOr::T(response) = response else {
                continue;
            };
            if !is_error {
                continue;
            }
            let outcome = utoipa::openapi::ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("OperationOutcome")))
                .build();
            response.content.clear();
            response.content.insert(crate::wire::fhir::FHIR_JSON.to_owned(), RefOr::T(outcome));
        }
    }
}
