//! How to reach a contact: phone numbers in E.164, e-mail addresses (checked as account
//! addresses are), postal addresses
//! and `https` links, each checked for its type.

use crate::identity::{Email, Locale};
use crate::values::{bounded_text, wire_enum};

wire_enum!(
    /// What kind of channel a value is.
    ChannelType, UnknownChannelType,
    "must be one of phone, mobile, email, address, website, forum, video",
    {
        Phone => "phone",
        Mobile => "mobile",
        Email => "email",
        Address => "address",
        Website => "website",
        Forum => "forum",
        Video => "video",
    }
);

bounded_text!(
    /// What the person calls a channel, such as "work": up to 60 characters.
    ChannelLabel, InvalidChannelLabel, 0, 60, "must be at most 60 characters, without control or invisible characters"
);

/// One way to reach a contact, its value normalised for its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// What kind it is.
    pub kind: ChannelType,
    /// The normalised value: E.164 (`+447911123456`) or the digits of a short service
    /// number (`116123`) for phones, a lower-cased address for e-mail, a parsed `https`
    /// URL for links, the text for an address.
    pub value: String,
    /// The person's label.
    pub label: ChannelLabel,
    /// Whether it is the preferred one of its type.
    pub preferred: bool,
}

/// The region a phone number written without its country code belongs to: the
/// region of the account's locale (`en-GB` gives GB), or GB when the locale names
/// none or one that has no phone numbering plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneRegion(phonenumber::country::Id);

impl PhoneRegion {
    /// The region of `locale`.
    #[must_use]
    pub fn of(locale: &Locale) -> Self {
        locale
            .as_str()
            .split('-')
            .skip(1)
            .find(|subtag| subtag.len() == 2)
            .and_then(|region| region.parse::<phonenumber::country::Id>().ok())
            .map_or(Self(phonenumber::country::Id::GB), Self)
    }

    /// Its ISO 3166 code, such as `GB`.
    #[must_use]
    pub fn code(self) -> String {
        self.0.as_ref().to_owned()
    }
}

/// The longest value of any channel.
const MAX_VALUE_CHARS: usize = 2000;
/// The longest postal address.
const MAX_ADDRESS_CHARS: usize = 500;

/// Checks and normalises `raw` as a value of `kind`; the error says what is wrong.
///
/// # Errors
/// A message for the app developer when the value is not valid for its type.
pub fn normalise_value(
    kind: ChannelType,
    raw: &str,
    region: PhoneRegion,
) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if raw.chars().count() > MAX_VALUE_CHARS {
        return Err(format!("must be at most {MAX_VALUE_CHARS} characters"));
    }
    match kind {
        ChannelType::Phone | ChannelType::Mobile => phone_number(raw, region),
        ChannelType::Email => Email::parse(raw)
            .map(|email| email.as_str().to_owned())
            .map_err(|error| error.to_string()),
        ChannelType::Address => crate::text::clean_paragraphs(raw)
            .filter(|address| {
                !address.is_empty() && address.chars().count() <= MAX_ADDRESS_CHARS
            })
            .ok_or_else(|| {
                format!(
                    "must be an address of at most {MAX_ADDRESS_CHARS} characters, without control or invisible characters"
                )
            }),
        ChannelType::Website | ChannelType::Forum | ChannelType::Video => https_link(raw),
    }
}

/// A phone number in E.164, or the digits of a short service number such as 116 123.
fn phone_number(raw: &str, region: PhoneRegion) -> Result<String, String> {
    let invalid = || {
        format!(
            "must be a phone number: one of the {} region, or any with its country code such as +44 7911 123456",
            region.code()
        )
    };
    let digits: String =
        raw.chars().filter(|character| !matches!(character, ' ' | '-' | '.' | '(' | ')')).collect();
    if (3..=6).contains(&digits.len()) && digits.chars().all(|digit| digit.is_ascii_digit()) {
        return Ok(digits);
    }
    let number = phonenumber::parse(Some(region.0), raw).map_err(|_| invalid())?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// An absolute `https` URL with a host and no credentials.
fn https_link(raw: &str) -> Result<String, String> {
    let link = url::Url::parse(raw)
        .map_err(|_| "must be an https URL such as https://example.org".to_owned())?;
    if link.scheme() != "https" {
        return Err("must be an https URL: other schemes are not accepted".to_owned());
    }
    if link.host_str().is_none_or(str::is_empty) {
        return Err("must be an https URL with a host".to_owned());
    }
    if !link.username().is_empty() || link.password().is_some() {
        return Err("must not contain a user name or password".to_owned());
    }
    Ok(link.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gb() -> PhoneRegion {
        PhoneRegion::of(&Locale::parse("en-GB").unwrap())
    }

    #[test]
    fn phone_numbers_become_e164_in_the_default_region() {
        let phone = |raw| normalise_value(ChannelType::Phone, raw, gb());
        assert_eq!(phone("07911 123456").unwrap(), "+447911123456");
        assert_eq!(phone("020 7946 0958").unwrap(), "+442079460958");
        assert_eq!(phone("0044 20 7946 0958").unwrap(), "+442079460958");
        assert_eq!(phone("+1 (202) 555-0143").unwrap(), "+12025550143");
        assert_eq!(phone("116 123").unwrap(), "116123");
        let australia = PhoneRegion::of(&Locale::parse("en-AU").unwrap());
        assert_eq!(
            normalise_value(ChannelType::Mobile, "(02) 9876 5432", australia).unwrap(),
            "+61298765432"
        );
        assert!(phone("12").is_err());
        assert!(phone("call me").is_err());
        assert!(phone("0123").is_ok());
        assert!(phone("+44 12345").is_err());
    }

    #[test]
    fn regions_come_from_the_locale_or_default_to_gb() {
        assert_eq!(PhoneRegion::of(&Locale::parse("en-IE").unwrap()).code(), "IE");
        assert_eq!(PhoneRegion::of(&Locale::parse("cy").unwrap()).code(), "GB");
        assert_eq!(PhoneRegion::of(&Locale::parse("es-419").unwrap()).code(), "GB");
    }

    #[test]
    fn email_addresses_are_checked_as_account_addresses_are() {
        let email = |raw| normalise_value(ChannelType::Email, raw, gb());
        assert_eq!(email("Sam.Jones@Example.ORG").unwrap(), "sam.jones@example.org");
        for bad in
            ["sam", "sam@", "@example.org", "sam@example", "sam@@example.org", "sa m@example.org"]
        {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn links_must_be_https_with_a_host_and_no_credentials() {
        let link = |raw| normalise_value(ChannelType::Website, raw, gb());
        assert_eq!(link("https://example.org").unwrap(), "https://example.org/");
        for bad in [
            "http://example.org",
            "javascript:alert(1)",
            "example.org",
            "https://user:pw@example.org",
            "ftp://example.org",
            "data:text/html,hi",
        ] {
            assert!(link(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_keep_their_lines() {
        assert_eq!(
            normalise_value(ChannelType::Address, "1 High St\nLeeds", gb()).unwrap(),
            "1 High St\nLeeds"
        );
        assert!(normalise_value(ChannelType::Address, "   ", gb()).is_err());
    }
}
