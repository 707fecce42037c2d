//! Chasing PEPs that are due soon or overdue: how often an authority sends
//! its reminders, and which PEPs a reminder counts.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::code::code_enum;
use crate::pep::PepStatus;

/// Days before its deadline a PEP counts as due soon, unless the
/// authority chooses otherwise.
pub const DEFAULT_DAYS_BEFORE: u32 = 10;

code_enum! {
    /// How often the people responsible for late PEPs get a reminder.
    Cadence, "reminder cadence" {
        Weekly => "weekly", "Every Monday";
        Daily => "daily", "Every working day";
        Never => "never", "Never: the Virtual School chases by hand";
    }
}

// `code_enum!` fixes the derives, so Default is written out.
#[allow(clippy::derivable_impls)]
impl Default for Cadence {
    fn default() -> Self {
        Cadence::Weekly
    }
}

impl Cadence {
    /// Whether reminders go out on `day`: never at weekends.
    pub fn sends_on(self, day: NaiveDate) -> bool {
        let weekday = day.weekday();
        match self {
            Cadence::Never => false,
            Cadence::Weekly => weekday == Weekday::Mon,
            Cadence::Daily => !matches!(weekday, Weekday::Sat | Weekday::Sun),
        }
    }
}

/// Where a PEP stands for a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chase {
    /// Days past its deadline (at least 1).
    Overdue(i64),
    /// Days until its deadline (0: due today).
    DueSoon(i64),
}

/// Whether a PEP due on `due_on` is chased on `today`: not complete, and
/// overdue or due within `days_before` days.
pub fn chase(
    status: PepStatus,
    due_on: NaiveDate,
    today: NaiveDate,
    days_before: u32,
) -> Option<Chase> {
    if status.is_complete() {
        return None;
    }
    let days = (due_on - today).num_days();
    match days {
        d if d < 0 => Some(Chase::Overdue(-d)),
        d if d <= i64::from(days_before) => Some(Chase::DueSoon(d)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn reminders_go_out_on_working_days_at_the_chosen_cadence() {
        let monday = day(11, 23);
        assert!(Cadence::Weekly.sends_on(monday));
        assert!(!Cadence::Weekly.sends_on(day(11, 24)));
        assert!(Cadence::Daily.sends_on(day(11, 24)));
        assert!(!Cadence::Daily.sends_on(day(11, 28)), "Saturday");
        assert!(!Cadence::Never.sends_on(monday));
        assert_eq!(Cadence::default(), Cadence::Weekly);
    }

    #[test]
    fn overdue_and_due_soon_peps_are_chased_complete_ones_never() {
        let today = day(11, 23);
        assert_eq!(chase(PepStatus::InProgress, day(11, 20), today, 10), Some(Chase::Overdue(3)));
        assert_eq!(chase(PepStatus::Draft, today, today, 10), Some(Chase::DueSoon(0)));
        assert_eq!(chase(PepStatus::Draft, day(12, 3), today, 10), Some(Chase::DueSoon(10)));
        assert_eq!(chase(PepStatus::Draft, day(12, 4), today, 10), None);
        assert_eq!(chase(PepStatus::SignedOff, day(11, 1), today, 10), None);
        assert_eq!(chase(PepStatus::QualityAssured, day(11, 1), today, 10), None);
        assert_eq!(
            chase(PepStatus::ReturnedForImprovement, day(11, 1), today, 10),
            Some(Chase::Overdue(22))
        );
    }
}
