//! The name a person chooses to be shown by.

use std::fmt;

/// The longest display name accepted, in characters.
pub const MAX_DISPLAY_NAME_LENGTH: usize = 100;

/// A display name: 1 to 100 characters after trimming, in Unicode NFC, with no
/// control, bidirectional-override or zero-width characters (joiners aside), and
/// something visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

/// Why a display name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to 100 characters, without control characters")]
pub struct InvalidDisplayName;

impl DisplayName {
    /// Trims and checks `raw`.
    ///
    /// # Errors
    /// [`InvalidDisplayName`] when empty, too long, or containing control characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidDisplayName> {
        let cleaned = crate::text::clean(raw, true).ok_or(InvalidDisplayName)?;
        let length = cleaned.chars().count();
        if (1..=MAX_DISPLAY_NAME_LENGTH).contains(&length) && crate::text::is_visible(&cleaned) {
            Ok(Self(cleaned))
        } else {
            Err(InvalidDisplayName)
        }
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Sam ").map(|name| name.to_string()), Ok("Sam".to_owned()));
        assert_eq!(DisplayName::parse("   "), Err(InvalidDisplayName));
        assert_eq!(
            DisplayName::parse(&"é".repeat(100)).map(|name| name.as_str().chars().count()),
            Ok(100)
        );
        assert_eq!(DisplayName::parse(&"é".repeat(101)), Err(InvalidDisplayName));
        assert_eq!(DisplayName::parse("Sam\u{0007}"), Err(InvalidDisplayName));
        assert_eq!(DisplayName::parse("\u{200B}"), Err(InvalidDisplayName));
        assert_eq!(DisplayName::parse("\u{202E}evil"), Err(InvalidDisplayName));
    }
}
