//! The directory of support services: written by editors, read by anyone once
//! published.

use std::cmp::Ordering;

use waymark_domain::content::ports::{ServiceQuery, ServiceWriteError};
use waymark_domain::content::service::{Location, Service, ServiceDetails, ServiceId};
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
    ports.services.create_service(slug, details, status, now).await.map_err(Failure::Refused)
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
        .update_service(slug, details, status, Some(expected.unwrap_or(current.version)), now)
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
    ports.services.delete_service(slug, expected).await.map_err(Failure::Refused)
}

/// The place in a listing of services after which the next page starts: the last
/// service's distance (when the listing is near a place), lower-cased name and id.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePosition {
    /// Its distance in kilometres, in a listing near a place.
    pub distance: Option<f64>,
    /// Its name, lower-cased.
    pub name: String,
    /// Its id.
    pub id: ServiceId,
}

/// Which services to list, and from where.
#[derive(Debug, Clone)]
pub struct ServiceListing {
    /// What storage filters by.
    pub query: ServiceQuery,
    /// Only those open at the moment of listing.
    pub open_now: bool,
    /// Only those within this many kilometres of this place, nearest first.
    pub near: Option<(Location, f64)>,
    /// Where the page starts.
    pub after: Option<ServicePosition>,
    /// The most on one page.
    pub limit: u64,
}

/// A page of services, each with its distance in a listing near a place.
#[derive(Debug, Clone)]
pub struct ServicePage {
    /// The services, nearest first (or by name), then by id.
    pub services: Vec<(Option<f64>, Service)>,
    /// Whether more follow.
    pub has_more: bool,
}

impl ServicePage {
    /// Where the next page starts, when there is one.
    #[must_use]
    pub fn next(&self) -> Option<ServicePosition> {
        self.has_more
            .then(|| self.services.last())
            .flatten()
            .map(|(distance, last)| position_of(*distance, last))
    }
}

fn position_of(distance: Option<f64>, service: &Service) -> ServicePosition {
    ServicePosition { distance, name: service.details.name.as_str().to_lowercase(), id: service.id }
}

/// Orders by distance (when there is one), then name, then id.
fn order(left: &ServicePosition, right: &ServicePosition) -> Ordering {
    left.distance
        .partial_cmp(&right.distance)
        .unwrap_or(Ordering::Equal)
        .then_with(|| left.name.cmp(&right.name))
        .then_with(|| left.id.0.cmp(&right.id.0))
}

/// A page of the directory: the services storage finds for the listing's query, kept
/// when open at `now` (if asked) and within its distance of its place (if any),
/// ordered nearest first or by name, starting after its position.
///
/// # Errors
/// A store error.
pub async fn list(
    ports: &StoragePorts,
    listing: &ServiceListing,
    now: Instant,
) -> Result<ServicePage, ServiceFailure> {
    let services = ports.services.services(listing.query.clone()).await?;
    let mut ranked: Vec<(Option<f64>, Service)> = services
        .into_iter()
        .filter(|service| {
            !listing.open_now
                || service.details.opening_hours.as_ref().is_some_and(|hours| hours.is_open(now))
        })
        .filter_map(|service| match listing.near {
            None => Some((None, service)),
            Some((point, km)) => {
                let distance = point.distance_km(service.details.location?);
                (distance <= km).then_some((Some(distance), service))
            }
        })
        .collect();
    ranked.sort_by(|(left_distance, left), (right_distance, right)| {
        order(&position_of(*left_distance, left), &position_of(*right_distance, right))
    });
    if let Some(after) = &listing.after {
        ranked.retain(|(distance, service)| {
            order(&position_of(*distance, service), after) == Ordering::Greater
        });
    }
    let limit = usize::try_from(listing.limit).unwrap_or(usize::MAX);
    let has_more = ranked.len() > limit;
    ranked.truncate(limit);
    Ok(ServicePage { services: ranked, has_more })
}
