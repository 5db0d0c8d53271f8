//! What a client says it last saw of a resource, so a change made since is not
//! overwritten by accident (`If-Match` on the wire).

/// The versions a client last saw, or none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Precondition {
    /// Whatever the version (no `If-Match`, or `*`).
    #[default]
    Any,
    /// Only if the resource is still at one of these versions.
    OneOf(Vec<i64>),
}

/// The resource changed since the version the client saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the resource has changed since the version given")]
pub struct PreconditionFailed;

impl Precondition {
    /// Whether the write depends on the version at all.
    #[must_use]
    pub fn is_conditional(&self) -> bool {
        matches!(self, Self::OneOf(_))
    }

    /// Checks the resource's `current` version and answers the version the write must
    /// still find (so a change in between is caught too), or `None` for an
    /// unconditional write.
    ///
    /// # Errors
    /// [`PreconditionFailed`] when no version given is the current one.
    pub fn expected(&self, current: i64) -> Result<Option<i64>, PreconditionFailed> {
        match self {
            Self::Any => Ok(None),
            Self::OneOf(versions) if versions.contains(&current) => Ok(Some(current)),
            Self::OneOf(_) => Err(PreconditionFailed),
        }
    }
}

/// A port's write error with a `PreconditionFailed` variant takes a failed precondition
/// as that variant.
macro_rules! failed_precondition_is_a {
    ($($error:ty),+ $(,)?) => {
        $(
            impl From<PreconditionFailed> for $error {
                fn from(_: PreconditionFailed) -> Self {
                    Self::PreconditionFailed
                }
            }
        )+
    };
}

failed_precondition_is_a!(
    crate::goals::ports::GoalWriteError,
    crate::goals::ports::StepWriteError,
    crate::routines::ports::RoutineWriteError,
    crate::routines::ports::CheckInWriteError,
    crate::contacts::ports::ContactWriteError,
    crate::content::ports::ArticleWriteError,
    crate::content::ports::ServiceWriteError,
    crate::identity::ports::UpdateAccountError,
    crate::identity::ports::ClientError,
    crate::sharing::ports::ShareWriteError,
    crate::sharing::ports::EncouragementWriteError,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_version_passes_and_asks_for_none() {
        assert_eq!(Precondition::Any.expected(7), Ok(None));
    }

    #[test]
    fn a_listed_version_is_the_one_the_write_must_find() {
        let seen = Precondition::OneOf(vec![3, 7]);
        assert_eq!(seen.expected(7), Ok(Some(7)));
        assert_eq!(seen.expected(8), Err(PreconditionFailed));
        assert_eq!(Precondition::OneOf(Vec::new()).expected(1), Err(PreconditionFailed));
    }
}
