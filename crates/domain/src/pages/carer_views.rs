//! Parent and carer views: what the foster carer, family or friends carer,
//! residential key worker or parent thinks is going well at school, what
//! worries them and what would help. A social worker may write them down
//! for the carer, and says so.

use super::input::Reader;
use super::{Block, Control, FieldSpec, Fields, Opt, PageContext, Problems};

/// Whose views these are: (code, label).
const WHO: [(&str, &str); 5] = [
    ("foster_carer", "Foster carer"),
    ("family_carer", "Family or friends carer"),
    ("residential", "Residential key worker"),
    ("parent", "Parent"),
    ("other", "Someone else"),
];

pub(super) fn check(
    fields: &Fields,
    _ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    r.choice("who", "whose views these are", &Opt::pairs(&WHO));
    r.text("name", "the name");
    r.long_text("going_well", "what is going well");
    r.long_text("worries", "worries");
    r.long_text("help", "what would help");
    r.text("recorded_by", "who wrote these views down");
    r.require(completing, "who", "Select whose views these are");
    r.require(completing, "name", "Enter the name of the person whose views these are");
    r.require(completing, "going_well", "Enter what is going well");
    r.finish()
}

pub(super) fn layout(_fields: &Fields, _ctx: &PageContext) -> Vec<Block> {
    vec![
        Block::Field(FieldSpec::new(
            "who",
            "Whose views are these?",
            Control::Radios(Opt::pairs(&WHO)),
        )),
        Block::Field(
            FieldSpec::new("name", "Their name", Control::Text)
                .hint("The name of the person whose views these are"),
        ),
        Block::Field(
            FieldSpec::new(
                "going_well",
                "What is going well with school and learning?",
                Control::LongText,
            )
            .hint(
                "For example friendships, subjects they enjoy, or how they settle in the morning",
            ),
        ),
        Block::Field(FieldSpec::new(
            "worries",
            "Is anything about school or learning worrying you?",
            Control::LongText,
        )),
        Block::Field(
            FieldSpec::new("help", "What would help?", Control::LongText)
                .hint("From school, the virtual school, the social worker or anyone else"),
        ),
        Block::Field(
            FieldSpec::new("recorded_by", "Written down by", Control::Text)
                .hint("If you are writing down someone else's views, your name and role"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};

    #[test]
    fn completing_needs_who_name_and_what_is_going_well() {
        let f = fields(&[("worries", "Homework is a battle")]);
        let out = check(&f, &context(), false).unwrap();
        assert_eq!(out["who"], "");
        assert_eq!(out["worries"], "Homework is a battle");
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(p.message("who"), Some("Select whose views these are"));
        assert_eq!(p.message("name"), Some("Enter the name of the person whose views these are"));
        assert_eq!(p.message("going_well"), Some("Enter what is going well"));
        assert_eq!(p.0.len(), 3);
    }

    #[test]
    fn a_carers_views_complete_and_are_normalised() {
        let f = fields(&[
            ("who", "Residential"),
            ("name", "  Sam   Okafor "),
            ("going_well", "Goes in happily\r\nLoves art"),
            ("recorded_by", "Jo Bell, social worker"),
        ]);
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["who"], "residential");
        assert_eq!(out["name"], "Sam Okafor");
        assert_eq!(out["going_well"], "Goes in happily\nLoves art");
        assert_eq!(out["help"], "");
        assert_eq!(out.len(), 6);
    }

    #[test]
    fn an_unknown_person_is_refused() {
        let f = fields(&[("who", "neighbour")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(p.message("who"), Some("Select whose views these are from the list"));
    }

    #[test]
    fn the_form_has_every_field() {
        let names: Vec<_> = layout(&Fields::new(), &context())
            .into_iter()
            .filter_map(|b| match b {
                Block::Field(spec) => Some(spec.name),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["who", "name", "going_well", "worries", "help", "recorded_by"]);
    }
}
