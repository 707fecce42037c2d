//! An attendance feed: one row a child and period, by UPN, with the
//! sessions the school's register gives. Rows go to the attendance page
//! of the child's current PEP.

use chrono::NaiveDate;

use crate::ssda903::{Layout, Problem, Row, date};
use crate::upn::Upn;

/// The columns an attendance file must have.
pub const ATTENDANCE_COLUMNS: [&str; 7] =
    ["UPN", "FROM", "TO", "POSSIBLE", "ATTENDED", "AUTHORISED", "UNAUTHORISED"];

/// The most sessions a row can hold: two a day for a whole school year.
const MAX_SESSIONS: u32 = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRow {
    pub upn: Upn,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub possible: u32,
    pub attended: u32,
    pub authorised: u32,
    pub unauthorised: u32,
}

fn problem(column: &'static str, reason: impl Into<String>) -> Problem {
    Problem { column, reason: reason.into() }
}

/// Checks an attendance row: dates as DD/MM/YYYY or YYYY-MM-DD, whole
/// numbers of sessions that add up.
pub fn check_attendance(row: &Row<'_>) -> Result<AttendanceRow, Vec<Problem>> {
    let mut problems = Vec::new();
    let upn_text = row.get("UPN").map_or("", |v| v.trim()).to_ascii_uppercase();
    let upn = match Upn::parse(&upn_text) {
        Ok(upn) => Some(upn),
        Err(_) if upn_text.is_empty() => {
            problems.push(problem("UPN", "is empty"));
            None
        }
        Err(e) => {
            problems.push(problem("UPN", format!("\"{upn_text}\": {e}")));
            None
        }
    };
    let mut day = |column: &'static str| {
        let found = date(row, column, Layout::LaCsv, &mut problems);
        if found.is_none() && row.get(column).is_none_or(|v| v.trim().is_empty()) {
            problems.push(problem(column, "is empty"));
        }
        found
    };
    let (from, to) = (day("FROM"), day("TO"));
    let mut sessions = |column: &'static str| {
        let text = row.get(column).map_or("", |v| v.trim());
        match text.parse::<u32>() {
            Ok(n) if n <= MAX_SESSIONS => Some(n),
            _ => {
                problems.push(problem(
                    column,
                    format!(
                        "\"{text}\" is not a whole number of sessions from 0 to {MAX_SESSIONS}"
                    ),
                ));
                None
            }
        }
    };
    let figures = [
        sessions("POSSIBLE"),
        sessions("ATTENDED"),
        sessions("AUTHORISED"),
        sessions("UNAUTHORISED"),
    ];
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        problems.push(problem("TO", "is before FROM"));
    }
    if let [Some(p), Some(a), Some(au), Some(un)] = figures {
        if a > p {
            problems.push(problem("ATTENDED", format!("is more than the {p} possible sessions")));
        } else if a + au + un != p {
            problems.push(problem(
                "POSSIBLE",
                format!(
                    "attended and absences add up to {}, not the {p} possible sessions",
                    a + au + un
                ),
            ));
        } else if p == 0 {
            problems.push(problem("POSSIBLE", "must be 1 or more"));
        }
    }
    match (upn, from, to, figures) {
        (Some(upn), Some(from), Some(to), [Some(possible), Some(attended), Some(a), Some(u)])
            if problems.is_empty() =>
        {
            Ok(AttendanceRow { upn, from, to, possible, attended, authorised: a, unauthorised: u })
        }
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
    fn an_attendance_row_must_add_up() {
        let good = row(&[
            ("UPN", "B801200005001"),
            ("FROM", "01/09/2026"),
            ("TO", "2026-10-23"),
            ("POSSIBLE", "100"),
            ("ATTENDED", "92"),
            ("AUTHORISED", "6"),
            ("UNAUTHORISED", "2"),
        ]);
        assert_eq!(check_attendance(&good).unwrap().attended, 92);
        let bad = row(&[
            ("UPN", "A801200005001"),
            ("FROM", "23/10/2026"),
            ("TO", "01/09/2026"),
            ("POSSIBLE", "100"),
            ("ATTENDED", "90"),
            ("AUTHORISED", "x"),
            ("UNAUTHORISED", "2"),
        ]);
        let columns: Vec<&str> =
            check_attendance(&bad).unwrap_err().iter().map(|p| p.column).collect();
        assert_eq!(columns, ["UPN", "AUTHORISED", "TO"]);
    }
}
