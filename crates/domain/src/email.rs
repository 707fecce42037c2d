//! Email addresses of staff, carers and young people.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The longest address a mail server has to accept (RFC 5321 path limit).
const MAX_LEN: usize = 254;

/// An email address, trimmed and lowercased so that it can be compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address")]
    Empty,
    #[error("Enter an email address in the correct format, like name@example.com")]
    Format,
    #[error("Email address must be 254 characters or fewer")]
    TooLong,
}

impl Email {
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.chars().count() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(EmailError::Format);
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty()
            || !domain_ok
            || domain.contains('@')
            || email.chars().any(char::is_whitespace)
        {
            return Err(EmailError::Format);
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, for example to recognise an LA's own staff.
    pub fn domain(&self) -> &str {
        self.0.rsplit('@').next().unwrap_or_default()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::parse(s)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_and_normalises_valid_addresses() {
        let cases = [
            ("jo.bloggs@westsussex.gov.uk", "jo.bloggs@westsussex.gov.uk"),
            ("  Jo.Bloggs@WestSussex.gov.uk ", "jo.bloggs@westsussex.gov.uk"),
            ("a+pep@school.sch.uk", "a+pep@school.sch.uk"),
        ];
        for (input, expected) in cases {
            let email = Email::parse(input).unwrap();
            assert_eq!(email.as_str(), expected);
            assert_eq!(email.to_string(), expected);
        }
        assert_eq!(Email::parse("dt@school.sch.uk").unwrap().domain(), "school.sch.uk");
    }

    #[test]
    fn rejects_invalid_addresses() {
        assert_eq!(Email::parse("  "), Err(EmailError::Empty));
        for input in [
            "no-at-sign.gov.uk",
            "@example.com",
            "name@",
            "name@localhost",
            "name@@example.com",
            "na@me@example.com",
            "na me@example.com",
            "name@.example.com",
            "name@example.com.",
            "name@example..com",
        ] {
            assert_eq!(Email::parse(input), Err(EmailError::Format), "{input}");
        }
    }

    #[test]
    fn rejects_long_addresses() {
        let ok = format!("{}@example.com", "a".repeat(MAX_LEN - 12));
        assert_eq!(ok.len(), MAX_LEN);
        assert!(Email::parse(&ok).is_ok());
        let long = format!("a{ok}");
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn serde_round_trip_and_checks() {
        let email = Email::parse("sw@example.org").unwrap();
        let json = serde_json::to_string(&email).unwrap();
        assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), email);
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(input in "\\PC*") {
            if let Ok(email) = Email::parse(&input) {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
                prop_assert_eq!(email.as_str().matches('@').count(), 1);
            }
        }

        #[test]
        fn simple_addresses_parse(local in "[a-z0-9._+-]{1,30}", host in "[a-z0-9-]{1,20}", tld in "[a-z]{2,6}") {
            let input = format!("{local}@{host}.{tld}");
            prop_assert_eq!(Email::parse(&input).map(String::from), Ok(input));
        }
    }
}
