//! Administration (role `admin`, scope `admin`): API clients and account roles.

mod clients;
mod users;

pub(crate) use clients::{
    create_client, delete_client, disable_client, get_client, list_clients, update_client,
};
pub(crate) use users::update_user;
