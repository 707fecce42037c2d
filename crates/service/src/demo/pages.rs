//! Believable answers for the demo's typed pages: attendance that adds up,
//! the core subjects of the child's phase, SDQ scores, the child's views.
//! Each PEP draws from its own random stream, so the pages never move the
//! rest of the invented authority.

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use openpep_domain::NcYear;
use openpep_domain::pages::{Fields, attainment};
use openpep_domain::school_year::Phase;
use openpep_domain::template::PageKind;
use rand::Rng;
use rand::rngs::StdRng;

/// What the demo knows about the PEP a page belongs to.
pub(super) struct Sample<'a> {
    pub nc: NcYear,
    pub special: bool,
    /// The child's SEN provision: "K" or "E", or `None`.
    pub sen: Option<&'a str>,
    pub initial: bool,
    /// The term the PEP is about: its first day, and the last day its
    /// figures can cover.
    pub term_start: NaiveDate,
    pub figures_to: NaiveDate,
    pub school: Option<&'a str>,
    pub carer: Option<&'a str>,
    /// The meeting took place: its record is written.
    pub held: bool,
    /// Who is invited to the child's meetings: (name, `AttendeeRole` code).
    pub people: Vec<(String, &'a str)>,
}

const GOING_WELL: &[&str] = &[
    "I like my teacher and I have a good friend in my class.",
    "Maths is getting easier. I got a certificate in assembly.",
    "I joined the football club and I go every week.",
    "Reading with my carer at bedtime helps me.",
];
const HARD: &[&str] = &[
    "Writing long pieces, and when the classroom is noisy.",
    "Remembering my homework, and tests.",
    "When there is a supply teacher and things change.",
];
const HELPS: &[&str] = &[
    "When my teacher checks I understand before I start.",
    "Having a quiet place to go when I feel cross.",
    "My carer helping me with spellings.",
];

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.random_range(0..from.len())]
}

fn set(fields: &mut Fields, key: &str, value: impl Into<String>) {
    fields.insert(key.to_owned(), value.into());
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Monday to Friday days from `from` to `to`, inclusive.
fn weekdays(from: NaiveDate, to: NaiveDate) -> u32 {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as u32
}

/// The page's answers, if the demo writes this kind; `None` for notes
/// pages.
pub(super) fn sample(rng: &mut StdRng, kind: PageKind, s: &Sample<'_>) -> Option<Fields> {
    let mut f = Fields::new();
    match kind {
        PageKind::Attendance => attendance(rng, s, &mut f),
        PageKind::PartTimeTimetable => part_time(rng, s, &mut f),
        PageKind::Exclusions => exclusions(rng, s, &mut f),
        PageKind::PreviousSchools => {}
        PageKind::Meeting if !s.held => {}
        PageKind::Meeting => meeting_record(rng, s, &mut f),
        PageKind::Attainment => attainment_page(rng, s, &mut f),
        PageKind::Sen => sen(rng, s, &mut f),
        PageKind::Careers => careers(rng, s, &mut f),
        PageKind::Sdq => sdq(rng, s, &mut f),
        PageKind::Health => {
            let ago = rng.random_range(40..300);
            set(&mut f, "assessment_date", iso(s.figures_to - TimeDelta::days(ago)));
            set(&mut f, "assessment_notes", "Healthy and growing well. Glasses for reading.");
            set(&mut f, "needs_in_school", "None that affect the school day.");
            set(
                &mut f,
                "wellbeing",
                pick(
                    rng,
                    &[
                        "Settled and generally happy; worries before contact visits.",
                        "Sees a counsellor at school every fortnight, which is helping.",
                        "Some low mood this term; the social worker has referred to CAMHS.",
                    ],
                ),
            );
        }
        PageKind::ChildViews => child_views(rng, s, &mut f),
        PageKind::CarerViews => {
            set(&mut f, "who", if s.carer.is_some() { "foster_carer" } else { "residential" });
            set(&mut f, "name", s.carer.unwrap_or("The key worker"));
            set(
                &mut f,
                "going_well",
                "Much more settled at home and talks about school every day.",
            );
            set(
                &mut f,
                "worries",
                pick(rng, &["Homework can end in arguments.", "None at the moment."]),
            );
            set(&mut f, "help", "A regular update from school about how the week has gone.");
        }
        _ => return None,
    }
    Some(f)
}

fn attendance(rng: &mut StdRng, s: &Sample<'_>, f: &mut Fields) {
    let possible = 2 * weekdays(s.term_start, s.figures_to);
    let percent = match rng.random_range(0..10) {
        0 => rng.random_range(60..85),
        1 | 2 => rng.random_range(85..93),
        _ => rng.random_range(93..101),
    };
    let attended = possible * percent / 100;
    let missed = possible - attended;
    let authorised = missed * 2 / 3;
    set(f, "from", iso(s.term_start));
    set(f, "to", iso(s.figures_to));
    set(f, "possible", possible.to_string());
    set(f, "attended", attended.to_string());
    set(f, "authorised", authorised.to_string());
    set(f, "unauthorised", (missed - authorised).to_string());
}

fn part_time(rng: &mut StdRng, s: &Sample<'_>, f: &mut Fields) {
    if rng.random_range(0..10) > 0 {
        set(f, "arrangement", "full_time");
        return;
    }
    let start = s.term_start + TimeDelta::days(14);
    set(f, "arrangement", "part_time");
    set(f, "hours", "15");
    set(f, "purpose", "A phased return after a long absence, building up a day at a time.");
    set(f, "provider", s.school.unwrap_or("The school"));
    set(f, "start", iso(start));
    set(f, "end", iso(start + TimeDelta::days(if rng.random_bool(0.5) { 35 } else { 63 })));
    set(f, "return_plan", "One more afternoon each fortnight, reviewed with the carer.");
    set(f, "agreed_with_vs", "yes");
    set(f, "agreed_by", "The Virtual School's link officer");
    set(f, "agreed_on", iso(start - TimeDelta::days(3)));
}

fn exclusions(rng: &mut StdRng, s: &Sample<'_>, f: &mut Fields) {
    let secondary = matches!(s.nc.phase(), Phase::Secondary);
    if rng.random_range(0..10) > if secondary { 1 } else { 0 } {
        set(f, "any", "no");
        return;
    }
    let mut start = s.term_start + TimeDelta::days(rng.random_range(7..40));
    while matches!(start.weekday(), Weekday::Sat | Weekday::Sun) {
        start += TimeDelta::days(1);
    }
    let start = start.min(s.figures_to);
    set(f, "any", "yes");
    set(f, "suspension_0_start", iso(start));
    set(f, "suspension_0_end", iso(start));
    set(f, "suspension_0_lunchtime", "no");
    set(f, "suspension_0_sessions", "2");
    set(f, "suspension_0_reason", "disruption");
    set(
        f,
        "suspension_0_provision",
        "Work set by class teachers; a reintegration meeting with the carer.",
    );
    set(f, "permanent", "no");
}

fn attainment_page(rng: &mut StdRng, s: &Sample<'_>, f: &mut Fields) {
    let (subjects, qualification, grades): (&[&str], &str, &[&str]) = match s.nc.phase() {
        Phase::EarlyYears => (
            &[
                "Communication and language",
                "Physical development",
                "Personal, social and emotional development",
                "Literacy",
                "Mathematics",
                "Understanding the world",
                "Expressive arts and design",
            ],
            "eyfs",
            &["Emerging", "Expected", "Expected"],
        ),
        Phase::Primary => (
            &["Reading", "Writing", "Maths"],
            "teacher_assessment",
            &["Working towards", "Expected", "Greater depth"],
        ),
        Phase::Secondary => (&["English", "Maths", "Science"], "gcse", &["3", "4", "5", "6"]),
        Phase::Post16 => (
            &["English", "Maths", "Vocational course"],
            "functional_skills",
            &["Entry 3", "Level 1", "Level 2"],
        ),
    };
    let mut rags = Vec::new();
    for (i, subject) in subjects.iter().enumerate() {
        let name = |field| format!("subject_{i}_{field}");
        let now = rng.random_range(0..grades.len());
        set(f, &name("subject"), *subject);
        set(f, &name("qualification"), qualification);
        set(f, &name("current"), grades[now]);
        set(f, &name("target"), grades[(now + 1).min(grades.len() - 1)]);
        if !s.initial {
            let steps = [0.5, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 4.0][rng.random_range(0..8)];
            set(f, &name("progress"), attainment_text(steps));
            set(f, &name("measure"), "steps");
            rags.push(attainment::rag(steps, attainment::Measure::Steps));
        }
    }
    if !s.initial {
        rags.sort();
        set(f, "overall", rags[rags.len() / 2].code());
    }
}

fn attainment_text(steps: f64) -> String {
    if steps.fract() == 0.0 { format!("{steps:.0}") } else { steps.to_string() }
}

fn sen(rng: &mut StdRng, s: &Sample<'_>, f: &mut Fields) {
    if s.sen == Some("E") {
        let plan = s.term_start - TimeDelta::days(rng.random_range(60..300));
        set(f, "provision", "ehcp");
        set(f, "plan_date", iso(plan));
        set(f, "review_date", iso(plan + TimeDelta::days(364)));
        set(f, "primary_need", pick(rng, &["ASD", "SEMH", "SLCN", "MLD", "SpLD"]));
        set(
            f,
            "needs",
            "Support in class for 15 hours a week and a daily check-in with a key adult.",
        );
        if s.nc.value() >= 9 {
            set(
                f,
                "pfa_focus",
                "Travelling to college on their own and a supported work placement.",
            );
        }
    } else {
        set(f, "provision", "sen_support");
        set(f, "plan_date", iso(s.term_start + TimeDelta::days(10)));
        set(f, "needs", "Small-group phonics three times a week and a visual timetable.");
        if s.nc.value() >= 9 {
            set(f, "pfa_focus", "Building confidence to ask for help at college.");
        }
    }
}

fn careers(rng: &mut StdRng, s: &Sample<'_>, f: &mut Fields) {
    set(
        f,
        "aspirations",
        pick(rng, &["To be a mechanic.", "To work with animals.", "To be a chef."]),
    );
    set(f, "strengths", "Practical, hard-working and good with people.");
    set(f, "guidance", "Met the school's careers adviser this term.");
    set(f, "work_experience", "A week at a local garage is planned for the summer term.");
    if s.nc.value() >= 11 {
        set(f, "intended_course", "Level 2 vocational course");
        set(f, "intended_provider", "The local further education college");
        set(f, "applied", "yes");
    }
    set(f, "support", "Help with the application and a visit to the college with the carer.");
}

fn sdq(rng: &mut StdRng, s: &Sample<'_>, f: &mut Fields) {
    set(f, "informant", "teacher");
    set(f, "completed_on", iso(s.term_start + TimeDelta::days(20)));
    let high = rng.random_range(0..5) == 0;
    for scale in ["emotional", "conduct", "hyperactivity", "peer"] {
        let score = if high { rng.random_range(3..8) } else { rng.random_range(0..5) };
        set(f, scale, score.to_string());
    }
    set(f, "prosocial", rng.random_range(4..11).to_string());
}

fn child_views(rng: &mut StdRng, s: &Sample<'_>, f: &mut Fields) {
    let roll = rng.random_range(0..20);
    if roll == 0 {
        set(f, "mode", "declined");
        set(f, "declined_note", "Said they would rather talk to their social worker on their own.");
        set(f, "support", "own");
        return;
    }
    if roll <= 3 || s.nc.value() <= 0 {
        set(f, "mode", "pictures");
        set(f, "like", "reading,art,outside,friends");
        set(f, "hard", "noise,changes");
        set(f, "helps", "quiet,adult,breaks");
    } else {
        set(f, "mode", "questions");
        set(f, "q_feel", rng.random_range(3..6).to_string());
        set(f, "q_going_well", pick(rng, GOING_WELL));
        set(f, "q_hard", pick(rng, HARD));
        set(f, "q_helps", pick(rng, HELPS));
    }
    if s.nc.value() <= 6 {
        set(f, "support", "with_support");
        set(
            f,
            "supported_by",
            s.carer
                .map_or("Their key adult at school".to_owned(), |c| format!("{c}, foster carer")),
        );
    } else {
        set(f, "support", "own");
    }
}

/// A one-page PDF saying what the document stands for: the demo's support
/// plans and EHC plans.
pub(super) fn plan_pdf(title: &str) -> Vec<u8> {
    let text: String = title.chars().filter(|c| c.is_ascii_alphanumeric() || *c == ' ').collect();
    let stream = format!(
        "BT /F1 20 Tf 72 760 Td ({text}) Tj 0 -30 Td /F1 12 Tf (An invented document for the OpenPEP demo.) Tj ET"
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

const SCORE_NOTES: &[&str] = &[
    "Everyone agreed this has improved since the last PEP.",
    "Better most days; harder after weekends.",
    "The child chose this score and explained why.",
    "Steady this term; the key adult is helping.",
];

const DISCUSSIONS: &[&str] = &[
    "A review of last term's targets shows reading is now on track, so the next targets focus on writing at length.",
    "The attainment data show good progress in maths; we agreed to keep the weekly tutor session until spring.",
    "Attendance dipped after half term because of a change of placement; the attendance target sets out the carer's and school's part.",
    "At the last meeting we agreed a lunchtime club; we know it has worked because the child now has two close friends.",
];

fn meeting_record(rng: &mut StdRng, s: &Sample<'_>, f: &mut Fields) {
    use openpep_domain::pages::meeting_record::{ChildAttended, default_agenda, scales};
    let mut i = 0;
    for (name, role) in &s.people {
        set(f, &format!("present_{i}_name"), name.as_str());
        set(f, &format!("present_{i}_role"), *role);
        i += 1;
    }
    if let Some(carer) = s.carer {
        set(f, &format!("present_{i}_name"), carer);
        set(f, &format!("present_{i}_role"), "carer");
    }
    let attended = match rng.random_range(0..6) {
        0 => ChildAttended::No,
        1 => ChildAttended::Part,
        _ => ChildAttended::Yes,
    };
    set(f, "child_attended", attended.code());
    if attended == ChildAttended::No {
        set(f, "absence_reason", "Chose not to come; it was the day of a school trip.");
        set(
            f,
            "views_how",
            "The key adult went through the views page with the child the day before.",
        );
    }
    let agenda: Vec<&str> = default_agenda().into_iter().map(|(key, _)| key).collect();
    set(f, "agenda", agenda.join(","));
    for scale in scales() {
        set(f, &scale.score_field(), rng.random_range(4..=9).to_string());
        set(f, &scale.note_field(), pick(rng, SCORE_NOTES));
    }
    let first = pick(rng, DISCUSSIONS);
    let second = pick(rng, DISCUSSIONS);
    let narrative = if first == second { first.to_owned() } else { format!("{first}\n\n{second}") };
    set(f, "narrative", narrative);
    if attended != ChildAttended::Yes {
        set(f, "explains_targets_who", "The designated teacher");
        set(f, "explains_targets_when", "At their catch-up on Monday morning");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openpep_domain::pages::{self, DocumentKind, PageContext};
    use openpep_domain::template::default_template;
    use openpep_domain::{AcademicYear, Term};
    use rand::SeedableRng;

    /// Every page the demo writes passes its own checks as completed, for
    /// a child of every phase.
    #[test]
    fn the_demo_answers_every_typed_page_as_a_user_could() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let template = default_template();
        for nc in [-1, 0, 3, 9, 11, 12] {
            for (special, sen, initial) in
                [(false, None, false), (true, Some("E"), true), (false, Some("K"), false)]
            {
                let nc = NcYear::from_value(nc);
                let s = Sample {
                    nc,
                    special,
                    sen,
                    initial,
                    term_start: d(9, 2),
                    figures_to: d(11, 20),
                    school: Some("Oakfield Primary"),
                    carer: Some("Sam Jones"),
                    held: true,
                    people: vec![
                        ("Ana Reyes".to_owned(), "social_worker"),
                        ("Tom Hale".to_owned(), "designated_teacher"),
                    ],
                };
                for seed in 0..40 {
                    let mut rng = StdRng::seed_from_u64(seed);
                    for (_, _, page) in template.pages() {
                        let Some(fields) = sample(&mut rng, page.kind, &s) else { continue };
                        let ctx = PageContext {
                            nc_year: nc,
                            special_school: special,
                            initial,
                            academic_year: AcademicYear(2026),
                            term: Term::Autumn,
                            term_dates: None,
                            today: d(11, 23),
                            sdq_threshold: 17,
                            previous: None,
                            earlier_this_year: Vec::new(),
                            add_entry: None,
                            questions: page.questions.clone(),
                            school_history: Vec::new(),
                            documents: DocumentKind::ALL.to_vec(),
                        };
                        let checked = pages::check(page.kind, &fields, &ctx, true).unwrap();
                        assert!(checked.is_ok(), "{} in {nc:?}: {:?}", page.key, checked.err());
                    }
                }
            }
        }
    }
}
