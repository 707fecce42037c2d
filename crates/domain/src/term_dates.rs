//! An authority's term dates, with each term's PEP deadline and the day the
//! Virtual School delegates (opens) that term's PEPs, one academic year at a
//! time. They are LA settings: schools in one authority share them, and the
//! Virtual School sets its deadlines around them (seed 004: 17 December,
//! 25 March, 15 July).
//!
//! The rules for what a year's dates may be are in `term_dates/check.rs`;
//! the pattern used when an authority has not set its own is in
//! `term_dates/typical.rs`.

mod check;
mod typical;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::pep::Term;
use crate::school_year::AcademicYear;

pub use check::{
    DateTextError, TermDateError, TermDateField, TermForm, YearForm, field_name, parse_date,
    parse_year_form,
};

/// One term's dates. All four are days, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TermDates {
    pub term: Term,
    /// The first day of term.
    pub starts_on: NaiveDate,
    /// The last day of term.
    pub ends_on: NaiveDate,
    /// The day by which the term's PEP must be held and signed off.
    pub pep_deadline: NaiveDate,
    /// The day the Virtual School delegates the term's PEPs: creates them
    /// for the cohort, part 1 to the social worker and the rest to the
    /// designated teacher. It may be in the holiday before the term.
    pub delegation_on: NaiveDate,
}

impl TermDates {
    /// Whether `date` is a day of term (not of the holiday before it).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && date <= self.ends_on
    }
}

/// An academic year's three terms, autumn, spring and summer in that order.
///
/// The fields are public, like the rest of the authority's settings, so
/// that stored settings always load; [`AcademicYearDates::check`] says
/// whether they make sense, and [`parse_year_form`] only builds dates that
/// do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AcademicYearDates {
    pub year: AcademicYear,
    pub terms: [TermDates; 3],
}

impl AcademicYearDates {
    /// The dates of one term.
    pub fn term(&self, term: Term) -> Option<&TermDates> {
        self.terms.iter().find(|dates| dates.term == term)
    }

    /// The term `date` belongs to by these dates, or `None` when it is after
    /// the summer term ends (in the holiday before next year's autumn term).
    ///
    /// A holiday belongs to the term after it: the Christmas holidays to
    /// spring, the Easter holidays to summer, and the days of September
    /// before term starts to autumn. That is when the Virtual School
    /// delegates and schools prepare that term's PEPs.
    pub fn term_of(&self, date: NaiveDate) -> Option<Term> {
        Term::ALL.into_iter().find(|&term| self.term(term).is_some_and(|d| date <= d.ends_on))
    }

    /// A believable England pattern for `year`, for authorities that have
    /// not set their own dates (and for the demo); `None` only for years
    /// outside 1583 to 9998. The rules are in `term_dates/typical.rs`.
    pub fn typical(year: AcademicYear) -> Option<AcademicYearDates> {
        typical::typical(year)
    }

    /// Whether the dates make sense, or what is wrong with which field, in
    /// the words the settings form shows. The rules are in `term_dates/check.rs`.
    pub fn check(&self) -> Result<(), Vec<TermDateError>> {
        check::check_dates(self)
    }
}

/// A term has no dates in the authority's settings, so its PEPs cannot be
/// delegated and have no deadline yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("There are no dates for the {} term {year}. Add them in Settings first.", term.code())]
pub struct NoTermDates {
    pub year: AcademicYear,
    pub term: Term,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn year_2025() -> AcademicYearDates {
        AcademicYearDates::typical(AcademicYear(2025)).unwrap()
    }

    #[test]
    fn no_term_dates_says_what_to_do() {
        let error = NoTermDates { year: AcademicYear(2026), term: Term::Spring };
        assert_eq!(
            error.to_string(),
            "There are no dates for the spring term 2026/27. Add them in Settings first."
        );
    }

    #[test]
    fn holidays_belong_to_the_next_term() {
        let dates = year_2025();
        let cases = [
            (date(2025, 9, 1), Some(Term::Autumn)),
            (date(2025, 9, 3), Some(Term::Autumn)),
            (date(2025, 12, 19), Some(Term::Autumn)),
            (date(2025, 12, 20), Some(Term::Spring)),
            (date(2026, 1, 5), Some(Term::Spring)),
            (date(2026, 3, 27), Some(Term::Spring)),
            (date(2026, 4, 2), Some(Term::Spring)),
            (date(2026, 4, 3), Some(Term::Summer)),
            (date(2026, 7, 22), Some(Term::Summer)),
            (date(2026, 7, 23), None),
        ];
        for (day, term) in cases {
            assert_eq!(dates.term_of(day), term, "{day}");
        }
    }

    #[test]
    fn a_term_contains_its_first_and_last_days() {
        let autumn = *year_2025().term(Term::Autumn).unwrap();
        assert!(autumn.contains(autumn.starts_on));
        assert!(autumn.contains(autumn.ends_on));
        assert!(!autumn.contains(autumn.delegation_on));
        assert!(!autumn.contains(autumn.ends_on.succ_opt().unwrap()));
    }

    #[test]
    fn dates_are_stored_as_iso_dates_and_term_codes() {
        let dates = year_2025();
        let json = serde_json::to_value(&dates).unwrap();
        assert_eq!(json["year"], 2025);
        assert_eq!(json["terms"][0]["term"], "autumn");
        assert_eq!(json["terms"][0]["starts_on"], "2025-09-03");
        assert_eq!(json["terms"][2]["pep_deadline"], "2026-07-15");
        let back: AcademicYearDates = serde_json::from_value(json).unwrap();
        assert_eq!(back, dates);
    }
}
