//! What use cases need to know about the person they act for.

use chrono::NaiveDate;
use waymark_domain::identity::AccountId;
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::time::Instant;

/// The calendar date in the person's own time zone on which `instant` falls, or
/// `None` when the account is gone.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub(crate) async fn local_date(
    ports: &StoragePorts,
    owner: AccountId,
    instant: Instant,
) -> Result<Option<NaiveDate>, StoreError> {
    Ok(ports.accounts.get(owner).await?.map(|account| {
        instant
            .with_timezone(&account.time_zone.zone())
            .date_naive()
    }))
}
