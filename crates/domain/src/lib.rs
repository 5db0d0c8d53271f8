//! Waymark's domain: the types and rules of personal recovery, and the small traits
//! ("ports") that adapters implement. Nothing here performs I/O or names a web or
//! database crate; `waymark-http` and `waymark-persistence` both point inwards to it.

// Unit tests may fail loudly; production code may not (see [workspace.lints]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod access_log;
pub mod acting;
pub mod contacts;
pub mod content;
pub mod export;
pub mod goals;
pub mod health;
pub mod id;
pub mod idempotency;
pub mod identity;
pub mod journal;
pub mod ports;
pub mod precondition;
pub mod routines;
pub mod sharing;
pub mod sync;
pub mod text;
pub mod time;
pub mod validation;
mod values;
pub mod webhooks;

pub use values::TextBounds;
