//! Authentication and authorisation at the HTTP edge: signing keys, access tokens,
//! the `Principal` extractor and the table of scopes each operation needs.

pub(crate) mod bearer;
pub mod keys;
pub mod principal;
pub mod security_table;
pub(crate) mod sessions;
pub mod tokens;
pub mod vocabulary;

pub(crate) use bearer::{Bearer, bearer};
pub use keys::{KeyError, SigningKeys, generate_ed25519_pem};
pub use principal::{Principal, Subject};
pub use tokens::{AccessClaims, IssuedUnder, TokenIssuer, TokenSettings};
