//! Who is asking: accounts, their credentials and profile, API clients, roles and
//! scopes, and the ports through which they are stored.

pub mod account;
mod argon2id;
pub mod authorization;
pub mod client;
pub mod email;
pub mod locale;
pub mod password;
pub mod ports;
pub mod profile;
pub mod redirect;
pub mod revoked_tokens;
pub mod rotation;
pub mod scope;
pub mod secret;
pub mod time_zone;

pub use account::{Account, AccountId, NewAccount, ProfileChanges, Role};
pub use client::{ApiClient, ClientChanges, ClientId, ClientKind, NewApiClient};
pub use email::Email;
pub use locale::Locale;
pub use password::{NewPassword, PasswordHash};
pub use profile::DisplayName;
pub use redirect::RedirectUri;
pub use revoked_tokens::RevokedAccessTokens;
pub use scope::{Scope, ScopeSet};
pub use time_zone::TimeZoneName;
