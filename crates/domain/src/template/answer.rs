//! Checking one answer to a free-text page's question.

use chrono::NaiveDate;

use super::{Question, QuestionKind};

const MAX_TEXT: usize = 500;
const MAX_LONG_TEXT: usize = 20_000;

impl Question {
    /// The answer as stored, or a GOV.UK-style message for the error
    /// summary. A blank answer is accepted: drafts are saved part-done, and
    /// quality assurance is where mandatory questions are asked for.
    pub fn check(&self, raw: &str) -> Result<String, String> {
        let answer = raw.trim();
        if answer.is_empty() {
            return Ok(String::new());
        }
        match &self.kind {
            QuestionKind::Text => {
                let answer = answer.split_whitespace().collect::<Vec<_>>().join(" ");
                within(answer, MAX_TEXT)
            }
            QuestionKind::LongText => within(answer.replace("\r\n", "\n"), MAX_LONG_TEXT),
            QuestionKind::YesNo => match answer.to_lowercase().as_str() {
                "yes" | "y" | "true" => Ok("yes".to_owned()),
                "no" | "n" | "false" => Ok("no".to_owned()),
                _ => Err("Select yes or no".to_owned()),
            },
            QuestionKind::Date => date(answer).map(|date| date.format("%Y-%m-%d").to_string()),
            QuestionKind::Number => number(answer).ok_or_else(|| "Enter a number".to_owned()),
            QuestionKind::Scale => match answer {
                "1" | "2" | "3" | "4" | "5" => Ok(answer.to_owned()),
                _ => Err("Choose one of the faces".to_owned()),
            },
            QuestionKind::Choice(options) => options
                .iter()
                .find(|option| option.to_lowercase() == answer.to_lowercase())
                .cloned()
                .ok_or_else(|| "Select one of the options".to_owned()),
        }
    }
}

fn within(answer: String, max: usize) -> Result<String, String> {
    if answer.chars().count() > max {
        return Err(format!("Answer must be {max} characters or fewer"));
    }
    Ok(answer)
}

/// `2026-12-17`, or day, month and year as in `17/12/2026` or `17 12 2026`.
fn date(answer: &str) -> Result<NaiveDate, String> {
    let format = || "Enter a date in the format 17 12 2026".to_owned();
    let parts: Vec<&str> = answer
        .split(|c: char| c == '/' || c == '-' || c == '.' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let [a, b, c] = parts[..] else { return Err(format()) };
    let iso = a.len() == 4 && answer.contains('-');
    let (year, month, day) = if iso { (a, b, c) } else { (c, b, a) };
    let all_digits = [year, month, day].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !all_digits || year.len() != 4 || month.len() > 2 || day.len() > 2 {
        return Err(format());
    }
    let (Ok(year), Ok(month), Ok(day)) = (year.parse(), month.parse(), day.parse()) else {
        return Err(format());
    };
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| "Enter a real date, like 17 12 2026".to_owned())
}

/// A decimal number written plainly: `-3`, `1,250`, `0.5`. Normalised
/// without a plus sign, thousands separators, leading or trailing zeros.
fn number(answer: &str) -> Option<String> {
    let (negative, digits) = match answer.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, answer.strip_prefix('+').unwrap_or(answer)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole_ok = !whole.starts_with(',')
        && !whole.ends_with(',')
        && whole.bytes().all(|b| b.is_ascii_digit() || b == b',');
    let fraction_ok = fraction.bytes().all(|b| b.is_ascii_digit());
    if !whole_ok || !fraction_ok || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let whole = whole.replace(',', "");
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let mut out = String::new();
    if negative && !(whole.is_empty() && fraction.is_empty()) {
        out.push('-');
    }
    out.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: QuestionKind) -> Question {
        Question { key: "q".into(), label: "Q".into(), hint: None, kind, mandatory: true }
    }

    fn check(kind: QuestionKind, cases: &[(&str, Result<&str, &str>)]) {
        let question = question(kind);
        for (raw, expected) in cases {
            let expected = expected.map(str::to_owned).map_err(str::to_owned);
            assert_eq!(question.check(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn blank_answers_are_allowed_for_every_kind() {
        let kinds = [
            QuestionKind::Text,
            QuestionKind::LongText,
            QuestionKind::YesNo,
            QuestionKind::Date,
            QuestionKind::Number,
            QuestionKind::Choice(vec!["A".into()]),
            QuestionKind::Scale,
        ];
        for kind in kinds {
            assert_eq!(question(kind).check("  \n "), Ok(String::new()));
        }
    }

    #[test]
    fn text() {
        let long = "x".repeat(501);
        check(
            QuestionKind::Text,
            &[
                ("  Maths  club ", Ok("Maths club")),
                ("two\nlines", Ok("two lines")),
                (&long, Err("Answer must be 500 characters or fewer")),
            ],
        );
        check(QuestionKind::LongText, &[(" one\r\n\r\ntwo ", Ok("one\n\ntwo"))]);
    }

    #[test]
    fn yes_no() {
        check(
            QuestionKind::YesNo,
            &[("Yes", Ok("yes")), ("n", Ok("no")), ("maybe", Err("Select yes or no"))],
        );
    }

    #[test]
    fn dates() {
        let format = Err("Enter a date in the format 17 12 2026");
        let real = Err("Enter a real date, like 17 12 2026");
        check(
            QuestionKind::Date,
            &[
                ("2026-12-17", Ok("2026-12-17")),
                ("17/12/2026", Ok("2026-12-17")),
                ("7/1/2027", Ok("2027-01-07")),
                ("17 12 2026", Ok("2026-12-17")),
                ("17-12-2026", Ok("2026-12-17")),
                ("31/02/2026", real),
                ("2026-13-01", real),
                ("17/12/26", format),
                ("12/2026", format),
                ("tomorrow", format),
                ("17/12/2026/1", format),
                ("+7/12/2026", format),
            ],
        );
    }

    #[test]
    fn numbers() {
        let nan = Err("Enter a number");
        check(
            QuestionKind::Number,
            &[
                ("42", Ok("42")),
                ("007", Ok("7")),
                ("-3", Ok("-3")),
                ("+3", Ok("3")),
                ("1,250", Ok("1250")),
                ("2.50", Ok("2.5")),
                (".5", Ok("0.5")),
                ("5.", Ok("5")),
                ("-0", Ok("0")),
                ("0", Ok("0")),
                ("ten", nan),
                ("1e5", nan),
                ("1.2.3", nan),
                ("-", nan),
                (".", nan),
                ("1 000", nan),
                (",5", nan),
                ("NaN", nan),
            ],
        );
    }

    #[test]
    fn choices() {
        let kind = QuestionKind::Choice(vec!["Full time".into(), "Part time".into()]);
        check(
            kind,
            &[
                ("Part time", Ok("Part time")),
                (" full TIME ", Ok("Full time")),
                ("Sometimes", Err("Select one of the options")),
            ],
        );
    }
}
