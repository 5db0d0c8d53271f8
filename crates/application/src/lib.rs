//! Waymark's use cases: one function per operation, such as [`goals::create`]. Each
//! takes the storage ports, the time, who is acting for whom ([`Acting`]) and an
//! input that parses into domain values, and holds every rule that needs storage to
//! decide (a target date is judged by the person's own time zone, which is stored).
//! Rules that need no storage live in the domain's types.
//!
//! This crate depends on the domain only. Handlers in `waymark-http` extract, call a
//! use case and respond; stores in `waymark-persistence` store.

// Unit tests may fail loudly; production code may not (see [workspace.lints]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod access_log;
pub mod accounts;
pub mod articles;
pub mod authorization;
pub mod calendar_feeds;
pub mod clients;
pub mod contacts;
pub mod credentials;
pub mod crisis;
pub mod encouragements;
pub mod export;
mod failure;
pub mod fhir;
pub mod formats;
pub mod goal_check_ins;
pub mod goals;
pub mod grants;
mod input;
pub mod interactions;
mod person;
pub mod planning;
mod preconditions;
pub mod routine_check_ins;
pub mod routines;
pub mod services;
pub mod shared_view;
pub mod sharing;
pub mod steps;
pub mod supporters;
pub mod supporting;
pub mod sync;
pub mod webhook_delivery;
pub mod webhooks;

pub use failure::Failure;
pub use input::Input;
