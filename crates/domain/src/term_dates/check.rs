//! Checking a year's term dates, as typed on the settings form or as
//! stored, with at most one message per field in GOV.UK style.
//!
//! The rules:
//! - each date is a real date, typed as day/month/year (`17/12/2025`, or
//!   with `-` or `.` between) or as an ISO date (`2025-12-17`);
//! - term dates and PEP deadlines are in the academic year, 1 September to
//!   31 August as [`AcademicYear`] has it, so that a date's academic year
//!   never depends on the authority; the delegation date may be before it,
//!   since autumn PEPs are delegated in the summer holidays;
//! - each term ends after it starts and starts after the term before ends,
//!   so the terms are in order and do not overlap;
//! - a PEP deadline is not before its term starts, is at most
//!   [`DEADLINE_AFTER_TERM`] days after it ends (some authorities set the
//!   spring deadline in the Easter holidays) and is before the next term
//!   starts, so each term's PEPs are due before the next term's are;
//! - delegation is on or before the deadline and at most
//!   [`DELEGATION_BEFORE_TERM`] days before the term starts.

use chrono::{NaiveDate, TimeDelta};

use super::{AcademicYearDates, TermDates};
use crate::pep::Term;
use crate::school_year::AcademicYear;

/// How long after its term a PEP deadline may be: two weeks.
pub const DEADLINE_AFTER_TERM: i64 = 14;
/// How long before its term PEPs may be delegated: four weeks.
pub const DELEGATION_BEFORE_TERM: i64 = 28;

/// One of a term's four dates on the settings form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TermDateField {
    StartsOn,
    EndsOn,
    PepDeadline,
    DelegationOn,
}

impl TermDateField {
    pub const ALL: [TermDateField; 4] = [
        TermDateField::StartsOn,
        TermDateField::EndsOn,
        TermDateField::PepDeadline,
        TermDateField::DelegationOn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TermDateField::StartsOn => "starts_on",
            TermDateField::EndsOn => "ends_on",
            TermDateField::PepDeadline => "pep_deadline",
            TermDateField::DelegationOn => "delegation_on",
        }
    }

    /// What the field is, after "Autumn term ".
    pub fn label(self) -> &'static str {
        match self {
            TermDateField::StartsOn => "start date",
            TermDateField::EndsOn => "end date",
            TermDateField::PepDeadline => "PEP deadline",
            TermDateField::DelegationOn => "delegation date",
        }
    }

    fn index(self) -> usize {
        match self {
            TermDateField::StartsOn => 0,
            TermDateField::EndsOn => 1,
            TermDateField::PepDeadline => 2,
            TermDateField::DelegationOn => 3,
        }
    }
}

/// The name and id of a field on the form, like `spring_ends_on`.
pub fn field_name(term: Term, field: TermDateField) -> String {
    format!("{}_{}", term.code(), field.code())
}

/// What is wrong with one field, in the words the form shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermDateError {
    pub term: Term,
    pub field: TermDateField,
    pub message: String,
}

impl TermDateError {
    /// The field's name, for the error summary's link and the field's message.
    pub fn name(&self) -> String {
        field_name(self.term, self.field)
    }
}

/// Why typed text is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateTextError {
    #[error("no date was entered")]
    Missing,
    #[error("the date is not in the form day/month/year")]
    Format,
    #[error("there is no such date")]
    NotReal,
}

/// Parses a date typed as day/month/year (`17/12/2025`, `17-12-2025`,
/// `17.12.2025`) or as an ISO date (`2025-12-17`). The year has four digits.
pub fn parse_date(text: &str) -> Result<NaiveDate, DateTextError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DateTextError::Missing);
    }
    let parts: Vec<&str> = text.split(['/', '-', '.']).map(str::trim).collect();
    let [a, b, c] = parts[..] else {
        return Err(DateTextError::Format);
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if ![a, b, c].into_iter().all(digits) {
        return Err(DateTextError::Format);
    }
    let (year, month, day) = match (a.len(), b.len(), c.len()) {
        (4, 1..=2, 1..=2) => (a, b, c),
        (1..=2, 1..=2, 4) => (c, b, a),
        _ => return Err(DateTextError::Format),
    };
    let (Ok(year), Ok(month), Ok(day)) = (year.parse(), month.parse(), day.parse()) else {
        return Err(DateTextError::Format);
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateTextError::NotReal)
}

/// One term's dates as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermForm {
    pub starts_on: String,
    pub ends_on: String,
    pub pep_deadline: String,
    pub delegation_on: String,
}

impl TermForm {
    pub fn get(&self, field: TermDateField) -> &str {
        match field {
            TermDateField::StartsOn => &self.starts_on,
            TermDateField::EndsOn => &self.ends_on,
            TermDateField::PepDeadline => &self.pep_deadline,
            TermDateField::DelegationOn => &self.delegation_on,
        }
    }

    fn get_mut(&mut self, field: TermDateField) -> &mut String {
        match field {
            TermDateField::StartsOn => &mut self.starts_on,
            TermDateField::EndsOn => &mut self.ends_on,
            TermDateField::PepDeadline => &mut self.pep_deadline,
            TermDateField::DelegationOn => &mut self.delegation_on,
        }
    }
}

/// A year's term dates as typed on the settings form: twelve fields named
/// by [`field_name`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearForm {
    pub autumn: TermForm,
    pub spring: TermForm,
    pub summer: TermForm,
}

impl YearForm {
    /// The form's fields from submitted name-value pairs; other names are
    /// ignored.
    pub fn from_fields<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> YearForm {
        let mut form = YearForm::default();
        for (name, value) in fields {
            form.set(name, value);
        }
        form
    }

    /// The form filled in with `dates`, as day/month/year.
    pub fn from_dates(dates: &AcademicYearDates) -> YearForm {
        let mut form = YearForm::default();
        for term in &dates.terms {
            let values = [term.starts_on, term.ends_on, term.pep_deadline, term.delegation_on];
            for (field, date) in TermDateField::ALL.into_iter().zip(values) {
                *form.term_mut(term.term).get_mut(field) = date.format("%-d/%-m/%Y").to_string();
            }
        }
        form
    }

    pub fn term(&self, term: Term) -> &TermForm {
        match term {
            Term::Autumn => &self.autumn,
            Term::Spring => &self.spring,
            Term::Summer => &self.summer,
        }
    }

    fn term_mut(&mut self, term: Term) -> &mut TermForm {
        match term {
            Term::Autumn => &mut self.autumn,
            Term::Spring => &mut self.spring,
            Term::Summer => &mut self.summer,
        }
    }

    pub fn get(&self, term: Term, field: TermDateField) -> &str {
        self.term(term).get(field)
    }

    /// Sets the field called `name` (like `spring_ends_on`); false, and
    /// nothing set, for any other name.
    pub fn set(&mut self, name: &str, value: &str) -> bool {
        for term in Term::ALL {
            for field in TermDateField::ALL {
                if name == field_name(term, field) {
                    value.clone_into(self.term_mut(term).get_mut(field));
                    return true;
                }
            }
        }
        false
    }
}

/// The year's dates from the form, or every field that is wrong, in the
/// order of the form.
pub fn parse_year_form(
    year: AcademicYear,
    form: &YearForm,
) -> Result<AcademicYearDates, Vec<TermDateError>> {
    let mut values = Values::default();
    let mut errors = Errors::default();
    for term in Term::ALL {
        for field in TermDateField::ALL {
            match parse_date(form.get(term, field)) {
                Ok(date) => values.set(term, field, date),
                Err(error) => errors.add(term, field, text_message(year, term, field, error)),
            }
        }
    }
    check_values(year, &values, &mut errors);
    let errors = errors.in_form_order();
    match values.terms() {
        Some(terms) if errors.is_empty() => Ok(AcademicYearDates { year, terms }),
        _ => Err(errors),
    }
}

/// [`AcademicYearDates::check`].
pub(super) fn check_dates(dates: &AcademicYearDates) -> Result<(), Vec<TermDateError>> {
    let mut values = Values::default();
    let mut errors = Errors::default();
    for term in Term::ALL {
        match dates.term(term) {
            Some(found) => values.set_term(found),
            None => errors.add(
                term,
                TermDateField::StartsOn,
                format!("Enter the {} term dates", term.code()),
            ),
        }
    }
    check_values(dates.year, &values, &mut errors);
    let errors = errors.in_form_order();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

fn text_message(
    year: AcademicYear,
    term: Term,
    field: TermDateField,
    error: DateTextError,
) -> String {
    match error {
        DateTextError::Missing => format!("Enter the {} term {}", term.code(), field.label()),
        DateTextError::Format => format!(
            "Enter the {} term {} as day/month/year, like {}",
            term.code(),
            field.label(),
            year.start().format("%-d/%-m/%Y")
        ),
        DateTextError::NotReal => format!("{} must be a real date", subject(term, field)),
    }
}

/// The rules in the module's documentation, for the dates that parsed.
fn check_values(year: AcademicYear, values: &Values, errors: &mut Errors) {
    for term in Term::ALL {
        let dates = Neighbours::of(term, values);
        check_in_year(year, &dates, errors);
        check_order(&dates, errors);
        check_deadline(&dates, errors);
        check_delegation(&dates, errors);
    }
}

/// A term's dates, with what the rules need of the terms either side.
struct Neighbours {
    term: Term,
    starts: Option<NaiveDate>,
    ends: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    delegation: Option<NaiveDate>,
    /// The term before, and its end date.
    previous: Option<(Term, Option<NaiveDate>)>,
    /// The term after, and its start date.
    next: Option<(Term, Option<NaiveDate>)>,
}

impl Neighbours {
    fn of(term: Term, values: &Values) -> Neighbours {
        use TermDateField::{DelegationOn, EndsOn, PepDeadline, StartsOn};
        let index = term_index(term);
        let previous = index.checked_sub(1).and_then(|i| Term::ALL.get(i)).copied();
        let next = Term::ALL.get(index + 1).copied();
        Neighbours {
            term,
            starts: values.get(term, StartsOn),
            ends: values.get(term, EndsOn),
            deadline: values.get(term, PepDeadline),
            delegation: values.get(term, DelegationOn),
            previous: previous.map(|p| (p, values.get(p, EndsOn))),
            next: next.map(|n| (n, values.get(n, StartsOn))),
        }
    }
}

/// Term dates and deadlines fall in the academic year.
fn check_in_year(year: AcademicYear, dates: &Neighbours, errors: &mut Errors) {
    use TermDateField::{EndsOn, PepDeadline, StartsOn};
    let (first, last) = (year.start(), year.end());
    for (field, date) in
        [(StartsOn, dates.starts), (EndsOn, dates.ends), (PepDeadline, dates.deadline)]
    {
        if let Some(date) = date
            && !(first..=last).contains(&date)
        {
            let message = format!(
                "{} must be between {} and {}",
                subject(dates.term, field),
                long_date(first),
                long_date(last)
            );
            errors.add(dates.term, field, message);
        }
    }
}

/// A term ends after it starts, and starts after the term before ends.
fn check_order(dates: &Neighbours, errors: &mut Errors) {
    use TermDateField::{EndsOn, StartsOn};
    let term = dates.term;
    if let (Some(starts), Some(ends)) = (dates.starts, dates.ends)
        && ends <= starts
    {
        errors.add(term, EndsOn, format!("{} must be after its start date", subject(term, EndsOn)));
    }
    if let (Some(starts), Some((previous, Some(previous_ends)))) = (dates.starts, dates.previous)
        && starts <= previous_ends
    {
        let message = format!(
            "{} must be after the {} term end date",
            subject(term, StartsOn),
            previous.code()
        );
        errors.add(term, StartsOn, message);
    }
}

/// The deadline is in the term or just after it, before the next term.
fn check_deadline(dates: &Neighbours, errors: &mut Errors) {
    let Some(deadline) = dates.deadline else {
        return;
    };
    // A next term that starts too soon has its own message instead.
    let next_starts = dates
        .next
        .and_then(|(next, starts)| Some((next, starts?)))
        .filter(|(_, next_starts)| dates.ends.is_none_or(|ends| *next_starts > ends));
    let latest = dates.ends.map(|ends| ends + TimeDelta::days(DEADLINE_AFTER_TERM));
    let message = if dates.starts.is_some_and(|starts| deadline < starts) {
        "must be the same as or after its start date".to_owned()
    } else if latest.is_some_and(|latest| deadline > latest) {
        "must be no more than 2 weeks after its end date".to_owned()
    } else if let Some((next, next_starts)) = next_starts
        && deadline >= next_starts
    {
        format!("must be before the {} term start date", next.code())
    } else {
        return;
    };
    let field = TermDateField::PepDeadline;
    errors.add(dates.term, field, format!("{} {message}", subject(dates.term, field)));
}

/// PEPs are delegated by the deadline and not long before term starts.
fn check_delegation(dates: &Neighbours, errors: &mut Errors) {
    let Some(delegation) = dates.delegation else {
        return;
    };
    let earliest = dates.starts.map(|starts| starts - TimeDelta::days(DELEGATION_BEFORE_TERM));
    let message = if dates.deadline.is_some_and(|deadline| delegation > deadline) {
        "must be the same as or before its PEP deadline"
    } else if earliest.is_some_and(|earliest| delegation < earliest) {
        "must be no more than 4 weeks before its start date"
    } else {
        return;
    };
    let field = TermDateField::DelegationOn;
    errors.add(dates.term, field, format!("{} {message}", subject(dates.term, field)));
}

/// "Spring term end date": how a message begins.
fn subject(term: Term, field: TermDateField) -> String {
    format!("{} term {}", term.label(), field.label())
}

fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

fn term_index(term: Term) -> usize {
    match term {
        Term::Autumn => 0,
        Term::Spring => 1,
        Term::Summer => 2,
    }
}

/// The dates that parsed, by term and field.
#[derive(Default)]
struct Values([[Option<NaiveDate>; 4]; 3]);

impl Values {
    fn get(&self, term: Term, field: TermDateField) -> Option<NaiveDate> {
        self.0[term_index(term)][field.index()]
    }

    fn set(&mut self, term: Term, field: TermDateField, date: NaiveDate) {
        self.0[term_index(term)][field.index()] = Some(date);
    }

    fn set_term(&mut self, dates: &TermDates) {
        let values = [dates.starts_on, dates.ends_on, dates.pep_deadline, dates.delegation_on];
        for (field, date) in TermDateField::ALL.into_iter().zip(values) {
            self.set(dates.term, field, date);
        }
    }

    /// All three terms, when every date parsed.
    fn terms(&self) -> Option<[TermDates; 3]> {
        let term = |term: Term| {
            let get = |field| self.get(term, field);
            Some(TermDates {
                term,
                starts_on: get(TermDateField::StartsOn)?,
                ends_on: get(TermDateField::EndsOn)?,
                pep_deadline: get(TermDateField::PepDeadline)?,
                delegation_on: get(TermDateField::DelegationOn)?,
            })
        };
        Some([term(Term::Autumn)?, term(Term::Spring)?, term(Term::Summer)?])
    }
}

/// At most one error a field: the first found.
#[derive(Default)]
struct Errors(Vec<TermDateError>);

impl Errors {
    fn add(&mut self, term: Term, field: TermDateField, message: String) {
        if !self.0.iter().any(|e| e.term == term && e.field == field) {
            self.0.push(TermDateError { term, field, message });
        }
    }

    fn in_form_order(mut self) -> Vec<TermDateError> {
        self.0.sort_by_key(|e| (e.term, e.field));
        self.0
    }
}

#[cfg(test)]
mod tests;
