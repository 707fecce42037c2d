//! The form of one target: what it is, by when, and the actions of the
//! adults (and the child) that will get there.

use chrono::{Months, NaiveDate};

use super::{ActionStep, AreaOfNeed, TargetStatus, TargetText, Who};
use crate::pages::input::{Reader, list, next_index, renumber};
use crate::pages::{Block, Control, FieldSpec, Fields, Opt, Problems, entries};
use crate::{AcademicYear, Term};

/// The list of a target's actions on its form.
pub const ACTIONS: &str = "action";
const ACTION_FIELDS: [&str; 5] = ["who", "who_name", "what", "how_often", "by_when"];

/// The end of a term a target may be due by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermEnd {
    /// `2026:spring`.
    pub code: String,
    pub label: String,
    /// The authority's last day of that term, when it has set its dates.
    pub ends_on: Option<NaiveDate>,
}

/// The PEP's term and the two after it, as ends a target may be due by.
pub fn term_ends(
    year: AcademicYear,
    term: Term,
    ends_on: impl Fn(AcademicYear, Term) -> Option<NaiveDate>,
) -> Vec<TermEnd> {
    let mut out = Vec::new();
    let (mut y, mut t) = (year, term);
    for _ in 0..3 {
        let calendar_year = if t == Term::Autumn { y.0 } else { y.0 + 1 };
        out.push(TermEnd {
            code: format!("{}:{}", y.0, t.code()),
            label: format!("End of the {} term {calendar_year}", t.label().to_lowercase()),
            ends_on: ends_on(y, t),
        });
        (y, t) = match t {
            Term::Autumn => (y, Term::Spring),
            Term::Spring => (y, Term::Summer),
            Term::Summer => (y.next(), Term::Autumn),
        };
    }
    out
}

/// What the form needs beyond its fields.
#[derive(Debug, Clone)]
pub struct TargetContext {
    pub today: NaiveDate,
    pub term_ends: Vec<TermEnd>,
    /// The list to show one more blank entry in ("add another action").
    pub add_entry: Option<String>,
}

/// By when a target is to be met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    On(NaiveDate),
    EndOfTerm(TermEnd),
}

impl Due {
    pub fn label(&self) -> String {
        match self {
            Due::On(date) => crate::pages::uk_date(*date),
            Due::EndOfTerm(end) => end.label.clone(),
        }
    }

    /// The day it falls due, when known: for sorting and the review.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Due::On(date) => Some(*date),
            Due::EndOfTerm(end) => end.ends_on,
        }
    }
}

/// A target as checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTarget {
    pub area: AreaOfNeed,
    pub description: String,
    pub starting_point: String,
    pub success_measure: String,
    pub due: Due,
    pub actions: Vec<ActionStep>,
    pub status: TargetStatus,
}

impl CheckedTarget {
    pub fn text(&self) -> TargetText {
        TargetText {
            area: Some(self.area),
            description: self.description.clone(),
            starting_point: self.starting_point.clone(),
            success_measure: self.success_measure.clone(),
            has_due: true,
            actions: self.actions.clone(),
        }
    }
}

const MAX_ACTIONS: usize = 12;

/// Checks a target's form. A draft needs what it is, its area, by when and
/// an action; agreeing it also needs its starting point and measure.
pub fn check(fields: &Fields, ctx: &TargetContext) -> Result<CheckedTarget, Problems> {
    let mut r = Reader::new(fields);
    let area = r.choice("area", "the area of need", &AreaOfNeed::options());
    r.require(true, "area", "Select the area of need");
    let description = r.long_text("description", "the target");
    r.require(true, "description", "Enter the target");
    let starting_point = r.long_text("starting_point", "the starting point");
    let success_measure = r.long_text("success_measure", "how success will be measured");
    let due = read_due(&mut r, ctx);
    let actions = read_actions(&mut r, fields, ctx);
    let status = r.choice("status", "whether the target is agreed", &TargetStatus::options());
    let status = status.and_then(|s| TargetStatus::from_code(&s)).unwrap_or(TargetStatus::Draft);
    if status == TargetStatus::Agreed {
        r.require(
            true,
            "starting_point",
            "Enter the starting point before marking the target agreed",
        );
        r.require(
            true,
            "success_measure",
            "Enter how success will be measured before marking the target agreed",
        );
    }
    let problems = std::mem::take(&mut r.problems);
    match (area.and_then(|a| AreaOfNeed::from_code(&a)), due) {
        (Some(area), Some(due)) if problems.is_empty() => Ok(CheckedTarget {
            area,
            description,
            starting_point,
            success_measure,
            due,
            actions,
            status,
        }),
        _ => Err(problems),
    }
}

fn read_due(r: &mut Reader, ctx: &TargetContext) -> Option<Due> {
    let kinds = Opt::pairs(&[("term", "By the end of a term"), ("date", "By a date")]);
    let kind = r.choice("due_kind", "by when", &kinds);
    let ends: Vec<Opt> = ctx.term_ends.iter().map(|e| Opt::new(&e.code, &e.label)).collect();
    let term = r.choice("due_term", "the term", &ends);
    let date = r.date("due_date", "the date the target is due");
    match kind.as_deref() {
        Some("term") => {
            let end = term.and_then(|code| ctx.term_ends.iter().find(|e| e.code == code));
            if end.is_none() {
                r.require(true, "due_term", "Select the term the target is due by");
            }
            end.cloned().map(Due::EndOfTerm)
        }
        Some("date") => {
            r.require(true, "due_date", "Enter the date the target is due");
            let latest = ctx.today.checked_add_months(Months::new(18)).unwrap_or(ctx.today);
            match date {
                Some(d) if d < ctx.today => {
                    r.problem("due_date", "The date the target is due must be today or later");
                    None
                }
                Some(d) if d > latest => {
                    r.problem("due_date", "The date the target is due must be within 18 months");
                    None
                }
                other => other.map(Due::On),
            }
        }
        _ => {
            r.require(true, "due_kind", "Select by when the target is to be met");
            None
        }
    }
}

fn read_actions(r: &mut Reader, fields: &Fields, ctx: &TargetContext) -> Vec<ActionStep> {
    let sent = entries(fields, ACTIONS);
    let mut actions = Vec::new();
    for (saved, (index, _)) in sent.iter().enumerate() {
        let name = |field: &str| crate::pages::entry_name(ACTIONS, *index, field);
        let n = saved + 1;
        let who = r.choice(&name("who"), &format!("who takes action {n}"), &Who::options());
        let who_name = r.text(&name("who_name"), &format!("the name in action {n}"));
        let what = r.long_text(&name("what"), &format!("what action {n} is"));
        let how_often = r.text(&name("how_often"), &format!("how often action {n} happens"));
        let by_when = r.date(&name("by_when"), &format!("the date action {n} is done by"));
        if who.is_none() && !r.problems.has(&name("who")) {
            r.problem(&name("who"), format!("Select who takes action {n}"));
        }
        if who.as_deref() == Some(Who::OtherPerson.code()) && who_name.is_empty() {
            r.problem(&name("who_name"), format!("Enter the name of who takes action {n}"));
        }
        if what.trim().is_empty() {
            r.problem(&name("what"), format!("Enter what action {n} is"));
        }
        if let Some(date) = by_when
            && date < ctx.today
        {
            r.problem(
                &name("by_when"),
                format!("The date action {n} is done by must be today or later"),
            );
        }
        renumber(&mut r.out, ACTIONS, *index, saved, &ACTION_FIELDS);
        actions.push(ActionStep {
            who: who.unwrap_or_default(),
            who_name,
            what,
            how_often,
            by_when,
        });
    }
    if actions.is_empty() {
        r.problem(
            ACTIONS,
            "Add at least one action: who will do what to help the child meet the target",
        );
    }
    if actions.len() > MAX_ACTIONS {
        r.problem(ACTIONS, format!("A target can have at most {MAX_ACTIONS} actions"));
    }
    actions
}

/// The form's fields for a stored target, to edit it.
pub fn fields_of(target: &CheckedTarget) -> Fields {
    let mut f = Fields::new();
    let mut put = |k: String, v: String| {
        f.insert(k, v);
    };
    put("area".into(), target.area.code().into());
    put("description".into(), target.description.clone());
    put("starting_point".into(), target.starting_point.clone());
    put("success_measure".into(), target.success_measure.clone());
    match &target.due {
        Due::On(date) => {
            put("due_kind".into(), "date".into());
            put("due_date".into(), date.format("%Y-%m-%d").to_string());
        }
        Due::EndOfTerm(end) => {
            put("due_kind".into(), "term".into());
            put("due_term".into(), end.code.clone());
        }
    }
    for (i, a) in target.actions.iter().enumerate() {
        let name = |field: &str| crate::pages::entry_name(ACTIONS, i, field);
        put(name("who"), a.who.clone());
        put(name("who_name"), a.who_name.clone());
        put(name("what"), a.what.clone());
        put(name("how_often"), a.how_often.clone());
        put(
            name("by_when"),
            a.by_when.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        );
    }
    put("status".into(), target.status.code().into());
    f
}

/// The target's form as blocks.
pub fn layout(fields: &Fields, ctx: &TargetContext) -> Vec<Block> {
    let ends: Vec<Opt> = ctx.term_ends.iter().map(|e| Opt::new(&e.code, &e.label)).collect();
    let mut blocks = vec![
        Block::field(FieldSpec::new(
            "area",
            "Area of need",
            Control::Select(Opt::with_prompt("Select an area", AreaOfNeed::options())),
        )),
        Block::field(FieldSpec::new("description", "The target", Control::LongText).hint(
            "What the adults will help the child achieve, written so that anyone can tell \
                 when it has been met. Use the child's name.",
        )),
        Block::field(
            FieldSpec::new("starting_point", "Starting point", Control::LongText)
                .hint("Where the child is now: a score, a level, how often something happens."),
        ),
        Block::field(
            FieldSpec::new("success_measure", "How success will be measured", Control::LongText)
                .hint("The number, score or change that will show the target has been met."),
        ),
        Block::field(FieldSpec::new(
            "due_kind",
            "By when",
            Control::Radios(Opt::pairs(&[("term", "By the end of a term"), ("date", "By a date")])),
        )),
        Block::Reveal {
            field: "due_kind".into(),
            value: "term".into(),
            blocks: vec![Block::field(FieldSpec::new(
                "due_term",
                "Which term",
                Control::Radios(ends),
            ))],
        },
        Block::Reveal {
            field: "due_kind".into(),
            value: "date".into(),
            blocks: vec![Block::field(
                FieldSpec::new("due_date", "Date", Control::Date).hint("For example, 27 3 2027"),
            )],
        },
        Block::Heading {
            text: "Actions".into(),
            hint: Some(
                "Who will do what, how often and by when. Name the adults: a target is not a \
                 list of jobs for the child."
                    .into(),
            ),
        },
    ];
    let page_ctx = list_context(ctx);
    blocks.extend(list(
        fields,
        &page_ctx,
        ACTIONS,
        "Action",
        true,
        |i| {
            let name = |field: &str| crate::pages::entry_name(ACTIONS, i, field);
            vec![
                FieldSpec::new(
                    name("who"),
                    "Who",
                    Control::Select(Opt::with_prompt("Select who", Who::options())),
                ),
                FieldSpec::new(name("who_name"), "Their name or role (optional)", Control::Text)
                    .hint("Needed when you chose someone else."),
                FieldSpec::new(name("what"), "What they will do", Control::LongText),
                FieldSpec::new(name("how_often"), "How often (optional)", Control::Text)
                    .hint("For example, three times a week"),
                FieldSpec::new(name("by_when"), "By when (optional)", Control::Date),
            ]
        },
        ("Add an action", "Add another action"),
    ));
    blocks.push(Block::field(FieldSpec::new(
        "status",
        "Has the PEP meeting agreed this target?",
        Control::Radios(Opt::pairs(&[
            ("draft", "Not yet: it is a draft for the meeting"),
            ("agreed", "Yes, it was agreed at the meeting"),
        ])),
    )));
    blocks
}

/// `list` reads the "add another" request from a page context.
fn list_context(ctx: &TargetContext) -> crate::pages::PageContext {
    crate::pages::PageContext::blank(ctx.today, ctx.add_entry.clone())
}

/// The index a new action would take: for "add another" without losing
/// what was typed.
pub fn next_action_index(fields: &Fields) -> usize {
    next_index(fields, ACTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::fields;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ctx() -> TargetContext {
        TargetContext {
            today: d(2026, 11, 23),
            term_ends: term_ends(AcademicYear(2026), Term::Autumn, |y, t| {
                (y.0 == 2026 && t == Term::Spring).then(|| d(2027, 3, 26))
            }),
            add_entry: None,
        }
    }

    fn good() -> Vec<(&'static str, &'static str)> {
        vec![
            ("area", "cognition_learning"),
            (
                "description",
                "Ana will read aloud to her carer for 10 minutes five evenings a week.",
            ),
            ("starting_point", "Reading age 7y 2m"),
            ("success_measure", "Reading age 7y 8m on the spring test"),
            ("due_kind", "term"),
            ("due_term", "2026:spring"),
            ("action_0_who", "carer"),
            ("action_0_what", "Listen to Ana read and sign her reading record"),
            ("action_0_how_often", "Five evenings a week"),
            ("status", "agreed"),
        ]
    }

    #[test]
    fn term_ends_run_into_the_next_year() {
        let ends = ctx().term_ends;
        let labels: Vec<&str> = ends.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "End of the autumn term 2026",
                "End of the spring term 2027",
                "End of the summer term 2027"
            ]
        );
        assert_eq!(ends[1].ends_on, Some(d(2027, 3, 26)));
        let summer = term_ends(AcademicYear(2026), Term::Summer, |_, _| None);
        assert_eq!(summer[1].code, "2027:autumn");
    }

    #[test]
    fn a_good_target_is_checked_and_round_trips() {
        let target = check(&fields(&good()), &ctx()).unwrap();
        assert_eq!(target.area, AreaOfNeed::CognitionLearning);
        assert_eq!(target.status, TargetStatus::Agreed);
        assert_eq!(target.due.date(), Some(d(2027, 3, 26)));
        assert_eq!(target.due.label(), "End of the spring term 2027");
        assert_eq!(target.actions.len(), 1);
        assert_eq!(target.actions[0].who(), Some(Who::Carer));
        let again = check(&fields_of(&target), &ctx()).unwrap();
        assert_eq!(again, target);
    }

    #[test]
    fn a_target_needs_an_action() {
        let pairs: Vec<_> = good().into_iter().filter(|(k, _)| !k.starts_with("action")).collect();
        let problems = check(&fields(&pairs), &ctx()).unwrap_err();
        assert_eq!(
            problems.message("action"),
            Some("Add at least one action: who will do what to help the child meet the target")
        );
        let mut removed = good();
        removed.push(("action_0_remove", "yes"));
        assert!(check(&fields(&removed), &ctx()).unwrap_err().has("action"));
    }

    #[test]
    fn an_action_names_who_and_what() {
        let mut pairs = good();
        pairs.extend([("action_3_who", "other"), ("action_3_how_often", "weekly")]);
        let problems = check(&fields(&pairs), &ctx()).unwrap_err();
        assert_eq!(
            problems.message("action_3_who_name"),
            Some("Enter the name of who takes action 2")
        );
        assert_eq!(problems.message("action_3_what"), Some("Enter what action 2 is"));
        let mut no_who = good();
        no_who.retain(|(k, _)| *k != "action_0_who");
        let problems = check(&fields(&no_who), &ctx()).unwrap_err();
        assert_eq!(problems.message("action_0_who"), Some("Select who takes action 1"));
    }

    #[test]
    fn by_when_is_a_term_or_a_date_from_today() {
        let with = |changes: &[(&'static str, &'static str)]| {
            let mut pairs = good();
            pairs.retain(|(k, _)| !changes.iter().any(|(c, _)| c == k));
            pairs.extend_from_slice(changes);
            check(&fields(&pairs), &ctx())
        };
        assert_eq!(
            with(&[("due_kind", "")]).unwrap_err().message("due_kind"),
            Some("Select by when the target is to be met")
        );
        assert_eq!(
            with(&[("due_kind", "date"), ("due_date", "")]).unwrap_err().message("due_date"),
            Some("Enter the date the target is due")
        );
        assert_eq!(
            with(&[("due_kind", "date"), ("due_date", "22/11/2026")])
                .unwrap_err()
                .message("due_date"),
            Some("The date the target is due must be today or later")
        );
        assert!(with(&[("due_kind", "date"), ("due_date", "31/06/2027")]).is_err());
        let on = with(&[("due_kind", "date"), ("due_date", "23/11/2026")]).unwrap();
        assert_eq!(on.due, Due::On(d(2026, 11, 23)));
        assert!(with(&[("due_term", "2030:autumn")]).unwrap_err().has("due_term"));
    }

    #[test]
    fn a_draft_may_leave_the_measure_for_the_meeting() {
        let mut pairs = good();
        pairs.retain(|(k, _)| !matches!(*k, "success_measure" | "starting_point" | "status"));
        let draft = check(&fields(&pairs), &ctx()).unwrap();
        assert_eq!(draft.status, TargetStatus::Draft);
        pairs.push(("status", "agreed"));
        let problems = check(&fields(&pairs), &ctx()).unwrap_err();
        assert!(problems.has("success_measure") && problems.has("starting_point"));
    }

    #[test]
    fn the_form_lays_out_one_blank_action_and_another_on_request() {
        let blocks = layout(&Fields::new(), &ctx());
        let entries = |b: &[Block]| b.iter().filter(|b| matches!(b, Block::Entry { .. })).count();
        assert_eq!(entries(&blocks), 1);
        let more = TargetContext { add_entry: Some(ACTIONS.into()), ..ctx() };
        assert_eq!(entries(&layout(&fields(&good()), &more)), 2);
    }
}
