//! `/v1/goals`: a person's goals, with their status history.

mod check_ins;
mod list;
mod single;
mod steps;

pub(crate) use check_ins::{create_check_in, delete_check_in, get_check_in, list_check_ins};
pub(crate) use list::list_goals;
pub(crate) use single::{create_goal, delete_goal, get_goal, goal_history, update_goal};
pub(crate) use steps::{add_step, delete_step, get_step, list_steps, reorder_steps, update_step};
