//! A contact as a client wrote it (in JSON or in a vCard), checked field by field into
//! [`ContactDetails`], with every problem named by its JSON pointer. Both ways in use
//! these same rules.

use super::channel::{Channel, ChannelLabel, ChannelType, PhoneRegion, normalise_value};
use super::contact::{
    CanHelpWith, ContactDetails, ContactKind, ContactMethod, ContactName, ContactNotes,
    Helpfulness, KnowsAboutMyHealth, MAX_CHANNELS, MAX_KEEP_IN_TOUCH_DAYS, Organisation,
};
use crate::time::Instant;
pub use crate::validation::{Problem, Problems};

/// One channel as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelDraft {
    /// `phone`, `mobile`, `email`, `address`, `website`, `forum` or `video`.
    pub kind: String,
    /// The value, in any common notation.
    pub value: String,
    /// A label.
    pub label: Option<String>,
    /// Whether it is the preferred one of its type.
    pub preferred: bool,
}

/// A contact as written; absent optional fields take their defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDraft {
    /// Who they are.
    pub name: String,
    /// Who they are to the person (default `other`).
    pub kind: Option<String>,
    /// Their organisation.
    pub organisation: Option<String>,
    /// How to reach them.
    pub channels: Vec<ChannelDraft>,
    /// How the person prefers to keep in touch.
    pub preferred_method: Option<String>,
    /// Days between contacts the person would like.
    pub keep_in_touch_every_days: Option<i64>,
    /// When the person was last in touch, if they say.
    pub last_contacted_at: Option<Instant>,
    /// How the relationship feels (default `unsure`).
    pub helpfulness: Option<String>,
    /// What they can help with.
    pub can_help_with: Option<String>,
    /// Whether they are a crisis contact.
    pub crisis_contact: bool,
    /// Whether health and care services the person connects may see them.
    pub shared_with_services: bool,
    /// Whether they know about the person's health (default `unsure`).
    pub knows_about_my_health: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// A checked draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedContact {
    /// The details.
    pub details: ContactDetails,
    /// The last-contacted instant the person gave.
    pub last_contacted_at: Option<Instant>,
}

impl ContactDraft {
    /// Checks every field; phone numbers without a country code are read in `region`,
    /// and `last_contacted_at` may not be after `now`.
    ///
    /// # Errors
    /// Every problem found, each at its pointer.
    pub fn check(&self, region: PhoneRegion, now: Instant) -> Result<CheckedContact, Vec<Problem>> {
        let mut problems = Problems::default();
        let name = problems.check("/name", ContactName::parse(&self.name));
        let kind =
            problems.check("/kind", self.kind.as_deref().unwrap_or("other").parse::<ContactKind>());
        let organisation = problems.check(
            "/organisation",
            Organisation::parse(self.organisation.as_deref().unwrap_or_default()),
        );
        let channels = channels(&self.channels, region, &mut problems);
        let preferred_method = self
            .preferred_method
            .as_deref()
            .map(|method| problems.check("/preferred_method", method.parse::<ContactMethod>()));
        let keep_in_touch_every_days =
            self.keep_in_touch_every_days.map(|days| keep_in_touch_days(days, &mut problems));
        let last_contacted_at = self
            .last_contacted_at
            .map(|at| not_in_future("/last_contacted_at", at, now, &mut problems));
        let helpfulness = problems.check(
            "/helpfulness",
            self.helpfulness.as_deref().unwrap_or("unsure").parse::<Helpfulness>(),
        );
        let can_help_with = problems.check(
            "/can_help_with",
            CanHelpWith::parse(self.can_help_with.as_deref().unwrap_or_default()),
        );
        let knows_about_my_health = problems.check(
            "/knows_about_my_health",
            self.knows_about_my_health.as_deref().unwrap_or("unsure").parse::<KnowsAboutMyHealth>(),
        );
        let notes = problems
            .check("/notes", ContactNotes::parse(self.notes.as_deref().unwrap_or_default()));
        let (
            Some(name),
            Some(kind),
            Some(organisation),
            Some(channels),
            Some(helpfulness),
            Some(can_help_with),
            Some(knows_about_my_health),
            Some(notes),
            true,
        ) = (
            name,
            kind,
            organisation,
            channels,
            helpfulness,
            can_help_with,
            knows_about_my_health,
            notes,
            problems.is_empty(),
        )
        else {
            return Err(problems.into_vec());
        };
        Ok(CheckedContact {
            details: ContactDetails {
                name,
                kind,
                organisation,
                channels,
                preferred_method: preferred_method.flatten(),
                keep_in_touch_every_days: keep_in_touch_every_days.flatten(),
                helpfulness,
                can_help_with,
                crisis_contact: self.crisis_contact,
                shared_with_services: self.shared_with_services,
                knows_about_my_health,
                notes,
            },
            last_contacted_at: last_contacted_at.flatten(),
        })
    }
}

/// Checks channels: at most [`MAX_CHANNELS`], each value valid for its type, at most
/// one preferred per type.
pub fn channels(
    drafts: &[ChannelDraft],
    region: PhoneRegion,
    problems: &mut Problems,
) -> Option<Vec<Channel>> {
    if drafts.len() > MAX_CHANNELS {
        problems.add("/channels", format!("must have at most {MAX_CHANNELS} channels"));
        return None;
    }
    let before = problems.len();
    let mut checked = Vec::with_capacity(drafts.len());
    for (index, draft) in drafts.iter().enumerate() {
        let pointer = |field: &str| format!("/channels/{index}/{field}");
        let Some(kind) = problems.check(&pointer("type"), draft.kind.parse::<ChannelType>()) else {
            continue;
        };
        let value = problems.check(&pointer("value"), normalise_value(kind, &draft.value, region));
        let label = problems.check(
            &pointer("label"),
            ChannelLabel::parse(draft.label.as_deref().unwrap_or_default()),
        );
        if draft.preferred
            && checked.iter().any(|earlier: &Channel| earlier.preferred && earlier.kind == kind)
        {
            problems
                .add(&pointer("preferred"), format!("only one `{kind}` channel may be preferred"));
        }
        if let (Some(value), Some(label)) = (value, label) {
            checked.push(Channel { kind, value, label, preferred: draft.preferred });
        }
    }
    (problems.len() == before).then_some(checked)
}

/// A keep-in-touch interval: 1 to [`MAX_KEEP_IN_TOUCH_DAYS`] days.
pub fn keep_in_touch_days(days: i64, problems: &mut Problems) -> Option<u16> {
    u16::try_from(days).ok().filter(|days| (1..=MAX_KEEP_IN_TOUCH_DAYS).contains(days)).or_else(
        || {
            problems.add(
                "/keep_in_touch_every_days",
                format!("must be 1 to {MAX_KEEP_IN_TOUCH_DAYS} days"),
            );
            None
        },
    )
}

/// How far ahead of the server's clock a client's "now" may be.
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// `at`, unless it is in the future (allowing for clock skew).
pub fn not_in_future(
    pointer: &str,
    at: Instant,
    now: Instant,
    problems: &mut Problems,
) -> Option<Instant> {
    if at > now + chrono::TimeDelta::seconds(CLOCK_SKEW_SECONDS) {
        problems.add(pointer, "must not be in the future");
        None
    } else {
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Locale;

    fn gb() -> PhoneRegion {
        PhoneRegion::of(&Locale::default_locale())
    }

    #[test]
    fn defaults_assume_nothing() {
        let draft = ContactDraft { name: "Alex".to_owned(), ..ContactDraft::default() };
        let checked = draft.check(gb(), chrono::Utc::now()).unwrap();
        assert_eq!(checked.details.kind, ContactKind::Other);
        assert_eq!(checked.details.helpfulness, Helpfulness::Unsure);
        assert_eq!(checked.details.knows_about_my_health, KnowsAboutMyHealth::Unsure);
        assert!(!checked.details.crisis_contact);
    }

    #[test]
    fn every_problem_is_named_by_its_pointer() {
        let draft = ContactDraft {
            name: String::new(),
            kind: Some("enemy".to_owned()),
            channels: vec![
                ChannelDraft {
                    kind: "email".to_owned(),
                    value: "sam@example.org".to_owned(),
                    label: None,
                    preferred: true,
                },
                ChannelDraft {
                    kind: "pager".to_owned(),
                    value: "1".to_owned(),
                    label: None,
                    preferred: false,
                },
                ChannelDraft {
                    kind: "website".to_owned(),
                    value: "http://example.org".to_owned(),
                    label: None,
                    preferred: false,
                },
                ChannelDraft {
                    kind: "email".to_owned(),
                    value: "other@example.org".to_owned(),
                    label: None,
                    preferred: true,
                },
            ],
            keep_in_touch_every_days: Some(0),
            last_contacted_at: Some(chrono::Utc::now() + chrono::TimeDelta::days(1)),
            ..ContactDraft::default()
        };
        let pointers: Vec<String> = draft
            .check(gb(), chrono::Utc::now())
            .unwrap_err()
            .into_iter()
            .map(|problem| problem.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/name",
                "/kind",
                "/channels/1/type",
                "/channels/2/value",
                "/channels/3/preferred",
                "/keep_in_touch_every_days",
                "/last_contacted_at"
            ]
        );
    }
}
