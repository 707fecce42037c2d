//! Unique pupil numbers (UPN) and the reasons a child may not have one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::code::serde_via_code;

/// The letters a UPN check letter (or a temporary UPN's last character) uses:
/// the alphabet without I, O and S.
const LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// A unique pupil number: a check letter, 11 digits, then a digit or (for a
/// temporary UPN) a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Upn(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpnError {
    #[error("Enter a UPN")]
    Empty,
    #[error("Enter a UPN in the correct format, like A123456789012")]
    Format,
    #[error("The UPN check letter is wrong: check you have typed it correctly")]
    CheckLetter,
}

impl Upn {
    /// Parses a UPN, ignoring surrounding spaces and letter case.
    pub fn parse(input: &str) -> Result<Upn, UpnError> {
        let upn = input.trim().to_ascii_uppercase();
        if upn.is_empty() {
            return Err(UpnError::Empty);
        }
        let bytes = upn.as_bytes();
        let [check, body @ .., last] = bytes else {
            return Err(UpnError::Format);
        };
        if bytes.len() != 13 || !body.iter().all(u8::is_ascii_digit) {
            return Err(UpnError::Format);
        }
        let last_value = if last.is_ascii_digit() {
            u32::from(last - b'0')
        } else {
            letter_index(*last).ok_or(UpnError::Format)?
        };
        if letter_index(*check).is_none() {
            return Err(UpnError::Format);
        }
        let body_sum: u32 =
            body.iter().zip(2u32..).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
        let sum = body_sum + last_value * 13;
        if LETTERS.get((sum % 23) as usize) != Some(check) {
            return Err(UpnError::CheckLetter);
        }
        Ok(Upn(upn))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A temporary UPN ends in a letter rather than a digit.
    pub fn is_temporary(&self) -> bool {
        self.0.ends_with(|c: char| c.is_ascii_alphabetic())
    }

    /// The three-digit code of the LA that allocated the UPN.
    pub fn la_code(&self) -> &str {
        self.0.get(1..4).unwrap_or_default()
    }
}

fn letter_index(letter: u8) -> Option<u32> {
    LETTERS.iter().position(|&l| l == letter).and_then(|i| u32::try_from(i).ok())
}

impl fmt::Display for Upn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Upn {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Upn {
    type Err = UpnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Upn::parse(s)
    }
}

impl TryFrom<String> for Upn {
    type Error = UpnError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Upn::parse(&value)
    }
}

impl From<Upn> for String {
    fn from(upn: Upn) -> String {
        upn.0
    }
}

/// Why a child has no UPN (the DfE's UN codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnknownUpnReason {
    Un1,
    Un2,
    Un3,
    Un4,
    Un5,
}

impl UnknownUpnReason {
    pub const ALL: [UnknownUpnReason; 5] = [Self::Un1, Self::Un2, Self::Un3, Self::Un4, Self::Un5];

    pub fn code(self) -> &'static str {
        match self {
            Self::Un1 => "UN1",
            Self::Un2 => "UN2",
            Self::Un3 => "UN3",
            Self::Un4 => "UN4",
            Self::Un5 => "UN5",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.code() == code)
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Un1 => "Child is aged under 6 years old and is not yet assigned a UPN",
            Self::Un2 => {
                "Child has never attended a state-funded school in England and has not been assigned a UPN"
            }
            Self::Un3 => "Child is educated at home",
            Self::Un4 => {
                "Child is an unaccompanied asylum-seeking child (UASC) and has not yet been assigned a UPN"
            }
            Self::Un5 => {
                "Sources collating UPNs reflect defective data (e.g. the UPN is incorrect)"
            }
        }
    }
}

serde_via_code!(UnknownUpnReason, "unknown UPN reason");

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_valid_upns() {
        for upn in ["B801200005001", "A950000178301", "H243278544154", "X845212818005"] {
            let parsed = Upn::parse(upn).unwrap();
            assert_eq!(parsed.as_str(), upn);
            assert!(!parsed.is_temporary());
        }
    }

    #[test]
    fn accepts_temporary_upn() {
        let upn = Upn::parse("X00180001701A").unwrap();
        assert!(upn.is_temporary());
        assert_eq!(upn.la_code(), "001");
    }

    #[test]
    fn trims_and_uppercases() {
        let upn = Upn::parse("  x00180001701a ").unwrap();
        assert_eq!(upn.to_string(), "X00180001701A");
    }

    #[test]
    fn rejects_wrong_check_letters() {
        for upn in ["A801200005001", "R247962919251", "B207000016049"] {
            assert_eq!(Upn::parse(upn), Err(UpnError::CheckLetter), "{upn}");
        }
        assert!(Upn::parse("P207000016049").is_ok());
    }

    #[test]
    fn rejects_bad_formats() {
        assert_eq!(Upn::parse("   "), Err(UpnError::Empty));
        for upn in [
            "B80120000500",
            "B8012000050011",
            "1801200005001",
            "I801200005001",
            "B80120000500I",
            "BB01200005001",
            "B8012 0005001",
            "B80120000500£",
        ] {
            assert_eq!(Upn::parse(upn), Err(UpnError::Format), "{upn}");
        }
    }

    #[test]
    fn error_messages_are_for_users() {
        assert_eq!(
            UpnError::Format.to_string(),
            "Enter a UPN in the correct format, like A123456789012"
        );
        assert!(Upn::parse("A123456789012").is_ok(), "the example in the message is valid");
    }

    #[test]
    fn serde_round_trip_and_checks() {
        let upn = Upn::parse("B801200005001").unwrap();
        let json = serde_json::to_string(&upn).unwrap();
        assert_eq!(json, "\"B801200005001\"");
        assert_eq!(serde_json::from_str::<Upn>(&json).unwrap(), upn);
        assert!(serde_json::from_str::<Upn>("\"A801200005001\"").is_err());
    }

    #[test]
    fn unknown_upn_reason_codes_round_trip() {
        for reason in UnknownUpnReason::ALL {
            assert_eq!(UnknownUpnReason::from_code(reason.code()), Some(reason));
            assert!(!reason.description().is_empty());
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(serde_json::from_str::<UnknownUpnReason>(&json).unwrap(), reason);
        }
        assert_eq!(UnknownUpnReason::from_code("UN6"), None);
        assert_eq!(UnknownUpnReason::Un3.code(), "UN3");
        assert_eq!(UnknownUpnReason::Un3.description(), "Child is educated at home");
    }

    fn check_letter_for(body: &str) -> char {
        let sum: u32 = body
            .chars()
            .zip(2u32..)
            .map(|(c, w)| c.to_digit(10).unwrap_or_else(|| letter_index(c as u8).unwrap()) * w)
            .sum();
        LETTERS[(sum % 23) as usize] as char
    }

    proptest! {
        #[test]
        fn any_body_with_its_check_letter_parses(body in "[0-9]{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]") {
            let upn = format!("{}{body}", check_letter_for(&body));
            let parsed = Upn::parse(&upn).unwrap();
            prop_assert_eq!(parsed.as_str(), upn.as_str());
            prop_assert_eq!(Upn::parse(&format!(" {} ", upn.to_lowercase())).unwrap(), parsed);
        }

        #[test]
        fn any_other_check_letter_fails(body in "[0-9]{12}", letter in 0usize..23) {
            let wrong = LETTERS[letter] as char;
            prop_assume!(wrong != check_letter_for(&body));
            prop_assert_eq!(Upn::parse(&format!("{wrong}{body}")), Err(UpnError::CheckLetter));
        }

        #[test]
        fn never_panics(input in "\\PC*") {
            let _ = Upn::parse(&input);
        }
    }
}
