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

/// How strictly a file's values are read: the DfE's return exactly, or an
/// authority's own CSV, which may also write dates as YYYY-MM-DD and sex
/// as a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Ssda903,
    LaCsv,
}

/// A date as the return writes it: DD/MM/YYYY (or YYYY-MM-DD in an LA CSV).
pub fn date(
    row: &Row<'_>,
    column: &'static str,
    layout: Layout,
    problems: &mut Vec<Problem>,
) -> Option<NaiveDate> {
    let text = cell(row, column);
    if text.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(text, "%d/%m/%Y").ok().or_else(|| {
        (layout == Layout::LaCsv).then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())?
    });
    if parsed.is_none() {
        let form = match layout {
            Layout::Ssda903 => "DD/MM/YYYY",
            Layout::LaCsv => "DD/MM/YYYY or YYYY-MM-DD",
        };
        problems.push(problem(column, format!("\"{text}\" is not a date in the form {form}")));
    }
    parsed
}

/// The longest name or free text kept from a file.
const MAX_TEXT: usize = 100;

fn optional_text(
    row: &Row<'_>,
    column: &'static str,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let text = cell(row, column);
    if text.chars().count() > MAX_TEXT {
        problems.push(problem(column, format!("is longer than {MAX_TEXT} characters")));
        return None;
    }
    (!text.is_empty()).then(|| text.to_owned())
}

fn required(row: &Row<'_>, column: &'static str, problems: &mut Vec<Problem>) -> bool {
    let there = !cell(row, column).is_empty();
    if !there {
        problems.push(problem(column, "is empty"));
    }
    there
}

/// A child as the Header table (or an LA CSV) gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRow {
    /// The council's own id for the child.
    pub child: String,
    /// The return carries no names; an extract may add FORENAME and
    /// SURNAME columns, and a child new to OpenPEP needs them.
    pub forename: Option<String>,
    pub surname: Option<String>,
    pub preferred_name: Option<String>,
    /// "female", "male" or "other", as OpenPEP keeps gender.
    pub gender: &'static str,
    pub date_of_birth: NaiveDate,
    pub ethnicity: Option<String>,
    pub upn: Option<Upn>,
    /// UN1 to UN5 when the return gives a reason in place of a UPN.
    pub upn_unknown_reason: Option<String>,
    /// The school the child attends (an LA CSV's SCHOOL_URN), from when.
    pub school: Option<SchoolAttended>,
}

/// The school an LA CSV says a child attends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchoolAttended {
    pub urn: i32,
    pub started_on: Option<NaiveDate>,
}

/// The longest id a council's system gives a child that is kept.
const MAX_CHILD_ID: usize = 40;

/// Checks a Header row (or an LA CSV row mapped to the same columns).
pub fn check_child(row: &Row<'_>, layout: Layout) -> Result<ChildRow, Vec<Problem>> {
    let mut problems = Vec::new();
    if required(row, "CHILD", &mut problems) && cell(row, "CHILD").len() > MAX_CHILD_ID {
        problems.push(problem("CHILD", format!("is longer than {MAX_CHILD_ID} characters")));
    }
    let sex = cell(row, "SEX").to_ascii_lowercase();
    let gender = match (sex.as_str(), layout) {
        ("1" | "m", _) | ("male" | "boy", Layout::LaCsv) => Some("male"),
        ("2" | "f", _) | ("female" | "girl", Layout::LaCsv) => Some("female"),
        ("u", _) | ("other" | "unknown" | "not known", Layout::LaCsv) => Some("other"),
        ("", _) => {
            problems.push(problem("SEX", "is empty"));
            None
        }
        (other, _) => {
            problems.push(problem("SEX", format!("\"{other}\" is not 1, 2, M, F or U")));
            None
        }
    };
    let dob = if required(row, "DOB", &mut problems) {
        date(row, "DOB", layout, &mut problems)
    } else {
        None
    };
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
    let forename = optional_text(row, "FORENAME", &mut problems);
    let surname = optional_text(row, "SURNAME", &mut problems);
    let preferred_name = optional_text(row, "PREFERRED_NAME", &mut problems);
    if layout == Layout::LaCsv {
        for column in ["FORENAME", "SURNAME"] {
            required(row, column, &mut problems);
        }
    }
    let school = school_attended(row, layout, &mut problems);
    match (gender, dob) {
        (Some(gender), Some(date_of_birth)) if problems.is_empty() => Ok(ChildRow {
            child: cell(row, "CHILD").to_owned(),
            forename,
            surname,
            preferred_name,
            gender,
            date_of_birth,
            ethnicity,
            upn,
            upn_unknown_reason,
            school,
        }),
        _ => Err(problems),
    }
}

fn school_attended(
    row: &Row<'_>,
    layout: Layout,
    problems: &mut Vec<Problem>,
) -> Option<SchoolAttended> {
    let text = cell(row, "SCHOOL_URN");
    let started_on = date(row, "SCHOOL_START", layout, problems);
    if text.is_empty() {
        if started_on.is_some() {
            problems.push(problem("SCHOOL_URN", "is empty though a school start date is given"));
        }
        return None;
    }
    match school_urn(text) {
        Some(urn) => Some(SchoolAttended { urn, started_on }),
        None => {
            problems.push(problem("SCHOOL_URN", format!("\"{text}\" is not a six-digit URN")));
            None
        }
    }
}

/// A school's URN: six digits.
pub fn school_urn(text: &str) -> Option<i32> {
    let text = text.trim();
    (text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
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
    /// Who provides the placement (PLACE_PROVIDER), as given.
    pub provider: Option<String>,
    /// Ofsted's URN of the placement (a children's home's "SC…"), when
    /// it has one. Not the school's: the return does not record schools.
    pub placement_urn: Option<String>,
    /// Whether the placement is inside the authority (PL_LOCATION IN/OUT),
    /// when the extract says.
    pub inside_authority: Option<bool>,
}

/// The RNE codes: why a new episode started.
pub const NEW_EPISODE_REASONS: [&str; 5] = ["S", "L", "P", "T", "B"];

/// Checks an Episodes row.
pub fn check_episode(row: &Row<'_>) -> Result<EpisodeRow, Vec<Problem>> {
    let mut problems = Vec::new();
    required(row, "CHILD", &mut problems);
    let started = if required(row, "DECOM", &mut problems) {
        date(row, "DECOM", Layout::Ssda903, &mut problems)
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
    let ended_on = date(row, "DEC", Layout::Ssda903, &mut problems);
    let rec = cell(row, "REC").to_ascii_uppercase();
    if let (Some(start), Some(end)) = (started, ended_on)
        && end < start
    {
        problems.push(problem("DEC", "is before DECOM"));
    }
    if ended_on.is_some() && rec.is_empty() {
        problems.push(problem("REC", "is empty though the episode has ended"));
    }
    let urn_text = cell(row, "URN").to_ascii_uppercase();
    let placement_urn = match urn_text.as_str() {
        // The return's code for a placement with no Ofsted URN.
        "" | "XXXXXXX" => None,
        t if is_ofsted_urn(t) => Some(urn_text.clone()),
        t => {
            problems.push(problem(
                "URN",
                format!("\"{t}\" is not an Ofsted URN (SC and six digits, or six or seven digits)"),
            ));
            None
        }
    };
    let provider = optional_text(row, "PLACE_PROVIDER", &mut problems);
    let inside_authority = match cell(row, "PL_LOCATION").to_ascii_uppercase().as_str() {
        "" => None,
        "IN" => Some(true),
        "OUT" => Some(false),
        other => {
            problems.push(problem("PL_LOCATION", format!("\"{other}\" is not IN or OUT")));
            None
        }
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
            provider,
            placement_urn,
            inside_authority,
        }),
        _ => Err(problems),
    }
}

fn is_ofsted_urn(text: &str) -> bool {
    let digits = text.strip_prefix("SC").map_or(text, |rest| rest);
    let wanted = if text.starts_with("SC") { 6..=6 } else { 6..=7 };
    wanted.contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
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
        let h = check_child(&good, Layout::Ssda903).unwrap();
        assert_eq!(h.gender, "female");
        assert_eq!(h.date_of_birth, NaiveDate::from_ymd_opt(2014, 7, 3).unwrap());
        assert_eq!(h.ethnicity.as_deref(), Some("WBRI"));
        assert!(h.upn.is_some());
        let unknown = row(&[("CHILD", "C2"), ("SEX", "M"), ("DOB", "01/01/2015"), ("UPN", "UN3")]);
        assert_eq!(
            check_child(&unknown, Layout::Ssda903).unwrap().upn_unknown_reason.as_deref(),
            Some("UN3")
        );
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
        let problems = check_child(&bad, Layout::Ssda903).unwrap_err();
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
            ("URN", "sc123456"),
        ]);
        let e = check_episode(&good).unwrap();
        assert_eq!(e.placement, "U4");
        assert_eq!(e.placement_urn.as_deref(), Some("SC123456"));
        assert_eq!(e.ended_on, None);
        let bad = row(&[
            ("CHILD", "C1001"),
            ("DECOM", "15/09/2025"),
            ("RNE", "Q"),
            ("LS", "ZZ"),
            ("PLACE", "U9"),
            ("DEC", "01/09/2025"),
            ("URN", "SC12"),
        ]);
        let columns: Vec<&str> =
            check_episode(&bad).unwrap_err().iter().map(|p| p.column).collect();
        assert_eq!(columns, ["RNE", "LS", "PLACE", "DEC", "REC", "URN"]);
    }

    #[test]
    fn an_la_csv_row_needs_names_and_may_give_a_school() {
        let good = row(&[
            ("CHILD", "LA-77"),
            ("FORENAME", "Ada"),
            ("SURNAME", "Quill"),
            ("SEX", "Female"),
            ("DOB", "2013-02-28"),
            ("SCHOOL_URN", "100234"),
            ("SCHOOL_START", "01/09/2024"),
        ]);
        let c = check_child(&good, Layout::LaCsv).unwrap();
        assert_eq!(c.gender, "female");
        assert_eq!(c.forename.as_deref(), Some("Ada"));
        assert_eq!(c.school.map(|s| s.urn), Some(100_234));
        // The DfE's layout keeps its own forms.
        let columns: Vec<&str> =
            check_child(&good, Layout::Ssda903).unwrap_err().iter().map(|p| p.column).collect();
        assert_eq!(columns, ["SEX", "DOB"]);
        let nameless = row(&[("CHILD", "LA-78"), ("SEX", "1"), ("DOB", "01/01/2015")]);
        let columns: Vec<&str> =
            check_child(&nameless, Layout::LaCsv).unwrap_err().iter().map(|p| p.column).collect();
        assert_eq!(columns, ["FORENAME", "SURNAME"]);
        assert!(check_child(&nameless, Layout::Ssda903).is_ok());
    }

    #[test]
    fn ofsted_urns_are_told_from_anything_else() {
        for good in ["SC123456", "1234567", "123456"] {
            assert!(is_ofsted_urn(good), "{good}");
        }
        for bad in ["SC1234567", "SC12345", "12345", "ABC123", "SC"] {
            assert!(!is_ofsted_urn(bad), "{bad}");
        }
    }

    #[test]
    fn missing_columns_are_named() {
        let header = ["child", " SEX ", "DOB", "UPN"];
        assert_eq!(missing_columns(&header, &HEADER_COLUMNS), ["ETHNIC", "MOTHER", "MC_DOB"]);
    }
}
