//! How pressing a clock is, as of a day: the one rule the work queue, the case file and the API's `overdue`
//! share.

use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::case::{ClockKind, Deadline};

/// Working days before a duty falls due that it counts as due soon, when the policy names none.
pub const DEFAULT_DUE_SOON_WORKING_DAYS: u32 = 2;

/// The last day of the week `today` is in (weeks run Monday to Sunday): the work queue's "due this week".
pub fn week_ending(today: Date) -> Date {
    let days_left = 6 - i64::from(today.weekday().to_monday_zero_offset());
    today
        .checked_add(jiff::Span::new().days(days_left))
        .unwrap_or(today)
}

/// The first day of the month `today` is in: the work queue's "received this month".
pub fn month_starting(today: Date) -> Date {
    today.first_of_month()
}

/// How pressing a clock is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Due later than the warning period.
    OnTrack,
    /// Due within the policy's warning period (after today).
    DueSoon,
    /// Due today.
    DueToday,
    /// Past its due day and not met.
    Overdue,
    /// Met on or before its due day.
    Met,
    /// Met after its due day.
    MetLate,
    /// The resident's window has closed unused.
    WindowClosed,
}

impl Urgency {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::OnTrack => "on_track",
            Urgency::DueSoon => "due_soon",
            Urgency::DueToday => "due_today",
            Urgency::Overdue => "overdue",
            Urgency::Met => "met",
            Urgency::MetLate => "met_late",
            Urgency::WindowClosed => "window_closed",
        }
    }

    /// The tag people read.
    pub fn label(self, due_soon_working_days: u32) -> String {
        match self {
            Urgency::OnTrack => "On track".into(),
            Urgency::DueSoon => format!(
                "Due within {due_soon_working_days} working day{}",
                if due_soon_working_days == 1 { "" } else { "s" }
            ),
            Urgency::DueToday => "Due today".into(),
            Urgency::Overdue => "Overdue".into(),
            Urgency::Met => "Met".into(),
            Urgency::MetLate => "Met late".into(),
            Urgency::WindowClosed => "Window closed".into(),
        }
    }
}

/// Whether an unmet duty due on `due` is overdue on `as_of` (the day after its due day onwards).
pub fn is_overdue(due: Date, as_of: Date) -> bool {
    due < as_of
}

/// How pressing an unmet duty due on `due` is, as of `as_of`.
pub fn of_duty(due: Date, calendar: &Calendar, due_soon_working_days: u32, as_of: Date) -> Urgency {
    if is_overdue(due, as_of) {
        return Urgency::Overdue;
    }
    if due == as_of {
        return Urgency::DueToday;
    }
    let soon = calendar
        .add_working_days(as_of, due_soon_working_days)
        .is_ok_and(|limit| due <= limit);
    if soon {
        Urgency::DueSoon
    } else {
        Urgency::OnTrack
    }
}

/// How pressing a deadline of a case is, as of `as_of`.
pub fn of_deadline(
    deadline: &Deadline,
    calendar: &Calendar,
    due_soon_working_days: u32,
    as_of: Date,
) -> Urgency {
    match (deadline.met_on, deadline.kind) {
        (Some(met), _) if met > deadline.due_on => Urgency::MetLate,
        (Some(_), _) => Urgency::Met,
        (None, ClockKind::Window) if deadline.due_on < as_of => Urgency::WindowClosed,
        (None, _) => of_duty(deadline.due_on, calendar, due_soon_working_days, as_of),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Division;
    use jiff::civil::date;

    #[test]
    fn a_duty_is_due_soon_within_the_warning_period_in_working_days() {
        let cal = Calendar::uk(Division::EnglandAndWales);
        // Tue 23 Dec 2025: two working days on are Wed 24 and Mon 29 Dec (Christmas and Boxing Day skipped).
        let today = date(2025, 12, 23);
        assert_eq!(
            of_duty(date(2025, 12, 22), &cal, 2, today),
            Urgency::Overdue
        );
        assert_eq!(of_duty(today, &cal, 2, today), Urgency::DueToday);
        assert_eq!(
            of_duty(date(2025, 12, 24), &cal, 2, today),
            Urgency::DueSoon
        );
        assert_eq!(
            of_duty(date(2025, 12, 29), &cal, 2, today),
            Urgency::DueSoon
        );
        assert_eq!(
            of_duty(date(2025, 12, 30), &cal, 2, today),
            Urgency::OnTrack
        );
        assert_eq!(
            of_duty(date(2025, 12, 30), &cal, 3, today),
            Urgency::DueSoon
        );
        assert_eq!(Urgency::DueSoon.label(2), "Due within 2 working days");
    }

    #[test]
    fn the_queues_week_ends_on_sunday_and_its_month_starts_on_the_first() {
        assert_eq!(week_ending(date(2026, 6, 1)), date(2026, 6, 7));
        assert_eq!(week_ending(date(2026, 6, 7)), date(2026, 6, 7));
        assert_eq!(week_ending(date(2026, 12, 31)), date(2027, 1, 3));
        assert_eq!(month_starting(date(2026, 6, 17)), date(2026, 6, 1));
    }
}
