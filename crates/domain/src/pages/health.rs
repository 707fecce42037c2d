//! Health and emotional wellbeing, written by the social worker: what
//! school needs to know from the child's last health assessment, health
//! needs during the school day, and emotional wellbeing. Children in care
//! have a health assessment at least every 12 months, every 6 months while
//! under five; an older one is flagged.

use chrono::{Months, NaiveDate};

use super::input::{Reader, parse_date};
use super::{Block, Control, FieldSpec, Fields, PageContext, Problems, Tone, uk_date};

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    let date = r.date("assessment_date", "the date of the last health assessment");
    if date.is_some_and(|d| d > ctx.today) {
        r.problem(
            "assessment_date",
            "The date of the last health assessment must be today or in the past",
        );
    }
    r.long_text("assessment_notes", "what school needs to know from the health assessment");
    r.long_text("needs_in_school", "health needs in school");
    r.long_text("wellbeing", "emotional wellbeing and mental health");
    r.require(completing, "assessment_date", "Enter the date of the last health assessment");
    r.require(
        completing,
        "wellbeing",
        "Enter what school needs to know about the child's emotional wellbeing and mental health",
    );
    r.finish()
}

/// How many months apart health assessments should be for a child of this
/// year group: 6 for the under-fives, otherwise 12. Reception and younger
/// stand for the under-fives (reception children turn five during the year,
/// so this errs towards the more frequent check).
fn months_between_assessments(ctx: &PageContext) -> u32 {
    if ctx.nc_year.value() <= 0 { 6 } else { 12 }
}

/// The warning when the last assessment is older than it should be.
fn overdue(last: NaiveDate, ctx: &PageContext) -> Option<Block> {
    let months = months_between_assessments(ctx);
    let due_after = ctx.today.checked_sub_months(Months::new(months))?;
    (last < due_after).then(|| Block::Alert {
        text: if months == 6 {
            format!(
                "The last health assessment was on {}: children in care under five have one at least every 6 months.",
                uk_date(last)
            )
        } else {
            format!(
                "The last health assessment was on {}: children in care have one at least every 12 months.",
                uk_date(last)
            )
        },
        tone: Tone::Warning,
    })
}

pub(super) fn layout(fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let every = match months_between_assessments(ctx) {
        6 => "Children in care under five have one at least every 6 months.",
        _ => "Children in care have one at least every 12 months.",
    };
    let mut blocks = vec![
        Block::Field(
            FieldSpec::new("assessment_date", "Date of the last health assessment", Control::Date)
                .hint(format!("{every} For example, 3 3 2026")),
        ),
        Block::Field(
            FieldSpec::new(
                "assessment_notes",
                "What school needs to know from the health assessment",
                Control::LongText,
            )
            .hint(
                "Only what helps school support the child: the full assessment stays with health",
            ),
        ),
        Block::Field(
            FieldSpec::new(
                "needs_in_school",
                "Health needs during the school day",
                Control::LongText,
            )
            .hint("For example medication, allergies, or appointments during school time"),
        ),
        Block::Field(
            FieldSpec::new("wellbeing", "Emotional wellbeing and mental health", Control::LongText)
                .hint(
                    "How the child is feeling, and any support they have, such as CAMHS \
                     (child and adolescent mental health services) or counselling",
                ),
        ),
    ];
    let last = fields.get("assessment_date").and_then(|v| parse_date(v).ok().flatten());
    if let Some(alert) = last.filter(|d| *d <= ctx.today).and_then(|d| overdue(d, ctx)) {
        blocks.push(alert);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};
    use crate::school_year::NcYear;

    fn alerts(blocks: &[Block]) -> Vec<(&str, Tone)> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Alert { text, tone } => Some((text.as_str(), *tone)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn completing_needs_the_date_and_wellbeing() {
        let f = fields(&[("needs_in_school", "Inhaler in the office\r\nNut allergy ")]);
        let out = check(&f, &context(), false).unwrap();
        assert_eq!(out["needs_in_school"], "Inhaler in the office\nNut allergy");
        assert_eq!(out["assessment_date"], "");
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.message("assessment_date"),
            Some("Enter the date of the last health assessment")
        );
        assert_eq!(
            p.message("wellbeing"),
            Some(
                "Enter what school needs to know about the child's emotional wellbeing and mental health"
            )
        );
        assert!(!p.has("assessment_notes"));
        let f =
            fields(&[("assessment_date", "3/3/2026"), ("wellbeing", "Settled; sees a counsellor")]);
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["assessment_date"], "2026-03-03");
    }

    #[test]
    fn the_assessment_is_not_in_the_future() {
        let f = fields(&[("assessment_date", "24/11/2026")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("assessment_date"),
            Some("The date of the last health assessment must be today or in the past")
        );
        let f = fields(&[("assessment_date", "30/2/2026")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("assessment_date"),
            Some("The date of the last health assessment must be a real date")
        );
    }

    #[test]
    fn an_assessment_over_12_months_old_is_flagged() {
        // Today is 23 November 2026.
        let ctx = context();
        let on_time = fields(&[("assessment_date", "2025-11-23")]);
        assert!(alerts(&layout(&on_time, &ctx)).is_empty());
        let late = fields(&[("assessment_date", "22/11/2025")]);
        assert_eq!(
            alerts(&layout(&late, &ctx)),
            vec![(
                "The last health assessment was on 22 November 2025: children in care have one at least every 12 months.",
                Tone::Warning
            )]
        );
        let old = fields(&[("assessment_date", "2025-03-03")]);
        assert_eq!(
            alerts(&layout(&old, &ctx))[0].0,
            "The last health assessment was on 3 March 2025: children in care have one at least every 12 months."
        );
        assert!(alerts(&layout(&fields(&[]), &ctx)).is_empty());
    }

    #[test]
    fn under_fives_are_flagged_after_6_months() {
        let mut ctx = context();
        ctx.nc_year = NcYear::RECEPTION;
        let recent = fields(&[("assessment_date", "2026-05-23")]);
        assert!(alerts(&layout(&recent, &ctx)).is_empty());
        let late = fields(&[("assessment_date", "2026-05-22")]);
        assert_eq!(
            alerts(&layout(&late, &ctx)),
            vec![(
                "The last health assessment was on 22 May 2026: children in care under five have one at least every 6 months.",
                Tone::Warning
            )]
        );
        // The same date is fine for a year 1 child.
        ctx.nc_year = NcYear::from_value(1);
        assert!(alerts(&layout(&late, &ctx)).is_empty());
        ctx.nc_year = NcYear::NURSERY;
        assert_eq!(alerts(&layout(&late, &ctx)).len(), 1);
    }
}
