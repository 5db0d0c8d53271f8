//! Black-box API tests: the real application over real HTTP, one module per concern.
//! Each test runs on SQLite, and on PostgreSQL when `WAYMARK_TEST_POSTGRES_URL` is set.

// This whole binary is test code: failing loudly is its job.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod support;

mod access_log;
mod accounts;
mod admin;
mod authorize;
mod caches;
mod clients;
mod contacts;
mod content;
mod content_catalogue;
mod content_services;
mod cors;
mod deploy;
mod dockerfile;
mod export;
mod faults;
mod fhir;
mod goal_parts;
mod goals;
mod health;
mod housekeeping;
mod idempotency;
mod journal;
mod me;
mod metrics_access;
mod migrations;
mod openapi;
mod paging;
mod problems;
mod public_url;
mod rate_limits;
mod request_id;
mod routines;
mod security;
mod sharing;
mod shutdown;
mod sign_in;
mod spec_access;
mod spec_bounds;
mod spec_headers;
mod sync;
mod token_attacks;
mod token_revocation;
mod webhooks;
