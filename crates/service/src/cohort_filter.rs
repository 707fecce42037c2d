//! The filters of the Virtual School's lists and dashboards (term, school,
//! phase, year group, officer), checked: a filter that names something
//! the authority does not have is refused, never silently ignored.

use openpep_domain::{AcademicYear, AuthorityAction, NcYear, Phase, Term};
use openpep_store::users::VS_OFFICERS;
use uuid::Uuid;

use crate::{Actor, FieldErrors, ServiceError, Services};

/// The year groups the filters offer: nursery to Year 13.
pub const YEAR_GROUPS: std::ops::RangeInclusive<i8> = -1..=13;

/// The filters as the address carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterForm {
    /// `2026-autumn`: the academic year it starts in, and the term.
    pub term: String,
    pub school: String,
    pub phase: String,
    pub year: String,
    /// A Virtual School officer's id, or "none" for PEPs no one has.
    pub officer: String,
}

/// The filters as checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CohortFilter {
    pub term: Option<(AcademicYear, Term)>,
    pub school: Option<Uuid>,
    pub phase: Option<Phase>,
    pub year: Option<NcYear>,
    /// `Some(None)`: given to no officer yet.
    pub officer: Option<Option<Uuid>>,
}

impl CohortFilter {
    /// The year groups asked for: a year group, or a phase's.
    pub fn year_groups(&self) -> Option<(NcYear, NcYear)> {
        match (self.year, self.phase) {
            (Some(y), _) => Some((y, y)),
            (None, Some(phase)) => Some(phase.year_groups()),
            (None, None) => None,
        }
    }
}

/// A term as the filters name it: `2026-autumn`.
pub fn term_code(year: AcademicYear, term: Term) -> String {
    format!("{}-{}", year.0, term.code())
}

/// Reads a term named by [`term_code`].
pub fn parse_term(code: &str) -> Option<(AcademicYear, Term)> {
    let (year, term) = code.split_once('-')?;
    let year = year.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y))?;
    Some((AcademicYear(year), Term::from_code(term)?))
}

/// The choices the filters offer.
#[derive(Debug, Clone, Default)]
pub struct FilterOptions {
    /// (code, "Autumn term 2026/27"), newest first.
    pub terms: Vec<(String, String)>,
    pub schools: Vec<(Uuid, String)>,
    pub officers: Vec<(Uuid, String)>,
}

/// Filters as checked: what was understood, what was refused (nothing is
/// shown until it is put right), and the choices to offer again.
#[derive(Debug, Clone)]
pub struct CheckedFilter {
    pub filter: CohortFilter,
    pub errors: FieldErrors,
    pub options: FilterOptions,
}

/// The terms the filters offer: this academic year's and last year's,
/// newest first.
pub fn filter_terms(today: chrono::NaiveDate) -> Vec<(String, String)> {
    let this_year = AcademicYear::containing(today);
    [this_year, this_year.previous()]
        .into_iter()
        .flat_map(|year| Term::ALL.into_iter().rev().map(move |term| (year, term)))
        .map(|(year, term)| (term_code(year, term), format!("{} term {year}", term.label())))
        .collect()
}

impl Services {
    /// The choices: this academic year's terms and last year's, the
    /// authority's schools and its Virtual School officers.
    pub async fn filter_options(&self, actor: &Actor) -> Result<FilterOptions, ServiceError> {
        self.authorise(actor, AuthorityAction::ViewAuthorityReports)?;
        let terms = filter_terms(self.clock.today());
        let schools = self.authority_schools(actor).await?;
        let officers =
            openpep_store::users::staff_in_roles(&self.db, actor.la_id, VS_OFFICERS).await?;
        Ok(FilterOptions {
            terms,
            schools: schools.into_iter().map(|s| (s.id, s.name)).collect(),
            officers: officers.into_iter().map(|s| (s.user_id, s.display_name)).collect(),
        })
    }

    /// Checks the filters against the authority's schools and officers.
    pub async fn check_filter(
        &self,
        actor: &Actor,
        form: &FilterForm,
    ) -> Result<CheckedFilter, ServiceError> {
        Ok(check_filter_against(form, self.filter_options(actor).await?))
    }
}

/// Checks the filters against the choices offered.
pub fn check_filter_against(form: &FilterForm, options: FilterOptions) -> CheckedFilter {
    let mut errors = FieldErrors::default();
    let mut filter = CohortFilter::default();
    let given = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(term) = given(&form.term) {
        filter.term = parse_term(&term);
        if filter.term.is_none() {
            errors.add("term", "Select a term from the list");
        }
    }
    if let Some(school) = given(&form.school) {
        filter.school =
            Uuid::parse_str(&school).ok().filter(|id| options.schools.iter().any(|(s, _)| s == id));
        if filter.school.is_none() {
            errors.add("school", "Select a school from the list");
        }
    }
    if let Some(phase) = given(&form.phase) {
        filter.phase = Phase::from_code(&phase);
        if filter.phase.is_none() {
            errors.add("phase", "Select a phase from the list");
        }
    }
    if let Some(year) = given(&form.year) {
        filter.year =
            year.parse::<i8>().ok().filter(|y| YEAR_GROUPS.contains(y)).map(NcYear::from_value);
        if filter.year.is_none() {
            errors.add("year", "Select a year group from the list");
        }
    }
    if let (Some(year), Some(phase)) = (filter.year, filter.phase)
        && year.phase() != phase
    {
        errors.add(
            "year",
            format!("{} is not in the {} phase", year.label(), phase.label().to_lowercase()),
        );
    }
    if let Some(officer) = given(&form.officer) {
        filter.officer = if officer == "none" {
            Some(None)
        } else {
            Uuid::parse_str(&officer)
                .ok()
                .filter(|id| options.officers.iter().any(|(o, _)| o == id))
                .map(Some)
        };
        if filter.officer.is_none() {
            errors.add("officer", "Select an officer from the list");
        }
    }
    CheckedFilter { filter, errors, options }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_named_by_year_and_term() {
        let code = term_code(AcademicYear(2026), Term::Autumn);
        assert_eq!(code, "2026-autumn");
        assert_eq!(parse_term(&code), Some((AcademicYear(2026), Term::Autumn)));
        for bad in ["2026", "autumn-2026", "2026-Autumn", "1999-spring", "x-summer", "2026-"] {
            assert_eq!(parse_term(bad), None, "{bad}");
        }
    }
}
