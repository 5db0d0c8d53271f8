//! Identifiers. Every stored resource is named by a UUIDv7: unique without coordination
//! between replicas, and roughly ordered by creation time, which keeps indexes compact.

use uuid::Uuid;

/// Makes a new time-ordered identifier (UUIDv7).
#[must_use]
pub fn new_id() -> Uuid {
    Uuid::now_v7()
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
}
