//! An authority's settings: where local authorities differ, the product
//! has a setting, not a fork. Later issues add their own fields here.

use serde::{Deserialize, Serialize};

use crate::pep_cycle::InitialTimescale;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthoritySettings {
    /// "ten_working_days" (statutory guidance) or "twenty_days".
    pub initial_timescale: String,
    /// PEPs from age 2 or 3 (to 18).
    pub pep_from_age: u8,
    /// The letters of the PEP's sections, in order (West Sussex A-D).
    pub section_letters: Vec<String>,
    /// The grades the Virtual School gives in quality assurance.
    pub qa_grades: Vec<String>,
    /// A total difficulties score at or above this flags wellbeing needs.
    pub sdq_threshold: u8,
    /// Who also receives "PEP signed off" e-mails (e.g. the VS inbox).
    pub sign_off_copies_to: Option<String>,
}

impl Default for AuthoritySettings {
    fn default() -> Self {
        Self {
            initial_timescale: "ten_working_days".into(),
            pep_from_age: 2,
            section_letters: ["A", "B", "C", "D"].map(String::from).to_vec(),
            qa_grades: ["Good", "Requires improvement to be good", "Inadequate"]
                .map(String::from)
                .to_vec(),
            sdq_threshold: 17,
            sign_off_copies_to: None,
        }
    }
}

impl AuthoritySettings {
    pub fn timescale(&self) -> InitialTimescale {
        match self.initial_timescale.as_str() {
            "twenty_days" => InitialTimescale::TwentyDays,
            _ => InitialTimescale::TenWorkingDays,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_take_their_defaults() {
        let parsed: AuthoritySettings = serde_json::from_str(r#"{"sdq_threshold": 15}"#).unwrap();
        assert_eq!(parsed.sdq_threshold, 15);
        assert_eq!(parsed.pep_from_age, 2);
        assert_eq!(parsed.timescale(), InitialTimescale::TenWorkingDays);
    }
}
