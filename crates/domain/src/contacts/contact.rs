//! A contact in the person's support network, and their interactions with them.

use std::fmt;

use uuid::Uuid;

use super::channel::Channel;
use crate::identity::AccountId;
use crate::time::Instant;
use crate::values::{bounded_text, wire_enum};

/// Names one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactId(pub Uuid);

impl fmt::Display for ContactId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

/// Names one interaction with a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InteractionId(pub Uuid);

impl fmt::Display for InteractionId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

bounded_text!(
    /// Who the contact is: 1 to 200 characters.
    ContactName, InvalidContactName, 1, 200, "must be 1 to 200 characters, without control or invisible characters"
);
bounded_text!(
    /// The organisation they are part of: up to 200 characters.
    Organisation, InvalidOrganisation, 0, 200, "must be at most 200 characters, without control or invisible characters"
);
bounded_text!(
    /// What they can help with: up to 1000 characters.
    CanHelpWith, InvalidCanHelpWith, 0, 1000, "must be at most 1000 characters, without control or invisible characters", paragraphs
);
bounded_text!(
    /// Notes about the contact: up to 4000 characters.
    ContactNotes, InvalidContactNotes, 0, 4000, "must be at most 4000 characters, without control or invisible characters", paragraphs
);
bounded_text!(
    /// A note about one interaction: up to 2000 characters.
    InteractionNote, InvalidInteractionNote, 0, 2000, "must be at most 2000 characters, without control or invisible characters", paragraphs
);
bounded_text!(
    /// What a contact does for one goal: up to 200 characters.
    SupporterRole, InvalidSupporterRole, 0, 200, "must be at most 200 characters, without control or invisible characters"
);

wire_enum!(
    /// Who a contact is to the person.
    ContactKind, UnknownContactKind,
    "must be one of friend, family, partner, peer, support_group, recovery_college, befriending_service, support_line, advocate, gp, health_professional, care_coordinator, social_care, charity, other",
    {
        Friend => "friend",
        Family => "family",
        Partner => "partner",
        Peer => "peer",
        SupportGroup => "support_group",
        RecoveryCollege => "recovery_college",
        BefriendingService => "befriending_service",
        SupportLine => "support_line",
        Advocate => "advocate",
        Gp => "gp",
        HealthProfessional => "health_professional",
        CareCoordinator => "care_coordinator",
        SocialCare => "social_care",
        Charity => "charity",
        Other => "other",
    }
);

wire_enum!(
    /// A way of keeping in touch.
    ContactMethod, UnknownContactMethod,
    "must be one of in_person, video, phone, text, email, letter, online_forum",
    {
        InPerson => "in_person",
        Video => "video",
        Phone => "phone",
        Text => "text",
        Email => "email",
        Letter => "letter",
        OnlineForum => "online_forum",
    }
);

wire_enum!(
    /// How the relationship feels at the moment. Not every relationship is positive.
    Helpfulness, UnknownHelpfulness,
    "must be one of helpful, neutral, unhelpful, unsure",
    {
        Helpful => "helpful",
        Neutral => "neutral",
        Unhelpful => "unhelpful",
        Unsure => "unsure",
    }
);

wire_enum!(
    /// Whether the contact knows about the person's mental health. The person decides;
    /// apps use it so that nothing is shared by surprise.
    KnowsAboutMyHealth, UnknownKnowsAboutMyHealth,
    "must be one of yes, no, unsure",
    {
        Yes => "yes",
        No => "no",
        Unsure => "unsure",
    }
);

wire_enum!(
    /// How the person felt after an interaction.
    Felt, UnknownFelt,
    "must be one of better, same, worse",
    {
        Better => "better",
        Same => "same",
        Worse => "worse",
    }
);

/// The most channels one contact may have.
pub const MAX_CHANNELS: usize = 10;
/// The longest keep-in-touch interval, in days.
pub const MAX_KEEP_IN_TOUCH_DAYS: u16 = 365;

/// Everything about a contact that the person writes (the rest is kept by Waymark).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDetails {
    /// Who they are.
    pub name: ContactName,
    /// Who they are to the person.
    pub kind: ContactKind,
    /// Their organisation.
    pub organisation: Organisation,
    /// How to reach them, at most [`MAX_CHANNELS`].
    pub channels: Vec<Channel>,
    /// How the person prefers to keep in touch with them.
    pub preferred_method: Option<ContactMethod>,
    /// How often the person would like to be in touch, in days (1 to 365).
    pub keep_in_touch_every_days: Option<u16>,
    /// How the relationship feels.
    pub helpfulness: Helpfulness,
    /// What they can help with.
    pub can_help_with: CanHelpWith,
    /// Whether to show them in the crisis view.
    pub crisis_contact: bool,
    /// Whether the person lets the health and care services they connect (through
    /// FHIR) see this contact. Off unless the person turns it on.
    pub shared_with_services: bool,
    /// Whether they know about the person's mental health.
    pub knows_about_my_health: KnowsAboutMyHealth,
    /// Notes.
    pub notes: ContactNotes,
}

/// Whether `actor` may choose whether a contact is shared with services: only the
/// person (Waymark's own apps act as the person). An app acting through a grant may
/// not make the person's contacts visible to other apps, nor hide them.
#[must_use]
pub const fn may_choose_sharing_with_services(actor: crate::journal::Actor) -> bool {
    matches!(actor, crate::journal::Actor::Person(_))
}

/// What an app is told when it tries to choose for the person.
pub const SHARING_WITH_SERVICES_IS_THE_PERSONS_CHOICE: &str =
    "only the person can choose to share a contact with services, in Waymark's own app";

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Its id.
    pub id: ContactId,
    /// Whose it is.
    pub owner: AccountId,
    /// What the person wrote.
    pub details: ContactDetails,
    /// When the person was last in touch: the later of their newest interaction and
    /// [`Contact::last_contacted_set`].
    pub last_contacted_at: Option<Instant>,
    /// The last-contacted instant the person set directly, if any.
    pub last_contacted_set: Option<Instant>,
    /// When keeping in touch became due, if it has an interval (see [`due_since`]).
    pub due_since: Option<Instant>,
    /// When it was created.
    pub created_at: Instant,
    /// When it last changed.
    pub updated_at: Instant,
    /// Starts at 1, +1 with every change.
    pub version: i64,
}

/// Changes to a contact; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    /// A new name.
    pub name: Option<ContactName>,
    /// A new kind.
    pub kind: Option<ContactKind>,
    /// A new organisation.
    pub organisation: Option<Organisation>,
    /// New channels (given whole).
    pub channels: Option<Vec<Channel>>,
    /// A new preferred method, or none.
    pub preferred_method: Option<Option<ContactMethod>>,
    /// A new interval, or none.
    pub keep_in_touch_every_days: Option<Option<u16>>,
    /// A directly set last-contacted instant, or none.
    pub last_contacted_set: Option<Option<Instant>>,
    /// A new helpfulness.
    pub helpfulness: Option<Helpfulness>,
    /// New text.
    pub can_help_with: Option<CanHelpWith>,
    /// Crisis contact or not.
    pub crisis_contact: Option<bool>,
    /// Shared with services or not.
    pub shared_with_services: Option<bool>,
    /// Whether they know.
    pub knows_about_my_health: Option<KnowsAboutMyHealth>,
    /// New notes.
    pub notes: Option<ContactNotes>,
}

impl ContactChanges {
    /// `details` with these changes applied.
    #[must_use]
    pub fn apply_to(&self, details: &ContactDetails) -> ContactDetails {
        ContactDetails {
            name: self.name.clone().unwrap_or_else(|| details.name.clone()),
            kind: self.kind.unwrap_or(details.kind),
            organisation: self.organisation.clone().unwrap_or_else(|| details.organisation.clone()),
            channels: self.channels.clone().unwrap_or_else(|| details.channels.clone()),
            preferred_method: self.preferred_method.unwrap_or(details.preferred_method),
            keep_in_touch_every_days: self
                .keep_in_touch_every_days
                .unwrap_or(details.keep_in_touch_every_days),
            helpfulness: self.helpfulness.unwrap_or(details.helpfulness),
            can_help_with: self
                .can_help_with
                .clone()
                .unwrap_or_else(|| details.can_help_with.clone()),
            crisis_contact: self.crisis_contact.unwrap_or(details.crisis_contact),
            shared_with_services: self.shared_with_services.unwrap_or(details.shared_with_services),
            knows_about_my_health: self
                .knows_about_my_health
                .unwrap_or(details.knows_about_my_health),
            notes: self.notes.clone().unwrap_or_else(|| details.notes.clone()),
        }
    }
}

/// When the person was last in touch with a contact: the later of their newest
/// interaction and the time they set by hand (someone may record "we spoke last week"
/// without logging it; a later interaction still counts).
#[must_use]
pub fn last_contacted(
    newest_interaction: Option<Instant>,
    set_by_hand: Option<Instant>,
) -> Option<Instant> {
    Ord::max(newest_interaction, set_by_hand)
}

/// When keeping in touch with a contact became due: `keep_in_touch_every_days` after
/// the last contact, or after the contact was added if there has been none. `None`
/// without an interval, and for contacts marked `unhelpful`: nobody is nudged
/// towards a relationship that feels harmful.
#[must_use]
pub fn due_since(
    details: &ContactDetails,
    last_contacted_at: Option<Instant>,
    created_at: Instant,
) -> Option<Instant> {
    if details.helpfulness == Helpfulness::Unhelpful {
        return None;
    }
    let days = details.keep_in_touch_every_days?;
    let since = last_contacted_at.unwrap_or(created_at);
    since.checked_add_signed(chrono::TimeDelta::days(i64::from(days)))
}

/// One time the person was in touch with a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    /// Its id.
    pub id: InteractionId,
    /// The contact.
    pub contact_id: ContactId,
    /// When it happened.
    pub at: Instant,
    /// How.
    pub method: ContactMethod,
    /// A note.
    pub note: InteractionNote,
    /// How the person felt afterwards.
    pub felt: Option<Felt>,
    /// When it was recorded.
    pub created_at: Instant,
}

/// An interaction about to be recorded.
#[derive(Debug, Clone)]
pub struct NewInteraction {
    /// When it happened (not in the future).
    pub at: Instant,
    /// How.
    pub method: ContactMethod,
    /// A note.
    pub note: InteractionNote,
    /// How the person felt.
    pub felt: Option<Felt>,
}

/// A contact supporting one of the person's goals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supporter {
    /// The goal.
    pub goal_id: crate::goals::GoalId,
    /// The contact.
    pub contact_id: ContactId,
    /// What they do for this goal.
    pub role: SupporterRole,
    /// When they became a supporter.
    pub created_at: Instant,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn details(helpfulness: Helpfulness, every: Option<u16>) -> ContactDetails {
        ContactDetails {
            name: ContactName::parse("Sam").unwrap(),
            kind: ContactKind::Friend,
            organisation: Organisation::parse("").unwrap(),
            channels: Vec::new(),
            preferred_method: None,
            keep_in_touch_every_days: every,
            helpfulness,
            can_help_with: CanHelpWith::parse("").unwrap(),
            crisis_contact: false,
            shared_with_services: false,
            knows_about_my_health: KnowsAboutMyHealth::Unsure,
            notes: ContactNotes::parse("").unwrap(),
        }
    }

    #[test]
    fn due_counts_from_the_last_contact_or_else_from_creation() {
        let created = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let contacted = chrono::Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap();
        let weekly = details(Helpfulness::Helpful, Some(7));
        assert_eq!(
            due_since(&weekly, None, created),
            Some(chrono::Utc.with_ymd_and_hms(2026, 1, 8, 9, 0, 0).unwrap())
        );
        assert_eq!(
            due_since(&weekly, Some(contacted), created),
            Some(chrono::Utc.with_ymd_and_hms(2026, 2, 8, 9, 0, 0).unwrap())
        );
    }

    #[test]
    fn unhelpful_contacts_and_contacts_without_an_interval_are_never_due() {
        let created = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        assert_eq!(due_since(&details(Helpfulness::Unhelpful, Some(7)), None, created), None);
        assert_eq!(due_since(&details(Helpfulness::Helpful, None), None, created), None);
    }

    #[test]
    fn the_last_contact_is_the_later_of_the_newest_interaction_and_the_time_set_by_hand() {
        let earlier = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let later = chrono::Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap();
        assert_eq!(last_contacted(Some(later), Some(earlier)), Some(later));
        assert_eq!(last_contacted(Some(earlier), Some(later)), Some(later));
        assert_eq!(last_contacted(None, Some(earlier)), Some(earlier));
        assert_eq!(last_contacted(Some(earlier), None), Some(earlier));
        assert_eq!(last_contacted(None, None), None);
    }
}
