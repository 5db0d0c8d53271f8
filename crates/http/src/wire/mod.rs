//! Words of the wire format that more than one route module uses, so that route
//! modules never reach into each other: timestamps, names of values, ways to reach
//! someone, an account and a service, and the representations of goals, routines,
//! contacts and shares (their own routes and delta sync answer them the same).

pub(crate) mod account;
pub(crate) mod channels;
pub(crate) mod contacts;
pub(crate) mod goals;
pub(crate) mod names;
pub(crate) mod routines;
pub(crate) mod services;
pub(crate) mod shares;
pub(crate) mod time;
