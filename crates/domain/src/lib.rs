//! Waymark's domain: the types and rules of personal recovery, and the small traits
//! ("ports") that adapters implement. Nothing here performs I/O or names a web or
//! database crate; `waymark-http` and `waymark-persistence` both point inwards to it.

pub mod health;
pub mod id;
pub mod time;
