//! The directory of support services: written by editors, read by anyone once
//! published.

use waymark_domain::content::ports::ServiceWriteError;
use waymark_domain::content::service::{Service, ServiceDetails};
use waymark_domain::content::{ArticleStatus, Slug};
use waymark_domain::ports::StoragePorts;
use waymark_domain::precondition::Precondition;
use waymark_domain::time::Instant;
use waymark_domain::validation::Problem;

use crate::failure::Failure;
use crate::input::Input;
use crate::preconditions::expected_version;

/// Why a service operation did not happen.
pub type ServiceFailure = Failure<ServiceWriteError>;

/// What an editor sent to change a service, applied to the service as it is.
pub trait ServiceEdit {
    /// The service's new details and status, or every problem with them.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self, current: &Service) -> Result<(ServiceDetails, ArticleStatus), Vec<Problem>>;
}

/// A service as its reader may see it: a published one for anyone, any for an
/// editor.
///
/// # Errors
/// [`ServiceWriteError::NotFound`] for no such service, or one the reader may not see.
pub async fn read(
    ports: &StoragePorts,
    slug: &Slug,
    editor: bool,
) -> Result<Service, ServiceFailure> {
    ports
        .services
        .service(slug)
        .await?
        .filter(|service| editor || service.status == ArticleStatus::Published)
        .ok_or(Failure::Refused(ServiceWriteError::NotFound))
}

/// Adds a service to the directory.
///
/// # Errors
/// [`Failure::Invalid`], or [`ServiceWriteError::SlugTaken`].
pub async fn create(
    ports: &StoragePorts,
    now: Instant,
    input: impl Input<(Slug, ServiceDetails, ArticleStatus)>,
) -> Result<Service, ServiceFailure> {
    let (slug, details, status) = input.parse().map_err(Failure::Invalid)?;
    ports
        .services
        .create_service(slug, details, status, now)
        .await
        .map_err(Failure::Refused)
}

/// Changes a service, if it is still at a version `seen` names. Without a
/// precondition the change is made against the version just read, and another
/// editor's change landing in between is [`ServiceWriteError::ChangedMeanwhile`].
///
/// # Errors
/// [`ServiceWriteError::NotFound`], [`ServiceWriteError::PreconditionFailed`],
/// [`ServiceWriteError::ChangedMeanwhile`] or [`Failure::Invalid`].
pub async fn update(
    ports: &StoragePorts,
    now: Instant,
    slug: &Slug,
    seen: &Precondition,
    edit: impl ServiceEdit,
) -> Result<Service, ServiceFailure> {
    let current = read(ports, slug, true).await?;
    let expected = seen.expected(current.version)?;
    let (details, status) = edit.parse(&current).map_err(Failure::Invalid)?;
    ports
        .services
        .update_service(
            slug,
            details,
            status,
            Some(expected.unwrap_or(current.version)),
            now,
        )
        .await
        .map_err(|error| match error {
            ServiceWriteError::PreconditionFailed if !seen.is_conditional() => {
                Failure::Refused(ServiceWriteError::ChangedMeanwhile)
            }
            other => Failure::Refused(other),
        })
}

/// Removes a service, if it is still at a version `seen` names.
///
/// # Errors
/// [`ServiceWriteError::NotFound`] or [`ServiceWriteError::PreconditionFailed`].
pub async fn delete(
    ports: &StoragePorts,
    slug: &Slug,
    seen: &Precondition,
) -> Result<(), ServiceFailure> {
    let expected =
        expected_version(seen, read(ports, slug, true), |service| service.version).await?;
    ports
        .services
        .delete_service(slug, expected)
        .await
        .map_err(Failure::Refused)
}
