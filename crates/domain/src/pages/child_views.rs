//! The child's views: what helps them learn, in their own words or
//! pictures, on their own or with an adult beside them. A child of any age
//! reads this page, so its words are plain enough for a seven-year-old.
//!
//! There are four ways to share: the authority's questions, a set of
//! pictures to choose from (for children who communicate with symbols), a
//! document or drawing uploaded on the Documents page, or saying they do
//! not want to share their views this time. Only the chosen way's answers
//! are kept, and who helped when someone did.

use super::input::Reader;
use super::{Block, Control, DocumentKind, FieldSpec, Fields, Opt, PageContext, Problems};
use crate::template::Question;

/// The ways to share: (code, label).
const MODES: [(&str, &str); 4] = [
    ("questions", "Answer some questions"),
    ("pictures", "Choose pictures"),
    ("document", "Share a document or drawing"),
    ("declined", "I don't want to share my views this time"),
];

/// The three picture fields: (field, label, what in a message).
const PICTURE_FIELDS: [(&str, &str, &str); 3] = [
    ("like", "Things I like", "things you like"),
    ("hard", "Things I find hard", "things you find hard"),
    ("helps", "Things that help me", "things that help you"),
];

/// The pictures a child chooses from: (code, words, emoji).
const PICTURES: [(&str, &str, &str); 18] = [
    ("reading", "Reading", "\u{1F4DA}"),
    ("writing", "Writing", "\u{270F}\u{FE0F}"),
    ("numbers", "Numbers", "\u{1F522}"),
    ("art", "Drawing and art", "\u{1F3A8}"),
    ("music", "Music", "\u{1F3B5}"),
    ("sport", "Sport and PE", "\u{26BD}"),
    ("outside", "Being outside", "\u{1F333}"),
    ("computers", "Computers", "\u{1F4BB}"),
    ("friends", "Friends", "\u{1F46B}"),
    ("animals", "Animals", "\u{1F436}"),
    ("building", "Building and making", "\u{1F9F1}"),
    ("quiet", "A quiet place", "\u{1F92B}"),
    ("noise", "Noise", "\u{1F50A}"),
    ("changes", "Changes to the day", "\u{1F504}"),
    ("tests", "Tests", "\u{1F4DD}"),
    ("adult", "An adult to help me", "\u{1F9D1}\u{200D}\u{1F3EB}"),
    ("breaks", "Breaks", "\u{1F9C3}"),
    ("on_time", "Being on time", "\u{23F0}"),
];

/// How the child did the page: (code, label).
const SUPPORT: [(&str, &str); 2] =
    [("own", "On my own"), ("with_support", "With someone helping me")];

/// The ways offered: answering questions only when the template has some.
fn mode_options(ctx: &PageContext) -> Vec<Opt> {
    let offered =
        MODES.iter().filter(|(code, _)| *code != "questions" || !ctx.questions.is_empty());
    offered.map(|(code, label)| Opt::new(*code, *label)).collect()
}

fn pictures() -> Vec<Opt> {
    PICTURES.into_iter().map(|(code, words, emoji)| Opt::pictured(code, words, emoji)).collect()
}

/// A question's field name.
fn question_field(question: &Question) -> String {
    format!("q_{}", question.key)
}

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    let mode = r.choice("mode", "how you want to share your views", &mode_options(ctx));
    r.require(completing, "mode", "Choose how you want to share your views");
    let chosen = |m: &str| mode.as_deref() == Some(m);
    // Until a way is chosen every answer is kept, so that nothing typed is
    // lost; once one is, the other ways' answers are dropped.
    let keeps = |m: &str| mode.is_none() || chosen(m);

    let mut answered = 0;
    for question in &ctx.questions {
        let name = question_field(question);
        if !keeps("questions") {
            r.out.insert(name, String::new());
            continue;
        }
        match question.check(r.raw(&name)) {
            Ok(answer) if answer.is_empty() => {
                if completing && question.mandatory && chosen("questions") {
                    r.problem(&name, format!("Answer this question: {}", question.label));
                }
                r.out.insert(name, answer);
            }
            Ok(answer) => {
                answered += 1;
                r.out.insert(name, answer);
            }
            Err(message) => {
                answered += 1;
                let raw = r.raw(&name).to_owned();
                r.out.insert(name.clone(), raw);
                r.problem(&name, message);
            }
        }
    }
    if completing && chosen("questions") && answered == 0 {
        r.problem(
            "mode",
            "Answer at least one question, or choose another way to share your views",
        );
    }

    let mut pictured = 0;
    for (name, _, what) in PICTURE_FIELDS {
        if keeps("pictures") {
            pictured += r.choices(name, what, &pictures()).len();
        } else {
            r.out.insert(name.to_owned(), String::new());
        }
    }
    if completing && chosen("pictures") && pictured == 0 {
        r.problem("like", "Choose at least one picture");
    }

    if completing && chosen("document") && !ctx.documents.contains(&DocumentKind::ChildViews) {
        r.problem(
            "mode",
            "Upload the child's views on the Documents page, or choose another way to share them",
        );
    }

    if keeps("declined") {
        r.long_text("declined_note", "how the child said so");
    } else {
        r.out.insert("declined_note".to_owned(), String::new());
    }
    r.require(
        completing && chosen("declined"),
        "declined_note",
        "Enter how the child said they did not want to share their views, and who they told",
    );

    let support = r.choice("support", "how you did this page", &Opt::pairs(&SUPPORT));
    r.require(
        completing,
        "support",
        "Choose if you did this on your own or with someone helping you",
    );
    if support.as_deref() == Some("own") {
        r.out.insert("supported_by".to_owned(), String::new());
    } else {
        r.text("supported_by", "who helped");
    }
    r.require(
        completing && support.as_deref() == Some("with_support"),
        "supported_by",
        "Enter the name and role of the person who helped",
    );
    r.finish()
}

pub(super) fn layout(_fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let heading = |text: &str, hint: Option<&str>| Block::Heading {
        text: text.to_owned(),
        hint: hint.map(str::to_owned),
    };
    let mut blocks = vec![
        Block::Paragraph(
            "This page is about you and your learning. Tell us what you like, what is hard and \
             what helps you. You can do it on your own or with someone helping you."
                .to_owned(),
        ),
        Block::Field(FieldSpec::new(
            "mode",
            "How do you want to share your views?",
            Control::Radios(mode_options(ctx)),
        )),
    ];

    let reveal = |value: &str, blocks: Vec<Block>| Block::Reveal {
        field: "mode".to_owned(),
        value: value.to_owned(),
        blocks,
    };
    if !ctx.questions.is_empty() {
        let mut part = vec![heading("Answer some questions", Some("Answer as many as you like."))];
        for question in &ctx.questions {
            part.push(Block::Field(FieldSpec::for_question(question, question_field(question))));
        }
        blocks.push(reveal("questions", part));
    }

    let mut part = vec![heading("Choose pictures", Some("Choose as many pictures as you like."))];
    for (name, label, _) in PICTURE_FIELDS {
        part.push(Block::Field(FieldSpec::new(name, label, Control::Pictures(pictures()))));
    }
    blocks.push(reveal("pictures", part));

    let mut part = vec![heading("Share a document or drawing", None)];
    part.push(Block::Paragraph(
        if ctx.documents.contains(&DocumentKind::ChildViews) {
            "Your document or drawing is on the Documents page. Thank you for sharing it."
        } else {
            "An adult can help you put your document or drawing on the Documents page. \
             Choose \"The child's views\" when you upload it."
        }
        .to_owned(),
    ));
    blocks.push(reveal("document", part));

    blocks.push(reveal(
        "declined",
        vec![
            heading(
                "I don't want to share my views this time",
                Some("That's OK. You can share them next time if you want to."),
            ),
            Block::Field(
                FieldSpec::new(
                    "declined_note",
                    "How did the child say so, and who did they tell?",
                    Control::LongText,
                )
                .hint("For the adult writing this down"),
            ),
        ],
    ));

    blocks.push(heading("Help with this page", None));
    blocks.push(Block::Field(FieldSpec::new(
        "support",
        "How did you do this page?",
        Control::Radios(Opt::pairs(&SUPPORT)),
    )));
    blocks.push(Block::Reveal {
        field: "support".to_owned(),
        value: "with_support".to_owned(),
        blocks: vec![Block::Field(
            FieldSpec::new("supported_by", "Who helped? Their name and role", Control::Text)
                .hint("For example, Ms Rahman, designated teacher"),
        )],
    });
    blocks
}

/// How the views were shared, in a line for other pages: "Chose pictures
/// on their own". `None` until a way is chosen.
pub fn summary(fields: &Fields) -> Option<String> {
    let get = |k: &str| fields.get(k).map_or("", |v| v.trim());
    let how = match get("mode") {
        "questions" => "Answered the questions",
        "pictures" => "Chose pictures",
        "document" => "Shared a document or drawing",
        "declined" => return Some("Did not wish to share their views".to_owned()),
        _ => return None,
    };
    Some(match (get("support"), get("supported_by")) {
        ("own", _) => format!("{how} on their own"),
        ("with_support", "") => format!("{how} with support"),
        ("with_support", who) => format!("{how} with support from {who}"),
        _ => how.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};
    use crate::template::QuestionKind;

    fn question(key: &str, label: &str, kind: QuestionKind, mandatory: bool) -> Question {
        Question { key: key.into(), label: label.into(), hint: None, kind, mandatory }
    }

    fn with_questions() -> PageContext {
        let mut ctx = context();
        ctx.questions = vec![
            question("feel", "How do you feel about school?", QuestionKind::Scale, true),
            question("best", "What is the best thing about school?", QuestionKind::LongText, false),
            question("club", "Do you go to a club?", QuestionKind::YesNo, false),
            question(
                "sit",
                "Where do you like to sit?",
                QuestionKind::Choice(vec!["At the front".into(), "Near a window".into()]),
                false,
            ),
        ];
        ctx
    }

    fn by_name<'a>(blocks: &'a [Block], name: &str) -> Option<&'a FieldSpec> {
        Block::flatten(blocks).into_iter().find_map(|b| match b {
            Block::Field(spec) if spec.name == name => Some(spec),
            _ => None,
        })
    }

    #[test]
    fn a_scale_question_takes_a_face() {
        let ctx = with_questions();
        let f = fields(&[
            ("mode", "questions"),
            ("q_feel", "4"),
            ("q_club", "Yes"),
            ("q_sit", "near a window"),
            ("support", "own"),
        ]);
        let out = check(&f, &ctx, true).unwrap();
        assert_eq!(out["q_feel"], "4");
        assert_eq!(out["q_club"], "yes");
        assert_eq!(out["q_sit"], "Near a window");
        assert_eq!(out["q_best"], "");
        assert_eq!(summary(&out).as_deref(), Some("Answered the questions on their own"));

        let f = fields(&[("mode", "questions"), ("q_feel", "6")]);
        let p = check(&f, &ctx, false).unwrap_err();
        assert_eq!(p.message("q_feel"), Some("Choose one of the faces"));
        assert_eq!(p.0.len(), 1);
    }

    #[test]
    fn completing_the_questions_needs_the_mandatory_ones() {
        let ctx = with_questions();
        let f = fields(&[("mode", "questions"), ("q_best", "Art"), ("support", "own")]);
        assert!(check(&f, &ctx, false).is_ok());
        let p = check(&f, &ctx, true).unwrap_err();
        assert_eq!(
            p.message("q_feel"),
            Some("Answer this question: How do you feel about school?")
        );
        assert_eq!(p.0.len(), 1);

        // With no mandatory question, one answer is still needed.
        let mut ctx = with_questions();
        ctx.questions[0].mandatory = false;
        let f = fields(&[("mode", "questions"), ("support", "own")]);
        let p = check(&f, &ctx, true).unwrap_err();
        assert_eq!(
            p.message("mode"),
            Some("Answer at least one question, or choose another way to share your views")
        );
    }

    #[test]
    fn questions_are_not_offered_without_any() {
        let blocks = layout(&Fields::new(), &context());
        let mode = by_name(&blocks, "mode").unwrap();
        let codes: Vec<_> = mode.control.options().iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes, ["pictures", "document", "declined"]);
        let p = check(&fields(&[("mode", "questions")]), &context(), false).unwrap_err();
        assert_eq!(
            p.message("mode"),
            Some("Select how you want to share your views from the list")
        );
    }

    #[test]
    fn pictures_are_stored_in_the_order_shown() {
        let f = fields(&[
            ("mode", "pictures"),
            ("like", "friends,art,reading"),
            ("helps", "breaks,adult"),
            ("support", "with_support"),
            ("supported_by", "Ms Rahman, designated teacher"),
            // Another way's answer, dropped.
            ("declined_note", "Said no"),
        ]);
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["like"], "reading,art,friends");
        assert_eq!(out["hard"], "");
        assert_eq!(out["helps"], "adult,breaks");
        assert_eq!(out["declined_note"], "");
        assert_eq!(
            summary(&out).as_deref(),
            Some("Chose pictures with support from Ms Rahman, designated teacher")
        );
        let blocks = layout(&out, &context());
        let like = by_name(&blocks, "like").unwrap();
        assert_eq!(like.control.display(&out["like"]), "Reading, Drawing and art, Friends");
        assert_eq!(like.control.options().len(), 18);
        assert_eq!(like.control.options()[0].picture, Some("\u{1F4DA}"));
    }

    #[test]
    fn pictures_need_at_least_one_and_only_those_shown() {
        let f = fields(&[("mode", "pictures"), ("support", "own")]);
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(p.message("like"), Some("Choose at least one picture"));
        let f = fields(&[("mode", "pictures"), ("hard", "tests,spiders")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(p.message("hard"), Some("Select things you find hard from the pictures shown"));
    }

    #[test]
    fn a_document_must_be_uploaded() {
        let f = fields(&[("mode", "document"), ("support", "own"), ("like", "music")]);
        let out = check(&f, &context(), false).unwrap();
        assert_eq!(out["like"], "", "another way's answers are dropped");
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.message("mode"),
            Some(
                "Upload the child's views on the Documents page, or choose another way to share them"
            )
        );
        let mut ctx = context();
        ctx.documents = vec![DocumentKind::ChildViews];
        let out = check(&f, &ctx, true).unwrap();
        assert_eq!(summary(&out).as_deref(), Some("Shared a document or drawing on their own"));
    }

    #[test]
    fn declining_needs_a_note() {
        let ctx = with_questions();
        let f = fields(&[("mode", "declined"), ("support", "with_support"), ("q_feel", "3")]);
        let p = check(&f, &ctx, true).unwrap_err();
        assert_eq!(
            p.message("declined_note"),
            Some(
                "Enter how the child said they did not want to share their views, and who they told"
            )
        );
        assert_eq!(
            p.message("supported_by"),
            Some("Enter the name and role of the person who helped")
        );
        let mut f = f;
        f.insert("declined_note".into(), "Told their carer at home".into());
        f.insert("supported_by".into(), "Amy Lee, foster carer".into());
        let out = check(&f, &ctx, true).unwrap();
        assert_eq!(out["q_feel"], "");
        assert_eq!(summary(&out).as_deref(), Some("Did not wish to share their views"));
    }

    #[test]
    fn completing_needs_a_way_and_who_helped() {
        let f = fields(&[("like", "music")]);
        let out = check(&f, &context(), false).unwrap();
        assert_eq!(out["like"], "music", "kept until a way is chosen");
        assert_eq!(summary(&out), None);
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(p.message("mode"), Some("Choose how you want to share your views"));
        assert_eq!(
            p.message("support"),
            Some("Choose if you did this on your own or with someone helping you")
        );
        let f = fields(&[("mode", "pictures"), ("like", "music"), ("support", "with_support")]);
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.message("supported_by"),
            Some("Enter the name and role of the person who helped")
        );
        assert_eq!(p.0.len(), 1);
        let f = fields(&[
            ("mode", "pictures"),
            ("like", "music"),
            ("support", "own"),
            ("supported_by", "x"),
        ]);
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["supported_by"], "");
    }

    #[test]
    fn every_way_is_laid_out_with_the_question_controls() {
        let ctx = with_questions();
        let blocks = layout(&Fields::new(), &ctx);
        assert!(
            matches!(&blocks[0], Block::Paragraph(p) if p.starts_with("This page is about you and your learning"))
        );
        let headings: Vec<_> = Block::flatten(&blocks)
            .into_iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            headings,
            [
                "Answer some questions",
                "Choose pictures",
                "Share a document or drawing",
                "I don't want to share my views this time",
                "Help with this page",
            ]
        );
        let feel = by_name(&blocks, "q_feel").unwrap();
        let faces: Vec<_> = feel
            .control
            .options()
            .iter()
            .map(|o| (o.code.as_str(), o.label.as_str(), o.picture))
            .collect();
        assert_eq!(faces[3], ("4", "Good", Some("\u{1F642}")));
        assert_eq!(faces.len(), 5);
        assert_eq!(by_name(&blocks, "q_club").unwrap().control, Control::YesNo);
        assert_eq!(by_name(&blocks, "q_sit").unwrap().control.options()[1].code, "Near a window");
        assert_eq!(by_name(&blocks, "mode").unwrap().control.options().len(), 4);
        assert!(by_name(&blocks, "supported_by").is_some());
    }
}
