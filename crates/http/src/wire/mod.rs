//! Words of the wire format that more than one route module uses, so that route
//! modules never reach into each other: timestamps, names of values, ways to reach
//! someone, an account and a service, and the representations of goals, routines,
//! contacts, shares, grants and the access log (their own routes, delta sync and the
//! export answer them the same).

pub(crate) mod access_log;
pub(crate) mod account;
pub(crate) mod channels;
pub(crate) mod contacts;
pub(crate) mod fhir;
pub(crate) mod goals;
pub(crate) mod grants;
pub(crate) mod names;
pub(crate) mod routines;
pub(crate) mod services;
pub(crate) mod shares;
pub(crate) mod time;
