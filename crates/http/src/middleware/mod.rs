//! The middleware every response passes through, outermost first:
//! the in-flight count a graceful stop waits for, request id, request log and metrics,
//! security headers, compression, problem completion, CORS, rate limits, the
//! NUL-character rule, the access log, the panic guard, the per-request timeout,
//! authentication, and idempotency (so a replay is authenticated, and recorded, like
//! the request it repeats).

pub(crate) mod access_log;
pub(crate) mod authentication;
pub(crate) mod caller;
pub mod drain;
pub(crate) mod idempotency;
pub(crate) mod nul_characters;
pub(crate) mod panic_guard;
pub(crate) mod problem_completion;
pub mod rate_limit;
pub(crate) mod request_id;
pub(crate) mod request_log;
pub(crate) mod security_headers;
pub(crate) mod timeout;
