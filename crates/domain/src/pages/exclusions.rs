//! Suspensions, removals from class and exclusions since the last PEP.
//! Each suspension records the sessions missed (two a school day; a
//! lunchtime is one) and what education was provided meanwhile. The days
//! suspended this school year are added up across this PEP and the last,
//! against the limit of 45 school days a school year. A permanent
//! exclusion is told to the Virtual School when it is first saved.

use chrono::{Datelike, NaiveDate, Weekday};

use super::input::{Reader, list, number_text, parse_date};
use super::{
    Block, Control, FieldSpec, Fields, Opt, PageContext, Problems, Tone, entries, entry_name,
    uk_date,
};

/// The most sessions one suspension can record: 45 school days.
const MAX_SESSIONS: u32 = 90;

/// Days suspended in a school year from which the page warns.
const WARN_DAYS: f64 = 35.0;

/// The most school days a pupil may be suspended for in a school year.
const LIMIT_DAYS: f64 = 45.0;

const SUSPENSION: &str = "suspension";
const SUSPENSION_FIELDS: [&str; 6] =
    ["start", "end", "lunchtime", "sessions", "reason", "provision"];

const REMOVAL: &str = "removal";
const REMOVAL_FIELDS: [&str; 4] = ["date", "length", "reason", "support"];

const PERMANENT_FIELDS: [&str; 4] =
    ["permanent", "permanent_date", "permanent_reason", "permanent_notes"];

/// The DfE's categories of reason for a suspension or exclusion: (code,
/// label).
const REASONS: [(&str, &str); 16] = [
    ("assault_pupil", "Physical assault against a pupil"),
    ("assault_adult", "Physical assault against an adult"),
    ("abuse_pupil", "Verbal abuse or threatening behaviour against a pupil"),
    ("abuse_adult", "Verbal abuse or threatening behaviour against an adult"),
    ("weapon", "Use or threat of use of an offensive weapon or prohibited item"),
    ("bullying", "Bullying"),
    ("racist", "Racist abuse"),
    ("sexual_orientation_gender", "Abuse against sexual orientation or gender identity"),
    ("disability", "Abuse relating to disability"),
    ("sexual_misconduct", "Sexual misconduct"),
    ("drugs_alcohol", "Drug and alcohol related"),
    ("damage", "Damage"),
    ("theft", "Theft"),
    ("online", "Inappropriate use of social media or online technology"),
    ("disruption", "Persistent or general disruptive behaviour"),
    ("other", "Other"),
];

fn reasons() -> Vec<Opt> {
    Opt::pairs(&REASONS)
}

/// The reasons with a first empty choice, for a select.
fn reason_select() -> Control {
    Control::Select(Opt::with_prompt("Select a reason", reasons()))
}

/// The page answers "no" to any suspensions: its lists do not count.
fn answered_no(fields: &Fields) -> bool {
    fields.get("any").is_some_and(|v| v.trim().eq_ignore_ascii_case("no"))
}

/// The child has been permanently excluded, by the page's answers: the
/// service tells the Virtual School when this first becomes true.
pub fn permanently_excluded(fields: &Fields) -> bool {
    !answered_no(fields)
        && fields.get("permanent").is_some_and(|v| v.trim().eq_ignore_ascii_case("yes"))
}

/// The suspensions a page records that have a start date: (start,
/// sessions missed).
pub fn suspensions(fields: &Fields) -> Vec<(NaiveDate, u32)> {
    if answered_no(fields) {
        return Vec::new();
    }
    entries(fields, SUSPENSION)
        .into_iter()
        .filter_map(|(_, e)| {
            let start = parse_date(e.get("start").map_or("", String::as_str)).ok().flatten()?;
            let sessions =
                e.get("sessions").and_then(|s| s.trim().parse::<u32>().ok()).unwrap_or(0);
            Some((start, sessions))
        })
        .collect()
}

/// The suspensions that started in the PEP's school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct YearTotal {
    sessions: u32,
    /// Suspensions counted from earlier PEPs and not on this page.
    from_earlier: usize,
    /// How many earlier PEPs they came from.
    earlier_peps: usize,
}

impl YearTotal {
    fn days(self) -> f64 {
        f64::from(self.sessions) / 2.0
    }
}

/// This page's suspensions in the school year, and those of the year's
/// earlier PEPs, each counted once by its start date: a page records the
/// suspensions since the PEP before it.
fn year_total(fields: &Fields, ctx: &PageContext) -> YearTotal {
    let in_year = |d: &NaiveDate| ctx.academic_year.contains(*d);
    let mut counted: Vec<NaiveDate> = Vec::new();
    let mut total = YearTotal::default();
    for (start, sessions) in suspensions(fields).into_iter().filter(|(d, _)| in_year(d)) {
        counted.push(start);
        total.sessions = total.sessions.saturating_add(sessions);
    }
    for earlier in ctx.earlier_this_year.iter().rev() {
        let before = total.from_earlier;
        for (start, sessions) in suspensions(earlier).into_iter().filter(|(d, _)| in_year(d)) {
            if !counted.contains(&start) {
                counted.push(start);
                total.sessions = total.sessions.saturating_add(sessions);
                total.from_earlier += 1;
            }
        }
        if total.from_earlier > before {
            total.earlier_peps += 1;
        }
    }
    total
}

/// Days suspended in the PEP's school year, half a day a session.
pub fn days_suspended(fields: &Fields, ctx: &PageContext) -> f64 {
    year_total(fields, ctx).days()
}

/// `6.5 days`, `1 day`.
fn days_text(days: f64) -> String {
    let n = number_text(days);
    if n == "1" { "1 day".to_owned() } else { format!("{n} days") }
}

/// The school days, Monday to Friday, from `start` to `end` inclusive, up
/// to a year's worth.
fn weekdays(start: NaiveDate, end: NaiveDate) -> u32 {
    let days = start
        .iter_days()
        .take_while(|d| *d <= end)
        .take(366)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count();
    u32::try_from(days).unwrap_or(u32::MAX)
}

/// `on 6 October 2026`, `from 6 to 7 October 2026`, `from 30 September to
/// 2 October 2026`, `from 18 December 2026 to 5 January 2027`.
fn range_text(start: NaiveDate, end: NaiveDate) -> String {
    if start == end {
        format!("on {}", uk_date(start))
    } else if start.year() != end.year() {
        format!("from {} to {}", uk_date(start), uk_date(end))
    } else if start.month() != end.month() {
        format!("from {} to {}", start.format("%-d %B"), uk_date(end))
    } else {
        format!("from {} to {}", start.day(), uk_date(end))
    }
}

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    let any = r.yes_no(
        "any",
        "whether the child has had any suspensions, removals from class or exclusions",
    );
    r.require(
        completing,
        "any",
        "Select yes if the child has had any suspensions, removals from class or exclusions \
         since the last PEP",
    );
    if any == Some(false) {
        // Nothing to record: lists and the permanent exclusion are not kept.
        for name in PERMANENT_FIELDS {
            r.out.insert(name.to_owned(), String::new());
        }
        return r.finish();
    }

    let suspension_count = check_suspensions(&mut r, fields, completing);
    let removal_count = check_removals(&mut r, fields, ctx, completing);

    let permanent = r.yes_no("permanent", "whether the child has been permanently excluded");
    if permanent == Some(false) {
        for name in &PERMANENT_FIELDS[1..] {
            r.out.insert((*name).to_owned(), String::new());
        }
    } else {
        r.date("permanent_date", "the date of the permanent exclusion");
        r.choice("permanent_reason", "the reason for the permanent exclusion", &reasons());
        r.long_text("permanent_notes", "what happens next");
    }

    if any == Some(true) {
        if completing && suspension_count == 0 && removal_count == 0 && permanent != Some(true) {
            r.problem("any", "Add the suspension, removal from class or exclusion, or answer no");
        }
        r.require(completing, "permanent", "Select yes if the child has been permanently excluded");
    }
    if permanent == Some(true) {
        r.require(completing, "permanent_date", "Enter the date of the permanent exclusion");
        r.require(completing, "permanent_reason", "Select the reason for the permanent exclusion");
    }
    r.finish()
}

/// Reads the suspensions, renumbered from 0; how many there are.
fn check_suspensions(r: &mut Reader<'_>, fields: &Fields, completing: bool) -> usize {
    let options = reasons();
    let mut starts: Vec<NaiveDate> = Vec::new();
    let sent = entries(fields, SUSPENSION);
    for (saved, (i, _)) in sent.iter().enumerate() {
        let name = |field: &str| entry_name(SUSPENSION, *i, field);
        let start = r.date(&name("start"), "the start date");
        let end = r.date(&name("end"), "the end date");
        let lunchtime = r.yes_no(&name("lunchtime"), "whether this was a lunchtime suspension");
        let sessions = r.whole(&name("sessions"), "sessions missed", MAX_SESSIONS);
        r.choice(&name("reason"), "the reason for the suspension", &options);
        r.long_text(&name("provision"), "the education and support provided");

        if sessions == Some(0) {
            r.problem(&name("sessions"), "Sessions missed must be 1 or more");
        }
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                r.problem(&name("end"), "The end date must be the same as or after the start date");
            } else {
                // A lunchtime is one session a day; otherwise two.
                let per_day = if lunchtime == Some(true) { 1 } else { 2 };
                let most = weekdays(start, end).saturating_mul(per_day);
                if most == 0 {
                    r.problem(
                        &name("start"),
                        "A suspension must include a school day, Monday to Friday",
                    );
                } else if sessions.is_some_and(|n| n > most) {
                    r.problem(
                        &name("sessions"),
                        format!(
                            "A suspension {} can be at most {most} sessions",
                            range_text(start, end)
                        ),
                    );
                }
            }
        }
        if let Some(start) = start {
            if starts.contains(&start) {
                r.problem(
                    &name("start"),
                    format!("A suspension starting on {} is already recorded", uk_date(start)),
                );
            } else {
                starts.push(start);
            }
        }
        for (field, message) in [
            ("start", "Enter the start date of the suspension"),
            ("end", "Enter the end date of the suspension"),
            ("sessions", "Enter the number of sessions missed"),
            ("reason", "Select the reason for the suspension"),
            ("provision", "Enter the education and support provided during the suspension"),
        ] {
            r.require(completing, &name(field), message);
        }
        super::input::renumber(&mut r.out, SUSPENSION, *i, saved, &SUSPENSION_FIELDS);
    }
    sent.len()
}

/// Reads the removals from class, renumbered from 0; how many there are.
fn check_removals(
    r: &mut Reader<'_>,
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> usize {
    let sent = entries(fields, REMOVAL);
    for (saved, (i, _)) in sent.iter().enumerate() {
        let name = |field: &str| entry_name(REMOVAL, *i, field);
        let date = r.date(&name("date"), "the date of the removal");
        r.text(&name("length"), "how long it lasted");
        r.text(&name("reason"), "the reason");
        r.long_text(&name("support"), "the support given");
        if date.is_some_and(|d| d > ctx.today) {
            r.problem(&name("date"), "The date of the removal must be today or in the past");
        }
        r.require(completing, &name("date"), "Enter the date of the removal from class");
        r.require(completing, &name("reason"), "Enter the reason for the removal from class");
        super::input::renumber(&mut r.out, REMOVAL, *i, saved, &REMOVAL_FIELDS);
    }
    sent.len()
}

fn suspension_specs(i: usize) -> Vec<FieldSpec> {
    let name = |field: &str| entry_name(SUSPENSION, i, field);
    vec![
        FieldSpec::new(name("start"), "First day of the suspension", Control::Date)
            .hint("For example, 6 10 2026"),
        FieldSpec::new(name("end"), "Last day of the suspension", Control::Date),
        FieldSpec::new(name("lunchtime"), "Was this a lunchtime suspension?", Control::YesNo),
        FieldSpec::new(name("sessions"), "Sessions missed", Control::WholeNumber).hint(
            "A school day has two sessions, morning and afternoon. \
             Each lunchtime counts as one session, half a day",
        ),
        FieldSpec::new(name("reason"), "Reason", reason_select()),
        FieldSpec::new(
            name("provision"),
            "Education and support provided during the suspension",
            Control::LongText,
        )
        .hint(
            "Work set and marked, and who kept in touch with the child. From the sixth school \
             day of a suspension the school must arrange full-time education",
        ),
    ]
}

fn removal_specs(i: usize) -> Vec<FieldSpec> {
    let name = |field: &str| entry_name(REMOVAL, i, field);
    vec![
        FieldSpec::new(name("date"), "Date", Control::Date),
        FieldSpec::new(name("length"), "How long it lasted", Control::Text)
            .hint("For example, two lessons or the rest of the day"),
        FieldSpec::new(name("reason"), "Reason", Control::Text),
        FieldSpec::new(name("support"), "Support given", Control::LongText)
            .hint("Where the child went, what they did and who was with them"),
    ]
}

pub(super) fn layout(fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let mut blocks = vec![Block::Field(FieldSpec::new(
        "any",
        "Has the child had any suspensions, removals from class or exclusions since the last PEP?",
        Control::YesNo,
    ))];
    blocks.push(Block::Heading {
        text: "Suspensions".to_owned(),
        hint: Some(
            "Suspensions used to be called fixed-term exclusions. Record each one, \
             including lunchtime suspensions"
                .to_owned(),
        ),
    });
    blocks.extend(list(
        fields,
        ctx,
        SUSPENSION,
        "Suspension",
        true,
        suspension_specs,
        ("Add a suspension", "Add another suspension"),
    ));
    blocks.push(Block::Heading {
        text: "Removals from class and internal exclusions".to_owned(),
        hint: Some(
            "Times the child was taken out of lessons and taught or supervised elsewhere in school"
                .to_owned(),
        ),
    });
    blocks.extend(list(
        fields,
        ctx,
        REMOVAL,
        "Removal from class",
        false,
        removal_specs,
        ("Add a removal from class", "Add another removal from class"),
    ));
    blocks.extend([
        Block::Heading { text: "Permanent exclusion".to_owned(), hint: None },
        Block::Field(FieldSpec::new(
            "permanent",
            "Has the child been permanently excluded?",
            Control::YesNo,
        )),
        Block::Field(FieldSpec::new(
            "permanent_date",
            "Date of the permanent exclusion",
            Control::Date,
        )),
        Block::Field(FieldSpec::new("permanent_reason", "Reason", reason_select())),
        Block::Field(
            FieldSpec::new(
                "permanent_notes",
                "What happens next for the child's education",
                Control::LongText,
            )
            .hint("Where the child will be taught from the sixth school day, and who arranges it"),
        ),
    ]);

    let total = year_total(fields, ctx);
    let days = total.days();
    if total.sessions > 0 {
        let tone = if days > LIMIT_DAYS {
            Tone::Bad
        } else if days >= WARN_DAYS {
            Tone::Warning
        } else {
            Tone::Neutral
        };
        blocks.push(Block::Figure {
            label: "Days suspended this school year".to_owned(),
            value: days_text(days),
            tone,
        });
        if total.from_earlier > 0 {
            let which = if total.from_earlier == 1 {
                "1 suspension".to_owned()
            } else {
                format!("{} suspensions", total.from_earlier)
            };
            let on = if total.earlier_peps == 1 { "the last PEP" } else { "earlier PEPs" };
            blocks.push(Block::Paragraph(format!(
                "This includes {which} this school year recorded on {on}."
            )));
        }
        if days > LIMIT_DAYS {
            blocks.push(Block::Alert {
                text: format!(
                    "The child has been suspended for {} this school year: this is more than \
                     the 45 school days a pupil may be suspended for in a school year",
                    days_text(days)
                ),
                tone: Tone::Bad,
            });
        } else if days >= WARN_DAYS {
            blocks.push(Block::Alert {
                text: format!(
                    "The child has been suspended for {} this school year: a pupil may be \
                     suspended for no more than 45 school days in a school year",
                    days_text(days)
                ),
                tone: Tone::Warning,
            });
        }
    }
    if permanently_excluded(fields) {
        blocks.push(Block::Alert {
            text: "A permanent exclusion is recorded: the Virtual School is told as soon as the \
                   page is saved"
                .to_owned(),
            tone: Tone::Bad,
        });
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};

    fn suspension(i: usize, start: &str, end: &str, sessions: &str) -> Vec<(String, String)> {
        let n = |f: &str| entry_name(SUSPENSION, i, f);
        vec![
            (n("start"), start.to_owned()),
            (n("end"), end.to_owned()),
            (n("lunchtime"), "no".to_owned()),
            (n("sessions"), sessions.to_owned()),
            (n("reason"), "disruption".to_owned()),
            (n("provision"), "Work sent home and marked".to_owned()),
        ]
    }

    fn page(any: &str, entries: Vec<Vec<(String, String)>>) -> Fields {
        let mut f = fields(&[("any", any), ("permanent", "no")]);
        f.extend(entries.into_iter().flatten());
        f
    }

    fn alerts(blocks: &[Block]) -> Vec<(String, Tone)> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Alert { text, tone } => Some((text.clone(), *tone)),
                _ => None,
            })
            .collect()
    }

    fn figure(blocks: &[Block]) -> Option<(String, Tone)> {
        blocks.iter().find_map(|b| match b {
            Block::Figure { label, value, tone } if label == "Days suspended this school year" => {
                Some((value.clone(), *tone))
            }
            _ => None,
        })
    }

    #[test]
    fn suspensions_are_saved_renumbered_and_normalised() {
        let mut f = page(
            "yes",
            vec![
                suspension(2, "6/10/2026", "7/10/2026", "4"),
                suspension(5, "2026-11-02", "2026-11-02", "1"),
            ],
        );
        f.insert("removal_3_date".into(), "12/10/2026".into());
        f.insert("removal_3_reason".into(), "Refused to follow instructions".into());
        f.insert("suspension_4_start".into(), " ".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["suspension_0_start"], "2026-10-06");
        assert_eq!(out["suspension_0_end"], "2026-10-07");
        assert_eq!(out["suspension_0_sessions"], "4");
        assert_eq!(out["suspension_1_start"], "2026-11-02");
        assert_eq!(out["removal_0_date"], "2026-10-12");
        assert_eq!(out["removal_0_length"], "");
        assert!(!out.keys().any(|k| k.starts_with("suspension_2") || k.starts_with("removal_3")));
        assert_eq!(out["permanent_date"], "");
    }

    #[test]
    fn no_drops_the_lists_and_the_permanent_exclusion() {
        let mut f = page("no", vec![suspension(0, "6/10/2026", "7/10/2026", "99")]);
        f.insert("permanent".into(), "yes".into());
        f.insert("removal_0_date".into(), "nonsense".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(
            out,
            fields(&[
                ("any", "no"),
                ("permanent", ""),
                ("permanent_date", ""),
                ("permanent_reason", ""),
                ("permanent_notes", ""),
            ])
        );
        assert!(!permanently_excluded(&f));
        assert_eq!(days_suspended(&f, &context()), 0.0);
    }

    #[test]
    fn sessions_are_at_most_two_a_weekday() {
        // Tuesday 6 to Wednesday 7 October.
        let f = page("yes", vec![suspension(0, "6/10/2026", "7/10/2026", "5")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("suspension_0_sessions"),
            Some("A suspension from 6 to 7 October 2026 can be at most 4 sessions")
        );
        // Friday 2 to Monday 5 October: two school days.
        let f = page("yes", vec![suspension(1, "2/10/2026", "5/10/2026", "5")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("suspension_1_sessions"),
            Some("A suspension from 2 to 5 October 2026 can be at most 4 sessions")
        );
        let f = page("yes", vec![suspension(0, "30/9/2026", "1/10/2026", "5")]);
        assert_eq!(
            check(&f, &context(), false).unwrap_err().message("suspension_0_sessions"),
            Some("A suspension from 30 September to 1 October 2026 can be at most 4 sessions")
        );
        let f = page("yes", vec![suspension(0, "6/10/2026", "6/10/2026", "3")]);
        assert_eq!(
            check(&f, &context(), false).unwrap_err().message("suspension_0_sessions"),
            Some("A suspension on 6 October 2026 can be at most 2 sessions")
        );
        let f = page("yes", vec![suspension(0, "31/12/2025", "2/1/2026", "7")]);
        assert_eq!(
            check(&f, &context(), false).unwrap_err().message("suspension_0_sessions"),
            Some("A suspension from 31 December 2025 to 2 January 2026 can be at most 6 sessions")
        );
        let f = page("yes", vec![suspension(0, "6/10/2026", "7/10/2026", "4")]);
        assert!(check(&f, &context(), true).is_ok());
        // Only a weekend.
        let f = page("yes", vec![suspension(0, "10/10/2026", "11/10/2026", "1")]);
        assert_eq!(
            check(&f, &context(), false).unwrap_err().message("suspension_0_start"),
            Some("A suspension must include a school day, Monday to Friday")
        );
    }

    #[test]
    fn bad_suspensions_are_refused_with_what_is_wrong() {
        let mut f = page("yes", vec![suspension(0, "7/10/2026", "6/10/2026", "0")]);
        f.insert("suspension_0_reason".into(), "being cheeky".into());
        f.insert("suspension_0_lunchtime".into(), "maybe".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("suspension_0_end"),
            Some("The end date must be the same as or after the start date")
        );
        assert_eq!(p.message("suspension_0_sessions"), Some("Sessions missed must be 1 or more"));
        assert_eq!(
            p.message("suspension_0_reason"),
            Some("Select the reason for the suspension from the list")
        );
        assert_eq!(
            p.message("suspension_0_lunchtime"),
            Some("Select yes or no for whether this was a lunchtime suspension")
        );
        let f = page("yes", vec![suspension(0, "6/10/2026", "30/11/2026", "91")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(p.message("suspension_0_sessions"), Some("Sessions missed must be 90 or fewer"));
    }

    #[test]
    fn a_second_suspension_with_the_same_start_is_refused() {
        let f = page(
            "yes",
            vec![
                suspension(0, "6/10/2026", "6/10/2026", "2"),
                suspension(1, "2026-10-06", "2026-10-07", "4"),
            ],
        );
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.0,
            vec![(
                "suspension_1_start".to_owned(),
                "A suspension starting on 6 October 2026 is already recorded".to_owned()
            )]
        );
    }

    #[test]
    fn completing_needs_each_entry_and_the_permanent_answer() {
        let f = fields(&[
            ("any", "yes"),
            ("suspension_0_lunchtime", "yes"),
            ("removal_1_length", "One lesson"),
        ]);
        assert!(check(&f, &context(), false).is_ok());
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.0,
            vec![
                (
                    "suspension_0_start".to_owned(),
                    "Enter the start date of the suspension".to_owned()
                ),
                ("suspension_0_end".to_owned(), "Enter the end date of the suspension".to_owned()),
                (
                    "suspension_0_sessions".to_owned(),
                    "Enter the number of sessions missed".to_owned()
                ),
                (
                    "suspension_0_reason".to_owned(),
                    "Select the reason for the suspension".to_owned()
                ),
                (
                    "suspension_0_provision".to_owned(),
                    "Enter the education and support provided during the suspension".to_owned()
                ),
                (
                    "removal_1_date".to_owned(),
                    "Enter the date of the removal from class".to_owned()
                ),
                (
                    "removal_1_reason".to_owned(),
                    "Enter the reason for the removal from class".to_owned()
                ),
                (
                    "permanent".to_owned(),
                    "Select yes if the child has been permanently excluded".to_owned()
                ),
            ]
        );
        let p = check(&fields(&[]), &context(), true).unwrap_err();
        assert_eq!(
            p.0,
            vec![(
                "any".to_owned(),
                "Select yes if the child has had any suspensions, removals from class or exclusions since the last PEP"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn yes_needs_something_recorded() {
        let f = page("yes", vec![]);
        assert!(check(&f, &context(), false).is_ok());
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.message("any"),
            Some("Add the suspension, removal from class or exclusion, or answer no")
        );
        let mut f = page("yes", vec![]);
        f.insert("permanent".into(), "yes".into());
        let p = check(&f, &context(), true).unwrap_err();
        assert!(!p.has("any"), "a permanent exclusion is something recorded");
        assert_eq!(p.message("permanent_date"), Some("Enter the date of the permanent exclusion"));
        assert_eq!(
            p.message("permanent_reason"),
            Some("Select the reason for the permanent exclusion")
        );
        f.insert("permanent_date".into(), "20/11/2026".into());
        f.insert("permanent_reason".into(), "assault_adult".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["permanent_date"], "2026-11-20");
        assert!(permanently_excluded(&out));
    }

    #[test]
    fn a_removal_is_not_in_the_future() {
        let f =
            fields(&[("any", "yes"), ("removal_0_date", "24/11/2026"), ("removal_0_reason", "x")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("removal_0_date"),
            Some("The date of the removal must be today or in the past")
        );
    }

    #[test]
    fn no_to_permanent_drops_its_details() {
        let mut f = page("yes", vec![suspension(0, "6/10/2026", "7/10/2026", "4")]);
        f.insert("permanent_date".into(), "nonsense".into());
        f.insert("permanent_reason".into(), "theft".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["permanent"], "no");
        assert_eq!(out["permanent_date"], "");
        assert_eq!(out["permanent_reason"], "");
    }

    #[test]
    fn the_year_total_adds_the_last_pep_without_counting_twice() {
        let mut ctx = context();
        ctx.earlier_this_year = vec![page(
            "yes",
            vec![
                // Last school year: not counted.
                suspension(0, "2026-06-10", "2026-06-12", "6"),
                // Also on this page: counted once, from this page.
                suspension(1, "2026-09-14", "2026-09-15", "3"),
                // Only on the last PEP.
                suspension(2, "2026-09-21", "2026-09-22", "4"),
            ],
        )];
        let now = page(
            "yes",
            vec![
                suspension(0, "14/9/2026", "15/9/2026", "4"),
                suspension(1, "6/10/2026", "6/10/2026", "1"),
            ],
        );
        assert_eq!(days_suspended(&now, &ctx), 4.5);
        let blocks = layout(&now, &ctx);
        assert_eq!(figure(&blocks), Some(("4.5 days".to_owned(), Tone::Neutral)));
        assert!(blocks.contains(&Block::Paragraph(
            "This includes 1 suspension this school year recorded on the last PEP.".to_owned()
        )));
        assert!(alerts(&blocks).is_empty());
        // The last PEP answered no: its lists do not count.
        ctx.earlier_this_year[0].insert("any".into(), "no".into());
        assert_eq!(days_suspended(&now, &ctx), 2.5);
        // Nothing this year: no figure.
        assert_eq!(figure(&layout(&fields(&[("any", "no")]), &context())), None);
    }

    #[test]
    fn the_year_total_adds_every_earlier_pep_of_the_year() {
        let mut ctx = context();
        ctx.today = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
        // Autumn's and spring's pages each record their own suspensions.
        ctx.earlier_this_year = vec![
            page("yes", vec![suspension(0, "2026-10-05", "2026-10-06", "4")]),
            page("yes", vec![suspension(0, "2027-02-01", "2027-02-01", "2")]),
        ];
        let summer = page("yes", vec![suspension(0, "12/5/2027", "12/5/2027", "1")]);
        assert_eq!(days_suspended(&summer, &ctx), 3.5);
        assert!(layout(&summer, &ctx).contains(&Block::Paragraph(
            "This includes 2 suspensions this school year recorded on earlier PEPs.".to_owned()
        )));
    }

    #[test]
    fn a_lunchtime_suspension_is_one_session_a_day() {
        let mut f = page("yes", vec![suspension(0, "5/10/2026", "6/10/2026", "3")]);
        f.insert("suspension_0_lunchtime".into(), "yes".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("suspension_0_sessions"),
            Some("A suspension from 5 to 6 October 2026 can be at most 2 sessions")
        );
        f.insert("suspension_0_sessions".into(), "2".into());
        assert!(check(&f, &context(), false).is_ok());
    }

    #[test]
    fn warnings_from_35_days_and_above_45() {
        let ctx = context();
        // 7 weeks and a day from Monday 7 September: 36 school days.
        let long =
            |sessions: &str| page("yes", vec![suspension(0, "7/9/2026", "26/10/2026", sessions)]);
        let blocks = layout(&long("69"), &ctx);
        assert_eq!(figure(&blocks), Some(("34.5 days".to_owned(), Tone::Neutral)));
        assert!(alerts(&blocks).is_empty());
        let blocks = layout(&long("70"), &ctx);
        assert_eq!(figure(&blocks), Some(("35 days".to_owned(), Tone::Warning)));
        assert_eq!(
            alerts(&blocks),
            vec![(
                "The child has been suspended for 35 days this school year: a pupil may be suspended for no more than 45 school days in a school year".to_owned(),
                Tone::Warning
            )]
        );
        let mut ctx45 = context();
        ctx45.earlier_this_year =
            vec![page("yes", vec![suspension(0, "2026-11-02", "2026-11-13", "20")])];
        let blocks = layout(&long("70"), &ctx45);
        assert_eq!(figure(&blocks), Some(("45 days".to_owned(), Tone::Warning)));
        let blocks = layout(&long("71"), &ctx45);
        assert_eq!(figure(&blocks), Some(("45.5 days".to_owned(), Tone::Bad)));
        assert_eq!(
            alerts(&blocks),
            vec![(
                "The child has been suspended for 45.5 days this school year: this is more than the 45 school days a pupil may be suspended for in a school year".to_owned(),
                Tone::Bad
            )]
        );
    }

    #[test]
    fn a_permanent_exclusion_raises_its_alert() {
        let mut f = page("yes", vec![]);
        f.insert("permanent".into(), "yes".into());
        assert_eq!(
            alerts(&layout(&f, &context())),
            vec![(
                "A permanent exclusion is recorded: the Virtual School is told as soon as the page is saved".to_owned(),
                Tone::Bad
            )]
        );
        f.insert("permanent".into(), "no".into());
        assert!(!permanently_excluded(&f));
        assert!(alerts(&layout(&f, &context())).is_empty());
    }

    fn entries_of(blocks: &[Block]) -> Vec<(String, String)> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Entry { legend, remove, .. } => Some((legend.clone(), remove.clone())),
                _ => None,
            })
            .collect()
    }

    fn adds(blocks: &[Block]) -> Vec<(String, String)> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Add { group, label } => Some((group.clone(), label.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn one_blank_suspension_but_no_blank_removal_unless_asked() {
        let blocks = layout(&fields(&[]), &context());
        assert_eq!(
            entries_of(&blocks),
            vec![("Suspension 1".to_owned(), "suspension_0_remove".to_owned())]
        );
        assert_eq!(
            adds(&blocks),
            vec![
                ("suspension".to_owned(), "Add another suspension".to_owned()),
                ("removal".to_owned(), "Add a removal from class".to_owned()),
            ]
        );
        let Some(Block::Entry { fields: specs, .. }) =
            blocks.iter().find(|b| matches!(b, Block::Entry { .. }))
        else {
            panic!("a blank suspension");
        };
        let names: Vec<_> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "suspension_0_start",
                "suspension_0_end",
                "suspension_0_lunchtime",
                "suspension_0_sessions",
                "suspension_0_reason",
                "suspension_0_provision"
            ]
        );
        assert_eq!(specs[4].control.options()[0], Opt::new("", "Select a reason"));
        assert_eq!(specs[4].control.options().len(), 17);

        let mut ctx = context();
        ctx.add_entry = Some("removal".to_owned());
        let f = page("yes", vec![suspension(0, "2026-10-06", "2026-10-07", "4")]);
        let blocks = layout(&f, &ctx);
        assert_eq!(
            entries_of(&blocks),
            vec![
                ("Suspension 1".to_owned(), "suspension_0_remove".to_owned()),
                ("Removal from class 1".to_owned(), "removal_0_remove".to_owned()),
            ]
        );
        ctx.add_entry = Some("suspension".to_owned());
        let blocks = layout(&f, &ctx);
        assert_eq!(
            entries_of(&blocks),
            vec![
                ("Suspension 1".to_owned(), "suspension_0_remove".to_owned()),
                ("Suspension 2".to_owned(), "suspension_1_remove".to_owned()),
            ]
        );
    }

    #[test]
    fn a_redisplayed_form_keeps_the_names_as_sent() {
        let mut f = page("yes", vec![suspension(3, "6/10/2026", "7/10/2026", "4")]);
        f.insert("suspension_1_start".into(), "2026-09-01".into());
        f.insert("suspension_1_remove".into(), "yes".into());
        let mut ctx = context();
        ctx.add_entry = Some("suspension".to_owned());
        assert_eq!(
            entries_of(&layout(&f, &ctx)),
            vec![
                ("Suspension 1".to_owned(), "suspension_3_remove".to_owned()),
                ("Suspension 2".to_owned(), "suspension_4_remove".to_owned()),
            ]
        );
    }
}
