//! Identifiers. Every stored resource is named by a UUIDv7: unique without coordination
//! between replicas, and roughly ordered by creation time, which keeps indexes compact.

use uuid::Uuid;

use crate::time::Instant;

/// Makes a new time-ordered identifier (UUIDv7).
#[must_use]
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// The lowest identifier [`new_id`] can make in the millisecond of `at`: every id made
/// before that millisecond is below it, every id made from it on is not (ids compare
/// by their bytes, which begin with the time).
#[must_use]
pub fn lowest_id_at(at: Instant) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &[0; 10]).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_version_7_and_ordered() {
        let first = new_id();
        let second = new_id();
        assert_eq!(first.get_version_num(), 7);
        assert!(second > first, "{second} should sort after {first}");
    }

    #[test]
    fn ids_made_before_a_moment_are_below_its_lowest_id_and_later_ones_are_not() {
        let before = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let moment = crate::time::now();
        let lowest = lowest_id_at(moment);
        let after = new_id();
        assert!(before < lowest, "{before} < {lowest}");
        assert!(lowest <= after, "{lowest} <= {after}");
        assert_eq!(lowest.get_version_num(), 7);
    }
}
