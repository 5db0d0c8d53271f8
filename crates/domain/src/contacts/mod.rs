//! Contacts: the person's support network. How to reach each person or service, how
//! often the person would like to be in touch and when they last were, how the
//! relationship feels, who knows about their health, which goals each supports, and
//! vCard exchange with phones and other apps.

pub mod channel;
pub mod contact;
pub mod draft;
pub mod ports;

pub use channel::{Channel, ChannelLabel, ChannelType, PhoneRegion};
pub use contact::{
    CanHelpWith, Contact, ContactChanges, ContactDetails, ContactId, ContactKind, ContactMethod,
    ContactName, ContactNotes, Felt, Helpfulness, Interaction, InteractionId, InteractionNote,
    KnowsAboutMyHealth, NewInteraction, Organisation, Supporter, SupporterRole, due_since,
    last_contacted,
};
pub use draft::{ChannelDraft, CheckedContact, ContactDraft, Problem, Problems};
