//! Quality assurance of signed-off PEPs: the authority's grading scheme,
//! the grade with its comments, and returning a PEP for improvement. A PEP
//! is never graded "requires improvement" before the designated teacher
//! and social worker have had the chance to improve it.

use chrono::{Months, NaiveDate};

use crate::code::code_enum;
use crate::pages::Problems;

/// The longest comments, in characters.
pub const COMMENTS_MAX: usize = 5_000;
/// How far ahead a return's due date may be.
const RETURN_MONTHS: u32 = 3;

code_enum! {
    /// The grades an authority uses.
    Scheme, "grading scheme" {
        /// Good, requires improvement to be good, inadequate.
        Ofsted => "ofsted", "Good, requires improvement to be good, inadequate";
        /// Completed, good, management decision.
        Completion => "completion", "Completed, good, management decision";
    }
}

code_enum! {
    /// One grade of a PEP.
    Grade, "grade" {
        Good => "good", "Good";
        RequiresImprovement => "requires_improvement", "Requires improvement to be good";
        /// No evidence that a PEP meeting took place.
        Inadequate => "inadequate", "Inadequate";
        Completed => "completed", "Completed";
        ManagementDecision => "management_decision", "Management decision";
    }
}

impl Scheme {
    /// Its grades, best first.
    pub fn grades(self) -> &'static [Grade] {
        match self {
            Scheme::Ofsted => &[Grade::Good, Grade::RequiresImprovement, Grade::Inadequate],
            Scheme::Completion => &[Grade::Completed, Grade::Good, Grade::ManagementDecision],
        }
    }
}

// `code_enum!` fixes the derives, so Default is written out.
#[allow(clippy::derivable_impls)]
impl Default for Scheme {
    fn default() -> Self {
        Scheme::Ofsted
    }
}

impl Grade {
    /// Whether the grade says the PEP falls short, so the comments must say
    /// why.
    pub fn needs_comments(self) -> bool {
        matches!(self, Grade::RequiresImprovement | Grade::Inadequate | Grade::ManagementDecision)
    }
}

/// A grade as checked, with its comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedGrade {
    pub grade: Grade,
    pub comments: String,
}

/// Checks a grade (`grade`, a code of the scheme's) and its comments
/// (`comments`): "requires improvement" only after the PEP was returned
/// for improvement at least once.
pub fn check_grade(
    scheme: Scheme,
    grade: &str,
    comments: &str,
    returned_before: bool,
) -> Result<CheckedGrade, Problems> {
    let mut problems = Problems::default();
    let comments = check_comments(comments, &mut problems);
    let chosen = Grade::from_code(grade.trim()).filter(|g| scheme.grades().contains(g));
    match chosen {
        None if grade.trim().is_empty() => problems.add("grade", "Choose a grade"),
        None => problems.add("grade", "Choose one of the authority's grades"),
        Some(Grade::RequiresImprovement) if !returned_before => problems.add(
            "grade",
            "Return the PEP for improvement before grading it requires improvement: the \
             designated teacher and social worker must have the chance to improve it first",
        ),
        Some(g) if g.needs_comments() && comments.is_empty() => problems
            .add("comments", format!("Enter why the PEP is graded {}", g.label().to_lowercase())),
        Some(_) => {}
    }
    match (chosen, problems.is_empty()) {
        (Some(grade), true) => Ok(CheckedGrade { grade, comments }),
        _ => Err(problems),
    }
}

/// A return for improvement as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReturn {
    pub comments: String,
    pub due_on: NaiveDate,
}

/// Checks a return for improvement: what to improve (`comments`) and by
/// when (`due_on`, after today and within three months).
pub fn check_return(
    comments: &str,
    due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<CheckedReturn, Problems> {
    let mut problems = Problems::default();
    let comments = check_comments(comments, &mut problems);
    if comments.is_empty() && !problems.has("comments") {
        problems.add("comments", "Enter what needs to improve");
    }
    let latest = today.checked_add_months(Months::new(RETURN_MONTHS)).unwrap_or(today);
    match due_on {
        None => problems.add("due_on", "Enter the date the improvements are due"),
        Some(day) if day <= today => {
            problems.add("due_on", "The date the improvements are due must be in the future")
        }
        Some(day) if day > latest => {
            problems.add("due_on", "The date the improvements are due must be within 3 months")
        }
        Some(_) => {}
    }
    match (due_on, problems.is_empty()) {
        (Some(due_on), true) => Ok(CheckedReturn { comments, due_on }),
        _ => Err(problems),
    }
}

fn check_comments(comments: &str, problems: &mut Problems) -> String {
    let comments = comments.trim().replace("\r\n", "\n");
    if comments.chars().count() > COMMENTS_MAX {
        problems
            .add("comments", format!("The comments must be {COMMENTS_MAX} characters or fewer"));
    }
    comments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn each_scheme_has_its_own_grades() {
        assert_eq!(
            Scheme::default().grades(),
            [Grade::Good, Grade::RequiresImprovement, Grade::Inadequate]
        );
        let checked = check_grade(Scheme::Completion, "completed", "", false).unwrap();
        assert_eq!(checked.grade, Grade::Completed);
        let problems = check_grade(Scheme::Ofsted, "completed", "", false).unwrap_err();
        assert_eq!(problems.message("grade"), Some("Choose one of the authority's grades"));
        let problems = check_grade(Scheme::Ofsted, "outstanding", "", false).unwrap_err();
        assert_eq!(problems.message("grade"), Some("Choose one of the authority's grades"));
        let problems = check_grade(Scheme::Ofsted, " ", "", false).unwrap_err();
        assert_eq!(problems.message("grade"), Some("Choose a grade"));
    }

    #[test]
    fn requires_improvement_only_after_a_return() {
        let problems =
            check_grade(Scheme::Ofsted, "requires_improvement", "Targets are not SMART.", false)
                .unwrap_err();
        assert!(problems.message("grade").unwrap().starts_with("Return the PEP for improvement"));
        let checked =
            check_grade(Scheme::Ofsted, "requires_improvement", "Targets are not SMART.", true)
                .unwrap();
        assert_eq!(checked.grade, Grade::RequiresImprovement);
    }

    #[test]
    fn a_grade_that_falls_short_says_why() {
        let problems = check_grade(Scheme::Ofsted, "inadequate", "  ", true).unwrap_err();
        assert_eq!(problems.message("comments"), Some("Enter why the PEP is graded inadequate"));
        let checked = check_grade(Scheme::Ofsted, "good", "", false).unwrap();
        assert_eq!(checked, CheckedGrade { grade: Grade::Good, comments: String::new() });
        let long = "x".repeat(COMMENTS_MAX + 1);
        let problems = check_grade(Scheme::Ofsted, "good", &long, false).unwrap_err();
        assert_eq!(
            problems.message("comments"),
            Some("The comments must be 5000 characters or fewer")
        );
    }

    #[test]
    fn a_return_says_what_to_improve_and_by_when() {
        let today = day(11, 23);
        let problems = check_return("", None, today).unwrap_err();
        assert_eq!(problems.message("comments"), Some("Enter what needs to improve"));
        assert_eq!(problems.message("due_on"), Some("Enter the date the improvements are due"));
        let problems = check_return("Add the carer's views.", Some(today), today).unwrap_err();
        assert_eq!(
            problems.message("due_on"),
            Some("The date the improvements are due must be in the future")
        );
        let far = NaiveDate::from_ymd_opt(2027, 3, 1);
        let problems = check_return("Add the carer's views.", far, today).unwrap_err();
        assert_eq!(
            problems.message("due_on"),
            Some("The date the improvements are due must be within 3 months")
        );
        let checked = check_return(" Add the carer's views.\r\n", Some(day(12, 4)), today).unwrap();
        assert_eq!(
            checked,
            CheckedReturn { comments: "Add the carer's views.".into(), due_on: day(12, 4) }
        );
    }
}
