//! Request extractors that turn every malformed input into the right [`ApiError`].
//!
//! [`ApiError`]: crate::ApiError

mod config;
mod json_body;
mod json_pointer;
mod merge_patch;
mod preconditions;

pub use config::{extractor_config, form_error, json_error, path_error, query_error};
pub use json_body::JsonBody;
pub use merge_patch::Patch;
pub use preconditions::{IfMatch, not_modified, version_etag};
