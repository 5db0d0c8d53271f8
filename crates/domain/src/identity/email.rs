//! E-mail addresses as account names: normalised so that one person cannot hold two
//! accounts that differ only in letter case, width or form (`ｃａｓｅ@example.org` is
//! `case@example.org`) or surrounding spaces.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// The longest address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_LENGTH: usize = 254;

/// A syntactically plausible e-mail address, normalised for comparison: trimmed, in
/// Unicode NFKC and case-folded (the "compatibility caseless match" of Unicode's
/// chapter 3, as PRECIS compares identifiers).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why a string is not an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an e-mail address such as name@example.org, at most 254 characters")]
pub struct InvalidEmail;

impl Email {
    /// Trims, normalises (NFKC, case folding, NFKC again, since folding can undo the
    /// normal form) and checks `raw`.
    ///
    /// # Errors
    /// [`InvalidEmail`] when it is too long, has no single `@` with text on both
    /// sides, has a domain without a dot, or contains spaces or control characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let cleaned = crate::text::clean(raw, false).ok_or(InvalidEmail)?;
        let folded = caseless::default_case_fold_str(&cleaned.nfkc().collect::<String>());
        let normalised: String = folded.nfkc().collect();
        if normalised.is_empty() || normalised.chars().count() > MAX_EMAIL_LENGTH {
            return Err(InvalidEmail);
        }
        if normalised.chars().any(|character| character.is_whitespace() || character.is_control()) {
            return Err(InvalidEmail);
        }
        let Some((local, domain)) = normalised.split_once('@') else {
            return Err(InvalidEmail);
        };
        let plausible = !local.is_empty()
            && local.chars().count() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if plausible { Ok(Self(normalised)) } else { Err(InvalidEmail) }
    }

    /// The normalised address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Sam.Rivers@Example.ORG ").map(|email| email.to_string()),
            Ok("sam.rivers@example.org".to_owned())
        );
    }

    #[test]
    fn invisible_characters_and_unnormalised_forms_do_not_make_new_addresses() {
        assert!(Email::parse("sam\u{200b}@example.org").is_err());
        assert!(Email::parse("sam\u{202e}@example.org").is_err());
        assert_eq!(Email::parse("sa\u{0301}m@example.org"), Email::parse("s\u{00e1}m@example.org"));
    }

    #[test]
    fn full_width_and_case_variants_are_the_same_address() {
        let plain = Email::parse("case@example.org");
        assert_eq!(Email::parse("\u{ff43}\u{ff41}\u{ff53}\u{ff45}@example.org"), plain);
        assert_eq!(Email::parse("CASE@EXAMPLE.ORG"), plain);
        assert_eq!(
            Email::parse("STRASSE@example.org"),
            Email::parse("stra\u{df}e@example.org"),
            "case folding, not lower-casing: the sharp s folds to ss"
        );
        assert_eq!(
            Email::parse("\u{2160}@example.org").map(|email| email.to_string()),
            Ok("i@example.org".to_owned()),
            "compatibility forms (the Roman numeral one) are their plain letters"
        );
    }

    #[test]
    fn implausible_addresses_are_rejected() {
        for bad in [
            "",
            "no-at-sign",
            "@example.org",
            "sam@",
            "sam@localhost",
            "sam@@example.org",
            "sam @example.org",
            "sam@example..org",
            "sam@.example.org",
        ] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(InvalidEmail));
    }
}
