//! Sharing with supporters: the person's shares, the supporter's views and
//! encouragement, both sides.

mod encouragements;
mod messages;
mod shares;
mod supporting;
mod views;

pub(crate) use encouragements::{list_encouragements, update_encouragement};
pub(crate) use shares::{
    create_share, delete_share, get_share, list_shares, preview_share, reinvite_share, update_share,
};
pub(crate) use supporting::{
    SHARED_WITH_ME, accept_invitation, get_shared_goal, get_shared_routines, get_shared_with_me,
    invitation_page, leave_shared_with_me, list_shared_goals, list_shared_with_me,
    send_encouragement,
};
