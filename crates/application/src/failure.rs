//! Why a use case did not do what was asked.

use waymark_domain::ports::StoreError;
use waymark_domain::precondition::PreconditionFailed;
use waymark_domain::validation::Problem;

/// A use case's failure: what the caller sent breaks a rule (every problem is
/// listed), or the port refused the operation with its own error `E` (not found, a
/// stale version, a conflict, storage down), which says what the caller can do.
#[derive(Debug, thiserror::Error)]
pub enum Failure<E> {
    /// What was sent breaks a rule.
    #[error("the request is not valid")]
    Invalid(Vec<Problem>),
    /// The port's answer.
    #[error(transparent)]
    Refused(E),
}

impl<E: From<StoreError>> From<StoreError> for Failure<E> {
    fn from(error: StoreError) -> Self {
        Self::Refused(error.into())
    }
}

impl<E: From<PreconditionFailed>> From<PreconditionFailed> for Failure<E> {
    fn from(error: PreconditionFailed) -> Self {
        Self::Refused(error.into())
    }
}
