//! Whether the Virtual School should attend a child's PEP meeting, by the
//! authority's criteria (defaults after the Bolton guide).

use serde::{Deserialize, Serialize};

use crate::school_year::NcYear;

/// What is known about a child when their next PEP meeting is arranged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InvolvementFacts {
    /// No PEP has been completed for the child yet (new to the VS roll).
    pub new_to_virtual_school: bool,
    /// The PEP is due because the child changed school.
    pub school_move: bool,
    /// The child's school is in another authority's area.
    pub educated_outside_authority: bool,
    /// The Virtual School rates the case red.
    pub red_rated: bool,
    /// A social worker or designated teacher flagged a professional disagreement.
    pub professional_disagreement: bool,
    pub year_group: Option<NcYear>,
}

/// A reason for the Virtual School to attend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendReason {
    NewToVirtualSchool,
    SchoolMove,
    EducatedOutsideAuthority,
    RedRated,
    ProfessionalDisagreement,
    KeyYearGroup,
}

impl AttendReason {
    /// A short phrase, for a list's column or in brackets after a sentence.
    pub fn label(self) -> &'static str {
        match self {
            AttendReason::NewToVirtualSchool => "new to the Virtual School",
            AttendReason::SchoolMove => "moved school",
            AttendReason::EducatedOutsideAuthority => "educated outside the authority",
            AttendReason::RedRated => "red-rated case",
            AttendReason::ProfessionalDisagreement => "professional disagreement raised",
            AttendReason::KeyYearGroup => "key year group",
        }
    }
}

/// The authority's criteria; `default()` is the Bolton guide's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvolvementCriteria {
    pub key_year_groups: Vec<i8>,
    pub new_to_virtual_school: bool,
    pub school_move: bool,
    pub educated_outside_authority: bool,
    pub red_rated: bool,
    pub professional_disagreement: bool,
}

impl Default for InvolvementCriteria {
    fn default() -> Self {
        Self {
            key_year_groups: vec![6, 11],
            new_to_virtual_school: true,
            school_move: true,
            educated_outside_authority: true,
            red_rated: true,
            professional_disagreement: true,
        }
    }
}

impl InvolvementCriteria {
    /// Why the Virtual School should attend (empty: it need not).
    pub fn reasons(&self, facts: &InvolvementFacts) -> Vec<AttendReason> {
        let year = facts.year_group.map(NcYear::value);
        [
            (
                self.new_to_virtual_school && facts.new_to_virtual_school,
                AttendReason::NewToVirtualSchool,
            ),
            (self.school_move && facts.school_move, AttendReason::SchoolMove),
            (
                self.educated_outside_authority && facts.educated_outside_authority,
                AttendReason::EducatedOutsideAuthority,
            ),
            (self.red_rated && facts.red_rated, AttendReason::RedRated),
            (
                self.professional_disagreement && facts.professional_disagreement,
                AttendReason::ProfessionalDisagreement,
            ),
            (year.is_some_and(|y| self.key_year_groups.contains(&y)), AttendReason::KeyYearGroup),
        ]
        .into_iter()
        .filter_map(|(applies, reason)| applies.then_some(reason))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_special_means_no_attendance() {
        let facts =
            InvolvementFacts { year_group: Some(NcYear::from_value(4)), ..Default::default() };
        assert!(InvolvementCriteria::default().reasons(&facts).is_empty());
    }

    #[test]
    fn each_bolton_criterion_is_a_reason() {
        let criteria = InvolvementCriteria::default();
        let facts = InvolvementFacts {
            new_to_virtual_school: true,
            school_move: true,
            educated_outside_authority: true,
            red_rated: true,
            professional_disagreement: true,
            year_group: Some(NcYear::from_value(11)),
        };
        assert_eq!(criteria.reasons(&facts).len(), 6);
        let year6 =
            InvolvementFacts { year_group: Some(NcYear::from_value(6)), ..Default::default() };
        assert_eq!(criteria.reasons(&year6), [AttendReason::KeyYearGroup]);
    }

    #[test]
    fn an_authority_can_switch_criteria_off() {
        let criteria =
            InvolvementCriteria { key_year_groups: vec![], red_rated: false, ..Default::default() };
        let facts = InvolvementFacts {
            red_rated: true,
            year_group: Some(NcYear::from_value(11)),
            ..Default::default()
        };
        assert!(criteria.reasons(&facts).is_empty());
    }
}
