//! `summary.html` in the export's ZIP archive: a plain page a person can print, or show
//! their GP or care coordinator. Their goals and how they are going, their routines
//! and how they went, in kind words: no ids, no codes, nothing they did not write.
//! Every value shown is escaped. Written in pieces, a page of goals at a time.

use std::fmt::Write as _;

use chrono::NaiveDate;
use waymark_application::export::SUMMARY_DAYS;
use waymark_domain::goals::{Goal, GoalStatus};
use waymark_domain::identity::Account;
use waymark_domain::routines::Routine;
use waymark_domain::routines::stats::{Stats, StreakUnit};
use waymark_domain::time::Instant;

use crate::pages::escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:46em;\
margin:2em auto;padding:0 1em;color:#1b1b1b}h1,h2{line-height:1.2}section{margin-bottom:1.5em}\
article{border-top:1px solid #bbb;padding:.5em 0}p{margin:.25em 0}.quiet{color:#444}\
@media print{body{margin:0;max-width:none}article{break-inside:avoid}}";

/// A day as a person writes it: 7 December 2026.
fn day(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// Where the person is with a goal, said kindly.
fn status_words(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::Active => "Working on this.",
        GoalStatus::Paused => "Resting this one for now.",
        GoalStatus::Achieved => "Achieved.",
        GoalStatus::LetGo => "Let go, for now. Choosing that is as valid as achieving.",
    }
}

fn goal(html: &mut String, account: &Account, goal: &Goal) {
    let zone = account.time_zone;
    let _ = write!(html, "<article><h3>{}</h3>", escape(goal.title.as_str()));
    if !goal.why.as_str().is_empty() {
        let _ = write!(html, "<p>Why it matters: {}</p>", escape(goal.why.as_str()));
    }
    let _ = write!(html, "<p>{}", status_words(goal.status));
    if let Some(target) = goal.target_date
        && matches!(goal.status, GoalStatus::Active | GoalStatus::Paused)
    {
        let _ = write!(html, " Hoping to get there by {}.", day(target));
    }
    let _ = write!(html, "</p>");
    if goal.steps_total > 0 {
        let _ = write!(html, "<p>{} of {} steps done.</p>", goal.steps_done, goal.steps_total);
    }
    match goal.last_check_in_at {
        Some(at) => {
            let _ = write!(
                html,
                "<p class=\"quiet\">Last checked in on {}.</p>",
                day(zone.date_at(at))
            );
        }
        None => {
            let _ = write!(html, "<p class=\"quiet\">No check-ins yet.</p>");
        }
    }
    let _ = write!(html, "</article>");
}

/// A run of `count`, in what the streak counts.
fn run(count: u32, unit: StreakUnit) -> String {
    match (unit, count) {
        (StreakUnit::Occurrences, 1) => "once".to_owned(),
        (StreakUnit::Occurrences, _) => format!("{count} times in a row"),
        (StreakUnit::Weeks, 1) => "one week".to_owned(),
        (StreakUnit::Weeks, _) => format!("{count} weeks in a row"),
    }
}

fn routine(html: &mut String, routine: &Routine, stats: &Stats) {
    let _ = write!(html, "<article><h3>{}</h3>", escape(routine.title.as_str()));
    let window = &stats.window;
    if window.expected == 0 {
        let _ = write!(html, "<p>Nothing was planned in the last {SUMMARY_DAYS} days.</p>");
    } else {
        let _ = write!(
            html,
            "<p>In the last {SUMMARY_DAYS} days: planned {} times, done {}, partly done {}.</p>",
            window.expected, window.done, window.partly
        );
    }
    if stats.current_streak > 0 {
        let _ =
            write!(html, "<p>Going well: {} up to now.</p>", run(stats.current_streak, stats.unit));
    } else {
        let _ = write!(html, "<p>Every day is a fresh start.</p>");
    }
    if stats.longest_streak > 1 {
        let _ = write!(
            html,
            "<p class=\"quiet\">Longest run: {}.</p>",
            run(stats.longest_streak, stats.unit)
        );
    }
    let _ = write!(html, "</article>");
}

/// The page's beginning, for `account` at `now`, up to its goals.
pub(super) fn opening(account: &Account, now: Instant) -> String {
    let name = escape(account.display_name.as_str());
    let today = day(account.time_zone.date_at(now));
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{name}: my recovery summary</title><style>{STYLE}</style></head><body>\
         <header><h1>{name}: my recovery summary</h1>\
         <p class=\"quiet\">Written by Waymark on {today}, from what {name} chose to record. \
         It is theirs to share.</p></header><main><section><h2>My goals</h2>",
        escape(account.locale.as_str()),
    )
}

/// `goals`, each as an article.
pub(super) fn goals(account: &Account, goals: &[Goal]) -> String {
    let mut html = String::new();
    for one in goals {
        goal(&mut html, account, one);
    }
    html
}

/// Between the goals and the routines; `no_goals` when there were none.
pub(super) fn between(no_goals: bool) -> &'static str {
    if no_goals {
        "<p>No goals written down yet.</p></section><section><h2>My routines</h2>"
    } else {
        "</section><section><h2>My routines</h2>"
    }
}

/// One routine and how it went, as an article.
pub(super) fn routine_article(routine: &Routine, stats: &Stats) -> String {
    let mut html = String::new();
    self::routine(&mut html, routine, stats);
    html
}

/// The page's end; `no_routines` when there were none.
pub(super) fn closing(no_routines: bool) -> &'static str {
    if no_routines {
        "<p>No routines running at the moment.</p></section></main></body></html>"
    } else {
        "</section></main></body></html>"
    }
}
