//! Terms and the stages a PEP goes through.

use chrono::{Datelike, NaiveDate};

use crate::code::serde_via_code;

/// A school term; each term has one PEP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    Autumn,
    Spring,
    Summer,
}

impl Term {
    pub const ALL: [Term; 3] = [Term::Autumn, Term::Spring, Term::Summer];

    pub fn code(self) -> &'static str {
        match self {
            Term::Autumn => "autumn",
            Term::Spring => "spring",
            Term::Summer => "summer",
        }
    }

    pub fn from_code(code: &str) -> Option<Term> {
        Term::ALL.into_iter().find(|term| term.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Term::Autumn => "Autumn",
            Term::Spring => "Spring",
            Term::Summer => "Summer",
        }
    }

    /// The term a date falls in by default: autumn 1 September to
    /// 31 December, spring 1 January to 31 March, summer 1 April to
    /// 31 August. An LA's own term dates, when set, take precedence.
    pub fn containing(date: NaiveDate) -> Term {
        match date.month() {
            9..=12 => Term::Autumn,
            1..=3 => Term::Spring,
            _ => Term::Summer,
        }
    }
}

serde_via_code!(Term, "term");

/// Where a PEP is in its cycle. "Overdue" is not a status: it is worked out
/// from the PEP's deadline and today's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PepStatus {
    Draft,
    InProgress,
    MeetingHeld,
    AwaitingSignOff,
    SignedOff,
    ReturnedForImprovement,
    QualityAssured,
}

impl PepStatus {
    pub const ALL: [PepStatus; 7] = [
        PepStatus::Draft,
        PepStatus::InProgress,
        PepStatus::MeetingHeld,
        PepStatus::AwaitingSignOff,
        PepStatus::SignedOff,
        PepStatus::ReturnedForImprovement,
        PepStatus::QualityAssured,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PepStatus::Draft => "draft",
            PepStatus::InProgress => "in_progress",
            PepStatus::MeetingHeld => "meeting_held",
            PepStatus::AwaitingSignOff => "awaiting_sign_off",
            PepStatus::SignedOff => "signed_off",
            PepStatus::ReturnedForImprovement => "returned_for_improvement",
            PepStatus::QualityAssured => "quality_assured",
        }
    }

    pub fn from_code(code: &str) -> Option<PepStatus> {
        PepStatus::ALL.into_iter().find(|status| status.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            PepStatus::Draft => "Not started",
            PepStatus::InProgress => "In progress",
            PepStatus::MeetingHeld => "Meeting held",
            PepStatus::AwaitingSignOff => "Awaiting sign-off",
            PepStatus::SignedOff => "Signed off",
            PepStatus::ReturnedForImprovement => "Returned for improvement",
            PepStatus::QualityAssured => "Quality assured",
        }
    }

    /// Signed off, or signed off and then quality assured.
    pub fn is_complete(self) -> bool {
        matches!(self, PepStatus::SignedOff | PepStatus::QualityAssured)
    }
}

serde_via_code!(PepStatus, "PEP status");

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn term_codes_round_trip() {
        for term in Term::ALL {
            assert_eq!(Term::from_code(term.code()), Some(term));
            let json = serde_json::to_string(&term).unwrap();
            assert_eq!(serde_json::from_str::<Term>(&json).unwrap(), term);
        }
        assert_eq!(Term::from_code("Autumn"), None);
        assert_eq!(Term::Spring.label(), "Spring");
    }

    #[test]
    fn default_terms() {
        let cases = [
            (date(2025, 9, 1), Term::Autumn),
            (date(2025, 12, 31), Term::Autumn),
            (date(2026, 1, 1), Term::Spring),
            (date(2026, 3, 31), Term::Spring),
            (date(2026, 4, 1), Term::Summer),
            (date(2026, 8, 31), Term::Summer),
        ];
        for (day, term) in cases {
            assert_eq!(Term::containing(day), term, "{day}");
        }
    }

    #[test]
    fn status_codes_round_trip() {
        for status in PepStatus::ALL {
            assert_eq!(PepStatus::from_code(status.code()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(serde_json::from_str::<PepStatus>(&json).unwrap(), status);
        }
        assert_eq!(PepStatus::from_code("overdue"), None);
        assert_eq!(PepStatus::Draft.label(), "Not started");
        assert_eq!(PepStatus::AwaitingSignOff.label(), "Awaiting sign-off");
    }

    #[test]
    fn complete_means_signed_off() {
        let complete: Vec<PepStatus> =
            PepStatus::ALL.into_iter().filter(|s| s.is_complete()).collect();
        assert_eq!(complete, [PepStatus::SignedOff, PepStatus::QualityAssured]);
    }
}
