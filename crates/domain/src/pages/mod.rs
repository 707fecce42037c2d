//! The typed pages of a PEP: attendance, timetables, exclusions, attainment,
//! SEN, careers, SDQ, health and the views pages. Each kind checks the
//! fields its form sends ([`check`]), normalised so that the stored answers
//! read back the same, and lays its form out as [`Block`]s ([`layout`]),
//! with what it works out (percentages, totals, bands, alerts) among them.
//!
//! A page's answers are one flat map of field names to strings, like a
//! free-text page's. A list (suspensions, subjects) keeps each entry's
//! fields as `<group>_<index>_<field>`, numbered from 0 when saved.

mod form;
pub(crate) mod input;

pub mod attainment;
pub mod attendance;
pub mod careers;
pub mod carer_views;
pub mod child_views;
pub mod exclusions;
pub mod health;
pub mod meeting_record;
pub mod part_time;
pub mod previous_schools;
pub mod sdq;
pub mod sen;

use crate::code::code_enum;
use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::pep::Term;
use crate::school_year::{AcademicYear, NcYear};
use crate::template::{PageKind, Question};
use crate::term_dates::TermDates;

pub use form::{Block, Control, FieldSpec, Opt, Tone};
pub use input::{entries, entry_name, uk_date};

/// A page's answers by field name.
pub type Fields = BTreeMap<String, String>;

/// What is wrong with a page's answers: (field name, message) pairs, in
/// the order of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<(String, String)>);

impl Problems {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        // One message a field: the first found is the one to fix first.
        if !self.has(&field) {
            self.0.push((field, message.into()));
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn message(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// What a typed page needs to know beyond its own answers.
#[derive(Debug, Clone)]
pub struct PageContext {
    pub nc_year: NcYear,
    pub special_school: bool,
    /// The child's first PEP: attainment is recorded without progress.
    pub initial: bool,
    pub academic_year: AcademicYear,
    pub term: Term,
    /// The PEP's term, when the authority has its dates.
    pub term_dates: Option<TermDates>,
    pub today: NaiveDate,
    /// The authority's SDQ total at or above which a wellbeing target is
    /// asked for.
    pub sdq_threshold: u8,
    /// The same page on the child's previous PEP.
    pub previous: Option<Fields>,
    /// The same page on each of the child's earlier PEPs of this school
    /// year, oldest first (the year's suspensions add up across them).
    pub earlier_this_year: Vec<Fields>,
    /// A list to show one more blank entry in (the "add another" button).
    pub add_entry: Option<String>,
    /// The template page's questions: the authority's question set for
    /// the child's views pages.
    pub questions: Vec<Question>,
    /// The child's school and setting history from the record, oldest
    /// first, for the previous schools page.
    pub school_history: Vec<SchoolSpell>,
    /// Kinds of document already uploaded for this PEP (the support plan,
    /// the EHC plan, the child's views): see [`DocumentKind`].
    pub documents: Vec<DocumentKind>,
}

impl PageContext {
    /// A context with nothing known but the day and the list to grow: for
    /// forms outside a PEP page that use the list blocks.
    pub fn blank(today: NaiveDate, add_entry: Option<String>) -> PageContext {
        PageContext {
            nc_year: NcYear::from_value(0),
            special_school: false,
            initial: false,
            academic_year: AcademicYear::containing(today),
            term: Term::containing(today),
            term_dates: None,
            today,
            sdq_threshold: 17,
            previous: None,
            earlier_this_year: Vec::new(),
            add_entry,
            questions: Vec::new(),
            school_history: Vec::new(),
            documents: Vec::new(),
        }
    }
}

/// A school or setting the record shows the child at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolSpell {
    pub school: String,
    pub from: NaiveDate,
    /// Exclusive: the day the next place started; `None` while current.
    pub until: Option<NaiveDate>,
    pub reason: Option<String>,
}

code_enum! {
    /// What an uploaded document is, as the pages that ask for one know it.
    DocumentKind, "document kind" {
        SupportPlan => "support_plan", "SEN support plan";
        EhcPlan => "ehc_plan", "Education, health and care plan";
        ChildViews => "child_views", "The child's views";
        Other => "other", "Other document";
    }
}

/// The faces of a feelings scale, 1 to 5: (code, face, words).
pub const FACES: [(&str, &str, &str); 5] = [
    ("1", "\u{1F61E}", "Not good"),
    ("2", "\u{1F615}", "Not very good"),
    ("3", "\u{1F610}", "OK"),
    ("4", "\u{1F642}", "Good"),
    ("5", "\u{1F601}", "Great"),
];

/// The kinds this module builds forms for. The others are free-text pages,
/// or pages with their own screens (targets, sign-off, documents).
pub fn is_typed(kind: PageKind) -> bool {
    matches!(
        kind,
        PageKind::Attendance
            | PageKind::PartTimeTimetable
            | PageKind::Exclusions
            | PageKind::PreviousSchools
            | PageKind::Attainment
            | PageKind::Sen
            | PageKind::Careers
            | PageKind::Sdq
            | PageKind::Health
            | PageKind::ChildViews
            | PageKind::CarerViews
            | PageKind::Meeting
    )
}

/// The answers normalised, or what is wrong. `completing`: the editor marks
/// the page completed, so what quality assurance needs must be there.
pub fn check(
    kind: PageKind,
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Option<Result<Fields, Problems>> {
    Some(match kind {
        PageKind::Attendance => attendance::check(fields, ctx, completing),
        PageKind::PartTimeTimetable => part_time::check(fields, ctx, completing),
        PageKind::Exclusions => exclusions::check(fields, ctx, completing),
        PageKind::PreviousSchools => previous_schools::check(fields, ctx, completing),
        PageKind::Attainment => attainment::check(fields, ctx, completing),
        PageKind::Sen => sen::check(fields, ctx, completing),
        PageKind::Careers => careers::check(fields, ctx, completing),
        PageKind::Sdq => sdq::check(fields, ctx, completing),
        PageKind::Health => health::check(fields, ctx, completing),
        PageKind::ChildViews => child_views::check(fields, ctx, completing),
        PageKind::CarerViews => carer_views::check(fields, ctx, completing),
        PageKind::Meeting => meeting_record::check(fields, ctx, completing),
        _ => return None,
    })
}

/// The page's form, filled from `fields` (saved answers, or what was typed).
pub fn layout(kind: PageKind, fields: &Fields, ctx: &PageContext) -> Option<Vec<Block>> {
    Some(match kind {
        PageKind::Attendance => attendance::layout(fields, ctx),
        PageKind::PartTimeTimetable => part_time::layout(fields, ctx),
        PageKind::Exclusions => exclusions::layout(fields, ctx),
        PageKind::PreviousSchools => previous_schools::layout(fields, ctx),
        PageKind::Attainment => attainment::layout(fields, ctx),
        PageKind::Sen => sen::layout(fields, ctx),
        PageKind::Careers => careers::layout(fields, ctx),
        PageKind::Sdq => sdq::layout(fields, ctx),
        PageKind::Health => health::layout(fields, ctx),
        PageKind::ChildViews => child_views::layout(fields, ctx),
        PageKind::CarerViews => carer_views::layout(fields, ctx),
        PageKind::Meeting => meeting_record::layout(fields, ctx),
        _ => return None,
    })
}

/// A target the targets page must hold because of what another page says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// What the target written for it records that it answers:
    /// `prompt_attendance`, `prompt_wellbeing`, `prompt_subject_maths`.
    pub key: String,
    pub title: String,
    /// Why it is asked for, with the figure that raised it.
    pub reason: String,
    /// The area of need a target written for it starts with.
    pub area: crate::targets::AreaOfNeed,
}

impl Prompt {
    /// The title inside a sentence ("Write the {}"): "attendance target",
    /// but a subject keeps its capital ("English target").
    pub fn in_sentence(&self) -> String {
        if self.key.starts_with("prompt_subject_") {
            return self.title.clone();
        }
        let mut chars = self.title.chars();
        chars.next().map_or_else(String::new, |first| first.to_lowercase().chain(chars).collect())
    }
}

/// The pages whose answers can ask for a target.
#[derive(Debug, Clone, Copy, Default)]
pub struct PromptSources<'a> {
    pub attendance: Option<&'a Fields>,
    pub sdq: Option<&'a Fields>,
    pub attainment: Option<&'a Fields>,
    pub sdq_threshold: u8,
}

/// The key of the prompt for an attendance target.
pub const ATTENDANCE_PROMPT: &str = "prompt_attendance";

/// The prompts raised by the PEP's attendance, SDQ and attainment pages:
/// attendance below 90%, an SDQ total at or above the authority's
/// threshold, each subject whose progress is less than good.
pub fn prompts(from: PromptSources<'_>) -> Vec<Prompt> {
    use crate::targets::AreaOfNeed;
    let mut out = Vec::new();
    if let Some(a) = from.attendance.and_then(attendance::Attendance::read)
        && a.below_expected()
    {
        out.push(Prompt {
            key: ATTENDANCE_PROMPT.into(),
            title: "Attendance target".into(),
            reason: format!(
                "Attendance is {} this PEP, below 90%: write a target to improve it.",
                a.percent_text()
            ),
            area: AreaOfNeed::Attendance,
        });
    }
    let threshold = from.sdq_threshold;
    if let Some(s) = from.sdq.and_then(sdq::Sdq::read)
        && s.total() >= u32::from(threshold)
    {
        out.push(Prompt {
            key: "prompt_wellbeing".into(),
            title: "Emotional wellbeing target".into(),
            reason: format!(
                "The SDQ total difficulties score is {}, at or above {threshold}: write a target for the child's emotional wellbeing.",
                s.total()
            ),
            area: AreaOfNeed::Semh,
        });
    }
    for subject in from.attainment.map(attainment::less_than_good).unwrap_or_default() {
        let slug: String = subject
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        out.push(Prompt {
            key: format!("prompt_subject_{slug}"),
            title: format!("{subject} target"),
            reason: format!(
                "Progress in {subject} is less than good: write a target to help the child catch up."
            ),
            area: AreaOfNeed::CognitionLearning,
        });
    }
    out
}

#[cfg(test)]
pub(crate) mod test_context {
    use super::*;

    /// A secondary child's autumn PEP in 2026/27, with the usual term.
    pub fn context() -> PageContext {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        PageContext {
            nc_year: NcYear::from_value(9),
            special_school: false,
            initial: false,
            academic_year: AcademicYear(2026),
            term: Term::Autumn,
            term_dates: Some(TermDates {
                term: Term::Autumn,
                starts_on: d(9, 2),
                ends_on: d(12, 18),
                pep_deadline: d(12, 11),
                delegation_on: d(8, 28),
            }),
            today: d(11, 23),
            sdq_threshold: 17,
            previous: None,
            earlier_this_year: Vec::new(),
            add_entry: None,
            questions: Vec::new(),
            school_history: Vec::new(),
            documents: Vec::new(),
        }
    }

    pub fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }
}
