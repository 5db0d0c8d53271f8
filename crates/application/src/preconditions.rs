//! Writes that may name the version they expect (`If-Match` on the wire).

use std::future::Future;

use waymark_domain::precondition::{Precondition, PreconditionFailed};

use crate::failure::Failure;

/// The version a write must still find: `None` for an unconditional write (then
/// `current` is never run, so nothing is read), else the current version, which must
/// be one that `seen` names.
///
/// # Errors
/// What reading `current` fails with, or a failed precondition.
pub(crate) async fn expected_version<T, E: From<PreconditionFailed>>(
    seen: &Precondition,
    current: impl Future<Output = Result<T, Failure<E>>>,
    version: impl FnOnce(&T) -> i64,
) -> Result<Option<i64>, Failure<E>> {
    if !seen.is_conditional() {
        return Ok(None);
    }
    Ok(seen.expected(version(&current.await?))?)
}
