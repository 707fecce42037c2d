//! Sums of money in pence, such as Pupil Premium Plus requests.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of money in pence. Stored as a whole number so sums are exact.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Pence(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Enter an amount")]
    Empty,
    #[error("Amount must be a number, like 1250 or 1250.50")]
    Format,
    #[error("Amount must be £0 or more")]
    Negative,
    #[error("Amount must have no more than 2 numbers after the decimal point")]
    TooManyDecimals,
    #[error("Amount is too large")]
    TooLarge,
}

impl Pence {
    pub const ZERO: Pence = Pence(0);

    pub const fn from_pence(pence: i64) -> Pence {
        Pence(pence)
    }

    pub const fn pence(self) -> i64 {
        self.0
    }

    /// Parses an amount typed in pounds: `£1,234.50`, `1234.5` or `12`.
    /// Commas must separate thousands; the amount cannot be negative.
    pub fn parse_pounds(input: &str) -> Result<Pence, MoneyError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let text = text.strip_prefix('£').unwrap_or(text).trim_start();
        if text.starts_with('-') || text.starts_with("£-") || text.starts_with("-£") {
            return Err(MoneyError::Negative);
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let pounds = parse_whole_pounds(whole)?;
        let pence = match fraction {
            None => 0,
            Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(MoneyError::Format);
            }
            Some(f) if f.len() > 2 => return Err(MoneyError::TooManyDecimals),
            Some(f) => {
                let digits: i64 = f.parse().map_err(|_| MoneyError::Format)?;
                if f.len() == 1 { digits * 10 } else { digits }
            }
        };
        if whole.is_empty() && fraction.is_none() {
            return Err(MoneyError::Format);
        }
        pounds
            .checked_mul(100)
            .and_then(|p| p.checked_add(pence))
            .map(Pence)
            .ok_or(MoneyError::TooLarge)
    }

    pub fn checked_add(self, other: Pence) -> Option<Pence> {
        self.0.checked_add(other.0).map(Pence)
    }

    pub fn checked_sub(self, other: Pence) -> Option<Pence> {
        self.0.checked_sub(other.0).map(Pence)
    }

    /// The total of some amounts, or `None` if it would overflow.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Pence>) -> Option<Pence> {
        amounts.into_iter().try_fold(Pence::ZERO, |total, amount| total.checked_add(amount))
    }
}

/// The pounds before the decimal point: digits, optionally grouped by commas
/// in threes (`1,234,567`). An empty string is 0, so `.50` is 50p.
fn parse_whole_pounds(whole: &str) -> Result<i64, MoneyError> {
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or_default();
    let grouped = whole.contains(',');
    let well_formed = first.bytes().all(|b| b.is_ascii_digit())
        && (!grouped || (1..=3).contains(&first.len()))
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(MoneyError::Format);
    }
    let digits: String = whole.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Ok(0);
    }
    digits.parse().map_err(|_| MoneyError::TooLarge)
}

impl fmt::Display for Pence {
    /// Formats as `£1,234.50`, or `-£1,234.50` for a negative amount.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let pounds = (abs / 100).to_string();
        let mut grouped = String::with_capacity(pounds.len() + pounds.len() / 3);
        for (i, digit) in pounds.chars().enumerate() {
            if i > 0 && (pounds.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(f, "{sign}£{grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_amounts_in_pounds() {
        let cases = [
            ("£1,234.50", 123_450),
            ("1234.5", 123_450),
            ("12", 1_200),
            (" £ 12.05 ", 1_205),
            ("0", 0),
            ("0.01", 1),
            (".5", 50),
            ("1,000,000", 100_000_000),
            ("5000.00", 500_000),
        ];
        for (input, pence) in cases {
            assert_eq!(Pence::parse_pounds(input), Ok(Pence::from_pence(pence)), "{input}");
        }
    }

    #[test]
    fn rejects_bad_amounts() {
        let cases = [
            ("", MoneyError::Empty),
            ("  ", MoneyError::Empty),
            ("five pounds", MoneyError::Format),
            ("£", MoneyError::Format),
            ("12.", MoneyError::Format),
            (".", MoneyError::Format),
            ("1.2.3", MoneyError::Format),
            ("1,23", MoneyError::Format),
            ("1234,567", MoneyError::Format),
            (",123", MoneyError::Format),
            ("12p", MoneyError::Format),
            ("1e3", MoneyError::Format),
            ("+12", MoneyError::Format),
            ("-12", MoneyError::Negative),
            ("-£12", MoneyError::Negative),
            ("£-12", MoneyError::Negative),
            ("12.345", MoneyError::TooManyDecimals),
            ("99999999999999999999", MoneyError::TooLarge),
            ("92233720368547758.08", MoneyError::TooLarge),
        ];
        for (input, error) in cases {
            assert_eq!(Pence::parse_pounds(input), Err(error), "{input}");
        }
    }

    #[test]
    fn displays_pounds_and_pence() {
        let cases = [
            (0, "£0.00"),
            (5, "£0.05"),
            (123_450, "£1,234.50"),
            (100_000, "£1,000.00"),
            (99_999, "£999.99"),
            (12_345_678_901, "£123,456,789.01"),
            (-257_000, "-£2,570.00"),
        ];
        for (pence, text) in cases {
            assert_eq!(Pence::from_pence(pence).to_string(), text);
        }
        assert_eq!(Pence::from_pence(i64::MIN).to_string(), "-£92,233,720,368,547,758.08");
    }

    #[test]
    fn adds_without_overflow() {
        let a = Pence::from_pence(250_000);
        assert_eq!(a.checked_add(Pence::from_pence(7_000)), Some(Pence::from_pence(257_000)));
        assert_eq!(Pence::from_pence(i64::MAX).checked_add(Pence::from_pence(1)), None);
        assert_eq!(a.checked_sub(a), Some(Pence::ZERO));
        assert_eq!(
            Pence::checked_sum([a, a, Pence::from_pence(1)]),
            Some(Pence::from_pence(500_001))
        );
        assert_eq!(Pence::checked_sum([Pence::from_pence(i64::MAX), a]), None);
    }

    #[test]
    fn serialises_as_pence() {
        let json = serde_json::to_string(&Pence::from_pence(263_000)).unwrap();
        assert_eq!(json, "263000");
        assert_eq!(serde_json::from_str::<Pence>(&json).unwrap().pence(), 263_000);
    }

    proptest! {
        #[test]
        fn display_parses_back(pence in 0i64..=i64::MAX) {
            let amount = Pence::from_pence(pence);
            prop_assert_eq!(Pence::parse_pounds(&amount.to_string()), Ok(amount));
        }

        #[test]
        fn plain_decimal_parses(pounds in 0i64..10_000_000, pence in 0i64..100) {
            let input = format!("{pounds}.{pence:02}");
            prop_assert_eq!(Pence::parse_pounds(&input), Ok(Pence::from_pence(pounds * 100 + pence)));
        }

        #[test]
        fn never_panics(input in "\\PC*") {
            let _ = Pence::parse_pounds(&input);
        }
    }
}
