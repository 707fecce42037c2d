//! The PEP's status machine and its timescales: what may happen next to a
//! PEP, when it falls due, and when it is overdue. Time is a parameter.

use chrono::NaiveDate;

use crate::calendar::WorkingDayCalendar;
use crate::pep::PepStatus;

/// Something that happens to a PEP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PepEvent {
    /// Someone saved a page.
    Edited,
    /// The meeting was confirmed as held.
    MeetingConfirmed,
    /// Every part (SW, DT, young person) was marked complete.
    PartsCompleted,
    /// The designated teacher signed the PEP off.
    SignedOff,
    /// The Virtual School returned it for improvement.
    Returned,
    /// The Virtual School quality-assured it.
    QualityAssured,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a PEP that is {from:?} cannot be {event:?}")]
pub struct TransitionError {
    pub from: PepStatus,
    pub event: PepEvent,
}

impl PepStatus {
    /// The status after `event`, or why that cannot happen now.
    pub fn after(self, event: PepEvent) -> Result<PepStatus, TransitionError> {
        use PepEvent as E;
        use PepStatus as S;
        let next = match (self, event) {
            (S::Draft | S::InProgress, E::Edited) => S::InProgress,
            (S::MeetingHeld | S::AwaitingSignOff, E::Edited) => self,
            (S::ReturnedForImprovement, E::Edited) => S::ReturnedForImprovement,
            (S::Draft | S::InProgress, E::MeetingConfirmed) => S::MeetingHeld,
            (S::MeetingHeld, E::PartsCompleted) => S::AwaitingSignOff,
            (S::ReturnedForImprovement, E::PartsCompleted) => S::AwaitingSignOff,
            (S::AwaitingSignOff, E::SignedOff) => S::SignedOff,
            (S::SignedOff, E::Returned) => S::ReturnedForImprovement,
            (S::SignedOff, E::QualityAssured) => S::QualityAssured,
            (from, event) => return Err(TransitionError { from, event }),
        };
        Ok(next)
    }
}

/// Whether a PEP is overdue on `today`: due before today and not complete.
pub fn is_overdue(status: PepStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    !status.is_complete() && today > due_on
}

/// The LA's timescale for an initial PEP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialTimescale {
    /// Initiated within 10 working days of coming into care (statutory guidance).
    TenWorkingDays,
    /// A meeting within 20 calendar days (some LAs, e.g. West Sussex).
    TwentyDays,
}

/// When an initial PEP is due, counted from the day the child came into
/// care (or turned the starting age, or started a new setting).
pub fn initial_pep_due(
    from: NaiveDate,
    timescale: InitialTimescale,
    calendar: &WorkingDayCalendar,
) -> NaiveDate {
    match timescale {
        InitialTimescale::TenWorkingDays => calendar.add_working_days(from, 10),
        InitialTimescale::TwentyDays => from + chrono::TimeDelta::days(20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PepEvent as E;
    use PepStatus as S;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_cycle_runs_from_draft_to_quality_assured() {
        let mut status = S::Draft;
        for event in [
            E::Edited,
            E::MeetingConfirmed,
            E::Edited,
            E::PartsCompleted,
            E::SignedOff,
            E::QualityAssured,
        ] {
            status = status.after(event).unwrap();
        }
        assert_eq!(status, S::QualityAssured);
    }

    #[test]
    fn a_returned_pep_is_improved_and_signed_off_again() {
        let status = S::SignedOff.after(E::Returned).unwrap();
        assert_eq!(status, S::ReturnedForImprovement);
        let status = status.after(E::Edited).unwrap().after(E::PartsCompleted).unwrap();
        assert_eq!(status.after(E::SignedOff), Ok(S::SignedOff));
    }

    #[test]
    fn every_other_transition_is_refused() {
        let allowed = [
            (S::Draft, E::Edited),
            (S::InProgress, E::Edited),
            (S::MeetingHeld, E::Edited),
            (S::AwaitingSignOff, E::Edited),
            (S::ReturnedForImprovement, E::Edited),
            (S::Draft, E::MeetingConfirmed),
            (S::InProgress, E::MeetingConfirmed),
            (S::MeetingHeld, E::PartsCompleted),
            (S::ReturnedForImprovement, E::PartsCompleted),
            (S::AwaitingSignOff, E::SignedOff),
            (S::SignedOff, E::Returned),
            (S::SignedOff, E::QualityAssured),
        ];
        let events = [
            E::Edited,
            E::MeetingConfirmed,
            E::PartsCompleted,
            E::SignedOff,
            E::Returned,
            E::QualityAssured,
        ];
        for status in PepStatus::ALL {
            for event in events {
                assert_eq!(
                    status.after(event).is_ok(),
                    allowed.contains(&(status, event)),
                    "{status:?} + {event:?}"
                );
            }
        }
        // A signed-off PEP is locked: no more edits.
        assert!(S::SignedOff.after(E::Edited).is_err());
        assert!(S::QualityAssured.after(E::Edited).is_err());
    }

    #[test]
    fn overdue_means_past_the_due_date_and_not_complete() {
        let due = date(2026, 12, 11);
        assert!(!is_overdue(S::InProgress, due, due), "due today is not overdue");
        assert!(is_overdue(S::InProgress, due, date(2026, 12, 12)));
        assert!(is_overdue(S::ReturnedForImprovement, due, date(2027, 1, 4)));
        assert!(!is_overdue(S::SignedOff, due, date(2027, 1, 4)));
        assert!(!is_overdue(S::QualityAssured, due, date(2027, 1, 4)));
    }

    #[test]
    fn initial_peps_count_working_days_past_weekends_and_bank_holidays() {
        let calendar = WorkingDayCalendar::england_and_wales();
        // In care on Friday 18 December 2026: ten working days skip two
        // weekends, Christmas Day, Boxing Day's substitute (28th) and New Year's Day.
        assert_eq!(
            initial_pep_due(date(2026, 12, 18), InitialTimescale::TenWorkingDays, &calendar),
            date(2027, 1, 6)
        );
        // In care on a Saturday: counted from the next working day.
        assert_eq!(
            initial_pep_due(date(2026, 11, 21), InitialTimescale::TenWorkingDays, &calendar),
            date(2026, 12, 4)
        );
        assert_eq!(
            initial_pep_due(date(2026, 12, 18), InitialTimescale::TwentyDays, &calendar),
            date(2027, 1, 7)
        );
    }
}
