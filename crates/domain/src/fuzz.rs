//! Property-based fuzzing of everything that reads what users upload: the
//! import rows (SSDA903 Header and Episodes, an LA CSV, GIAS, attendance)
//! and the PEP template parser. Each target feeds both arbitrary text and
//! near-valid input (real codes and dates mixed with junk, a valid
//! template with lines cut, repeated or spliced) so the checks are reached
//! deeply, and asserts no panic plus the target's own invariants.
//!
//! The test command runs 256 cases a target; for a longer run:
//! `PROPTEST_CASES=100000 cargo test -p openpep-domain --release fuzz::`.

use proptest::prelude::*;

use crate::attendance_csv::{ATTENDANCE_COLUMNS, check_attendance};
use crate::gias::{GIAS_COLUMNS, check_school};
use crate::la_csv::{LA_FIELDS, guess_mapping};
use crate::ssda903::{
    EPISODE_COLUMNS, HEADER_COLUMNS, Layout, Problem, Row, check_child, check_episode,
};
use crate::template::{TemplateFormat, default_template, parse};

/// Values that are valid somewhere, nearly valid, or hostile.
const CELLS: &[&str] = &[
    "",
    " ",
    "1",
    "2",
    "M",
    "f",
    "girl",
    "U",
    "X",
    "WBRI",
    "ZZZZ",
    "C100001",
    "01/09/2015",
    "31/02/2015",
    "2015-09-01",
    "1/9/15",
    "99/99/9999",
    "A123456789012",
    "H801200001001",
    "UN1",
    "UN9",
    "C2",
    "J1",
    "V2",
    "U1",
    "P1",
    "PR1",
    "N1",
    "E11",
    "X1",
    "IN",
    "OUT",
    "SC123456",
    "123456",
    "1234567",
    "XXXXXXX",
    "990",
    "0052",
    "Open",
    "Closed",
    "Open, but proposed to close",
    "Primary",
    "Good",
    "10",
    "-1",
    "500",
    "501",
    "18446744073709551616",
    "′\u{feff}\u{0}",
    "é€’",
    "=HYPERLINK(\"x\")",
];

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(CELLS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[0-9/\\-]{0,12}",
    ]
}

fn row_over(columns: Vec<String>) -> impl Strategy<Value = Vec<(String, String)>> {
    let n = columns.len();
    proptest::collection::vec(cell(), n)
        .prop_map(move |cells| columns.iter().cloned().zip(cells).collect())
}

fn row_of<'a>(cells: &'a [(String, String)]) -> Row<'a> {
    cells.iter().map(|(column, value)| (column.to_ascii_uppercase(), value.as_str())).collect()
}

fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| (*c).to_owned()).collect()
}

/// The header an LA CSV row is checked under: the SSDA903 names the
/// mapping gives each field.
fn la_columns() -> Vec<String> {
    LA_FIELDS.iter().map(|f| f.key.to_owned()).collect()
}

fn problems_name(problems: &[Problem], known: &[String]) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty(), "a refused row says why");
    for p in problems {
        prop_assert!(
            known.iter().any(|k| k.eq_ignore_ascii_case(p.column)),
            "problem in unknown column {}",
            p.column
        );
        prop_assert!(!p.reason.is_empty());
    }
    Ok(())
}

proptest! {
    #[test]
    fn header_rows_never_panic(cells in row_over(names(&HEADER_COLUMNS))) {
        match check_child(&row_of(&cells), Layout::Ssda903) {
            Ok(child) => {
                prop_assert!(!child.child.is_empty());
                prop_assert!(["female", "male", "other"].contains(&child.gender));
                prop_assert!(child.upn.is_none() || child.upn_unknown_reason.is_none());
            }
            Err(problems) => problems_name(&problems, &names(&HEADER_COLUMNS))?,
        }
    }

    #[test]
    fn la_csv_rows_never_panic(cells in row_over(la_columns())) {
        match check_child(&row_of(&cells), Layout::LaCsv) {
            Ok(child) => prop_assert!(!child.child.is_empty()),
            Err(problems) => problems_name(&problems, &la_columns())?,
        }
    }

    #[test]
    fn episode_rows_never_panic(cells in row_over(names(&EPISODE_COLUMNS))) {
        let mut known = names(&EPISODE_COLUMNS);
        known.push("PL_LOCATION".into());
        match check_episode(&row_of(&cells)) {
            Ok(episode) => {
                prop_assert!(!episode.child.is_empty());
                if let Some(ended) = episode.ended_on {
                    prop_assert!(ended >= episode.started_on, "an episode ends after it starts");
                }
            }
            Err(problems) => problems_name(&problems, &known)?,
        }
    }

    #[test]
    fn gias_rows_never_panic(cells in row_over(names(&GIAS_COLUMNS))) {
        let mut known = names(&GIAS_COLUMNS);
        known.extend(["Postcode", "OfstedRating (name)", "OfstedLastInsp"].map(String::from));
        match check_school(&row_of(&cells)) {
            Ok(school) => {
                prop_assert!((100_000..=999_999).contains(&school.urn));
                if let Some(laestab) = &school.laestab {
                    prop_assert_eq!(laestab.len(), 7);
                    prop_assert!(laestab.starts_with(&school.la_code));
                }
            }
            Err(problems) => problems_name(&problems, &known)?,
        }
    }

    #[test]
    fn attendance_rows_never_panic(cells in row_over(names(&ATTENDANCE_COLUMNS))) {
        match check_attendance(&row_of(&cells)) {
            Ok(row) => {
                prop_assert!(row.from <= row.to);
                prop_assert!(row.attended + row.authorised + row.unauthorised <= row.possible);
            }
            Err(problems) => problems_name(&problems, &names(&ATTENDANCE_COLUMNS))?,
        }
    }

    #[test]
    fn any_header_guesses_a_mapping_within_it(header in proptest::collection::vec(
        prop_oneof![cell(), proptest::sample::select(
            &["Child ID", "First name", "Surname", "DOB", "Gender", "UPN", "Ethnicity"][..]
        ).prop_map(str::to_owned)],
        0..12,
    )) {
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let mapping = guess_mapping(&header);
        let mut used: Vec<usize> = mapping.values().copied().collect();
        prop_assert!(used.iter().all(|&i| i < header.len()));
        used.sort_unstable();
        used.dedup();
        prop_assert_eq!(used.len(), mapping.len(), "no column is given two fields");
    }

    #[test]
    fn any_text_as_a_template_never_panics(src in any::<String>(), json in any::<bool>()) {
        let format = if json { TemplateFormat::Json } else { TemplateFormat::Toml };
        if let Err(errors) = parse(&src, format) {
            prop_assert!(!errors.is_empty());
            let lines = src.lines().count() + 1;
            for e in errors {
                prop_assert!(e.line.is_none_or(|l| (1..=lines).contains(&l)), "line {:?} of {}", e.line, lines);
            }
        }
    }

    #[test]
    fn a_damaged_template_is_refused_or_round_trips(
        cut in any::<proptest::sample::Index>(),
        repeat in any::<proptest::sample::Index>(),
        splice in any::<proptest::sample::Index>(),
        junk in prop_oneof![
            Just(String::new()),
            Just("]]".to_owned()),
            Just("kind = \"nonsense\"".to_owned()),
            Just("[[sections.pages]]".to_owned()),
            Just("owners = []".to_owned()),
            Just("key = \"sign_off\"".to_owned()),
            any::<String>(),
        ],
    ) {
        let src = default_template().to_toml();
        let mut lines: Vec<&str> = src.lines().collect();
        let doubled = lines[repeat.index(lines.len())];
        lines.insert(repeat.index(lines.len()), doubled);
        lines.remove(cut.index(lines.len()));
        lines.insert(splice.index(lines.len()), &junk);
        let damaged = lines.join("\n");
        match parse(&damaged, TemplateFormat::Toml) {
            Ok(template) => {
                let again = parse(&template.to_toml(), TemplateFormat::Toml);
                prop_assert_eq!(again, Ok(template));
            }
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }
}
