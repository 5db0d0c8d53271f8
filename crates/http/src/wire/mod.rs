//! Words of the wire format that more than one route module uses, so that route
//! modules never reach into each other: timestamps, names of values, ways to reach
//! someone, an account and a service.

pub(crate) mod account;
pub(crate) mod channels;
pub(crate) mod names;
pub(crate) mod services;
pub(crate) mod time;
