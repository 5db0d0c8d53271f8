//! Signing up and signing in: registration, the OAuth 2.0 token and revocation
//! endpoints, and the metadata and keys third parties verify tokens with.

mod client_authentication;
mod oauth_error;
mod registration;
mod revocation;
mod token_endpoint;
mod token_request;
mod well_known;

pub(crate) use registration::register;
pub(crate) use revocation::revoke;
pub(crate) use token_endpoint::token;
pub(crate) use well_known::{authorization_server_metadata, jwks};
