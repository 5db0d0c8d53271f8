//! Request extractors that turn every malformed input into the right [`ApiError`].
//!
//! [`ApiError`]: crate::ApiError

mod config;
mod json_body;
mod json_pointer;

pub use config::{extractor_config, form_error, json_error, path_error, query_error};
pub use json_body::JsonBody;
