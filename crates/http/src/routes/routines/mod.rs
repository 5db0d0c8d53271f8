//! `/v1/routines` and `/v1/agenda`: a person's routines, when they happen, and how
//! each occurrence went.

mod batch;
mod calendar;
mod check_ins;
mod list;
mod occurrences;
pub(crate) mod rendered_agendas;
mod single;
mod stats;

pub(crate) use batch::{MAX_BATCH, batch_routine_check_ins};
pub(crate) use calendar::{
    calendar_feed, create_calendar_feed, delete_calendar_feed, routines_calendar,
};
pub(crate) use check_ins::{
    create_routine_check_in, delete_routine_check_in, list_routine_check_ins,
    update_routine_check_in,
};
pub(crate) use list::list_routines;
pub(crate) use occurrences::MAX_AGENDA_DAYS;
pub(crate) use occurrences::{agenda, routine_occurrences};
pub(crate) use single::{create_routine, delete_routine, get_routine, update_routine};
pub(crate) use stats::STATS_WINDOWS;
pub(crate) use stats::routine_stats;
