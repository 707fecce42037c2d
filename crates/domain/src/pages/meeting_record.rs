//! The PEP meeting: what the designated teacher, social worker or Virtual
//! School officer records at and after the meeting. Who was there, whether
//! the child came, the agenda it covered, the scaling questions, what was
//! discussed and agreed, and who explains the new targets to the child.

use crate::code::code_enum;

use super::input::{Reader, list, next_index, renumber};
use super::{Block, Control, FieldSpec, Fields, Opt, PageContext, Problems, entries, entry_name};

code_enum! {
    /// The part a person at the meeting plays in the child's education.
    AttendeeRole, "attendee role" {
        YoungPerson => "young_person", "The young person";
        Carer => "carer", "Carer";
        Parent => "parent", "Parent";
        SocialWorker => "social_worker", "Social worker";
        DesignatedTeacher => "designated_teacher", "Designated teacher";
        DesignatedProfessional => "designated_professional", "Designated professional";
        VsOfficer => "vs_officer", "Virtual School officer";
        Iro => "iro", "Independent reviewing officer";
        Other => "other", "Other";
    }
}

code_enum! {
    /// Whether the child or young person came to the meeting.
    ChildAttended, "child attended" {
        Yes => "yes", "Yes, for the whole meeting";
        Part => "part", "For part of the meeting";
        No => "no", "No";
    }
}

/// A scaling question: how things are for the child, scored from 0 to 10,
/// with why that score was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Names its fields: `scale_<key>_score`, `scale_<key>_note`.
    pub key: &'static str,
    pub question: &'static str,
    /// What 0 and 10 mean for this question.
    pub hint: &'static str,
    /// The question in a few words, for messages: "learning".
    pub what: &'static str,
}

impl Scale {
    /// `scale_<key>_score`.
    pub fn score_field(&self) -> String {
        format!("scale_{}_score", self.key)
    }

    /// `scale_<key>_note`.
    pub fn note_field(&self) -> String {
        format!("scale_{}_note", self.key)
    }
}

const SCALES: [Scale; 4] = [
    Scale {
        key: "learning",
        question: "How well is the child's learning going?",
        hint: "0 means they are not learning at all and 10 means they are learning as well as they could",
        what: "learning",
    },
    Scale {
        key: "happy",
        question: "How happy and settled is the child at school?",
        hint: "0 means very unhappy and unsettled and 10 means very happy and settled",
        what: "being happy and settled",
    },
    Scale {
        key: "attendance",
        question: "How well is the child getting to school, and on time?",
        hint: "0 means they hardly ever come and 10 means they are there every day on time",
        what: "attendance",
    },
    Scale {
        key: "relationships",
        question: "How well does the child get on with adults and other pupils at school?",
        hint: "0 means they get on with no one and 10 means they get on well with everyone",
        what: "relationships",
    },
];

/// The four scaling questions, in the order of the form.
pub fn scales() -> &'static [Scale] {
    &SCALES
}

/// The agenda when the template gives none: (code, item).
pub fn default_agenda() -> Vec<(&'static str, &'static str)> {
    vec![
        ("introductions", "Introductions and what the meeting is for"),
        ("views", "The child's views and the carer's views"),
        ("attendance", "Attendance and punctuality"),
        ("progress", "Attainment and progress in each subject"),
        ("last_targets", "How the targets from the last PEP went"),
        ("wellbeing", "Wellbeing, the SDQ and any special educational needs"),
        ("new_targets", "New SMART targets and Pupil Premium Plus funding"),
        ("transition", "Moves of school, careers or post-16 plans, where they matter"),
        ("next_meeting", "The date of the next PEP meeting"),
    ]
}

/// The meeting's agenda: the template page's questions when it has any
/// (each question's key and label), otherwise [`default_agenda`].
pub fn agenda(ctx: &PageContext) -> Vec<(String, String)> {
    if ctx.questions.is_empty() {
        default_agenda().into_iter().map(|(k, l)| (k.to_owned(), l.to_owned())).collect()
    } else {
        ctx.questions.iter().map(|q| (q.key.clone(), q.label.clone())).collect()
    }
}

const PRESENT: &str = "present";
const PRESENT_FIELDS: [&str; 2] = ["name", "role"];

/// The people the saved page records as present, in order. Entries
/// without a name or a known role are left out.
pub fn attendee_names(fields: &Fields) -> Vec<(String, AttendeeRole)> {
    entries(fields, PRESENT)
        .into_iter()
        .filter_map(|(_, entry)| {
            let name = entry.get("name").map_or("", |n| n.trim());
            let role = AttendeeRole::from_code(entry.get("role").map_or("", |r| r.trim()))?;
            (!name.is_empty()).then(|| (name.to_owned(), role))
        })
        .collect()
}

/// The `present_<i>_name` and `present_<i>_role` fields listing `people`:
/// a blank page's list filled from the invitees who accepted.
pub fn prefill_present(people: &[(String, AttendeeRole)]) -> Fields {
    let mut out = Fields::new();
    for (i, (name, role)) in people.iter().enumerate() {
        out.insert(entry_name(PRESENT, i, "name"), name.trim().to_owned());
        out.insert(entry_name(PRESENT, i, "role"), role.code().to_owned());
    }
    out
}

/// The record normalised, or what is wrong. Drafts may leave anything
/// blank; `completing` asks for everything the meeting should record.
pub fn check(fields: &Fields, ctx: &PageContext, completing: bool) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    check_present(&mut r, fields, completing);
    let attended = check_attended(&mut r, completing);
    check_agenda(&mut r, ctx, completing);
    for scale in scales() {
        check_scale(&mut r, scale, completing);
    }
    r.long_text("narrative", "what was discussed and agreed");
    r.require(completing, "narrative", "Enter what was discussed and agreed");
    r.text("explains_targets_who", "who will explain the new targets");
    r.text("explains_targets_when", "when and how the new targets will be explained");
    // A child at the whole meeting heard the targets agreed.
    let explain = completing && attended != Some(ChildAttended::Yes);
    r.require(
        explain,
        "explains_targets_who",
        "Enter who will explain the new targets to the child or young person",
    );
    r.require(
        explain,
        "explains_targets_when",
        "Enter when and how the new targets will be explained",
    );
    r.finish()
}

fn check_present(r: &mut Reader<'_>, fields: &Fields, completing: bool) {
    let people = entries(fields, PRESENT);
    if completing && people.is_empty() {
        // The blank entry the form shows.
        r.problem(
            &entry_name(PRESENT, next_index(fields, PRESENT), "name"),
            "Add who was at the meeting",
        );
    }
    for (saved, (i, _)) in people.into_iter().enumerate() {
        let name_field = entry_name(PRESENT, i, "name");
        let role_field = entry_name(PRESENT, i, "role");
        let name = r.text(&name_field, "the name of the person");
        let whose = if name.is_empty() { "the person".to_owned() } else { name.clone() };
        let role = r.choice(&role_field, &format!("the role of {whose}"), &AttendeeRole::options());
        if name.is_empty() {
            r.problem(&name_field, "Enter the name of the person who was present");
        } else if role.is_none() {
            r.problem(&role_field, format!("Select the role of {name}"));
        }
        renumber(&mut r.out, PRESENT, i, saved, &PRESENT_FIELDS);
    }
}

fn check_attended(r: &mut Reader<'_>, completing: bool) -> Option<ChildAttended> {
    let attended = r
        .choice("child_attended", "whether the child attended", &ChildAttended::options())
        .and_then(|c| ChildAttended::from_code(&c));
    r.require(
        completing,
        "child_attended",
        "Select whether the child or young person attended the meeting",
    );
    let absent = completing && attended == Some(ChildAttended::No);
    if matches!(attended, Some(ChildAttended::Yes | ChildAttended::Part)) {
        // Asked only when the child did not come.
        r.out.insert("absence_reason".to_owned(), String::new());
        r.out.insert("views_how".to_owned(), String::new());
    } else {
        r.long_text("absence_reason", "why the child did not attend");
        r.long_text("views_how", "how the child's views were brought to the meeting");
    }
    r.require(absent, "absence_reason", "Enter why the child did not attend");
    r.require(absent, "views_how", "Enter how the child's views were brought to the meeting");
    attended
}

fn check_agenda(r: &mut Reader<'_>, ctx: &PageContext, completing: bool) {
    let items = agenda(ctx);
    let sent: Vec<&str> = r.raw("agenda").split(',').map(str::trim).collect();
    // Codes the agenda no longer has are dropped: the template may change.
    let ticked: Vec<&str> =
        items.iter().map(|(code, _)| code.as_str()).filter(|c| sent.contains(c)).collect();
    r.out.insert("agenda".to_owned(), ticked.join(","));
    let not_covered = r.long_text("agenda_not_covered", "which items were not covered");
    if completing && ticked.len() < items.len() && not_covered.trim().is_empty() {
        r.problem(
            "agenda",
            "Tick every item the meeting covered, or say which were not covered and why",
        );
    }
}

fn check_scale(r: &mut Reader<'_>, scale: &Scale, completing: bool) {
    let score_field = scale.score_field();
    let raw = r.raw(&score_field).to_owned();
    let score = (!raw.is_empty() && raw.len() <= 2 && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| raw.parse::<u8>().ok())
        .flatten()
        .filter(|n| *n <= 10);
    let message = format!("Choose a score from 0 to 10 for {}", scale.what);
    match score {
        Some(n) => {
            r.out.insert(score_field.clone(), n.to_string());
        }
        None => {
            r.out.insert(score_field.clone(), raw.clone());
            if !raw.is_empty() {
                r.problem(&score_field, message.clone());
            }
        }
    }
    r.require(completing, &score_field, message);
    let note_field = scale.note_field();
    r.long_text(&note_field, &format!("why the score for {} was given", scale.what));
    r.require(completing, &note_field, format!("Enter why the score for {} was given", scale.what));
}

fn score_control() -> Control {
    let label = |n: u8| match n {
        0 => "0 – lowest".to_owned(),
        10 => "10 – highest".to_owned(),
        n => n.to_string(),
    };
    Control::Select(Opt::with_prompt(
        "Choose a score",
        (0..=10).map(|n| Opt::new(n.to_string(), label(n))).collect(),
    ))
}

fn present_specs(i: usize) -> Vec<FieldSpec> {
    vec![
        FieldSpec::new(entry_name(PRESENT, i, "name"), "Name", Control::Text),
        FieldSpec::new(
            entry_name(PRESENT, i, "role"),
            "Role",
            Control::Select(Opt::with_prompt("Select a role", AttendeeRole::options())),
        ),
    ]
}

const STARTERS: [&str; 5] = [
    "\u{201C}Looking back at last time's targets, we found … so the next targets will focus on …\u{201D}",
    "\u{201C}The attainment and progress figures show … so we agreed that …\u{201D}",
    "\u{201C}Attendance has changed because … so target … will …\u{201D}",
    "\u{201C}Last time we agreed to … and we can tell it worked because … The next steps are …\u{201D}",
    "\u{201C}The young person (or carer) asked for … so we agreed that …\u{201D}",
];

/// The meeting record's form, filled from `fields`.
pub fn layout(fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let heading = |text: &str, hint: Option<&str>| Block::Heading {
        text: text.to_owned(),
        hint: hint.map(str::to_owned),
    };
    let mut blocks = vec![heading(
        "Who was at the meeting",
        Some("Everyone who took part, including anyone who joined by phone or video"),
    )];
    blocks.extend(list(
        fields,
        ctx,
        PRESENT,
        "Person",
        true,
        present_specs,
        ("Add a person", "Add another person"),
    ));
    blocks.push(Block::Field(FieldSpec::new(
        "child_attended",
        "Did the child or young person attend the meeting?",
        Control::Radios(ChildAttended::options()),
    )));
    blocks.push(Block::Reveal {
        field: "child_attended".to_owned(),
        value: ChildAttended::No.code().to_owned(),
        blocks: vec![
            Block::Field(FieldSpec::new(
                "absence_reason",
                "Why did the child or young person not attend?",
                Control::LongText,
            )),
            Block::Field(
                FieldSpec::new(
                    "views_how",
                    "How were their views brought to the meeting?",
                    Control::LongText,
                )
                .hint("For example, their views page, a drawing, or what they told their carer or social worker beforehand"),
            ),
        ],
    });
    blocks.extend(agenda_blocks(ctx));
    blocks.extend(scale_blocks(ctx));
    blocks.extend(discussion_blocks());
    blocks
}

fn agenda_blocks(ctx: &PageContext) -> Vec<Block> {
    let options = agenda(ctx).into_iter().map(|(code, label)| Opt::new(code, label)).collect();
    vec![
        Block::Heading { text: "Agenda".to_owned(), hint: None },
        Block::Field(
            FieldSpec::new(
                "agenda",
                "Which items did the meeting cover?",
                Control::Pictures(options),
            )
            .hint("Select all that apply"),
        ),
        Block::Field(
            FieldSpec::new(
                "agenda_not_covered",
                "Which items were not covered, and why?",
                Control::LongText,
            )
            .hint("Leave this blank if the meeting covered every item"),
        ),
    ]
}

fn scale_blocks(ctx: &PageContext) -> Vec<Block> {
    let previous = |name: &str| ctx.previous.as_ref().and_then(|p| p.get(name).cloned());
    let mut blocks = vec![Block::Heading {
        text: "Scaling questions".to_owned(),
        hint: Some(
            "Agree a score for each question with the child where you can. 0 means things could \
             not be worse and 10 means they could not be better."
                .to_owned(),
        ),
    }];
    for scale in scales() {
        let score = scale.score_field();
        blocks.push(Block::Field(
            FieldSpec::new(score.clone(), scale.question, score_control())
                .hint(scale.hint)
                .previous(previous(&score)),
        ));
        blocks.push(Block::Field(FieldSpec::new(
            scale.note_field(),
            "Why this score?",
            Control::LongText,
        )));
    }
    blocks
}

fn discussion_blocks() -> Vec<Block> {
    let mut blocks = vec![
        Block::Heading {
            text: "The discussion".to_owned(),
            hint: Some(
                "Write it so that someone who was not at the meeting can follow what was said and \
                 why each thing was agreed."
                    .to_owned(),
            ),
        },
        Block::Paragraph("These sentence starters may help:".to_owned()),
    ];
    blocks.extend(STARTERS.iter().map(|s| Block::Paragraph((*s).to_owned())));
    blocks.push(Block::Field(FieldSpec::new(
        "narrative",
        "What was discussed and agreed",
        Control::LongText,
    )));
    blocks.push(Block::Heading {
        text: "Explaining the new targets".to_owned(),
        hint: Some("Needed when the child or young person was not at the whole meeting".to_owned()),
    });
    blocks.push(Block::Field(FieldSpec::new(
        "explains_targets_who",
        "Who will explain the new targets to the child or young person?",
        Control::Text,
    )));
    blocks.push(Block::Field(
        FieldSpec::new("explains_targets_when", "When and how?", Control::Text)
            .hint("For example, at a mentoring session next week, using the child's own words"),
    ));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};
    use crate::template::{Question, QuestionKind};

    fn all_ticked() -> String {
        default_agenda().iter().map(|(c, _)| *c).collect::<Vec<_>>().join(",")
    }

    fn good() -> Fields {
        let mut f = fields(&[
            ("present_0_name", "  Priya   Shah "),
            ("present_0_role", "designated_teacher"),
            ("present_2_name", "Tom Reed"),
            ("present_2_role", "Social_Worker"),
            ("present_3_name", " "),
            ("present_3_role", ""),
            ("child_attended", "part"),
            ("absence_reason", "typed before changing the answer"),
            ("narrative", "Reading is coming on.\r\nWe agreed a new maths target."),
            ("explains_targets_who", "Mr Reed"),
            ("explains_targets_when", "At his visit on Friday"),
        ]);
        // Out of order, repeated and unknown: normalised.
        let ticked = format!("next_meeting,{},unknown,views", all_ticked());
        f.insert("agenda".into(), ticked);
        for (n, scale) in scales().iter().enumerate() {
            f.insert(scale.score_field(), format!(" {} ", n + 5));
            f.insert(scale.note_field(), format!("Because of {}", scale.what));
        }
        f
    }

    #[test]
    fn a_full_record_completes_and_is_normalised() {
        let out = check(&good(), &context(), true).unwrap();
        assert_eq!(out["present_0_name"], "Priya Shah");
        assert_eq!(out["present_1_name"], "Tom Reed");
        assert_eq!(out["present_1_role"], "social_worker");
        assert!(!out.contains_key("present_2_name"));
        assert!(!out.contains_key("present_3_name"));
        assert_eq!(out["child_attended"], "part");
        assert_eq!(out["absence_reason"], "");
        assert_eq!(out["views_how"], "");
        assert_eq!(out["agenda"], all_ticked());
        assert_eq!(out["agenda_not_covered"], "");
        assert_eq!(out["scale_learning_score"], "5");
        assert_eq!(out["scale_relationships_score"], "8");
        assert_eq!(out["scale_happy_note"], "Because of being happy and settled");
        assert_eq!(out["narrative"], "Reading is coming on.\nWe agreed a new maths target.");
        assert_eq!(out["explains_targets_when"], "At his visit on Friday");
        // The output reads back the same.
        assert_eq!(check(&out, &context(), true), Ok(out.clone()));
    }

    #[test]
    fn a_blank_page_is_a_draft_but_completing_lists_the_problems_in_form_order() {
        let out = check(&Fields::new(), &context(), false).unwrap();
        assert_eq!(out["agenda"], "");
        assert_eq!(out["scale_learning_score"], "");
        let p = check(&Fields::new(), &context(), true).unwrap_err();
        let mut expected = vec![
            ("present_0_name", "Add who was at the meeting".to_owned()),
            (
                "child_attended",
                "Select whether the child or young person attended the meeting".to_owned(),
            ),
            (
                "agenda",
                "Tick every item the meeting covered, or say which were not covered and why"
                    .to_owned(),
            ),
        ];
        let names: Vec<(String, String)> =
            scales().iter().map(|s| (s.score_field(), s.note_field())).collect();
        for (scale, (score, note)) in scales().iter().zip(&names) {
            expected.push((score, format!("Choose a score from 0 to 10 for {}", scale.what)));
            expected.push((note, format!("Enter why the score for {} was given", scale.what)));
        }
        expected.push(("narrative", "Enter what was discussed and agreed".to_owned()));
        expected.push((
            "explains_targets_who",
            "Enter who will explain the new targets to the child or young person".to_owned(),
        ));
        expected.push((
            "explains_targets_when",
            "Enter when and how the new targets will be explained".to_owned(),
        ));
        let expected: Vec<(String, String)> =
            expected.into_iter().map(|(f, m)| (f.to_owned(), m)).collect();
        assert_eq!(p.0, expected);
        assert_eq!(expected[5].1, "Choose a score from 0 to 10 for being happy and settled");
    }

    #[test]
    fn scores_must_be_whole_numbers_from_0_to_10() {
        for bad in ["11", "-1", "seven", "7.5", "+5", "100"] {
            let f = fields(&[("scale_attendance_score", bad)]);
            let p = check(&f, &context(), false).unwrap_err();
            assert_eq!(
                p.0,
                vec![(
                    "scale_attendance_score".to_owned(),
                    "Choose a score from 0 to 10 for attendance".to_owned()
                )],
                "{bad}"
            );
        }
        let f = fields(&[("scale_attendance_score", "07"), ("scale_learning_score", "0")]);
        let out = check(&f, &context(), false).unwrap();
        assert_eq!(out["scale_attendance_score"], "7");
        assert_eq!(out["scale_learning_score"], "0");
        let f = fields(&[("scale_happy_score", "10")]);
        assert_eq!(check(&f, &context(), false).unwrap()["scale_happy_score"], "10");
    }

    #[test]
    fn a_person_needs_both_a_name_and_a_role() {
        let f = fields(&[
            ("present_0_name", "Ann Lee"),
            ("present_1_role", "carer"),
            ("present_2_name", "Bo Diaz"),
            ("present_2_role", "headteacher"),
        ]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.0,
            vec![
                ("present_0_role".to_owned(), "Select the role of Ann Lee".to_owned()),
                (
                    "present_1_name".to_owned(),
                    "Enter the name of the person who was present".to_owned()
                ),
                (
                    "present_2_role".to_owned(),
                    "Select the role of Bo Diaz from the list".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn blank_and_removed_people_are_dropped_and_the_rest_renumbered() {
        let f = fields(&[
            ("present_0_name", ""),
            ("present_0_role", ""),
            ("present_1_name", "Ann Lee"),
            ("present_1_role", "carer"),
            ("present_1_remove", "yes"),
            ("present_4_name", "Cal Moss"),
            ("present_4_role", "iro"),
        ]);
        let out = check(&f, &context(), false).unwrap();
        let people: Vec<_> = out.iter().filter(|(k, _)| k.starts_with("present_")).collect();
        assert_eq!(
            people,
            vec![
                (&"present_0_name".to_owned(), &"Cal Moss".to_owned()),
                (&"present_0_role".to_owned(), &"iro".to_owned()),
            ]
        );
        // Nobody left: completing asks for someone on the blank entry shown.
        let f = fields(&[("present_1_name", "Ann Lee"), ("present_1_remove", "yes")]);
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(p.message("present_2_name"), Some("Add who was at the meeting"));
    }

    #[test]
    fn an_unticked_item_needs_to_be_explained() {
        let mut f = good();
        f.insert("agenda".into(), "introductions,views,attendance".into());
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.0,
            vec![(
                "agenda".to_owned(),
                "Tick every item the meeting covered, or say which were not covered and why"
                    .to_owned()
            )]
        );
        // A draft may leave it.
        assert!(check(&f, &context(), false).is_ok());
        f.insert("agenda_not_covered".into(), "No time for careers: next meeting".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["agenda"], "introductions,views,attendance");
        assert_eq!(out["agenda_not_covered"], "No time for careers: next meeting");
    }

    #[test]
    fn the_templates_questions_replace_the_default_agenda() {
        let question = |key: &str, label: &str| Question {
            key: key.to_owned(),
            label: label.to_owned(),
            hint: None,
            kind: QuestionKind::YesNo,
            mandatory: true,
        };
        let mut ctx = context();
        ctx.questions = vec![question("welcome", "Welcome"), question("data", "School data")];
        assert_eq!(
            agenda(&ctx),
            vec![
                ("welcome".to_owned(), "Welcome".to_owned()),
                ("data".to_owned(), "School data".to_owned())
            ]
        );
        let blocks = layout(&Fields::new(), &ctx);
        let spec = Block::flatten(&blocks)
            .into_iter()
            .find_map(|b| match b {
                Block::Field(spec) if spec.name == "agenda" => Some(spec.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            spec.control,
            Control::Pictures(vec![
                Opt::new("welcome", "Welcome"),
                Opt::new("data", "School data")
            ])
        );
        let mut f = good();
        f.insert("agenda".into(), "data,introductions,welcome".into());
        let out = check(&f, &ctx, true).unwrap();
        assert_eq!(out["agenda"], "welcome,data");
        // The default agenda's items are not this template's.
        f.insert("agenda".into(), all_ticked());
        assert!(check(&f, &ctx, true).unwrap_err().has("agenda"));
    }

    #[test]
    fn a_child_who_did_not_attend_needs_the_reason_and_how_their_views_came() {
        let mut f = good();
        f.insert("child_attended".into(), "no".into());
        f.remove("absence_reason");
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.0,
            vec![
                ("absence_reason".to_owned(), "Enter why the child did not attend".to_owned()),
                (
                    "views_how".to_owned(),
                    "Enter how the child's views were brought to the meeting".to_owned()
                ),
            ]
        );
        f.insert("absence_reason".into(), "Had a hospital appointment".into());
        f.insert("views_how".into(), "Carer read out their views page".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["absence_reason"], "Had a hospital appointment");
        let blocks = layout(&f, &context());
        assert!(blocks.iter().any(|b| matches!(
            b,
            Block::Reveal { field, value, blocks }
                if field == "child_attended" && value == "no" && blocks.len() == 2
        )));
    }

    #[test]
    fn explaining_the_targets_is_optional_when_the_child_was_there_throughout() {
        let mut f = good();
        f.remove("explains_targets_who");
        f.remove("explains_targets_when");
        let p = check(&f, &context(), true).unwrap_err();
        assert!(p.has("explains_targets_who") && p.has("explains_targets_when"));
        assert_eq!(p.0.len(), 2);
        f.insert("child_attended".into(), "yes".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["explains_targets_who"], "");
    }

    #[test]
    fn the_layout_shows_the_last_peps_scores() {
        let mut ctx = context();
        ctx.previous = Some(fields(&[("scale_learning_score", "4"), ("scale_happy_score", "")]));
        let blocks = layout(&Fields::new(), &ctx);
        let specs: Vec<&FieldSpec> = Block::flatten(&blocks)
            .into_iter()
            .filter_map(|b| match b {
                Block::Field(spec) if spec.name.ends_with("_score") => Some(spec),
                _ => None,
            })
            .collect();
        assert_eq!(specs.len(), 4);
        assert_eq!(specs[0].previous.as_deref(), Some("4"));
        assert_eq!(specs[1].previous, None);
        let options = specs[0].control.options();
        assert_eq!(options.len(), 12);
        assert_eq!(options[0], Opt::new("", "Choose a score"));
        assert_eq!(options[1], Opt::new("0", "0 – lowest"));
        assert_eq!(options[6], Opt::new("5", "5"));
        assert_eq!(options[11], Opt::new("10", "10 – highest"));
        assert_eq!(specs[3].control.display("10"), "10 – highest");
    }

    #[test]
    fn the_form_shows_one_blank_person_and_the_fields_in_order() {
        let mut ctx = context();
        ctx.add_entry = Some("present".to_owned());
        let blocks = layout(&fields(&[("present_0_name", "Ann Lee")]), &ctx);
        let entries: Vec<&str> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Entry { remove, .. } => Some(remove.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(entries, ["present_0_remove", "present_1_remove"]);
        let blocks = layout(&Fields::new(), &context());
        assert!(blocks.contains(&Block::Add {
            group: "present".to_owned(),
            label: "Add another person".to_owned()
        }));
        let names: Vec<&str> = Block::flatten(&blocks)
            .into_iter()
            .flat_map(|b| match b {
                Block::Field(spec) => vec![spec.name.as_str()],
                Block::Entry { fields, .. } => fields.iter().map(|s| s.name.as_str()).collect(),
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(
            names,
            [
                "present_0_name",
                "present_0_role",
                "child_attended",
                "absence_reason",
                "views_how",
                "agenda",
                "agenda_not_covered",
                "scale_learning_score",
                "scale_learning_note",
                "scale_happy_score",
                "scale_happy_note",
                "scale_attendance_score",
                "scale_attendance_note",
                "scale_relationships_score",
                "scale_relationships_note",
                "narrative",
                "explains_targets_who",
                "explains_targets_when",
            ]
        );
    }

    #[test]
    fn prefilled_people_read_back_as_attendees() {
        let people = vec![
            ("Priya Shah".to_owned(), AttendeeRole::DesignatedTeacher),
            ("Tom Reed".to_owned(), AttendeeRole::SocialWorker),
            ("Jay".to_owned(), AttendeeRole::YoungPerson),
        ];
        let f = prefill_present(&people);
        assert_eq!(f["present_1_role"], "social_worker");
        assert_eq!(f.len(), 6);
        assert_eq!(attendee_names(&f), people);
        // The prefilled list passes the page's checks unchanged.
        let out = check(&f, &context(), false).unwrap();
        for (name, value) in &f {
            assert_eq!(&out[name], value);
        }
        // A half-filled entry is not an attendee.
        let f = fields(&[("present_0_name", "Ann"), ("present_1_role", "carer")]);
        assert!(attendee_names(&f).is_empty());
        assert!(attendee_names(&prefill_present(&[])).is_empty());
    }
}
