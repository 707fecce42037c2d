//! The PEP's status machine and its timescales: what may happen next to a
//! PEP, when it falls due, and when it is overdue. Time is a parameter.

use chrono::NaiveDate;

use crate::calendar::WorkingDayCalendar;
use crate::pep::{PepStatus, Term};
use crate::school_year::AcademicYear;
use crate::settings::AuthoritySettings;
use crate::term_dates::NoTermDates;

/// Something that happens to a PEP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PepEvent {
    /// Someone saved a page.
    Edited,
    /// The meeting was confirmed as held.
    MeetingConfirmed,
    /// Every part (SW, DT, young person) was marked complete.
    PartsCompleted,
    /// A part marked completed was marked not completed again.
    PartUndone,
    /// The designated teacher signed the PEP off.
    SignedOff,
    /// The Virtual School reopened a signed-off PEP, with a reason.
    Reopened,
    /// The Virtual School returned it for improvement.
    Returned,
    /// The designated teacher or social worker sent the improved PEP back.
    Resubmitted,
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
            (S::AwaitingSignOff, E::PartUndone) => S::MeetingHeld,
            (S::AwaitingSignOff, E::SignedOff) => S::SignedOff,
            (S::SignedOff | S::QualityAssured, E::Reopened) => S::MeetingHeld,
            (S::SignedOff, E::Returned) => S::ReturnedForImprovement,
            (S::ReturnedForImprovement, E::Resubmitted) => S::SignedOff,
            (S::SignedOff, E::QualityAssured) => S::QualityAssured,
            (from, event) => return Err(TransitionError { from, event }),
        };
        Ok(next)
    }
}

/// Whether a PEP is overdue on `today`: due before today and not complete.
/// The deadline day itself is not overdue. Counts calendar days; see
/// [`is_overdue_on`] for a deadline that falls on a non-working day.
pub fn is_overdue(status: PepStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    // A PEP returned for improvement was signed off in time: its
    // improvements have their own due date.
    !status.is_complete() && status != PepStatus::ReturnedForImprovement && today > due_on
}

/// Whether a PEP is overdue on `today`, when a deadline that falls on a
/// weekend, bank holiday or closure day runs to the end of the next working
/// day, as time limits usually do: no one could be expected to finish on a
/// day no one works, and the Virtual School cannot chase until then anyway.
///
/// A deadline on a working day is unchanged: a Friday deadline is overdue
/// on the Saturday, even before a bank holiday Monday, exactly as with
/// [`is_overdue`]. So this only ever finds fewer PEPs overdue than
/// [`is_overdue`], and only for a few days.
pub fn is_overdue_on(
    status: PepStatus,
    due_on: NaiveDate,
    today: NaiveDate,
    calendar: &WorkingDayCalendar,
) -> bool {
    is_overdue(status, calendar.add_working_days(due_on, 0), today)
}

/// When a term's PEP is due: the authority's deadline for the term, or the
/// error to show when the authority has no dates for it.
pub fn termly_pep_due(
    settings: &AuthoritySettings,
    year: AcademicYear,
    term: Term,
) -> Result<NaiveDate, NoTermDates> {
    settings.term_dates(year, term).map(|dates| dates.pep_deadline)
}

/// [`is_overdue`] for a status as stored; an unknown code counts as not
/// complete, so a PEP is never hidden from the overdue list by bad data.
pub fn is_overdue_code(status: &str, due_on: NaiveDate, today: NaiveDate) -> bool {
    is_overdue(PepStatus::from_code(status).unwrap_or(PepStatus::Draft), due_on, today)
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
        // Or, with only the named pages improved, sent straight back.
        let returned = S::SignedOff.after(E::Returned).unwrap().after(E::Edited).unwrap();
        assert_eq!(returned.after(E::Resubmitted), Ok(S::SignedOff));
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
            (S::AwaitingSignOff, E::PartUndone),
            (S::AwaitingSignOff, E::SignedOff),
            (S::SignedOff, E::Reopened),
            (S::QualityAssured, E::Reopened),
            (S::SignedOff, E::Returned),
            (S::SignedOff, E::QualityAssured),
            (S::ReturnedForImprovement, E::Resubmitted),
        ];
        let events = [
            E::Edited,
            E::MeetingConfirmed,
            E::PartsCompleted,
            E::PartUndone,
            E::SignedOff,
            E::Reopened,
            E::Returned,
            E::QualityAssured,
            E::Resubmitted,
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
        assert!(!is_overdue(S::ReturnedForImprovement, due, date(2027, 1, 4)));
        assert!(!is_overdue(S::SignedOff, due, date(2027, 1, 4)));
        assert!(!is_overdue(S::QualityAssured, due, date(2027, 1, 4)));
    }

    #[test]
    fn overdue_at_weekends_and_bank_holidays() {
        let calendar = WorkingDayCalendar::england_and_wales();
        let overdue = |due, today| is_overdue_on(S::InProgress, due, today, &calendar);
        // Friday 24 March 2028, before a weekend: overdue from Saturday.
        let friday = date(2028, 3, 24);
        assert!(!overdue(friday, friday));
        assert!(overdue(friday, date(2028, 3, 25)));
        assert!(overdue(friday, date(2028, 3, 27)));
        // Friday 22 May 2026, before the spring bank holiday: overdue on the
        // Saturday, the holiday Monday and after, as without a calendar.
        let before_holiday = date(2026, 5, 22);
        for today in [date(2026, 5, 23), date(2026, 5, 25), date(2026, 5, 26)] {
            assert!(overdue(before_holiday, today), "{today}");
            assert!(is_overdue(S::InProgress, before_holiday, today), "{today}");
        }
        // Saturday 25 March 2028 runs to Monday 27th: overdue on Tuesday.
        let saturday = date(2028, 3, 25);
        assert!(is_overdue(S::InProgress, saturday, date(2028, 3, 26)));
        assert!(!overdue(saturday, date(2028, 3, 26)));
        assert!(!overdue(saturday, date(2028, 3, 27)));
        assert!(overdue(saturday, date(2028, 3, 28)));
        // Good Friday, 3 April 2026, runs past Easter Monday to Tuesday 7th.
        let good_friday = date(2026, 4, 3);
        assert!(!overdue(good_friday, date(2026, 4, 6)));
        assert!(!overdue(good_friday, date(2026, 4, 7)));
        assert!(overdue(good_friday, date(2026, 4, 8)));
        // A closure day counts like a bank holiday.
        let closed = calendar.clone().with_closures([date(2026, 4, 7)]);
        assert!(!is_overdue_on(S::InProgress, good_friday, date(2026, 4, 8), &closed));
        // Complete PEPs are never overdue.
        for status in [S::SignedOff, S::QualityAssured] {
            assert!(!is_overdue_on(status, saturday, date(2029, 1, 1), &calendar));
        }
    }

    #[test]
    fn overdue_around_the_authoritys_term_dates() {
        let settings = AuthoritySettings::default();
        let calendar = WorkingDayCalendar::england_and_wales();
        // 2025/26: autumn deadline Wednesday 17 December, term ends Friday 19th.
        let due = termly_pep_due(&settings, AcademicYear(2025), Term::Autumn).unwrap();
        assert_eq!(due, date(2025, 12, 17));
        assert!(!is_overdue_on(S::MeetingHeld, due, due, &calendar));
        assert!(is_overdue_on(S::MeetingHeld, due, date(2025, 12, 18), &calendar));
        // Still overdue in the Christmas holidays, now the spring term's.
        let in_holiday = date(2025, 12, 29);
        assert_eq!(settings.term_of(in_holiday), (AcademicYear(2025), Term::Spring));
        assert!(is_overdue_on(S::AwaitingSignOff, due, in_holiday, &calendar));
        // 2027/28: spring deadline 25 March 2028 is a Saturday, so brought
        // forward to Friday 24th; the summer one, 15 July, to Friday 14th.
        let spring = termly_pep_due(&settings, AcademicYear(2027), Term::Spring).unwrap();
        assert_eq!(spring, date(2028, 3, 24));
        assert!(is_overdue_on(S::Draft, spring, date(2028, 3, 25), &calendar));
        let summer = termly_pep_due(&settings, AcademicYear(2027), Term::Summer).unwrap();
        assert_eq!(summer, date(2028, 7, 14));
        // The last day of summer term, 21 July 2028, is a week past it.
        assert!(is_overdue_on(S::InProgress, summer, date(2028, 7, 21), &calendar));
    }

    #[test]
    fn no_termly_deadline_without_term_dates() {
        let settings = AuthoritySettings::default();
        let year = AcademicYear(2030);
        assert_eq!(
            termly_pep_due(&settings, year, Term::Summer),
            Err(NoTermDates { year, term: Term::Summer })
        );
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
