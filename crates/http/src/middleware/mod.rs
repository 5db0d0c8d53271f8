//! The middleware every response passes through, outermost first:
//! request id, request log and metrics, security headers, compression, CORS,
//! problem completion, and the per-request timeout.

pub(crate) mod problem_completion;
pub(crate) mod request_id;
pub(crate) mod request_log;
pub(crate) mod security_headers;
pub(crate) mod timeout;
