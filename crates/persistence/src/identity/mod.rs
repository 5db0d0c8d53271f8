//! Storage of identity: accounts, API clients, refresh tokens and failed sign-ins.

pub(crate) mod accounts;
pub(crate) mod authorizations;
pub(crate) mod clients;
pub(crate) mod refresh_tokens;
pub(crate) mod sign_in_throttle;
