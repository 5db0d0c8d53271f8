//! How contacts, channels and interactions look on the wire, and how requests become
//! domain drafts (checked by the domain's own rules, shared with vCard import).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_domain::contacts::{Contact, ContactDraft, Interaction, Supporter};

use crate::extract::Patch;
use crate::wire::channels::{ChannelBody, channel_drafts};

/// Who a contact is to the person.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ContactKindName {
    Friend,
    Family,
    Partner,
    Peer,
    SupportGroup,
    RecoveryCollege,
    BefriendingService,
    SupportLine,
    Advocate,
    Gp,
    HealthProfessional,
    CareCoordinator,
    SocialCare,
    Charity,
    Other,
}

/// A way of keeping in touch.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ContactMethodName {
    InPerson,
    Video,
    Phone,
    Text,
    Email,
    Letter,
    OnlineForum,
}

/// How the relationship feels at the moment; not every relationship is positive.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum HelpfulnessName {
    Helpful,
    Neutral,
    Unhelpful,
    Unsure,
}

/// Whether the contact knows about the person's mental health.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum KnowsAboutMyHealthName {
    Yes,
    No,
    Unsure,
}

/// How the person felt after an interaction.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FeltName {
    Better,
    Same,
    Worse,
}

/// A contact in the person's support network.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ContactResponse {
    /// The contact's id.
    id: uuid::Uuid,
    /// Who they are.
    #[schema(example = "Sam Rivers")]
    name: String,
    /// Who they are to you.
    #[schema(value_type = ContactKindName, example = "friend")]
    kind: &'static str,
    /// Their organisation (empty if none).
    #[schema(example = "")]
    organisation: String,
    /// How to reach them.
    channels: Vec<ChannelBody>,
    /// How you prefer to keep in touch with them.
    #[schema(value_type = Option<ContactMethodName>, example = "phone")]
    preferred_method: Option<&'static str>,
    /// How often you would like to be in touch, in days.
    #[schema(example = 14)]
    keep_in_touch_every_days: Option<u16>,
    /// When you were last in touch: the later of your newest interaction and the
    /// value you set directly.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    last_contacted_at: Option<DateTime<Utc>>,
    /// When keeping in touch became due (`keep_in_touch_every_days` after the last
    /// contact, or after adding them); `null` without an interval and for contacts
    /// marked `unhelpful`.
    #[serde(serialize_with = "crate::wire::time::optional_instant")]
    due_since: Option<DateTime<Utc>>,
    /// How the relationship feels at the moment.
    #[schema(value_type = HelpfulnessName, example = "helpful")]
    helpfulness: &'static str,
    /// What they can help with.
    #[schema(example = "Lifts to appointments; good to talk to about music.")]
    can_help_with: String,
    /// Whether they are shown in your crisis view.
    crisis_contact: bool,
    /// Whether health and care services you connect through FHIR (with your consent,
    /// scope `patient/RelatedPerson.rs`) may see them, as a `RelatedPerson`.
    shared_with_services: bool,
    /// Whether they know about your mental health. You decide; apps use this so that
    /// nothing is shared by surprise.
    #[schema(value_type = KnowsAboutMyHealthName, example = "unsure")]
    knows_about_my_health: &'static str,
    /// Notes.
    notes: String,
    /// When it was created.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// When it last changed (interactions change it too).
    #[serde(serialize_with = "crate::wire::time::instant")]
    updated_at: DateTime<Utc>,
    /// Starts at 1, +1 with every change; also the `ETag`.
    version: i64,
}

impl From<&Contact> for ContactResponse {
    fn from(contact: &Contact) -> Self {
        let details = &contact.details;
        Self {
            id: contact.id.0,
            name: details.name.as_str().to_owned(),
            kind: details.kind.as_str(),
            organisation: details.organisation.as_str().to_owned(),
            channels: details.channels.iter().map(ChannelBody::from).collect(),
            preferred_method: details.preferred_method.map(|method| method.as_str()),
            keep_in_touch_every_days: details.keep_in_touch_every_days,
            last_contacted_at: contact.last_contacted_at,
            due_since: contact.due_since,
            helpfulness: details.helpfulness.as_str(),
            can_help_with: details.can_help_with.as_str().to_owned(),
            crisis_contact: details.crisis_contact,
            shared_with_services: details.shared_with_services,
            knows_about_my_health: details.knows_about_my_health.as_str(),
            notes: details.notes.as_str().to_owned(),
            created_at: contact.created_at,
            updated_at: contact.updated_at,
            version: contact.version,
        }
    }
}

/// A new contact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewContactRequest {
    /// Who they are: 1 to 200 characters.
    #[schema(example = "Sam Rivers", min_length = 1, max_length = 200)]
    pub(crate) name: String,
    /// Who they are to you (default `other`).
    #[serde(default)]
    #[schema(value_type = Option<ContactKindName>, example = "friend")]
    pub(crate) kind: Option<String>,
    /// Their organisation (up to 200 characters).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub(crate) organisation: Option<String>,
    /// How to reach them: up to 10.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub(crate) channels: Vec<ChannelBody>,
    /// How you prefer to keep in touch with them.
    #[serde(default)]
    #[schema(value_type = Option<ContactMethodName>)]
    pub(crate) preferred_method: Option<String>,
    /// How often you would like to be in touch: 1 to 365 days.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 365)]
    pub(crate) keep_in_touch_every_days: Option<i64>,
    /// When you were last in touch, if you want to say (not in the future).
    #[serde(default)]
    pub(crate) last_contacted_at: Option<DateTime<Utc>>,
    /// How the relationship feels (default `unsure`).
    #[serde(default)]
    #[schema(value_type = Option<HelpfulnessName>)]
    pub(crate) helpfulness: Option<String>,
    /// What they can help with (up to 1000 characters).
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub(crate) can_help_with: Option<String>,
    /// Whether to show them in your crisis view (default `false`).
    #[serde(default)]
    pub(crate) crisis_contact: bool,
    /// Whether health and care services you connect through FHIR may see them
    /// (default `false`).
    #[serde(default)]
    pub(crate) shared_with_services: bool,
    /// Whether they know about your mental health (default `unsure`).
    #[serde(default)]
    #[schema(value_type = Option<KnowsAboutMyHealthName>)]
    pub(crate) knows_about_my_health: Option<String>,
    /// Notes (up to 4000 characters).
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub(crate) notes: Option<String>,
}

impl From<NewContactRequest> for ContactDraft {
    fn from(request: NewContactRequest) -> Self {
        Self {
            name: request.name,
            kind: request.kind,
            organisation: request.organisation,
            channels: channel_drafts(request.channels),
            preferred_method: request.preferred_method,
            keep_in_touch_every_days: request.keep_in_touch_every_days,
            last_contacted_at: request.last_contacted_at,
            helpfulness: request.helpfulness,
            can_help_with: request.can_help_with,
            crisis_contact: request.crisis_contact,
            shared_with_services: request.shared_with_services,
            knows_about_my_health: request.knows_about_my_health,
            notes: request.notes,
        }
    }
}

/// Changes to a contact (JSON merge patch): absent fields stay as they are; `null`
/// clears `organisation`, `preferred_method`, `keep_in_touch_every_days`,
/// `last_contacted_at` (the value set directly), `can_help_with` and `notes`;
/// `channels` replaces them all.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactPatch {
    /// A new name.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub(crate) name: Patch<String>,
    /// A new kind.
    #[serde(default)]
    #[schema(value_type = ContactKindName)]
    pub(crate) kind: Patch<String>,
    /// A new organisation, or `null`.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub(crate) organisation: Patch<String>,
    /// Every channel, replacing the current ones.
    #[serde(default)]
    #[schema(value_type = Vec<ChannelBody>, max_items = 10)]
    pub(crate) channels: Patch<Vec<ChannelBody>>,
    /// A new preferred method, or `null`.
    #[serde(default)]
    #[schema(value_type = Option<ContactMethodName>)]
    pub(crate) preferred_method: Patch<String>,
    /// A new interval (1 to 365 days), or `null`.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 365)]
    pub(crate) keep_in_touch_every_days: Patch<i64>,
    /// When you were last in touch (not in the future), or `null` to leave it to your
    /// interactions.
    #[serde(default)]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub(crate) last_contacted_at: Patch<DateTime<Utc>>,
    /// A new helpfulness.
    #[serde(default)]
    #[schema(value_type = HelpfulnessName)]
    pub(crate) helpfulness: Patch<String>,
    /// New text, or `null`.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub(crate) can_help_with: Patch<String>,
    /// Crisis contact or not.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub(crate) crisis_contact: Patch<bool>,
    /// Shared with services you connect through FHIR, or not.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub(crate) shared_with_services: Patch<bool>,
    /// Whether they know about your mental health.
    #[serde(default)]
    #[schema(value_type = KnowsAboutMyHealthName)]
    pub(crate) knows_about_my_health: Patch<String>,
    /// New notes, or `null`.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub(crate) notes: Patch<String>,
}

/// One time you were in touch with a contact.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InteractionResponse {
    /// The interaction's id.
    id: uuid::Uuid,
    /// The contact.
    contact_id: uuid::Uuid,
    /// When it happened.
    #[serde(serialize_with = "crate::wire::time::instant")]
    at: DateTime<Utc>,
    /// How.
    #[schema(value_type = ContactMethodName, example = "phone")]
    method: &'static str,
    /// A note.
    note: String,
    /// How you felt afterwards.
    #[schema(value_type = Option<FeltName>, example = "better")]
    felt: Option<&'static str>,
    /// When it was recorded.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
}

impl From<&Interaction> for InteractionResponse {
    fn from(interaction: &Interaction) -> Self {
        Self {
            id: interaction.id.0,
            contact_id: interaction.contact_id.0,
            at: interaction.at,
            method: interaction.method.as_str(),
            note: interaction.note.as_str().to_owned(),
            felt: interaction.felt.map(|felt| felt.as_str()),
            created_at: interaction.created_at,
        }
    }
}

/// A new interaction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewInteractionRequest {
    /// When it happened (not in the future).
    pub(crate) at: DateTime<Utc>,
    /// How.
    #[schema(value_type = ContactMethodName, example = "phone")]
    pub(crate) method: String,
    /// A note (up to 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub(crate) note: String,
    /// How you felt afterwards.
    #[serde(default)]
    #[schema(value_type = Option<FeltName>)]
    pub(crate) felt: Option<String>,
}

/// Who a supporter is, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ContactSummary {
    /// The contact's id.
    id: uuid::Uuid,
    /// Their name.
    name: String,
    /// Who they are to you.
    #[schema(value_type = ContactKindName)]
    kind: &'static str,
}

/// A contact supporting a goal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SupporterResponse {
    /// The goal.
    goal_id: uuid::Uuid,
    /// The contact.
    contact_id: uuid::Uuid,
    /// What they do for this goal.
    role: String,
    /// When they became a supporter.
    #[serde(serialize_with = "crate::wire::time::instant")]
    created_at: DateTime<Utc>,
    /// The contact in brief (in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<ContactSummary>,
}

impl SupporterResponse {
    pub(crate) fn new(supporter: &Supporter, contact: Option<&Contact>) -> Self {
        Self {
            goal_id: supporter.goal_id.0,
            contact_id: supporter.contact_id.0,
            role: supporter.role.as_str().to_owned(),
            created_at: supporter.created_at,
            contact: contact.map(|contact| ContactSummary {
                id: contact.id.0,
                name: contact.details.name.as_str().to_owned(),
                kind: contact.details.kind.as_str(),
            }),
        }
    }
}
