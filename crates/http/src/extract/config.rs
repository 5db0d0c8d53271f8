//! Error handlers for actix's built-in extractors, so `web::Json`, `web::Form`,
//! `web::Query` and `web::Path` failures are problem+json like everything else.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use actix_web::{HttpRequest, web};

use crate::error::ApiError;

/// Registers the problem+json error handlers and body limits on an app or scope.
pub fn extractor_config(config: &mut web::ServiceConfig, max_body_bytes: usize) {
    config
        .app_data(web::JsonConfig::default().limit(max_body_bytes).error_handler(json_error))
        .app_data(web::FormConfig::default().limit(max_body_bytes).error_handler(form_error))
        .app_data(web::PayloadConfig::default().limit(max_body_bytes))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error));
}

/// `web::Json` failures.
pub fn json_error(error: JsonPayloadError, _request: &HttpRequest) -> actix_web::Error {
    match error {
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType { expected: "application/json" }
        }
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        JsonPayloadError::Deserialize(inner) if inner.is_data() => {
            ApiError::Validation(vec![crate::problem::FieldError {
                pointer: String::new(),
                code: "invalid".to_owned(),
                message: "does not match the expected shape".to_owned(),
            }])
        }
        _ => ApiError::MalformedJson("the body is not valid JSON".to_owned()),
    }
    .into()
}

/// `web::Form` failures.
pub fn form_error(error: UrlencodedError, _request: &HttpRequest) -> actix_web::Error {
    match error {
        UrlencodedError::ContentType => {
            ApiError::UnsupportedMediaType { expected: "application/x-www-form-urlencoded" }
        }
        UrlencodedError::Overflow { limit, .. } => ApiError::PayloadTooLarge { limit },
        other => ApiError::BadRequest(format!("the form body could not be read: {other}")),
    }
    .into()
}

/// `web::Query` failures: always 400, naming the parameter when the parser says which
/// (never echoing the parser's own wording).
pub fn query_error(error: QueryPayloadError, _request: &HttpRequest) -> actix_web::Error {
    let message = error.to_string();
    let name = message
        .find('`')
        .and_then(|start| {
            message[start + 1..].find('`').map(|length| &message[start + 1..start + 1 + length])
        })
        .filter(|name| {
            name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    let detail = match name {
        Some(name) if message.contains("unknown field") => {
            format!("`{name}` is not a query parameter of this operation")
        }
        Some(name) if message.contains("duplicate field") => {
            format!("the query parameter `{name}` is given more than once")
        }
        Some(name) => format!("the query parameter `{name}` is not valid"),
        None => {
            "a query parameter is not valid; see the operation's documented parameters".to_owned()
        }
    };
    ApiError::BadRequest(detail).into()
}

/// `web::Path` failures: a path that names no valid id names no resource.
pub fn path_error(_error: PathError, _request: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}
