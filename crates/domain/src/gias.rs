//! Get Information About Schools' establishment file ("edubasealldata"):
//! one row a school, with GIAS's own column names. Each row is checked
//! into the school OpenPEP keeps, or the problems by column.

use chrono::NaiveDate;

use crate::ssda903::{Problem, Row, school_urn};

/// The columns a GIAS file must have (it has many more).
pub const GIAS_COLUMNS: [&str; 7] = [
    "URN",
    "LA (code)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "PhaseOfEducation (name)",
    "EstablishmentStatus (name)",
];

/// A school as GIAS publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolRow {
    pub urn: i32,
    pub la_code: String,
    /// The LA code and establishment number together (seven digits), the
    /// DfE number schools are known by.
    pub laestab: Option<String>,
    pub name: String,
    pub establishment_type: String,
    pub phase: String,
    pub is_open: bool,
    pub postcode: Option<String>,
    pub ofsted_rating: Option<String>,
    pub ofsted_inspected_on: Option<NaiveDate>,
}

fn cell<'a>(row: &Row<'a>, column: &str) -> &'a str {
    row.get(&column.to_ascii_uppercase()).map_or("", |v| v.trim())
}

fn problem(column: &'static str, reason: impl Into<String>) -> Problem {
    Problem { column, reason: reason.into() }
}

/// Checks a GIAS row. Cells are looked up by upper-cased column name.
pub fn check_school(row: &Row<'_>) -> Result<SchoolRow, Vec<Problem>> {
    let mut problems = Vec::new();
    let urn_text = cell(row, "URN");
    let urn = school_urn(urn_text);
    if urn.is_none() {
        problems.push(problem("URN", format!("\"{urn_text}\" is not a six-digit URN")));
    }
    let la_code = cell(row, "LA (code)");
    if la_code.len() != 3 || !la_code.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(problem("LA (code)", format!("\"{la_code}\" is not a three-digit LA code")));
    }
    let number = cell(row, "EstablishmentNumber");
    let laestab = match number {
        "" => None,
        n if n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()) => {
            Some(format!("{la_code}{n:0>4}"))
        }
        n => {
            problems.push(problem(
                "EstablishmentNumber",
                format!("\"{n}\" is not an establishment number of up to four digits"),
            ));
            None
        }
    };
    let mut text = |column: &'static str, required: bool| {
        let value = cell(row, column);
        if required && value.is_empty() {
            problems.push(problem(column, "is empty"));
        } else if value.chars().count() > 200 {
            problems.push(problem(column, "is longer than 200 characters"));
        }
        value.to_owned()
    };
    let name = text("EstablishmentName", true);
    let establishment_type = text("TypeOfEstablishment (name)", true);
    let phase = text("PhaseOfEducation (name)", true);
    let status = text("EstablishmentStatus (name)", true);
    let postcode = text("Postcode", false);
    let ofsted_rating = text("OfstedRating (name)", false);
    let inspected = cell(row, "OfstedLastInsp");
    let ofsted_inspected_on = if inspected.is_empty() {
        None
    } else {
        // GIAS writes DD-MM-YYYY; some downloads DD/MM/YYYY.
        let parsed = NaiveDate::parse_from_str(inspected, "%d-%m-%Y")
            .or_else(|_| NaiveDate::parse_from_str(inspected, "%d/%m/%Y"))
            .ok();
        if parsed.is_none() {
            problems.push(problem(
                "OfstedLastInsp",
                format!("\"{inspected}\" is not a date in the form DD-MM-YYYY"),
            ));
        }
        parsed
    };
    match urn {
        Some(urn) if problems.is_empty() => Ok(SchoolRow {
            urn,
            la_code: la_code.to_owned(),
            laestab,
            name,
            establishment_type,
            phase,
            // "Open" and "Open, but proposed to close" are open;
            // "Closed" and "Proposed to open" are not (yet) places a
            // child can attend.
            is_open: status.starts_with("Open"),
            postcode: (!postcode.is_empty()).then_some(postcode),
            ofsted_rating: (!ofsted_rating.is_empty()).then_some(ofsted_rating),
            ofsted_inspected_on,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(pairs: &[(&str, &'a str)]) -> Row<'a> {
        pairs.iter().map(|(k, v)| (k.to_ascii_uppercase(), *v)).collect()
    }

    #[test]
    fn a_gias_row_gives_the_laestab_and_whether_the_school_is_open() {
        let good = row(&[
            ("URN", "140321"),
            ("LA (code)", "931"),
            ("EstablishmentNumber", "52"),
            ("EstablishmentName", "Willowbank Primary School"),
            ("TypeOfEstablishment (name)", "Academy converter"),
            ("PhaseOfEducation (name)", "Primary"),
            ("EstablishmentStatus (name)", "Closed"),
            ("OfstedRating (name)", "Good"),
            ("OfstedLastInsp", "14-03-2023"),
        ]);
        let s = check_school(&good).unwrap();
        assert_eq!(s.laestab.as_deref(), Some("9310052"));
        assert!(!s.is_open);
        assert_eq!(s.ofsted_inspected_on, NaiveDate::from_ymd_opt(2023, 3, 14));
        let bad = row(&[
            ("URN", "14032"),
            ("LA (code)", "93"),
            ("EstablishmentNumber", "5A"),
            ("EstablishmentName", ""),
            ("TypeOfEstablishment (name)", "Academy converter"),
            ("PhaseOfEducation (name)", "Primary"),
            ("EstablishmentStatus (name)", "Open"),
            ("OfstedLastInsp", "2023-03-14"),
        ]);
        let columns: Vec<&str> = check_school(&bad).unwrap_err().iter().map(|p| p.column).collect();
        assert_eq!(
            columns,
            ["URN", "LA (code)", "EstablishmentNumber", "EstablishmentName", "OfstedLastInsp"]
        );
    }
}
