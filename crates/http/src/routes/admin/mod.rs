//! Administration (role `admin`, scope `admin`): API clients and account roles.

mod clients;
mod users;

pub(crate) use clients::{create_client, delete_client, get_client, list_clients};
pub(crate) use users::update_user;
