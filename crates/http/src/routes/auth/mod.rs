//! Signing up and signing in: registration, the authorization endpoint and its pages,
//! the OAuth 2.0 token and revocation endpoints, and the metadata and keys third
//! parties verify tokens with.

mod authorization_endpoint;
mod client_authentication;
mod introspection;
mod oauth_error;
mod registration;
mod revocation;
mod token_endpoint;
mod token_request;
mod well_known;

pub(crate) use authorization_endpoint::{authorize, authorize_decision};
pub(crate) use introspection::introspect;
pub(crate) use registration::register;
pub(crate) use revocation::revoke;
pub(crate) use token_endpoint::token;
pub(crate) use well_known::{authorization_server_metadata, jwks};
