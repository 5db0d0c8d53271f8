//! `/v1/goals`: a person's goals, with their status history.

mod list;
mod representation;
mod single;

pub(crate) use list::list_goals;
pub(crate) use single::{create_goal, delete_goal, get_goal, goal_history, update_goal};
