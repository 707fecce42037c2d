//! An authority's settings: where local authorities differ, the product
//! has a setting, not a fork. Later issues add their own fields here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::chasing::Cadence;
use crate::pep::Term;
use crate::pep_cycle::InitialTimescale;
use crate::quality::Scheme;
use crate::school_year::AcademicYear;
use crate::term_dates::{AcademicYearDates, NoTermDates, TermDates};
use crate::vs_involvement::InvolvementCriteria;

/// The academic years [`AuthoritySettings::default`] has typical term dates
/// for, so that a new authority (and the demo) can delegate PEPs at once.
const DEFAULT_TERM_DATE_YEARS: std::ops::RangeInclusive<i32> = 2025..=2027;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthoritySettings {
    /// "ten_working_days" (statutory guidance) or "twenty_days".
    pub initial_timescale: String,
    /// PEPs from age 2 or 3 (to 18).
    pub pep_from_age: u8,
    /// The letters of the PEP's sections, in order (West Sussex A-D).
    pub section_letters: Vec<String>,
    /// The grades the Virtual School gives in quality assurance.
    pub grading_scheme: Scheme,
    /// A total difficulties score at or above this flags wellbeing needs.
    pub sdq_threshold: u8,
    /// Who also receives "PEP signed off" e-mails (e.g. the VS inbox).
    pub sign_off_copies_to: Option<String>,
    /// School days after the meeting by which the PEP is signed off.
    pub sign_off_school_days: u32,
    /// Term dates, PEP deadlines and delegation dates, one entry a year in
    /// year order. Settings stored before this field existed get the
    /// default's typical years.
    pub term_dates: Vec<AcademicYearDates>,
    /// When the Virtual School should attend a PEP meeting.
    pub vs_attends: InvolvementCriteria,
    /// How often those responsible for late PEPs get a digest reminder.
    pub reminder_cadence: Cadence,
    /// Days before its deadline a PEP counts as due soon in a reminder.
    pub reminder_days_before: u32,
}

impl Default for AuthoritySettings {
    fn default() -> Self {
        Self {
            initial_timescale: "ten_working_days".into(),
            pep_from_age: 2,
            section_letters: ["A", "B", "C", "D"].map(String::from).to_vec(),
            grading_scheme: Scheme::default(),
            sdq_threshold: 17,
            sign_off_copies_to: None,
            sign_off_school_days: crate::sign_off::DEFAULT_SCHOOL_DAYS,
            term_dates: DEFAULT_TERM_DATE_YEARS
                .filter_map(|year| AcademicYearDates::typical(AcademicYear(year)))
                .collect(),
            vs_attends: InvolvementCriteria::default(),
            reminder_cadence: Cadence::default(),
            reminder_days_before: crate::chasing::DEFAULT_DAYS_BEFORE,
        }
    }
}

impl AuthoritySettings {
    pub fn timescale(&self) -> InitialTimescale {
        match self.initial_timescale.as_str() {
            "twenty_days" => InitialTimescale::TwentyDays,
            _ => InitialTimescale::TenWorkingDays,
        }
    }

    /// The authority's dates for `year`, if it has set them.
    pub fn dates_for(&self, year: AcademicYear) -> Option<&AcademicYearDates> {
        self.term_dates.iter().find(|dates| dates.year == year)
    }

    /// One term's dates, or the error to show when a term's PEPs are to be
    /// delegated or given a deadline and the authority has no dates for it.
    pub fn term_dates(&self, year: AcademicYear, term: Term) -> Result<&TermDates, NoTermDates> {
        self.dates_for(year).and_then(|dates| dates.term(term)).ok_or(NoTermDates { year, term })
    }

    /// The term's PEP deadline; `None` when the authority has no dates for
    /// the term (see [`term_dates`](Self::term_dates) for the error to show).
    pub fn pep_deadline(&self, year: AcademicYear, term: Term) -> Option<NaiveDate> {
        self.term_dates(year, term).ok().map(|dates| dates.pep_deadline)
    }

    /// The academic year and term `date` belongs to.
    ///
    /// By the authority's dates, a holiday belongs to the term after it (see
    /// [`AcademicYearDates::term_of`]), so the days after the summer term
    /// ends are next year's autumn, even before 1 September. For a year
    /// with no dates, the default mapping [`Term::containing`] holds, except
    /// that from next year's autumn delegation date on it is next year's
    /// autumn: its PEPs are out.
    ///
    /// Always an answer, so not an `Option`: there is a fallback.
    pub fn term_of(&self, date: NaiveDate) -> (AcademicYear, Term) {
        let year = AcademicYear::containing(date);
        if let Some(dates) = self.dates_for(year) {
            return match dates.term_of(date) {
                Some(term) => (year, term),
                None => (year.next(), Term::Autumn),
            };
        }
        let next_autumn = self.term_dates(year.next(), Term::Autumn).ok();
        if next_autumn.is_some_and(|autumn| date >= autumn.delegation_on) {
            return (year.next(), Term::Autumn);
        }
        (year, Term::containing(date))
    }

    /// Sets the dates for their year, replacing any the year had, in year
    /// order.
    pub fn upsert_year(&mut self, dates: AcademicYearDates) {
        self.term_dates.retain(|d| d.year != dates.year);
        let index = self.term_dates.partition_point(|d| d.year < dates.year);
        self.term_dates.insert(index, dates);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_take_their_defaults() {
        let parsed: AuthoritySettings = serde_json::from_str(r#"{"sdq_threshold": 15}"#).unwrap();
        assert_eq!(parsed.sdq_threshold, 15);
        assert_eq!(parsed.pep_from_age, 2);
        assert_eq!(parsed.timescale(), InitialTimescale::TenWorkingDays);
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn typical(year: i32) -> AcademicYearDates {
        AcademicYearDates::typical(AcademicYear(year)).unwrap()
    }

    #[test]
    fn the_default_has_typical_dates_for_three_years() {
        let settings = AuthoritySettings::default();
        let years: Vec<AcademicYear> = settings.term_dates.iter().map(|d| d.year).collect();
        assert_eq!(years, [AcademicYear(2025), AcademicYear(2026), AcademicYear(2027)]);
        assert_eq!(settings.dates_for(AcademicYear(2026)), Some(&typical(2026)));
        assert!(settings.term_dates.iter().all(|d| d.check().is_ok()));
    }

    #[test]
    fn settings_stored_before_term_dates_still_load() {
        let old = r#"{
            "initial_timescale": "twenty_days",
            "pep_from_age": 3,
            "section_letters": ["A", "B"],
            "qa_grades": ["Good", "Inadequate"],
            "sdq_threshold": 17,
            "sign_off_copies_to": null
        }"#;
        let parsed: AuthoritySettings = serde_json::from_str(old).unwrap();
        assert_eq!(parsed.pep_from_age, 3);
        assert_eq!(parsed.term_dates, AuthoritySettings::default().term_dates);
    }

    #[test]
    fn term_dates_round_trip_and_may_be_empty() {
        let settings = AuthoritySettings::default();
        let json = serde_json::to_string(&settings).unwrap();
        assert!(json.contains(r#""pep_deadline":"2026-03-25""#), "{json}");
        assert_eq!(serde_json::from_str::<AuthoritySettings>(&json).unwrap(), settings);
        let none: AuthoritySettings = serde_json::from_str(r#"{"term_dates": []}"#).unwrap();
        assert!(none.term_dates.is_empty());
    }

    #[test]
    fn deadlines_come_from_the_year_and_term() {
        let settings = AuthoritySettings::default();
        let (y2026, y2028) = (AcademicYear(2026), AcademicYear(2028));
        assert_eq!(settings.pep_deadline(y2026, Term::Spring), Some(date(2027, 3, 25)));
        assert_eq!(settings.pep_deadline(y2028, Term::Spring), None);
        assert_eq!(settings.term_dates(y2026, Term::Summer).unwrap().starts_on, date(2027, 4, 12));
        let error = settings.term_dates(y2028, Term::Spring).unwrap_err();
        assert_eq!(error, NoTermDates { year: y2028, term: Term::Spring });
        assert_eq!(
            error.to_string(),
            "There are no dates for the spring term 2028/29. Add them in Settings first."
        );
    }

    #[test]
    fn the_term_of_a_date_by_the_authoritys_dates() {
        let settings = AuthoritySettings::default();
        let cases = [
            // 2025/26: autumn 3 Sep-19 Dec, spring 5 Jan-2 Apr, summer 20 Apr-22 Jul.
            (date(2025, 9, 1), 2025, Term::Autumn),
            (date(2025, 12, 19), 2025, Term::Autumn),
            (date(2025, 12, 20), 2025, Term::Spring),
            (date(2026, 1, 1), 2025, Term::Spring),
            (date(2026, 4, 2), 2025, Term::Spring),
            (date(2026, 4, 3), 2025, Term::Summer),
            (date(2026, 7, 22), 2025, Term::Summer),
            // The summer holidays are the next autumn's.
            (date(2026, 7, 23), 2026, Term::Autumn),
            (date(2026, 8, 31), 2026, Term::Autumn),
            // 2027/28's summer ends 21 July 2028; 2028/29 has no dates.
            (date(2028, 7, 24), 2028, Term::Autumn),
            (date(2028, 10, 1), 2028, Term::Autumn),
            (date(2029, 2, 1), 2028, Term::Spring),
            (date(2029, 4, 1), 2028, Term::Summer),
            // 2024/25 has no dates, but 2025/26's autumn PEPs are out from
            // Tuesday 26 August 2025.
            (date(2025, 8, 25), 2024, Term::Summer),
            (date(2025, 8, 26), 2025, Term::Autumn),
            (date(2025, 3, 31), 2024, Term::Spring),
        ];
        for (day, year, term) in cases {
            assert_eq!(settings.term_of(day), (AcademicYear(year), term), "{day}");
        }
    }

    #[test]
    fn every_day_belongs_to_the_term_it_leads_up_to() {
        let settings = AuthoritySettings::default();
        let (first, last) = (date(2025, 9, 1), date(2028, 7, 21));
        let mut previous_end: Option<NaiveDate> = None;
        for day in first.iter_days().take_while(|day| *day <= last) {
            let (year, term) = settings.term_of(day);
            let dates = settings.term_dates(year, term).unwrap();
            assert!(day <= dates.ends_on, "{day}");
            if let Some(end) = previous_end.filter(|end| *end < dates.starts_on) {
                assert!(day > end, "{day}");
            }
            if day == dates.ends_on {
                previous_end = Some(day);
            }
        }
    }

    #[test]
    fn without_dates_the_default_mapping_holds() {
        let settings = AuthoritySettings { term_dates: Vec::new(), ..AuthoritySettings::default() };
        for day in [date(2025, 8, 31), date(2025, 9, 1), date(2025, 12, 31), date(2026, 4, 1)] {
            assert_eq!(
                settings.term_of(day),
                (AcademicYear::containing(day), Term::containing(day))
            );
        }
    }

    #[test]
    fn upserting_replaces_a_year_or_adds_it_in_order() {
        let mut settings =
            AuthoritySettings { term_dates: Vec::new(), ..AuthoritySettings::default() };
        settings.upsert_year(typical(2027));
        settings.upsert_year(typical(2025));
        settings.upsert_year(typical(2026));
        let mut changed = typical(2026);
        changed.terms[0].pep_deadline = date(2026, 12, 11);
        settings.upsert_year(changed.clone());
        let years: Vec<i32> = settings.term_dates.iter().map(|d| d.year.0).collect();
        assert_eq!(years, [2025, 2026, 2027]);
        assert_eq!(settings.dates_for(AcademicYear(2026)), Some(&changed));
        assert_eq!(
            settings.pep_deadline(AcademicYear(2026), Term::Autumn),
            Some(date(2026, 12, 11))
        );
    }
}
