//! The review of one of last PEP's targets at the start of the meeting: how
//! it went, what difference it made and how we know, and what any funding
//! bought.

use super::Outcome;
use crate::pages::input::Reader;
use crate::pages::{Block, Control, FieldSpec, Fields, Problems};

/// A review as checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReview {
    pub outcome: Outcome,
    pub impact: String,
    pub evidence: String,
    /// The impact of the money spent, for a funded target.
    pub spend_impact: String,
}

/// Checks a review. `funded`: the target had funding approved, whose
/// impact must be recorded ("all monies must be accounted for").
pub fn check(fields: &Fields, funded: bool) -> Result<CheckedReview, Problems> {
    let mut r = Reader::new(fields);
    let outcome = r.choice("outcome", "the outcome", &Outcome::options());
    r.require(true, "outcome", "Select how the target went");
    let impact = r.long_text("impact", "the impact");
    r.require(true, "impact", "Describe the impact on the child");
    let evidence = r.long_text("evidence", "the evidence");
    r.require(true, "evidence", "Enter the evidence for the impact, such as a score or a report");
    let spend_impact = r.long_text("spend_impact", "the impact of the funding");
    if funded {
        r.require(
            true,
            "spend_impact",
            "Describe what the funding paid for and the difference it made",
        );
    }
    let outcome = outcome.and_then(|o| Outcome::from_code(&o));
    match outcome {
        Some(outcome) if r.problems.is_empty() => {
            Ok(CheckedReview { outcome, impact, evidence, spend_impact })
        }
        _ => Err(r.problems),
    }
}

/// The review's form as blocks.
pub fn layout(funded: bool) -> Vec<Block> {
    let mut blocks = vec![
        Block::field(
            FieldSpec::new(
                "outcome",
                "How did the target go?",
                Control::Radios(Outcome::options()),
            )
            .hint("A target carried forward is copied into this PEP, linked to this one."),
        ),
        Block::field(FieldSpec::new("impact", "What difference did it make?", Control::LongText)),
        Block::field(
            FieldSpec::new("evidence", "Evidence", Control::LongText)
                .hint("For example, test scores, attendance figures or what the child said."),
        ),
    ];
    if funded {
        blocks.push(Block::field(
            FieldSpec::new("spend_impact", "Impact of the funding", Control::LongText)
                .hint("What the money bought and what changed because of it."),
        ));
    }
    blocks
}

/// The form's fields for a stored review.
pub fn fields_of(review: &CheckedReview) -> Fields {
    Fields::from([
        ("outcome".to_owned(), review.outcome.code().to_owned()),
        ("impact".to_owned(), review.impact.clone()),
        ("evidence".to_owned(), review.evidence.clone()),
        ("spend_impact".to_owned(), review.spend_impact.clone()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::fields;

    #[test]
    fn a_review_needs_outcome_impact_and_evidence() {
        let problems = check(&Fields::new(), false).unwrap_err();
        assert_eq!(problems.message("outcome"), Some("Select how the target went"));
        assert!(
            problems.has("impact") && problems.has("evidence") && !problems.has("spend_impact")
        );
        let ok = check(
            &fields(&[
                ("outcome", "partly_achieved"),
                ("impact", "Reads most evenings now."),
                ("evidence", "Reading age up 4 months."),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(ok.outcome, Outcome::PartlyAchieved);
        assert_eq!(check(&fields_of(&ok), false).unwrap(), ok);
    }

    #[test]
    fn a_funded_target_accounts_for_the_money() {
        let pairs = [("outcome", "achieved"), ("impact", "x"), ("evidence", "y")];
        assert!(check(&fields(&pairs), true).unwrap_err().has("spend_impact"));
        assert_eq!(layout(true).len(), 4);
        assert_eq!(layout(false).len(), 3);
    }
}
