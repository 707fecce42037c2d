//! The Virtual School's notice board: notices and guidance for everyone
//! in the authority, shown on their home page until they expire; pinned
//! ones first.

use chrono::{Months, NaiveDate};

use crate::pages::input::Reader;
use crate::pages::{Block, Control, FieldSpec, Fields, Problems};

const MAX_MONTHS: u32 = 24;

/// A notice as checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedNotice {
    pub title: String,
    pub body: String,
    pub pinned: bool,
    /// The last day it shows; `None`: until it is taken down.
    pub expires_on: Option<NaiveDate>,
}

/// Checks a notice's form: `title`, `body`, `pinned` (yes/no) and
/// `expires_on` (a date input, optional: today or later, within two
/// years).
pub fn check(fields: &Fields, today: NaiveDate) -> Result<CheckedNotice, Problems> {
    let mut r = Reader::new(fields);
    let title = r.text("title", "the title");
    r.require(true, "title", "Enter a title");
    let body = r.long_text("body", "the notice");
    r.require(true, "body", "Enter the notice");
    let pinned = r.yes_no("pinned", "whether the notice is pinned").unwrap_or(false);
    let expires_on = r.date("expires_on", "the date the notice comes down");
    let latest = today.checked_add_months(Months::new(MAX_MONTHS)).unwrap_or(today);
    match expires_on {
        Some(day) if day < today => {
            r.problem("expires_on", "The date the notice comes down must be today or later")
        }
        Some(day) if day > latest => {
            r.problem("expires_on", "The date the notice comes down must be within 2 years")
        }
        _ => {}
    }
    let problems = std::mem::take(&mut r.problems);
    if problems.is_empty() {
        Ok(CheckedNotice { title, body, pinned, expires_on })
    } else {
        Err(problems)
    }
}

/// The notice's form.
pub fn layout() -> Vec<Block> {
    vec![
        Block::field(FieldSpec::new("title", "Title", Control::Text)),
        Block::field(
            FieldSpec::new("body", "Notice", Control::LongText)
                .hint("Everyone in the authority who uses OpenPEP sees it on their home page."),
        ),
        Block::field(
            FieldSpec::new("pinned", "Pin it to the top?", Control::YesNo)
                .hint("Pinned notices show above the others."),
        ),
        Block::field(
            FieldSpec::new("expires_on", "When does it come down? (optional)", Control::Date)
                .hint("It shows until the end of this day. Leave blank to keep it until you take it down."),
        ),
    ]
}

/// The form's fields for a stored notice (to change it).
pub fn fields_of(notice: &CheckedNotice) -> Fields {
    let mut fields = Fields::from([
        ("title".to_owned(), notice.title.clone()),
        ("body".to_owned(), notice.body.clone()),
        ("pinned".to_owned(), if notice.pinned { "yes" } else { "no" }.to_owned()),
    ]);
    if let Some(day) = notice.expires_on {
        fields.insert("expires_on".to_owned(), day.format("%Y-%m-%d").to_string());
    }
    fields
}

/// Whether the notice shows on `today`.
pub fn shows_on(expires_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    expires_on.is_none_or(|last| today <= last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_notice_needs_a_title_and_words() {
        let problems = check(&form(&[]), today()).unwrap_err();
        assert_eq!(problems.message("title"), Some("Enter a title"));
        assert_eq!(problems.message("body"), Some("Enter the notice"));
    }

    #[test]
    fn it_comes_down_today_or_later_and_within_two_years() {
        let with = |day: &str| {
            form(&[
                ("title", "Spring PEP deadline"),
                ("body", "All PEPs by 20 March."),
                ("expires_on", day),
            ])
        };
        let problems = check(&with("2026-11-22"), today()).unwrap_err();
        assert_eq!(
            problems.message("expires_on"),
            Some("The date the notice comes down must be today or later")
        );
        let problems = check(&with("2029-01-01"), today()).unwrap_err();
        assert_eq!(
            problems.message("expires_on"),
            Some("The date the notice comes down must be within 2 years")
        );
        let notice = check(&with("2027-03-20"), today()).unwrap();
        assert_eq!(notice.expires_on, NaiveDate::from_ymd_opt(2027, 3, 20));
        assert!(!notice.pinned);
        assert_eq!(check(&fields_of(&notice), today()), Ok(notice));
    }

    #[test]
    fn a_pinned_notice_without_an_end_shows_until_taken_down() {
        let fields = form(&[
            ("title", "Training"),
            ("body", "Designated teacher training."),
            ("pinned", "yes"),
        ]);
        let notice = check(&fields, today()).unwrap();
        assert!(notice.pinned);
        assert_eq!(notice.expires_on, None);
        assert!(shows_on(None, today()));
        assert!(shows_on(Some(today()), today()));
        assert!(!shows_on(today().pred_opt(), today()));
    }
}
