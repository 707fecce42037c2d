//! Attainment and progress: an entry a subject (qualification, attainment
//! now, the end-of-year target, progress since the last PEP in steps or
//! points), the core subjects of the child's phase, and the progress
//! judgement, purple to red, that the targets page builds on. The child's
//! first PEP records attainment only: there is no progress to judge yet.

use super::input::{Reader, number_text};
use super::{
    Block, Control, FieldSpec, Fields, Opt, PageContext, Problems, Tone, entries, entry_name,
};
use crate::code::code_enum;
use crate::school_year::Phase;

const GROUP: &str = "subject";
const OTHER: &str = "Other";
const INDIVIDUAL_TARGETS: &str = "Individual targets";

const EARLY_YEARS: [&str; 7] = [
    "Communication and language",
    "Physical development",
    "Personal, social and emotional development",
    "Literacy",
    "Mathematics",
    "Understanding the world",
    "Expressive arts and design",
];

const PRIMARY: [&str; 12] = [
    "Reading",
    "Writing",
    "Maths",
    "Science",
    "Phonics",
    "Computing",
    "History",
    "Geography",
    "Art and design",
    "Music",
    "Physical education",
    "Religious education",
];

const SECONDARY: [&str; 18] = [
    "English",
    "English language",
    "English literature",
    "Maths",
    "Science",
    "Combined science",
    "Biology",
    "Chemistry",
    "Physics",
    "Computing",
    "History",
    "Geography",
    "Modern foreign language",
    "Art and design",
    "Design and technology",
    "Music",
    "Physical education",
    "Religious education",
];

const POST_16: [&str; 6] =
    ["Psychology", "Sociology", "Business", "Law", "Health and social care", "Vocational course"];

const ENGLISH: [&str; 3] = ["English", "English language", "English literature"];
const SCIENCE: [&str; 5] = ["Science", "Combined science", "Biology", "Chemistry", "Physics"];

const QUALIFICATIONS: [(&str, &str); 8] = [
    ("eyfs", "EYFS area"),
    ("teacher_assessment", "Teacher assessment"),
    ("gcse", "GCSE (9 to 1)"),
    ("btec", "BTEC"),
    ("a_level", "A level"),
    ("functional_skills", "Functional skills"),
    ("school_scale", "The school's own scale"),
    ("individual_targets", "Individual targets (special schools)"),
];

code_enum! {
    /// How good a term's progress is, best first: the colours schools and the
    /// virtual school use for it.
    Rag, "progress judgement" {
        Purple => "purple", "Exceptional";
        Blue => "blue", "Outstanding";
        Green => "green", "Good";
        Amber => "amber", "Requires improvement";
        Red => "red", "Inadequate";
    }
}

impl Rag {
    pub fn tone(self) -> Tone {
        match self {
            Rag::Purple | Rag::Blue | Rag::Green => Tone::Good,
            Rag::Amber => Tone::Warning,
            Rag::Red => Tone::Bad,
        }
    }

    /// `Good (green)`: the judgement with its colour, as schools know it.
    pub fn text(self) -> String {
        format!("{} ({})", self.label(), self.code())
    }
}

code_enum! {
    /// What progress is counted in: steps (early years and primary) or points
    /// (older measures).
    Measure, "progress measure" {
        Steps => "steps", "Steps";
        Points => "points", "Points";
    }
}

/// The judgement of a term's progress. Steps: 4 or more purple, 3 blue,
/// 2 green, 1 amber, less than 1 red. Points (DOMAIN.md's "2 to 2.5 green,
/// 1.5 to 2 amber" leaves gaps, read as thresholds): 4 or more purple, 3 or
/// more blue, 2 or more green, more than 1 amber, 1 or less red.
pub fn rag(progress: f64, measure: Measure) -> Rag {
    let inadequate = match measure {
        Measure::Steps => progress < 1.0,
        Measure::Points => progress <= 1.0,
    };
    if progress >= 4.0 {
        Rag::Purple
    } else if progress >= 3.0 {
        Rag::Blue
    } else if progress >= 2.0 {
        Rag::Green
    } else if inadequate {
        Rag::Red
    } else {
        Rag::Amber
    }
}

/// A saved subject entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The subject as it reads: an "Other" subject by its name.
    pub subject: String,
    /// The qualification's code (`gcse`), blank if not given.
    pub qualification: String,
    pub current: String,
    pub target: String,
    pub progress: Option<f64>,
    pub measure: Option<Measure>,
}

impl Entry {
    fn read(e: &Fields) -> Entry {
        let get = |k: &str| e.get(k).map_or("", |v| v.trim());
        Entry {
            subject: shown_name(get("subject"), get("subject_other"))
                .unwrap_or_else(|| "New subject".to_owned()),
            qualification: get("qualification").to_owned(),
            current: get("current").to_owned(),
            target: get("target").to_owned(),
            progress: get("progress").parse::<f64>().ok().filter(|p| p.is_finite()),
            measure: Measure::from_code(&get("measure").to_ascii_lowercase()),
        }
    }

    /// The judgement of this subject's progress, when it has progress in a
    /// measure.
    pub fn rag(&self) -> Option<Rag> {
        Some(rag(self.progress?, self.measure?))
    }

    /// `2 steps`, `1.5 points`.
    fn progress_text(&self) -> Option<String> {
        let (progress, measure) = (self.progress?, self.measure?);
        let unit = match measure {
            Measure::Steps => "step",
            Measure::Points => "point",
        };
        let plural = if progress == 1.0 { "" } else { "s" };
        Some(format!("{} {unit}{plural}", number_text(progress)))
    }

    fn same_subject(&self, other: &Entry) -> bool {
        self.subject.to_lowercase() == other.subject.to_lowercase()
    }
}

/// The subject entries of a saved page, in order.
pub fn subjects(fields: &Fields) -> Vec<Entry> {
    entries(fields, GROUP).iter().map(|(_, e)| Entry::read(e)).collect()
}

/// The page's overall progress judgement, once chosen.
pub fn overall(fields: &Fields) -> Option<Rag> {
    fields.get("overall").and_then(|c| Rag::from_code(c.trim()))
}

/// The subjects whose progress is less than good (amber or red): the
/// targets page asks for a target for each.
pub fn less_than_good(fields: &Fields) -> Vec<String> {
    subjects(fields)
        .into_iter()
        .filter(|e| e.rag().is_some_and(|r| r >= Rag::Amber))
        .map(|e| e.subject)
        .collect()
}

/// The median of the judgements, the worse of the two middle ones when
/// there is an even number.
fn suggested(mut rags: Vec<Rag>) -> Option<Rag> {
    rags.sort();
    rags.get(rags.len() / 2).copied()
}

/// The name a subject goes by: its own, or the name typed for "Other".
fn shown_name(subject: &str, other: &str) -> Option<String> {
    match subject {
        "" => None,
        s if s.eq_ignore_ascii_case(OTHER) => {
            Some(if other.is_empty() { "Other subject".to_owned() } else { other.to_owned() })
        }
        s => Some(s.to_owned()),
    }
}

/// The subjects the child's phase offers, "Other" last.
fn subject_names(ctx: &PageContext) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = match ctx.nc_year.phase() {
        Phase::EarlyYears => EARLY_YEARS.to_vec(),
        Phase::Primary => PRIMARY.to_vec(),
        Phase::Secondary => SECONDARY.to_vec(),
        Phase::Post16 => SECONDARY.iter().chain(POST_16.iter()).copied().collect(),
    };
    if ctx.special_school {
        names.push(INDIVIDUAL_TARGETS);
    }
    names.push(OTHER);
    names
}

fn subject_options(names: &[&str]) -> Vec<Opt> {
    Opt::with_prompt("Select a subject", Opt::plain(names))
}

fn qualification_options() -> Vec<Opt> {
    Opt::with_prompt("Select a qualification", Opt::pairs(&QUALIFICATIONS))
}

fn rag_options() -> Vec<Opt> {
    Rag::ALL.iter().map(|r| Opt::new(r.code(), r.text())).collect()
}

/// The fields of an entry on this PEP's form.
fn entry_fields(initial: bool) -> &'static [&'static str] {
    const ALL: [&str; 7] =
        ["subject", "subject_other", "qualification", "current", "target", "progress", "measure"];
    if initial { &ALL[..5] } else { &ALL }
}

/// The entries as sent, leaving out those with nothing in the fields this
/// PEP's form has.
fn sent_entries(fields: &Fields, initial: bool) -> Vec<(usize, Fields)> {
    let own = entry_fields(initial);
    entries(fields, GROUP)
        .into_iter()
        .filter(|(_, e)| own.iter().any(|f| e.get(*f).is_some_and(|v| !v.trim().is_empty())))
        .collect()
}

/// The core subjects: each with the subjects that count for it.
fn core(phase: Phase) -> Vec<(&'static str, Vec<&'static str>)> {
    match phase {
        Phase::EarlyYears => EARLY_YEARS.iter().map(|a| (*a, vec![*a])).collect(),
        Phase::Primary => ["Reading", "Writing", "Maths"].iter().map(|s| (*s, vec![*s])).collect(),
        Phase::Secondary => vec![
            ("English", ENGLISH.to_vec()),
            ("Maths", vec!["Maths"]),
            ("Science", SCIENCE.to_vec()),
        ],
        Phase::Post16 => Vec::new(),
    }
}

/// The core subjects with no entry among `present` (subject codes).
fn missing_core(phase: Phase, present: &[String]) -> Vec<&'static str> {
    core(phase)
        .into_iter()
        .filter(|(_, counts)| !counts.iter().any(|c| present.iter().any(|p| p == c)))
        .map(|(name, _)| name)
        .collect()
}

/// Whether the special school child's entries include individual targets,
/// which stand in for the core subjects.
fn has_individual_targets(ctx: &PageContext, present: &[String]) -> bool {
    ctx.special_school && present.iter().any(|p| p == INDIVIDUAL_TARGETS)
}

/// `A`, `A and B`, `A, B and C`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What is missing of the phase's core subjects, as a message.
fn core_problem(ctx: &PageContext, present: &[String], count: usize) -> Option<String> {
    if has_individual_targets(ctx, present) {
        return None;
    }
    let or_targets = if ctx.special_school { ", or an entry for individual targets" } else { "" };
    let phase = ctx.nc_year.phase();
    if phase == Phase::Post16 {
        return (count < 3).then(|| {
            format!("Add at least three subjects linked to the young person's course{or_targets}")
        });
    }
    let missing = missing_core(phase, present);
    if missing.is_empty() {
        return None;
    }
    let entries = if missing.len() == 1 { "an entry" } else { "entries" };
    let why = if phase == Phase::EarlyYears {
        "all seven areas of learning must be recorded every term"
    } else {
        "the core subjects must be recorded every term"
    };
    Some(format!("Add {entries} for {}{or_targets}: {why}", and_list(&missing)))
}

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let subjects = subject_options(&subject_names(ctx));
    let qualifications = qualification_options();
    let mut r = Reader::new(fields);
    // Lower-case names seen so far, for duplicates.
    let mut seen: Vec<String> = Vec::new();
    // Subject codes, for the core subjects.
    let mut present: Vec<String> = Vec::new();
    let sent = sent_entries(fields, ctx.initial);

    for (i, _) in &sent {
        let name = |f: &str| entry_name(GROUP, *i, f);
        let subject = r.choice(&name("subject"), "the subject", &subjects);
        let other = r.text(&name("subject_other"), "the name of the subject");
        let is_other = subject.as_deref() == Some(OTHER);
        if subject.is_none() {
            r.problem(&name("subject"), "Select the subject");
        }
        if is_other && other.is_empty() {
            r.problem(&name("subject_other"), "Enter the name of the subject");
        }
        if !is_other {
            r.out.insert(name("subject_other"), String::new());
        }
        let shown = subject
            .as_deref()
            .and_then(|s| shown_name(s, &other))
            .filter(|_| !is_other || !other.is_empty());
        if let Some(shown) = &shown {
            let key = shown.to_lowercase();
            if seen.contains(&key) {
                let field = if is_other { "subject_other" } else { "subject" };
                r.problem(
                    &name(field),
                    format!("{shown} already has an entry: record each subject once"),
                );
            } else {
                seen.push(key);
                if let Some(s) = subject.as_ref().filter(|_| !is_other) {
                    present.push(s.clone());
                }
            }
        }
        let what = shown.unwrap_or_else(|| "this subject".to_owned());

        r.choice(&name("qualification"), "the qualification", &qualifications);
        r.require(
            completing,
            &name("qualification"),
            format!("Select the qualification for {what}"),
        );
        r.text(&name("current"), &format!("the current attainment in {what}"));
        r.require(completing, &name("current"), format!("Enter the current attainment in {what}"));
        r.text(&name("target"), &format!("the target in {what}"));
        if !ctx.initial {
            let progress =
                r.decimal(&name("progress"), &format!("progress in {what}"), -10.0, 20.0);
            r.require(
                completing,
                &name("progress"),
                format!("Enter the progress in {what} since the last PEP"),
            );
            let measure = r.choice(&name("measure"), "steps or points", &Measure::options());
            let needs_measure =
                format!("Select whether the progress in {what} is in steps or points");
            if progress.is_some() && measure.is_none() {
                r.problem(&name("measure"), needs_measure.clone());
            }
            r.require(completing, &name("measure"), needs_measure);
        }
    }

    if completing && let Some(message) = core_problem(ctx, &present, seen.len()) {
        r.problem(GROUP, message);
    }
    if !ctx.initial {
        r.choice("overall", "the overall progress judgement", &rag_options());
        r.require(completing, "overall", "Select the overall progress judgement");
    }

    // Renumbered from 0 in the order sent.
    let read = r.finish()?;
    let mut out: Fields = read
        .iter()
        .filter(|(k, _)| !k.starts_with("subject_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (n, (i, _)) in sent.iter().enumerate() {
        for f in entry_fields(ctx.initial) {
            let value = read.get(&entry_name(GROUP, *i, f)).cloned().unwrap_or_default();
            out.insert(entry_name(GROUP, n, f), value);
        }
    }
    Ok(out)
}

/// The first index no field of the list uses, for new entries.
fn entry_block(
    index: usize,
    legend: String,
    subjects: Vec<Opt>,
    previous: Option<&Entry>,
    initial: bool,
) -> Block {
    let name = |f: &str| entry_name(GROUP, index, f);
    let mut fields = vec![
        FieldSpec::new(name("subject"), "Subject", Control::Select(subjects)),
        FieldSpec::new(name("subject_other"), "Name of the subject", Control::Text)
            .hint("If you chose Other"),
        FieldSpec::new(
            name("qualification"),
            "Qualification",
            Control::Select(qualification_options()),
        ),
        FieldSpec::new(name("current"), "Current attainment", Control::Short)
            .hint("For example, Working towards, Expected, or a grade such as 5")
            .previous(previous.map(|p| p.current.clone())),
        FieldSpec::new(name("target"), "Target for the end of the year", Control::Short)
            .hint("What the child should reach by the end of the school year")
            .previous(previous.map(|p| p.target.clone())),
    ];
    if !initial {
        fields.push(
            FieldSpec::new(name("progress"), "Progress since the last PEP", Control::Decimal)
                .hint(
                    "For example, 2 or 1.5. Use a minus sign if attainment has gone down, like -1",
                )
                .previous(previous.and_then(Entry::progress_text)),
        );
        fields.push(FieldSpec::new(
            name("measure"),
            "Is progress counted in steps or points?",
            Control::Radios(Measure::options()),
        ));
    }
    Block::Entry { legend, fields, remove: name("remove") }
}

pub(super) fn layout(fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let names = subject_names(ctx);
    let options = subject_options(&names);
    let previous = ctx.previous.as_ref().map(subjects).unwrap_or_default();
    let previous_for = |e: &Entry| previous.iter().find(|p| p.same_subject(e));
    let mut blocks = vec![Block::Paragraph(if ctx.initial {
        "This is the child's first PEP: record where they are now in each subject and their \
         target for the end of the school year. Progress is recorded from the next PEP."
            .to_owned()
    } else {
        "Record progress since the last PEP in steps (the school's small steps, usual in early \
         years and primary) or points (older measures). In a term, 2 steps or points is good \
         progress, 3 is outstanding and 4 or more exceptional; less than 1 step, or 1 point or \
         less, is inadequate."
            .to_owned()
    })];

    let sent: Vec<(usize, Entry, String)> = sent_entries(fields, ctx.initial)
        .into_iter()
        .map(|(i, e)| {
            let code = e.get("subject").map_or("", |v| v.trim());
            let code = names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(code))
                .map_or_else(|| code.to_owned(), |n| (*n).to_owned());
            (i, Entry::read(&e), code)
        })
        .collect();
    for (i, entry, _) in &sent {
        blocks.push(entry_block(
            *i,
            entry.subject.clone(),
            options.clone(),
            previous_for(entry),
            ctx.initial,
        ));
    }

    // Rows for the core subjects not yet listed: their select shows the
    // subject first, so that it is chosen until changed.
    let present: Vec<String> = sent.iter().map(|(_, _, code)| code.clone()).collect();
    let mut next = super::input::next_index(fields, GROUP);
    let missing = if has_individual_targets(ctx, &present) {
        Vec::new()
    } else {
        missing_core(ctx.nc_year.phase(), &present)
    };
    for subject in &missing {
        let first = std::iter::once(Opt::new(*subject, *subject));
        let rest = names.iter().filter(|n| *n != subject).map(|n| Opt::new(*n, *n));
        let entry = Entry::read(&Fields::from([("subject".to_owned(), (*subject).to_owned())]));
        blocks.push(entry_block(
            next,
            entry.subject.clone(),
            first.chain(rest).collect(),
            previous_for(&entry),
            ctx.initial,
        ));
        next += 1;
    }
    let mut blanks = 0;
    if sent.is_empty() && missing.is_empty() {
        blanks = if ctx.nc_year.phase() == Phase::Post16 { 3 } else { 1 };
    }
    if ctx.add_entry.as_deref() == Some(GROUP) {
        blanks += 1;
    }
    for _ in 0..blanks {
        blocks.push(entry_block(
            next,
            "New subject".to_owned(),
            options.clone(),
            None,
            ctx.initial,
        ));
        next += 1;
    }
    blocks.push(Block::Add { group: GROUP.to_owned(), label: "Add another subject".to_owned() });

    if ctx.initial {
        return blocks;
    }
    let judged: Vec<(&Entry, Rag)> =
        sent.iter().filter_map(|(_, e, _)| Some((e, e.rag()?))).collect();
    if !judged.is_empty() {
        blocks.push(Block::Table {
            caption: "Progress this term".to_owned(),
            head: vec!["Subject".to_owned(), "Progress".to_owned(), "Judgement".to_owned()],
            rows: judged
                .iter()
                .map(|(e, r)| {
                    vec![e.subject.clone(), e.progress_text().unwrap_or_default(), r.text()]
                })
                .collect(),
        });
    }
    if let Some(s) = suggested(judged.iter().map(|(_, r)| *r).collect()) {
        blocks.push(Block::Figure {
            label: "Suggested overall judgement".to_owned(),
            value: s.text(),
            tone: s.tone(),
        });
    }
    blocks.push(Block::Field(
        FieldSpec::new("overall", "Overall progress this term", Control::Radios(rag_options()))
            .hint(
                "Usually the suggested judgement, the middle of the subjects' judgements. Choose \
                 another if the subjects do not show the whole picture",
            )
            .previous(ctx.previous.as_ref().and_then(overall).map(|r| r.code().to_owned())),
    ));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};
    use crate::school_year::NcYear;

    #[test]
    fn steps_are_judged_at_whole_steps() {
        let cases = [
            (20.0, Rag::Purple),
            (4.0, Rag::Purple),
            (3.99, Rag::Blue),
            (3.0, Rag::Blue),
            (2.99, Rag::Green),
            (2.0, Rag::Green),
            (1.99, Rag::Amber),
            (1.0, Rag::Amber),
            (0.99, Rag::Red),
            (0.0, Rag::Red),
            (-2.0, Rag::Red),
        ];
        for (progress, want) in cases {
            assert_eq!(rag(progress, Measure::Steps), want, "{progress} steps");
        }
    }

    #[test]
    fn points_are_judged_with_one_point_or_less_inadequate() {
        let cases = [
            (4.0, Rag::Purple),
            (3.99, Rag::Blue),
            (3.0, Rag::Blue),
            (2.99, Rag::Green),
            (2.5, Rag::Green),
            (2.0, Rag::Green),
            (1.99, Rag::Amber),
            (1.5, Rag::Amber),
            (1.01, Rag::Amber),
            (1.0, Rag::Red),
            (0.5, Rag::Red),
            (-1.0, Rag::Red),
        ];
        for (progress, want) in cases {
            assert_eq!(rag(progress, Measure::Points), want, "{progress} points");
        }
    }

    #[test]
    fn judgements_have_codes_labels_and_tones() {
        for &r in Rag::ALL {
            assert_eq!(Rag::from_code(r.code()), Some(r));
        }
        for &m in Measure::ALL {
            assert_eq!(Measure::from_code(m.code()), Some(m));
        }
        assert_eq!(Rag::Blue.label(), "Outstanding");
        assert_eq!(Rag::Amber.label(), "Requires improvement");
        assert_eq!(Rag::Purple.tone(), Tone::Good);
        assert_eq!(Rag::Green.tone(), Tone::Good);
        assert_eq!(Rag::Amber.tone(), Tone::Warning);
        assert_eq!(Rag::Red.tone(), Tone::Bad);
        assert_eq!(Rag::from_code("pink"), None);
    }

    /// A full secondary entry, sent as entry `i`.
    fn entry(pairs: &mut Vec<(String, String)>, i: usize, subject: &str, progress: &str) {
        for (f, v) in [
            ("subject", subject),
            ("qualification", "gcse"),
            ("current", "4"),
            ("target", "5"),
            ("progress", progress),
            ("measure", "points"),
        ] {
            pairs.push((entry_name(GROUP, i, f), v.to_owned()));
        }
    }

    fn page(subjects: &[(usize, &str, &str)], extra: &[(&str, &str)]) -> Fields {
        let mut pairs = Vec::new();
        for (i, s, p) in subjects {
            entry(&mut pairs, *i, s, p);
        }
        let mut f: Fields = pairs.into_iter().collect();
        f.extend(fields(extra));
        f
    }

    fn year(n: i8) -> PageContext {
        PageContext { nc_year: NcYear::from_value(n), ..context() }
    }

    #[test]
    fn a_complete_secondary_page_is_saved_renumbered() {
        let f = page(
            &[(0, "English language", "2"), (2, "maths", "3"), (5, "Combined science", "1")],
            &[("overall", "green"), ("subject_1_subject", " "), ("subject_2_subject_other", "x")],
        );
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["subject_0_subject"], "English language");
        assert_eq!(out["subject_1_subject"], "Maths");
        assert_eq!(out["subject_1_subject_other"], "", "only Other keeps a name");
        assert_eq!(out["subject_2_subject"], "Combined science");
        assert_eq!(out["subject_2_progress"], "1");
        assert!(!out.contains_key("subject_5_subject"));
        assert_eq!(out["overall"], "green");
        let saved = subjects(&out);
        assert_eq!(saved.len(), 3);
        assert_eq!(saved[1].rag(), Some(Rag::Blue));
        assert_eq!(overall(&out), Some(Rag::Green));
        assert_eq!(less_than_good(&out), vec!["Combined science"]);
    }

    #[test]
    fn secondary_needs_english_maths_and_science_or_their_equivalents() {
        let f = page(&[(0, "English literature", "2"), (1, "Maths", "2")], &[("overall", "green")]);
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.message("subject"),
            Some("Add an entry for Science: the core subjects must be recorded every term")
        );
        assert!(check(&f, &context(), false).is_ok(), "a draft may leave core subjects out");
        for science in ["Science", "Biology", "Chemistry", "Physics", "Combined science"] {
            let f = page(
                &[(0, "English", "2"), (1, "Maths", "2"), (2, science, "2")],
                &[("overall", "green")],
            );
            assert!(check(&f, &context(), true).is_ok(), "{science}");
        }
        let f = page(&[(0, "History", "2")], &[("overall", "green")]);
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.message("subject"),
            Some(
                "Add entries for English, Maths and Science: the core subjects must be recorded every term"
            )
        );
    }

    #[test]
    fn primary_needs_reading_writing_and_maths() {
        let f = page(&[(0, "Reading", "2"), (1, "Science", "2")], &[("overall", "green")]);
        let p = check(&f, &year(4), true).unwrap_err();
        assert_eq!(
            p.message("subject"),
            Some(
                "Add entries for Writing and Maths: the core subjects must be recorded every term"
            )
        );
        let f = page(&[(0, "English", "2")], &[]);
        let p = check(&f, &year(4), false).unwrap_err();
        assert_eq!(p.message("subject_0_subject"), Some("Select the subject from the list"));
    }

    #[test]
    fn early_years_needs_all_seven_areas() {
        let all: Vec<(usize, &str, &str)> =
            EARLY_YEARS.iter().enumerate().map(|(i, a)| (i, *a, "2")).collect();
        let reception = year(0);
        assert!(check(&page(&all, &[("overall", "green")]), &reception, true).is_ok());
        let p = check(&page(&all[..5], &[("overall", "green")]), &reception, true).unwrap_err();
        assert_eq!(
            p.message("subject"),
            Some(
                "Add entries for Understanding the world and Expressive arts and design: all seven areas of learning must be recorded every term"
            )
        );
    }

    #[test]
    fn post_16_needs_three_subjects_of_any_kind() {
        let mut f = page(&[(0, "Psychology", "2"), (1, "Other", "2")], &[("overall", "green")]);
        f.insert("subject_1_subject_other".into(), "Film studies".into());
        let p = check(&f, &year(12), true).unwrap_err();
        assert_eq!(
            p.message("subject"),
            Some("Add at least three subjects linked to the young person's course")
        );
        f.extend(page(&[(2, "Vocational course", "2")], &[]));
        let out = check(&f, &year(12), true).unwrap();
        assert_eq!(out["subject_1_subject_other"], "Film studies");
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("subject_0_subject"),
            Some("Select the subject from the list"),
            "post-16 subjects are not offered in year 9"
        );
    }

    #[test]
    fn special_schools_may_record_individual_targets_instead() {
        let special = PageContext { special_school: true, ..year(4) };
        let f = page(&[(0, "Individual targets", "2")], &[("overall", "green")]);
        assert!(check(&f, &special, true).is_ok());
        let p = check(&f, &year(4), false).unwrap_err();
        assert_eq!(p.message("subject_0_subject"), Some("Select the subject from the list"));
        let f = page(
            &[(0, "Reading", "2"), (1, "Writing", "2"), (2, "Maths", "2")],
            &[("overall", "green")],
        );
        assert!(check(&f, &special, true).is_ok(), "the core subjects also do");
        let f = page(&[(0, "Reading", "2")], &[("overall", "green")]);
        let p = check(&f, &special, true).unwrap_err();
        assert_eq!(
            p.message("subject"),
            Some(
                "Add entries for Writing and Maths, or an entry for individual targets: the core subjects must be recorded every term"
            )
        );
    }

    #[test]
    fn each_subject_is_recorded_once() {
        let mut f = page(
            &[
                (0, "Maths", "2"),
                (1, "Other", "2"),
                (2, "Maths", "2"),
                (3, "Other", "1"),
                (4, "Other", "1"),
            ],
            &[],
        );
        f.insert("subject_1_subject_other".into(), "Latin".into());
        f.insert("subject_3_subject_other".into(), " latin ".into());
        f.insert("subject_4_subject_other".into(), "MATHS".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert!(!p.has("subject_0_subject"));
        assert_eq!(
            p.message("subject_2_subject"),
            Some("Maths already has an entry: record each subject once")
        );
        assert_eq!(
            p.message("subject_3_subject_other"),
            Some("latin already has an entry: record each subject once")
        );
        assert_eq!(
            p.message("subject_4_subject_other"),
            Some("MATHS already has an entry: record each subject once")
        );
    }

    #[test]
    fn an_entry_needs_a_subject_and_progress_a_measure() {
        let f = fields(&[
            ("subject_0_current", "Working towards"),
            ("subject_1_subject", "Other"),
            ("subject_2_subject", "Maths"),
            ("subject_2_progress", "2"),
            ("subject_3_subject", "History"),
            ("subject_3_progress", "21"),
            ("subject_4_remove", "yes"),
            ("subject_4_current", "3"),
        ]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(p.message("subject_0_subject"), Some("Select the subject"));
        assert_eq!(p.message("subject_1_subject_other"), Some("Enter the name of the subject"));
        assert_eq!(
            p.message("subject_2_measure"),
            Some("Select whether the progress in Maths is in steps or points")
        );
        assert_eq!(
            p.message("subject_3_progress"),
            Some("Progress in History must be 20 or fewer")
        );
        assert!(!p.has("subject_4_subject"), "a removed entry is not checked");
        assert_eq!(p.0.len(), 4);
    }

    #[test]
    fn completing_needs_each_entry_filled_in_and_the_overall_judgement() {
        let f = fields(&[
            ("subject_0_subject", "English"),
            ("subject_1_subject", "Maths"),
            ("subject_2_subject", "Science"),
        ]);
        let out = check(&f, &context(), false).unwrap();
        assert_eq!(out["subject_0_qualification"], "");
        assert_eq!(out["overall"], "");
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.message("subject_1_qualification"),
            Some("Select the qualification for Maths")
        );
        assert_eq!(p.message("subject_1_current"), Some("Enter the current attainment in Maths"));
        assert_eq!(
            p.message("subject_1_progress"),
            Some("Enter the progress in Maths since the last PEP")
        );
        assert_eq!(
            p.message("subject_1_measure"),
            Some("Select whether the progress in Maths is in steps or points")
        );
        assert!(!p.has("subject_1_target"), "the target may wait");
        assert!(!p.has("subject"));
        assert_eq!(p.message("overall"), Some("Select the overall progress judgement"));
    }

    #[test]
    fn the_initial_pep_records_attainment_without_progress() {
        let initial = PageContext { initial: true, ..context() };
        let mut f = fields(&[
            ("subject_0_subject", "English"),
            ("subject_0_qualification", "gcse"),
            ("subject_0_current", "4"),
            ("subject_1_subject", "Maths"),
            ("subject_1_qualification", "gcse"),
            ("subject_1_current", "3"),
            ("subject_1_progress", "2"),
            ("subject_2_subject", "Physics"),
            ("subject_2_qualification", "gcse"),
            ("subject_2_current", "5"),
            ("subject_3_measure", "steps"),
            ("overall", "red"),
        ]);
        let out = check(&f, &initial, true).unwrap();
        assert!(!out.contains_key("subject_1_progress"));
        assert!(!out.contains_key("overall"));
        assert!(!out.contains_key("subject_3_subject"), "progress alone is not an entry");
        assert_eq!(out["subject_2_current"], "5");
        f.remove("subject_0_current");
        let p = check(&f, &initial, true).unwrap_err();
        assert_eq!(p.message("subject_0_current"), Some("Enter the current attainment in English"));

        let blocks = layout(&out, &initial);
        let entry_fields: Vec<String> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Entry { fields, .. } => Some(fields.iter().map(|f| f.name.clone())),
                _ => None,
            })
            .flatten()
            .collect();
        assert!(entry_fields.contains(&"subject_0_current".to_owned()));
        assert!(!entry_fields.iter().any(|n| n.ends_with("progress") || n.ends_with("measure")));
        assert!(
            !blocks
                .iter()
                .any(|b| matches!(b, Block::Table { .. } | Block::Figure { .. } | Block::Field(_)))
        );
    }

    fn entries_of(blocks: &[Block]) -> Vec<(&str, &[FieldSpec], &str)> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Entry { legend, fields, remove } => {
                    Some((legend.as_str(), fields.as_slice(), remove.as_str()))
                }
                _ => None,
            })
            .collect()
    }

    fn spec<'a>(fields: &'a [FieldSpec], suffix: &str) -> &'a FieldSpec {
        fields.iter().find(|f| f.name.ends_with(suffix)).unwrap()
    }

    #[test]
    fn the_form_lists_missing_core_subjects_and_shows_last_pep_beside() {
        let mut ctx = context();
        ctx.previous = Some(fields(&[
            ("subject_0_subject", "Maths"),
            ("subject_0_current", "3"),
            ("subject_0_target", "5"),
            ("subject_1_subject", "Other"),
            ("subject_1_subject_other", "Latin"),
            ("subject_1_current", "2"),
            ("overall", "amber"),
        ]));
        ctx.add_entry = Some("subject".to_owned());
        let f = fields(&[
            ("subject_0_subject", "Other"),
            ("subject_0_subject_other", "latin"),
            ("subject_3_subject", "Biology"),
            ("subject_5_remove", "yes"),
            ("subject_5_subject", "History"),
        ]);
        let blocks = layout(&f, &ctx);
        let got = entries_of(&blocks);
        let legends: Vec<&str> = got.iter().map(|(l, _, _)| *l).collect();
        assert_eq!(legends, vec!["latin", "Biology", "English", "Maths", "New subject"]);
        let removes: Vec<&str> = got.iter().map(|(_, _, r)| *r).collect();
        assert_eq!(
            removes,
            vec![
                "subject_0_remove",
                "subject_3_remove",
                "subject_6_remove",
                "subject_7_remove",
                "subject_8_remove"
            ]
        );
        assert_eq!(spec(got[0].1, "current").previous.as_deref(), Some("2"));
        assert_eq!(spec(got[1].1, "current").previous, None);
        let maths = got[3].1;
        assert_eq!(spec(maths, "subject").control.options()[0].code, "Maths");
        assert_eq!(spec(maths, "current").previous.as_deref(), Some("3"));
        assert_eq!(spec(maths, "target").previous.as_deref(), Some("5"));
        assert_eq!(spec(got[4].1, "subject").control.options()[0].label, "Select a subject");
        assert!(blocks.contains(&Block::Add {
            group: "subject".to_owned(),
            label: "Add another subject".to_owned()
        }));
        let Some(Block::Field(overall_field)) = blocks.last() else { panic!("overall last") };
        assert_eq!(overall_field.name, "overall");
        assert_eq!(overall_field.previous.as_deref(), Some("amber"));
        assert_eq!(overall_field.control.display("amber"), "Requires improvement (amber)");
    }

    #[test]
    fn a_new_page_starts_with_the_core_subjects() {
        let got = layout(&Fields::new(), &year(2));
        let legends: Vec<&str> = entries_of(&got).iter().map(|(l, _, _)| *l).collect();
        assert_eq!(legends, vec!["Reading", "Writing", "Maths"]);
        let got = layout(&Fields::new(), &year(13));
        let legends: Vec<&str> = entries_of(&got).iter().map(|(l, _, _)| *l).collect();
        assert_eq!(legends, vec!["New subject"; 3]);
        let special = PageContext { special_school: true, ..year(2) };
        let f = fields(&[("subject_0_subject", "Individual targets")]);
        let legends: Vec<String> =
            entries_of(&layout(&f, &special)).iter().map(|(l, _, _)| (*l).to_owned()).collect();
        assert_eq!(legends, vec!["Individual targets"]);
    }

    #[test]
    fn the_form_tables_progress_and_suggests_the_median_rounded_down() {
        let f = page(
            &[(0, "English", "4"), (1, "Maths", "2"), (2, "Science", "1.5"), (3, "History", "0.5")],
            &[],
        );
        let blocks = layout(&f, &context());
        let Some(Block::Table { rows, .. }) =
            blocks.iter().find(|b| matches!(b, Block::Table { .. }))
        else {
            panic!("no table")
        };
        assert_eq!(rows[0], vec!["English", "4 points", "Exceptional (purple)"]);
        assert_eq!(rows[2], vec!["Science", "1.5 points", "Requires improvement (amber)"]);
        assert!(blocks.contains(&Block::Figure {
            label: "Suggested overall judgement".to_owned(),
            value: "Requires improvement (amber)".to_owned(),
            tone: Tone::Warning,
        }));
        assert_eq!(suggested(vec![Rag::Red, Rag::Blue, Rag::Green]), Some(Rag::Green));
        assert_eq!(suggested(vec![Rag::Purple, Rag::Green]), Some(Rag::Green));
        assert_eq!(suggested(Vec::new()), None);
        assert_eq!(less_than_good(&f), vec!["Science", "History"]);
        let prompts = crate::pages::prompts(crate::pages::PromptSources {
            attainment: Some(&f),
            ..Default::default()
        });
        let keys: Vec<_> = prompts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["prompt_subject_science", "prompt_subject_history"]);
        assert_eq!(prompts[1].in_sentence(), "History target", "a subject keeps its capital");
    }
}
