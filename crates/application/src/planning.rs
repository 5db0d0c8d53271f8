//! When routines happen: one routine's occurrences over some dates, and the agenda of
//! every active routine (what a home screen shows), each occurrence with its check-in.

use std::collections::HashMap;

use chrono::NaiveDate;
use waymark_domain::acting::Acting;
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::routines::schedule::iso_week;
use waymark_domain::routines::{Occurrence, OccurrenceKey, Routine, RoutineCheckIn, RoutineId};

/// An occurrence a routine has, with its check-in if it has one.
#[derive(Debug, Clone)]
pub struct Planned {
    /// When.
    pub occurrence: Occurrence,
    /// How it went, if the person said.
    pub check_in: Option<RoutineCheckIn>,
}

/// One entry of an agenda.
#[derive(Debug, Clone)]
pub struct AgendaEntry {
    /// The routine (an index into [`Agenda::routines`]).
    pub routine: usize,
    /// The occurrence and its check-in.
    pub planned: Planned,
    /// For a `times_per_week` routine, its weekly count and how many check-ins that
    /// ISO week has.
    pub week: Option<(u8, usize)>,
}

/// Every active routine's occurrences over some dates: by date, then in time order,
/// routines without times of day after the timed ones, then by title.
#[derive(Debug, Clone, Default)]
pub struct Agenda {
    /// The routines the entries are of.
    pub routines: Vec<Routine>,
    /// The entries, in order.
    pub entries: Vec<AgendaEntry>,
}

/// `routine`'s occurrences on the dates `from` to `to`, paused days left out.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn occurrences(
    ports: &StoragePorts,
    acting: Acting,
    routine: &Routine,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Planned>, StoreError> {
    let ids = [routine.id];
    let check_ins = ports.routine_check_ins.check_ins(acting.owner, &ids, from, to).await?;
    let pauses = ports.routines.pauses(acting.owner, &ids).await?;
    let by_key = by_occurrence(&check_ins);
    Ok(routine
        .planned(from, to, &pauses)
        .into_iter()
        .map(|occurrence| planned(routine.id, occurrence, &by_key))
        .collect())
}

/// The agenda of every active routine of the person's on the dates `from` to `to`.
///
/// # Errors
/// [`StoreError`] when storage fails.
pub async fn agenda(
    ports: &StoragePorts,
    acting: Acting,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Agenda, StoreError> {
    let routines = ports.routines.active(acting.owner).await?;
    let ids: Vec<RoutineId> = routines.iter().map(|routine| routine.id).collect();
    // Whole weeks, so a `times_per_week` routine's progress counts every check-in.
    let (week_start, _) = iso_week(from);
    let (_, week_end) = iso_week(to);
    let check_ins =
        ports.routine_check_ins.check_ins(acting.owner, &ids, week_start, week_end).await?;
    let pauses = ports.routines.pauses(acting.owner, &ids).await?;
    let by_key = by_occurrence(&check_ins);
    let mut entries = Vec::new();
    for (index, routine) in routines.iter().enumerate() {
        for occurrence in routine.planned(from, to, &pauses) {
            entries.push(AgendaEntry {
                routine: index,
                week: routine.week_progress(occurrence.date, &check_ins),
                planned: planned(routine.id, occurrence, &by_key),
            });
        }
    }
    entries.sort_by(|a, b| {
        let when = |entry: &AgendaEntry| {
            let occurrence = &entry.planned.occurrence;
            (occurrence.date, occurrence.at.is_none(), occurrence.at)
        };
        when(a).cmp(&when(b)).then_with(|| {
            routines[a.routine].title.as_str().cmp(routines[b.routine].title.as_str())
        })
    });
    Ok(Agenda { routines, entries })
}

fn by_occurrence(
    check_ins: &[RoutineCheckIn],
) -> HashMap<(RoutineId, OccurrenceKey), &RoutineCheckIn> {
    check_ins
        .iter()
        .map(|check_in| ((check_in.routine_id, check_in.occurrence), check_in))
        .collect()
}

fn planned(
    routine: RoutineId,
    occurrence: Occurrence,
    check_ins: &HashMap<(RoutineId, OccurrenceKey), &RoutineCheckIn>,
) -> Planned {
    let key = OccurrenceKey { date: occurrence.date, time: occurrence.time };
    Planned {
        check_in: check_ins.get(&(routine, key)).map(|check_in| (*check_in).clone()),
        occurrence,
    }
}
