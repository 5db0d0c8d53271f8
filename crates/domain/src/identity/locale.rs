//! Language tags (BCP 47), such as `en-GB` or `cy`, in their canonical letter case.

use std::fmt;

/// The locale new accounts get when they name none.
pub const DEFAULT_LOCALE: &str = "en-GB";

/// The longest tag accepted, in characters (ASCII only).
pub const MAX_LOCALE_LENGTH: usize = 35;

/// A well-formed BCP 47 language tag of the common shape: a language, then an optional
/// script, region and variants (`sr-Latn-RS`, `de-CH-1996`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Locale(String);

/// Why a language tag was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a BCP 47 language tag such as en-GB")]
pub struct InvalidLocale;

impl Locale {
    /// Checks the shape of `raw` and puts it in canonical case (`en-gb` becomes
    /// `en-GB`, `sr-latn` becomes `sr-Latn`).
    ///
    /// # Errors
    /// [`InvalidLocale`] when it is not a well-formed tag of at most 35 characters.
    pub fn parse(raw: &str) -> Result<Self, InvalidLocale> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > MAX_LOCALE_LENGTH || !raw.is_ascii() {
            return Err(InvalidLocale);
        }
        let mut subtags = raw.split(['-', '_']);
        let language = subtags.next().ok_or(InvalidLocale)?;
        if !(2..=3).contains(&language.len())
            || !language.chars().all(|character| character.is_ascii_alphabetic())
        {
            return Err(InvalidLocale);
        }
        let mut canonical = vec![language.to_ascii_lowercase()];
        let mut stage = 0; // 0: script allowed, 1: region allowed, 2: variants only
        for subtag in subtags {
            let alphabetic = subtag.chars().all(|character| character.is_ascii_alphabetic());
            let digits = subtag.chars().all(|character| character.is_ascii_digit());
            let alphanumeric = subtag.chars().all(|character| character.is_ascii_alphanumeric());
            if stage == 0 && subtag.len() == 4 && alphabetic {
                let mut script = subtag.to_ascii_lowercase();
                script[..1].make_ascii_uppercase();
                canonical.push(script);
                stage = 1;
            } else if stage <= 1
                && ((subtag.len() == 2 && alphabetic) || (subtag.len() == 3 && digits))
            {
                canonical.push(subtag.to_ascii_uppercase());
                stage = 2;
            } else if alphanumeric
                && ((5..=8).contains(&subtag.len())
                    || (subtag.len() == 4
                        && subtag.starts_with(|character: char| character.is_ascii_digit())))
            {
                canonical.push(subtag.to_ascii_lowercase());
                stage = 2;
            } else {
                return Err(InvalidLocale);
            }
        }
        Ok(Self(canonical.join("-")))
    }

    /// `en-GB`.
    #[must_use]
    pub fn default_locale() -> Self {
        Self(DEFAULT_LOCALE.to_owned())
    }

    /// The canonical tag.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The region subtag, such as `GB`, if the tag has one.
    #[must_use]
    pub fn region(&self) -> Option<&str> {
        self.0.split('-').skip(1).find(|subtag| {
            subtag.len() == 2 || (subtag.len() == 3 && subtag.chars().all(|c| c.is_ascii_digit()))
        })
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(raw: &str) -> Result<String, InvalidLocale> {
        Locale::parse(raw).map(|locale| locale.to_string())
    }

    #[test]
    fn well_formed_tags_are_put_in_canonical_case() {
        assert_eq!(canonical("en-gb"), Ok("en-GB".to_owned()));
        assert_eq!(canonical("cy"), Ok("cy".to_owned()));
        assert_eq!(canonical("SR-latn-rs"), Ok("sr-Latn-RS".to_owned()));
        assert_eq!(canonical("es-419"), Ok("es-419".to_owned()));
        assert_eq!(canonical("de-CH-1996"), Ok("de-CH-1996".to_owned()));
        assert_eq!(canonical("en_GB"), Ok("en-GB".to_owned()));
    }

    #[test]
    fn malformed_tags_are_rejected() {
        for bad in ["", "e", "english-GB", "en-", "en-G", "en-GB-x", "12-GB", "en GB", "ën-GB"] {
            assert_eq!(Locale::parse(bad), Err(InvalidLocale), "{bad}");
        }
    }

    #[test]
    fn region_is_found() {
        assert_eq!(Locale::parse("en-GB").ok().as_ref().and_then(Locale::region), Some("GB"));
        assert_eq!(Locale::parse("cy").ok().as_ref().and_then(Locale::region), None);
    }
}
