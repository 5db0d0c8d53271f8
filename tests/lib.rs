//! Black-box API tests live in `api/`; this library target is intentionally empty.
