//! Unique learner numbers (ULN), used from age 14.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A unique learner number: 10 digits, the last a check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uln(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UlnError {
    #[error("Enter a ULN")]
    Empty,
    #[error("Enter a ULN in the correct format, like 9276308686")]
    Format,
    #[error("The ULN check digit is wrong: check you have typed it correctly")]
    CheckDigit,
}

impl Uln {
    /// Parses a ULN, ignoring surrounding spaces.
    pub fn parse(input: &str) -> Result<Uln, UlnError> {
        let uln = input.trim();
        if uln.is_empty() {
            return Err(UlnError::Empty);
        }
        let digits: Vec<u32> = uln.chars().filter_map(|c| c.to_digit(10)).collect();
        let [first, .., check] = digits[..] else {
            return Err(UlnError::Format);
        };
        if digits.len() != 10 || uln.len() != 10 || first == 0 {
            return Err(UlnError::Format);
        }
        let remainder =
            digits.iter().zip((2..=10).rev()).map(|(digit, weight)| digit * weight).sum::<u32>()
                % 11;
        if remainder == 0 || check != 10 - remainder {
            return Err(UlnError::CheckDigit);
        }
        Ok(Uln(uln.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uln {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uln {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Uln {
    type Err = UlnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uln::parse(s)
    }
}

impl TryFrom<String> for Uln {
    type Error = UlnError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Uln::parse(&value)
    }
}

impl From<Uln> for String {
    fn from(uln: Uln) -> String {
        uln.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_valid_ulns() {
        for uln in ["9276308686", "1000000043", " 1000000043 "] {
            assert_eq!(Uln::parse(uln).unwrap().as_str(), uln.trim());
        }
    }

    #[test]
    fn rejects_wrong_check_digits() {
        // 1000000063 has remainder 0, which no ULN may have.
        for uln in ["1000000063", "1000000044", "9276308687"] {
            assert_eq!(Uln::parse(uln), Err(UlnError::CheckDigit), "{uln}");
        }
    }

    #[test]
    fn rejects_bad_formats() {
        assert_eq!(Uln::parse(""), Err(UlnError::Empty));
        for uln in ["0276308686", "927630868", "92763086860", "92763o8686", "9276 08686", "A"] {
            assert_eq!(Uln::parse(uln), Err(UlnError::Format), "{uln}");
        }
    }

    #[test]
    fn serde_round_trip_and_checks() {
        let uln = Uln::parse("9276308686").unwrap();
        let json = serde_json::to_string(&uln).unwrap();
        assert_eq!(json, "\"9276308686\"");
        assert_eq!(serde_json::from_str::<Uln>(&json).unwrap(), uln);
        assert!(serde_json::from_str::<Uln>("\"1000000044\"").is_err());
    }

    fn check_digit_for(body: &str) -> Option<u32> {
        let sum: u32 =
            body.chars().zip((2..=10).rev()).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
        match sum % 11 {
            0 => None,
            r => Some(10 - r),
        }
    }

    proptest! {
        #[test]
        fn exactly_one_check_digit_fits(body in "[1-9][0-9]{8}") {
            let valid: Vec<u32> = (0..10)
                .filter(|d| Uln::parse(&format!("{body}{d}")).is_ok())
                .collect();
            prop_assert_eq!(valid, check_digit_for(&body).into_iter().collect::<Vec<_>>());
        }

        #[test]
        fn never_panics(input in "\\PC*") {
            let _ = Uln::parse(&input);
        }
    }
}
