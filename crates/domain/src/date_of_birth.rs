//! A child's date of birth, entered in the GOV.UK three-field date input.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The oldest a looked-after child or care leaver in the product can be.
const MAX_AGE: u32 = 25;

/// A date of birth that was in the past and within [`MAX_AGE`] years when it
/// was entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateOfBirth(NaiveDate);

/// One of the three inputs of a GOV.UK date input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatePart {
    Day,
    Month,
    Year,
}

impl DatePart {
    pub const ALL: [DatePart; 3] = [DatePart::Day, DatePart::Month, DatePart::Year];

    /// The suffix of the input's name and id, as in `date-of-birth-day`.
    pub fn code(self) -> &'static str {
        match self {
            DatePart::Day => "day",
            DatePart::Month => "month",
            DatePart::Year => "year",
        }
    }

    pub fn from_code(code: &str) -> Option<DatePart> {
        DatePart::ALL.into_iter().find(|part| part.code() == code)
    }
}

/// Why a date of birth was not accepted, in the words of the GOV.UK date
/// input pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("Enter a date of birth")]
    Missing,
    #[error("Date of birth must include a day")]
    MissingDay,
    #[error("Date of birth must include a month")]
    MissingMonth,
    #[error("Date of birth must include a year")]
    MissingYear,
    #[error("Date of birth must include a day and month")]
    MissingDayAndMonth,
    #[error("Date of birth must include a day and year")]
    MissingDayAndYear,
    #[error("Date of birth must include a month and year")]
    MissingMonthAndYear,
    #[error("Year must include 4 numbers")]
    YearFormat,
    /// The part that is wrong, or `None` when it is the date as a whole.
    #[error("Date of birth must be a real date")]
    NotReal(Option<DatePart>),
    #[error("Date of birth must be in the past")]
    InFuture,
    #[error("Date of birth must be after {}", long_date(*.after))]
    TooEarly { after: NaiveDate },
}

impl DateError {
    /// The input the error summary links to: the first one to correct.
    pub fn field(&self) -> DatePart {
        self.parts().first().copied().unwrap_or(DatePart::Day)
    }

    /// Every input to highlight with an error border.
    pub fn parts(&self) -> &'static [DatePart] {
        use DatePart::{Day, Month, Year};
        match self {
            DateError::MissingDay | DateError::NotReal(Some(Day)) => &[Day],
            DateError::MissingMonth | DateError::NotReal(Some(Month)) => &[Month],
            DateError::MissingYear | DateError::YearFormat | DateError::NotReal(Some(Year)) => {
                &[Year]
            }
            DateError::MissingDayAndMonth => &[Day, Month],
            DateError::MissingDayAndYear => &[Day, Year],
            DateError::MissingMonthAndYear => &[Month, Year],
            DateError::Missing
            | DateError::NotReal(None)
            | DateError::InFuture
            | DateError::TooEarly { .. } => &DatePart::ALL,
        }
    }
}

impl DateOfBirth {
    /// Parses the three inputs of a date of birth. `today` decides what is in
    /// the past and how old a child can be.
    pub fn parse(
        day: &str,
        month: &str,
        year: &str,
        today: NaiveDate,
    ) -> Result<DateOfBirth, DateError> {
        let (day, month, year) = (day.trim(), month.trim(), year.trim());
        let missing = match (day.is_empty(), month.is_empty(), year.is_empty()) {
            (false, false, false) => None,
            (true, true, true) => Some(DateError::Missing),
            (true, true, false) => Some(DateError::MissingDayAndMonth),
            (true, false, true) => Some(DateError::MissingDayAndYear),
            (false, true, true) => Some(DateError::MissingMonthAndYear),
            (true, false, false) => Some(DateError::MissingDay),
            (false, true, false) => Some(DateError::MissingMonth),
            (false, false, true) => Some(DateError::MissingYear),
        };
        if let Some(error) = missing {
            return Err(error);
        }

        let day_number = number(day).filter(|d| (1..=31).contains(d));
        let month_number =
            number(month).filter(|m| (1..=12).contains(m)).or_else(|| month_from_name(month));
        let year_digits = year.bytes().all(|b| b.is_ascii_digit());
        let (Some(d), Some(m), true) = (day_number, month_number, year_digits) else {
            let wrong: Vec<DatePart> = [
                (day_number.is_none(), DatePart::Day),
                (month_number.is_none(), DatePart::Month),
                (!year_digits, DatePart::Year),
            ]
            .into_iter()
            .filter_map(|(wrong, part)| wrong.then_some(part))
            .collect();
            let part = match wrong[..] {
                [part] => Some(part),
                _ => None,
            };
            return Err(DateError::NotReal(part));
        };
        if year.len() != 4 {
            return Err(DateError::YearFormat);
        }
        let y: i32 = year.parse().map_err(|_| DateError::YearFormat)?;
        let date =
            NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::NotReal(Some(DatePart::Day)))?;
        DateOfBirth::new(date, today)
    }

    /// Checks a date of birth that arrives already as a date, for example
    /// from a case-management system import.
    pub fn new(date: NaiveDate, today: NaiveDate) -> Result<DateOfBirth, DateError> {
        if date >= today {
            return Err(DateError::InFuture);
        }
        let earliest_excluded =
            today.checked_sub_months(Months::new((MAX_AGE + 1) * 12)).unwrap_or(NaiveDate::MIN);
        if date <= earliest_excluded {
            return Err(DateError::TooEarly { after: earliest_excluded });
        }
        Ok(DateOfBirth(date))
    }

    /// A date of birth read back from the product's own records, where it was
    /// checked when it was entered.
    pub fn from_record(date: NaiveDate) -> DateOfBirth {
        DateOfBirth(date)
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// Age in whole years on `date` (0 before birth). Someone born on
    /// 29 February has their birthday on 1 March in other years, as in
    /// English law.
    pub fn age_on(self, date: NaiveDate) -> u32 {
        let years = date.year() - self.0.year();
        let had_birthday = (date.month(), date.day()) >= (self.0.month(), self.0.day());
        let age = if had_birthday { years } else { years - 1 };
        u32::try_from(age).unwrap_or(0)
    }
}

impl fmt::Display for DateOfBirth {
    /// Written the GOV.UK way: `5 January 2015`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&long_date(self.0))
    }
}

fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The months' names in lower case, January first.
pub(crate) const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month names and their usual abbreviations, which GOV.UK date inputs
/// accept as well as numbers.
fn month_from_name(text: &str) -> Option<u32> {
    let text = text.to_lowercase();
    let text = text.trim_end_matches('.');
    let matches = |name: &str| text == name || (text.len() >= 3 && name.starts_with(text));
    MONTH_NAMES.iter().position(|name| matches(name)).and_then(|i| u32::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2016, 1, 1)
    }

    fn parse(d: &str, m: &str, y: &str) -> Result<DateOfBirth, DateError> {
        DateOfBirth::parse(d, m, y, today())
    }

    #[test]
    fn accepts_real_past_dates() {
        assert_eq!(parse("5", "1", "2010").unwrap().date(), date(2010, 1, 5));
        assert_eq!(parse(" 05 ", "01", "2010").unwrap().date(), date(2010, 1, 5));
        assert_eq!(parse("29", "2", "2012").unwrap().date(), date(2012, 2, 29));
        assert_eq!(parse("31", "Dec", "2015").unwrap().date(), date(2015, 12, 31));
        assert_eq!(parse("1", "sept", "2001").unwrap().date(), date(2001, 9, 1));
        assert_eq!(parse("1", "MARCH", "2001").unwrap().date(), date(2001, 3, 1));
    }

    #[test]
    fn missing_parts() {
        let cases = [
            (("", "", ""), DateError::Missing, "Enter a date of birth"),
            (("", "1", "2010"), DateError::MissingDay, "Date of birth must include a day"),
            (("1", " ", "2010"), DateError::MissingMonth, "Date of birth must include a month"),
            (("1", "1", ""), DateError::MissingYear, "Date of birth must include a year"),
            (
                ("", "", "2010"),
                DateError::MissingDayAndMonth,
                "Date of birth must include a day and month",
            ),
            (
                ("", "1", ""),
                DateError::MissingDayAndYear,
                "Date of birth must include a day and year",
            ),
            (
                ("1", "", ""),
                DateError::MissingMonthAndYear,
                "Date of birth must include a month and year",
            ),
        ];
        for ((d, m, y), error, message) in cases {
            let got = parse(d, m, y).unwrap_err();
            assert_eq!(got, error);
            assert_eq!(got.to_string(), message);
        }
    }

    #[test]
    fn dates_that_are_not_real() {
        let cases = [
            (("32", "1", "2010"), Some(DatePart::Day)),
            (("0", "1", "2010"), Some(DatePart::Day)),
            (("x", "1", "2010"), Some(DatePart::Day)),
            (("1", "13", "2010"), Some(DatePart::Month)),
            (("1", "ja", "2010"), Some(DatePart::Month)),
            (("1", "1", "20x0"), Some(DatePart::Year)),
            (("30", "2", "2010"), Some(DatePart::Day)),
            (("29", "2", "2011"), Some(DatePart::Day)),
            (("40", "13", "2010"), None),
        ];
        for ((d, m, y), part) in cases {
            let error = parse(d, m, y).unwrap_err();
            assert_eq!(error, DateError::NotReal(part), "{d}/{m}/{y}");
            assert_eq!(error.to_string(), "Date of birth must be a real date");
        }
    }

    #[test]
    fn year_must_have_four_numbers() {
        for year in ["10", "210", "02010"] {
            let error = parse("1", "1", year).unwrap_err();
            assert_eq!(error, DateError::YearFormat);
            assert_eq!(error.to_string(), "Year must include 4 numbers");
            assert_eq!(error.field(), DatePart::Year);
        }
    }

    #[test]
    fn must_be_in_the_past() {
        for (d, m, y) in [("1", "1", "2016"), ("2", "1", "2016"), ("1", "1", "2999")] {
            assert_eq!(parse(d, m, y), Err(DateError::InFuture));
        }
        assert!(parse("31", "12", "2015").is_ok());
    }

    #[test]
    fn child_can_be_at_most_25() {
        let error = parse("1", "1", "1990").unwrap_err();
        assert_eq!(error, DateError::TooEarly { after: date(1990, 1, 1) });
        assert_eq!(error.to_string(), "Date of birth must be after 1 January 1990");
        let oldest = parse("2", "1", "1990").unwrap();
        assert_eq!(oldest.age_on(today()), 25);
        assert_eq!(parse("1", "1", "1000").unwrap_err().field(), DatePart::Day);
    }

    #[test]
    fn fields_to_highlight() {
        assert_eq!(DateError::Missing.parts(), &DatePart::ALL);
        assert_eq!(DateError::MissingDay.field(), DatePart::Day);
        assert_eq!(DateError::MissingMonthAndYear.field(), DatePart::Month);
        assert_eq!(DateError::MissingMonthAndYear.parts(), &[DatePart::Month, DatePart::Year]);
        assert_eq!(DateError::NotReal(Some(DatePart::Month)).field(), DatePart::Month);
        assert_eq!(DateError::NotReal(None).parts().len(), 3);
        assert_eq!(DateError::InFuture.field(), DatePart::Day);
    }

    #[test]
    fn date_part_codes_round_trip() {
        for part in DatePart::ALL {
            assert_eq!(DatePart::from_code(part.code()), Some(part));
        }
        assert_eq!(DatePart::from_code("week"), None);
    }

    #[test]
    fn ages() {
        let dob = DateOfBirth::from_record(date(2010, 6, 15));
        assert_eq!(dob.age_on(date(2010, 6, 15)), 0);
        assert_eq!(dob.age_on(date(2020, 6, 14)), 9);
        assert_eq!(dob.age_on(date(2020, 6, 15)), 10);
        assert_eq!(dob.age_on(date(2009, 1, 1)), 0);
        let leap = DateOfBirth::from_record(date(2012, 2, 29));
        assert_eq!(leap.age_on(date(2030, 2, 28)), 17);
        assert_eq!(leap.age_on(date(2030, 3, 1)), 18);
        assert_eq!(leap.age_on(date(2032, 2, 29)), 20);
    }

    #[test]
    fn displays_and_serialises() {
        let dob = DateOfBirth::from_record(date(2015, 1, 5));
        assert_eq!(dob.to_string(), "5 January 2015");
        let json = serde_json::to_string(&dob).unwrap();
        assert_eq!(json, "\"2015-01-05\"");
        assert_eq!(serde_json::from_str::<DateOfBirth>(&json).unwrap(), dob);
    }

    proptest! {
        #[test]
        fn entered_dates_parse_back(days_ago in 1i64..(25 * 365)) {
            let dob = today() - chrono::Duration::days(days_ago);
            let parsed = parse(
                &dob.day().to_string(),
                &dob.month().to_string(),
                &dob.year().to_string(),
            );
            prop_assert_eq!(parsed.map(DateOfBirth::date), Ok(dob));
        }

        #[test]
        fn accepted_children_are_0_to_25(d in "\\PC{0,4}", m in "\\PC{0,4}", y in "\\PC{0,5}") {
            if let Ok(dob) = parse(&d, &m, &y) {
                prop_assert!(dob.date() < today());
                prop_assert!(dob.age_on(today()) <= MAX_AGE);
            }
        }

        #[test]
        fn numeric_inputs_never_panic(d in 0u32..40, m in 0u32..15, y in 0u32..10_000) {
            let _ = parse(&d.to_string(), &m.to_string(), &y.to_string());
        }
    }
}
