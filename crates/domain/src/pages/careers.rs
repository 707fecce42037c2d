//! The 14 to 19 plan: what the young person would like to do, the careers
//! guidance and work experience they have had, and where they mean to go
//! after year 11. Shown from year 9; the year 11 spring and summer PEPs
//! must record the intended post-16 course and provider.

use super::input::Reader;
use super::{Block, Control, FieldSpec, Fields, PageContext, Problems};
use crate::pep::Term;

/// The year 11 spring and summer PEPs, when post-16 places are decided.
fn needs_post_16_place(ctx: &PageContext) -> bool {
    ctx.nc_year.value() == 11 && matches!(ctx.term, Term::Spring | Term::Summer)
}

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    r.long_text("aspirations", "what the young person would like to do");
    r.require(completing, "aspirations", "Enter what the young person would like to do");
    r.long_text("strengths", "the young person's strengths");
    r.long_text("guidance", "the careers guidance received");
    r.long_text("work_experience", "the work experience");
    r.text("intended_course", "the intended post-16 course");
    r.text("intended_provider", "the intended post-16 provider");
    if needs_post_16_place(ctx) {
        r.require(
            completing,
            "intended_course",
            "Enter the intended post-16 course: it is needed in the year 11 spring and summer PEPs",
        );
        r.require(
            completing,
            "intended_provider",
            "Enter the intended post-16 provider: it is needed in the year 11 spring and summer PEPs",
        );
    }
    r.yes_no("applied", "whether the young person has applied");
    r.long_text("support", "the support that will help");
    r.require(completing, "support", "Enter the support that will help the young person get there");
    r.finish()
}

pub(super) fn layout(_fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let previous = |name: &str| ctx.previous.as_ref().and_then(|p| p.get(name).cloned());
    let post_16_hint = |what: &str| {
        if needs_post_16_place(ctx) {
            format!("Needed in the year 11 spring and summer PEPs. {what}")
        } else {
            format!("If known. {what}")
        }
    };
    let field = |name: &str, label: &str, control: Control| {
        FieldSpec::new(name, label, control).previous(previous(name))
    };
    vec![
        Block::Field(
            field("aspirations", "What would the young person like to do?", Control::LongText)
                .hint("In their own words where possible: jobs, courses or interests they want to follow"),
        ),
        Block::Field(
            field("strengths", "What are they good at?", Control::LongText)
                .hint("Subjects, skills and qualities that will help them"),
        ),
        Block::Field(
            field("guidance", "Careers guidance received", Control::LongText)
                .hint("For example, a meeting with a careers adviser, a careers fair or a college open day"),
        ),
        Block::Field(field("work_experience", "Work experience", Control::LongText).hint(
            "Placements, volunteering or part-time work, done or planned",
        )),
        Block::Field(
            field("intended_course", "Intended post-16 course", Control::Text)
                .hint(post_16_hint("For example, A levels, a BTEC or an apprenticeship")),
        ),
        Block::Field(
            field("intended_provider", "Intended post-16 provider", Control::Text)
                .hint(post_16_hint("The school sixth form, college or training provider")),
        ),
        Block::Field(field("applied", "Has the young person applied?", Control::YesNo)),
        Block::Field(
            field("support", "What support will help them get there?", Control::LongText)
                .hint("Who will do what: the school, the carers, the virtual school, a careers adviser"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};
    use crate::school_year::NcYear;

    fn year_11(term: Term) -> PageContext {
        PageContext { nc_year: NcYear::from_value(11), term, ..context() }
    }

    fn plan() -> Fields {
        fields(&[
            ("aspirations", "To be a vet nurse."),
            (
                "support",
                "Help with the college application from her carer and the careers adviser.",
            ),
            ("applied", "Yes"),
        ])
    }

    #[test]
    fn completing_needs_aspirations_and_support() {
        let f = fields(&[("strengths", "Caring for animals")]);
        assert!(check(&f, &context(), false).is_ok());
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(p.message("aspirations"), Some("Enter what the young person would like to do"));
        assert_eq!(
            p.message("support"),
            Some("Enter the support that will help the young person get there")
        );
        assert_eq!(p.0.len(), 2);
        let out = check(&plan(), &context(), true).unwrap();
        assert_eq!(out["applied"], "yes");
        assert_eq!(out["intended_course"], "");
        assert_eq!(out.len(), 8);
    }

    #[test]
    fn the_post_16_place_is_needed_only_in_year_11_spring_and_summer() {
        assert!(check(&plan(), &year_11(Term::Autumn), true).is_ok());
        let year_10 = PageContext { nc_year: NcYear::from_value(10), ..year_11(Term::Spring) };
        assert!(check(&plan(), &year_10, true).is_ok());
        for term in [Term::Spring, Term::Summer] {
            let p = check(&plan(), &year_11(term), true).unwrap_err();
            assert_eq!(
                p.message("intended_course"),
                Some(
                    "Enter the intended post-16 course: it is needed in the year 11 spring and summer PEPs"
                )
            );
            assert_eq!(
                p.message("intended_provider"),
                Some(
                    "Enter the intended post-16 provider: it is needed in the year 11 spring and summer PEPs"
                )
            );
            assert!(check(&plan(), &year_11(term), false).is_ok(), "a draft may wait");
        }
        let mut f = plan();
        f.insert("intended_course".into(), "Level 2 animal care".into());
        f.insert("intended_provider".into(), "Riverside College".into());
        assert!(check(&f, &year_11(Term::Summer), true).is_ok());
    }

    #[test]
    fn the_form_says_when_the_post_16_place_is_needed_and_shows_last_pep() {
        let hint = |ctx: &PageContext| {
            layout(&Fields::new(), ctx).into_iter().find_map(|b| match b {
                Block::Field(f) if f.name == "intended_course" => f.hint,
                _ => None,
            })
        };
        assert!(hint(&year_11(Term::Spring)).unwrap().starts_with("Needed in the year 11 spring"));
        assert!(hint(&year_11(Term::Autumn)).unwrap().starts_with("If known"));
        let mut ctx = context();
        ctx.previous = Some(fields(&[("aspirations", "A footballer"), ("applied", "no")]));
        let blocks = layout(&Fields::new(), &ctx);
        let previous: Vec<(&str, Option<&str>)> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Field(f) => Some((f.name.as_str(), f.previous.as_deref())),
                _ => None,
            })
            .filter(|(_, p)| p.is_some())
            .collect();
        assert_eq!(previous, vec![("aspirations", Some("A footballer")), ("applied", Some("no"))]);
    }
}
