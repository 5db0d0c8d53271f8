//! What use cases need to know about the person they act for.

use waymark_domain::acting::Acting;
use waymark_domain::identity::Account;
use waymark_domain::ports::{StoragePorts, StoreError};

use crate::failure::Failure;

/// The account `acting` is for (its time zone, locale, version), or `gone` when it no
/// longer exists.
///
/// # Errors
/// `gone`, or the port's error when storage fails.
pub(crate) async fn account<E: From<StoreError>>(
    ports: &StoragePorts,
    acting: Acting,
    gone: E,
) -> Result<Account, Failure<E>> {
    ports.accounts.get(acting.owner).await?.ok_or(Failure::Refused(gone))
}
