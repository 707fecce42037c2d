//! Previous schools and settings. The schools the child has been at while
//! in care come from the record's school placements and are shown, not
//! typed. Schools and settings from before the child came into care are
//! typed in as a list.

use chrono::NaiveDate;

use super::input::{Reader, list};
use super::{
    Block, Control, FieldSpec, Fields, PageContext, Problems, SchoolSpell, entries, entry_name,
    uk_date,
};

const SCHOOL: &str = "school";
const SCHOOL_FIELDS: [&str; 4] = ["name", "from", "to", "reason"];

/// A spell's row: school, from, last day (the day before `until`) or
/// "Current", and the reason for the move.
fn history_row(spell: &SchoolSpell) -> Vec<String> {
    let to = spell.until.map_or_else(
        || "Current".to_owned(),
        |until| {
            // `until` is the day the next place started.
            let last = until.pred_opt().unwrap_or(until).max(spell.from);
            uk_date(last)
        },
    );
    let reason = spell
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("Not recorded")
        .to_owned();
    vec![spell.school.clone(), uk_date(spell.from), to, reason]
}

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    for (saved, (i, _)) in entries(fields, SCHOOL).into_iter().enumerate() {
        let name = |field: &str| entry_name(SCHOOL, i, field);
        r.text(&name("name"), "the name of the school or setting");
        let from = r.date(&name("from"), "the date the child started");
        let to = r.date(&name("to"), "the date the child left");
        r.text(&name("reason"), "why the child left");
        let future = |d: Option<NaiveDate>| d.is_some_and(|d| d > ctx.today);
        if future(from) {
            r.problem(&name("from"), "The date the child started must be today or in the past");
        }
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            r.problem(
                &name("to"),
                "The date the child left must be the same as or after the date they started",
            );
        }
        if future(to) {
            r.problem(&name("to"), "The date the child left must be today or in the past");
        }
        r.require(completing, &name("name"), "Enter the name of the school or setting");
        r.require(completing, &name("from"), "Enter the date the child started there");
        super::input::renumber(&mut r.out, SCHOOL, i, saved, &SCHOOL_FIELDS);
    }
    r.finish()
}

/// One past the highest index sent or saved, for a blank entry whose names
/// nothing else uses.
fn school_specs(i: usize) -> Vec<FieldSpec> {
    let name = |field: &str| entry_name(SCHOOL, i, field);
    vec![
        FieldSpec::new(name("name"), "Name of the school or setting", Control::Text)
            .hint("A school, nursery, childminder or other setting"),
        FieldSpec::new(name("from"), "Date the child started", Control::Date)
            .hint("An approximate date is fine. For example, 1 9 2022"),
        FieldSpec::new(name("to"), "Date the child left", Control::Date),
        FieldSpec::new(name("reason"), "Why the child left", Control::Text)
            .hint("For example, a house move or a move to secondary school"),
    ]
}

pub(super) fn layout(fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let mut blocks = Vec::new();
    if ctx.school_history.is_empty() {
        blocks.push(Block::Paragraph(
            "No school placements are recorded for the child yet. When a school is recorded on \
             the child's record it is shown here."
                .to_owned(),
        ));
    } else {
        blocks.push(Block::Table {
            caption: "Recorded from the child's school placements".to_owned(),
            head: ["School or setting", "From", "To", "Reason for the move"]
                .map(str::to_owned)
                .to_vec(),
            rows: ctx.school_history.iter().map(history_row).collect(),
        });
    }
    blocks.push(Block::Heading {
        text: "Before the child came into care".to_owned(),
        hint: Some(
            "Schools, nurseries and other settings the child went to before coming into care, \
             as far as they are known"
                .to_owned(),
        ),
    });

    blocks.extend(list(
        fields,
        ctx,
        SCHOOL,
        "School or setting",
        true,
        school_specs,
        ("Add a school or setting", "Add another school or setting"),
    ));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_history_table_shows_each_placement_with_its_last_day() {
        let mut ctx = context();
        ctx.school_history = vec![
            SchoolSpell {
                school: "Hillside Primary School".to_owned(),
                from: date(2019, 9, 4),
                until: Some(date(2024, 9, 3)),
                reason: Some("Moved to secondary school".to_owned()),
            },
            SchoolSpell {
                school: "Oakfield Academy".to_owned(),
                from: date(2024, 9, 3),
                until: Some(date(2026, 1, 5)),
                reason: None,
            },
            SchoolSpell {
                school: "Riverside School".to_owned(),
                from: date(2026, 1, 5),
                until: None,
                reason: Some("  ".to_owned()),
            },
        ];
        let blocks = layout(&fields(&[]), &ctx);
        let Some(Block::Table { caption, head, rows }) = blocks.first() else {
            panic!("the table comes first: {blocks:?}");
        };
        assert_eq!(caption, "Recorded from the child's school placements");
        assert_eq!(head, &["School or setting", "From", "To", "Reason for the move"]);
        assert_eq!(
            rows,
            &[
                [
                    "Hillside Primary School",
                    "4 September 2019",
                    "2 September 2024",
                    "Moved to secondary school"
                ],
                ["Oakfield Academy", "3 September 2024", "4 January 2026", "Not recorded"],
                ["Riverside School", "5 January 2026", "Current", "Not recorded"],
            ]
        );
    }

    #[test]
    fn a_place_that_ended_the_day_it_began_shows_that_day() {
        let spell = SchoolSpell {
            school: "A".to_owned(),
            from: date(2026, 3, 2),
            until: Some(date(2026, 3, 2)),
            reason: None,
        };
        assert_eq!(history_row(&spell)[2], "2 March 2026");
    }

    #[test]
    fn without_history_the_page_says_so_and_shows_a_blank_school() {
        let blocks = layout(&fields(&[]), &context());
        assert_eq!(
            blocks[0],
            Block::Paragraph(
                "No school placements are recorded for the child yet. When a school is recorded on the child's record it is shown here."
                    .to_owned()
            )
        );
        assert!(
            matches!(&blocks[1], Block::Heading { text, .. } if text == "Before the child came into care")
        );
        let Block::Entry { legend, fields: specs, remove } = &blocks[2] else {
            panic!("a blank entry: {blocks:?}");
        };
        assert_eq!(legend, "School or setting 1");
        assert_eq!(remove, "school_0_remove");
        let names: Vec<_> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["school_0_name", "school_0_from", "school_0_to", "school_0_reason"]);
        assert_eq!(
            blocks[3],
            Block::Add {
                group: "school".to_owned(),
                label: "Add another school or setting".to_owned()
            }
        );
        assert_eq!(blocks.len(), 4);
    }

    #[test]
    fn entries_are_shown_as_sent_and_one_more_when_asked() {
        let mut ctx = context();
        ctx.add_entry = Some("school".to_owned());
        let f =
            fields(&[("school_0_name", "Little Acorns Nursery"), ("school_2_name", "Hillside")]);
        let legends: Vec<_> = layout(&f, &ctx)
            .into_iter()
            .filter_map(|b| match b {
                Block::Entry { legend, remove, .. } => Some((legend, remove)),
                _ => None,
            })
            .collect();
        assert_eq!(
            legends,
            [
                ("School or setting 1".to_owned(), "school_0_remove".to_owned()),
                ("School or setting 2".to_owned(), "school_2_remove".to_owned()),
                ("School or setting 3".to_owned(), "school_3_remove".to_owned()),
            ]
        );
    }

    #[test]
    fn schools_are_saved_renumbered_and_normalised() {
        let f = fields(&[
            ("school_1_name", "  Little   Acorns Nursery "),
            ("school_1_from", "1/9/2018"),
            ("school_1_to", "18/7/2019"),
            ("school_1_reason", "Started school"),
            ("school_3_name", "St Mary's Primary"),
            ("school_3_from", "2019-09-04"),
            ("school_4_name", "Removed"),
            ("school_4_remove", "yes"),
        ]);
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(
            out,
            fields(&[
                ("school_0_name", "Little Acorns Nursery"),
                ("school_0_from", "2018-09-01"),
                ("school_0_to", "2019-07-18"),
                ("school_0_reason", "Started school"),
                ("school_1_name", "St Mary's Primary"),
                ("school_1_from", "2019-09-04"),
                ("school_1_to", ""),
                ("school_1_reason", ""),
            ])
        );
        assert_eq!(check(&fields(&[]), &context(), true), Ok(Fields::new()));
    }

    #[test]
    fn bad_dates_are_refused_with_the_names_as_sent() {
        let f = fields(&[
            ("school_2_name", "Hillside"),
            ("school_2_from", "1/9/2020"),
            ("school_2_to", "31/8/2020"),
            ("school_5_name", "Oakfield"),
            ("school_5_from", "1/9/2026"),
            ("school_5_to", "24/11/2026"),
            ("school_6_name", "Brook"),
            ("school_6_from", "24/11/2026"),
        ]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.0,
            vec![
                (
                    "school_2_to".to_owned(),
                    "The date the child left must be the same as or after the date they started"
                        .to_owned()
                ),
                (
                    "school_5_to".to_owned(),
                    "The date the child left must be today or in the past".to_owned()
                ),
                (
                    "school_6_from".to_owned(),
                    "The date the child started must be today or in the past".to_owned()
                ),
            ]
        );
        let f = fields(&[("school_0_name", "Hillside"), ("school_0_from", "31/2/2020")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("school_0_from"),
            Some("The date the child started must be a real date")
        );
    }

    #[test]
    fn completing_needs_each_entry_name_and_start() {
        let f = fields(&[("school_0_reason", "Moved house"), ("school_1_to", "2/2/2021")]);
        assert!(check(&f, &context(), false).is_ok());
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.0,
            vec![
                ("school_0_name".to_owned(), "Enter the name of the school or setting".to_owned()),
                ("school_0_from".to_owned(), "Enter the date the child started there".to_owned()),
                ("school_1_name".to_owned(), "Enter the name of the school or setting".to_owned()),
                ("school_1_from".to_owned(), "Enter the date the child started there".to_owned()),
            ]
        );
    }
}
