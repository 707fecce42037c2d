//! The DfE's SSDA903 return, as councils' case-management systems export
//! it: the Header table (one row a child) and the Episodes table (one row
//! a care episode). Each row is checked field by field into the values
//! OpenPEP keeps, or the problems to report against its line and column;
//! reading the file itself is the importer's job.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::legal_status::LegalStatus;
use crate::placement_type::PLACEMENT_TYPES;
use crate::upn::Upn;

/// The Header table's columns, in the DfE's order.
pub const HEADER_COLUMNS: [&str; 7] = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"];

/// The Episodes table's columns, in the DfE's order.
pub const EPISODE_COLUMNS: [&str; 13] = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
];

/// One thing wrong with a row: the column and why, as the report says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub column: &'static str,
    pub reason: String,
}

fn problem(column: &'static str, reason: impl Into<String>) -> Problem {
    Problem { column, reason: reason.into() }
}

/// The columns a file's header row lacks (matched without regard to case
/// or surrounding spaces, as exports differ).
pub fn missing_columns(header: &[&str], wanted: &[&'static str]) -> Vec<&'static str> {
    wanted
        .iter()
        .filter(|w| !header.iter().any(|h| h.trim().eq_ignore_ascii_case(w)))
        .copied()
        .collect()
}

/// A row's cells by column name (upper case), trimmed.
pub type Row<'a> = HashMap<String, &'a str>;

fn cell<'a>(row: &Row<'a>, column: &str) -> &'a str {
    row.get(column).map_or("", |v| v.trim())
}

/// A date as the return writes it: DD/MM/YYYY.
fn date(row: &Row<'_>, column: &'static str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    let text = cell(row, column);
    if text.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(text, "%d/%m/%Y").ok();
    if parsed.is_none() {
        problems.push(problem(column, format!("\"{text}\" is not a date in the form DD/MM/YYYY")));
    }
    parsed
}

fn required(row: &Row<'_>, column: &'static str, problems: &mut Vec<Problem>) -> bool {
    let there = !cell(row, column).is_empty();
    if !there {
        problems.push(problem(column, "is empty"));
    }
    there
}

/// A child as the Header table gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderRow {
    /// The council's own id for the child.
    pub child: String,
    /// "female", "male" or "other", as OpenPEP keeps gender.
    pub gender: &'static str,
    pub date_of_birth: NaiveDate,
    pub ethnicity: Option<String>,
    pub upn: Option<Upn>,
    /// UN1 to UN5 when the return gives a reason in place of a UPN.
    pub upn_unknown_reason: Option<String>,
}

/// Checks a Header row.
pub fn check_header(row: &Row<'_>) -> Result<HeaderRow, Vec<Problem>> {
    let mut problems = Vec::new();
    required(row, "CHILD", &mut problems);
    let gender = match cell(row, "SEX").to_ascii_uppercase().as_str() {
        "1" | "M" => Some("male"),
        "2" | "F" => Some("female"),
        "U" => Some("other"),
        "" => {
            problems.push(problem("SEX", "is empty"));
            None
        }
        other => {
            problems.push(problem("SEX", format!("\"{other}\" is not 1, 2, M, F or U")));
            None
        }
    };
    let dob =
        if required(row, "DOB", &mut problems) { date(row, "DOB", &mut problems) } else { None };
    let ethnic = cell(row, "ETHNIC").to_ascii_uppercase();
    let ethnicity = if ethnic.is_empty() {
        None
    } else if crate::ethnicity::ETHNICITIES.iter().any(|(code, _)| *code == ethnic) {
        Some(ethnic)
    } else {
        problems.push(problem("ETHNIC", format!("\"{ethnic}\" is not an ethnicity code")));
        None
    };
    let upn_text = cell(row, "UPN").to_ascii_uppercase();
    let (mut upn, mut upn_unknown_reason) = (None, None);
    if crate::upn::UnknownUpnReason::from_code(&upn_text).is_some() {
        upn_unknown_reason = Some(upn_text);
    } else if !upn_text.is_empty() {
        match Upn::parse(&upn_text) {
            Ok(parsed) => upn = Some(parsed),
            Err(e) => problems.push(problem("UPN", format!("\"{upn_text}\": {e}"))),
        }
    }
    match (gender, dob) {
        (Some(gender), Some(date_of_birth)) if problems.is_empty() => Ok(HeaderRow {
            child: cell(row, "CHILD").to_owned(),
            gender,
            date_of_birth,
            ethnicity,
            upn,
            upn_unknown_reason,
        }),
        _ => Err(problems),
    }
}

/// A care episode as the Episodes table gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeRow {
    pub child: String,
    pub started_on: NaiveDate,
    /// The reason for the new episode (RNE), as coded.
    pub reason_new: String,
    pub legal_status: LegalStatus,
    pub placement: String,
    pub ended_on: Option<NaiveDate>,
    /// The reason it ended (REC), when it did.
    pub reason_ended: Option<String>,
    /// The URN of the school the child attends, when given.
    pub urn: Option<i32>,
}

/// The RNE codes: why a new episode started.
pub const NEW_EPISODE_REASONS: [&str; 5] = ["S", "L", "P", "T", "B"];

/// Checks an Episodes row.
pub fn check_episode(row: &Row<'_>) -> Result<EpisodeRow, Vec<Problem>> {
    let mut problems = Vec::new();
    required(row, "CHILD", &mut problems);
    let started = if required(row, "DECOM", &mut problems) {
        date(row, "DECOM", &mut problems)
    } else {
        None
    };
    let rne = cell(row, "RNE").to_ascii_uppercase();
    if required(row, "RNE", &mut problems) && !NEW_EPISODE_REASONS.contains(&rne.as_str()) {
        problems.push(problem("RNE", format!("\"{rne}\" is not S, L, P, T or B")));
    }
    let ls = cell(row, "LS").to_ascii_uppercase();
    let legal_status = LegalStatus::from_code(&ls);
    if legal_status.is_none() {
        problems.push(problem("LS", format!("\"{ls}\" is not a legal status code")));
    }
    let place = cell(row, "PLACE").to_ascii_uppercase();
    if !PLACEMENT_TYPES.iter().any(|(code, _)| *code == place) {
        problems.push(problem("PLACE", format!("\"{place}\" is not a placement type")));
    }
    let ended_on = date(row, "DEC", &mut problems);
    let rec = cell(row, "REC").to_ascii_uppercase();
    if let (Some(start), Some(end)) = (started, ended_on)
        && end < start
    {
        problems.push(problem("DEC", "is before DECOM"));
    }
    if ended_on.is_some() && rec.is_empty() {
        problems.push(problem("REC", "is empty though the episode has ended"));
    }
    let urn_text = cell(row, "URN");
    let urn = match urn_text {
        "" => None,
        // The return's codes for a child with no school URN.
        t if t.eq_ignore_ascii_case("XXXXXXX") || t.eq_ignore_ascii_case("SC999999") => None,
        t => match t.parse::<i32>() {
            Ok(n) if (100_000..=999_999).contains(&n) => Some(n),
            _ => {
                problems.push(problem("URN", format!("\"{t}\" is not a six-digit URN")));
                None
            }
        },
    };
    match (started, legal_status) {
        (Some(started_on), Some(legal_status)) if problems.is_empty() => Ok(EpisodeRow {
            child: cell(row, "CHILD").to_owned(),
            started_on,
            reason_new: rne,
            legal_status,
            placement: place,
            ended_on,
            reason_ended: (!rec.is_empty()).then_some(rec),
            urn,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(pairs: &[(&str, &'a str)]) -> Row<'a> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn a_header_row_is_read_with_the_dfe_codes() {
        let good = row(&[
            ("CHILD", "C1001"),
            ("SEX", "2"),
            ("DOB", "03/07/2014"),
            ("ETHNIC", "wbri"),
            ("UPN", "B801200005001"),
        ]);
        let h = check_header(&good).unwrap();
        assert_eq!(h.gender, "female");
        assert_eq!(h.date_of_birth, NaiveDate::from_ymd_opt(2014, 7, 3).unwrap());
        assert_eq!(h.ethnicity.as_deref(), Some("WBRI"));
        assert!(h.upn.is_some());
        let unknown = row(&[("CHILD", "C2"), ("SEX", "M"), ("DOB", "01/01/2015"), ("UPN", "UN3")]);
        assert_eq!(check_header(&unknown).unwrap().upn_unknown_reason.as_deref(), Some("UN3"));
    }

    #[test]
    fn every_problem_of_a_header_row_is_reported_by_column() {
        let bad = row(&[
            ("CHILD", ""),
            ("SEX", "X"),
            ("DOB", "2014-07-03"),
            ("ETHNIC", "ZZZZ"),
            // A fake UPN with the wrong check letter.
            ("UPN", "A801200005001"),
        ]);
        let problems = check_header(&bad).unwrap_err();
        let columns: Vec<&str> = problems.iter().map(|p| p.column).collect();
        assert_eq!(columns, ["CHILD", "SEX", "DOB", "ETHNIC", "UPN"]);
        assert!(problems[2].reason.contains("DD/MM/YYYY"));
        assert!(problems[4].reason.contains("check letter"));
    }

    #[test]
    fn an_episode_row_is_read_and_checked() {
        let good = row(&[
            ("CHILD", "C1001"),
            ("DECOM", "15/09/2025"),
            ("RNE", "S"),
            ("LS", "C2"),
            ("PLACE", "U4"),
            ("URN", "123456"),
        ]);
        let e = check_episode(&good).unwrap();
        assert_eq!(e.placement, "U4");
        assert_eq!(e.urn, Some(123_456));
        assert_eq!(e.ended_on, None);
        let bad = row(&[
            ("CHILD", "C1001"),
            ("DECOM", "15/09/2025"),
            ("RNE", "Q"),
            ("LS", "ZZ"),
            ("PLACE", "U9"),
            ("DEC", "01/09/2025"),
            ("URN", "12"),
        ]);
        let columns: Vec<&str> =
            check_episode(&bad).unwrap_err().iter().map(|p| p.column).collect();
        assert_eq!(columns, ["RNE", "LS", "PLACE", "DEC", "REC", "URN"]);
    }

    #[test]
    fn missing_columns_are_named() {
        let header = ["child", " SEX ", "DOB", "UPN"];
        assert_eq!(missing_columns(&header, &HEADER_COLUMNS), ["ETHNIC", "MOTHER", "MC_DOB"]);
    }
}
