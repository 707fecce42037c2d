//! An invitee's answer to a meeting invitation: accept, decline, or
//! propose another time (a UK date and time in the future, with a note).

use chrono::{DateTime, Months, Utc};

use super::{Response, london_to_utc, parse_time};
use crate::pages::input::Reader;
use crate::pages::{Block, Control, FieldSpec, Fields, Opt, Problems};

/// An answer as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAnswer {
    pub response: Response,
    /// The time proposed, for [`Response::Proposed`].
    pub proposed_at: Option<DateTime<Utc>>,
    pub note: String,
}

fn responses() -> Vec<Opt> {
    vec![
        Opt::new(Response::Accepted.code(), "Yes, I can come"),
        Opt::new(Response::Declined.code(), "No, I cannot come"),
        Opt::new(Response::Proposed.code(), "I propose another time"),
    ]
}

/// Checks the answer's fields: `response`, and for a proposal
/// `proposed_date` (date input), `proposed_time` and `note`.
pub fn check(fields: &Fields, now: DateTime<Utc>) -> Result<CheckedAnswer, Problems> {
    let mut r = Reader::new(fields);
    let response = r.choice("response", "your answer", &responses());
    r.require(true, "response", "Select whether you can come");
    let response = response.as_deref().and_then(Response::from_code);
    let note = r.long_text("note", "your note");
    let proposed_at = match response {
        Some(Response::Proposed) => read_proposal(&mut r, now),
        _ => None,
    };
    let problems = std::mem::take(&mut r.problems);
    match response {
        Some(response) if problems.is_empty() => Ok(CheckedAnswer { response, proposed_at, note }),
        _ => Err(problems),
    }
}

fn read_proposal(r: &mut Reader, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let date = r.date("proposed_date", "the date you propose");
    r.require(true, "proposed_date", "Enter the date you propose");
    let typed = r.text("proposed_time", "the time you propose");
    if typed.is_empty() {
        r.problem("proposed_time", "Enter the time you propose");
        return None;
    }
    let time = match parse_time(&typed) {
        Ok(time) => time,
        Err(message) => {
            r.problem("proposed_time", message);
            return None;
        }
    };
    let at = match london_to_utc(date?, time) {
        Ok(at) => at,
        Err(message) => {
            r.problem("proposed_time", message);
            return None;
        }
    };
    let latest = now.checked_add_months(Months::new(12)).unwrap_or(now);
    if at <= now {
        r.problem("proposed_date", "The time you propose must be in the future");
        return None;
    }
    if at > latest {
        r.problem("proposed_date", "The time you propose must be within the next 12 months");
        return None;
    }
    Some(at)
}

/// The answer's form.
pub fn layout() -> Vec<Block> {
    vec![
        Block::field(FieldSpec::new("response", "Can you come?", Control::Radios(responses()))),
        Block::field(
            FieldSpec::new("proposed_date", "If you propose another time: the date", Control::Date)
                .hint("For example, 27 3 2027"),
        ),
        Block::field(
            FieldSpec::new(
                "proposed_time",
                "If you propose another time: the time",
                Control::Short,
            )
            .hint("For example, 09:30 or 2:30pm. UK time."),
        ),
        Block::field(FieldSpec::new(
            "note",
            "A note for whoever arranged the meeting (optional)",
            Control::LongText,
        )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn accepting_needs_nothing_more() {
        let answer = check(&form(&[("response", "accepted")]), now()).unwrap();
        assert_eq!(answer.response, Response::Accepted);
        assert_eq!(answer.proposed_at, None);
    }

    #[test]
    fn a_proposal_needs_a_real_future_time() {
        let problems = check(&form(&[]), now()).unwrap_err();
        assert_eq!(problems.message("response"), Some("Select whether you can come"));
        let problems = check(&form(&[("response", "proposed")]), now()).unwrap_err();
        assert_eq!(problems.message("proposed_date"), Some("Enter the date you propose"));
        let past = form(&[
            ("response", "proposed"),
            ("proposed_date", "2026-11-20"),
            ("proposed_time", "10:00"),
        ]);
        let problems = check(&past, now()).unwrap_err();
        assert_eq!(
            problems.message("proposed_date"),
            Some("The time you propose must be in the future")
        );
        let bad_time = form(&[
            ("response", "proposed"),
            ("proposed_date", "2026-12-01"),
            ("proposed_time", "25:00"),
        ]);
        assert!(check(&bad_time, now()).unwrap_err().message("proposed_time").is_some());
        let good = form(&[
            ("response", "proposed"),
            ("proposed_date", "2026-12-01"),
            ("proposed_time", "2:30pm"),
            ("note", "I am in court that morning."),
        ]);
        let answer = check(&good, now()).unwrap();
        assert_eq!(answer.proposed_at, Some(Utc.with_ymd_and_hms(2026, 12, 1, 14, 30, 0).unwrap()));
        assert_eq!(answer.note, "I am in court that morning.");
    }
}
