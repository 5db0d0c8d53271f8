//! `/v1/contacts`, `/v1/crisis` and goal supporters: the person's support network.

mod crisis;
mod interactions;
mod list;
mod single;
mod supporters;
mod vcard;

pub(crate) use crisis::get_crisis_view;
pub(crate) use interactions::{
    create_interaction, delete_interaction, get_interaction, list_interactions,
};
pub(crate) use list::list_contacts;
pub(crate) use single::{create_contact, delete_contact, get_contact, update_contact};
pub(crate) use supporters::{
    delete_goal_supporter, list_contact_goals, list_goal_supporters, put_goal_supporter,
};
pub(crate) use vcard::{
    IMPORT_MAX_BYTES, IMPORT_PATH, MAX_CARDS, export_contact_vcard, export_contacts_vcard,
    import_contacts_vcard,
};
