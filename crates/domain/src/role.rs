//! The roles people hold in the product.

use crate::code::serde_via_code;

/// What someone does for a child. Access also depends on their relationship
/// to the child: see [`ChildScope`](crate::scope::ChildScope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    VsHead,
    VsOfficer,
    VsAdmin,
    SocialWorker,
    TeamManager,
    DesignatedTeacher,
    DesignatedProfessional,
    Iro,
    CareersAdviser,
    Carer,
    YoungPerson,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::VsHead,
        Role::VsOfficer,
        Role::VsAdmin,
        Role::SocialWorker,
        Role::TeamManager,
        Role::DesignatedTeacher,
        Role::DesignatedProfessional,
        Role::Iro,
        Role::CareersAdviser,
        Role::Carer,
        Role::YoungPerson,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::VsHead => "vs_head",
            Role::VsOfficer => "vs_officer",
            Role::VsAdmin => "vs_admin",
            Role::SocialWorker => "social_worker",
            Role::TeamManager => "team_manager",
            Role::DesignatedTeacher => "designated_teacher",
            Role::DesignatedProfessional => "designated_professional",
            Role::Iro => "iro",
            Role::CareersAdviser => "careers_adviser",
            Role::Carer => "carer",
            Role::YoungPerson => "young_person",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::VsHead => "Virtual School head",
            Role::VsOfficer => "Virtual School officer",
            Role::VsAdmin => "Virtual School administrator",
            Role::SocialWorker => "Social worker",
            Role::TeamManager => "Team manager",
            Role::DesignatedTeacher => "Designated teacher",
            Role::DesignatedProfessional => "Designated professional",
            Role::Iro => "Independent reviewing officer",
            Role::CareersAdviser => "Careers adviser",
            Role::Carer => "Carer",
            Role::YoungPerson => "Young person",
        }
    }

    pub fn is_virtual_school(self) -> bool {
        matches!(self, Role::VsHead | Role::VsOfficer | Role::VsAdmin)
    }

    /// Whether the role sees every child of its LA rather than a caseload.
    pub fn sees_whole_authority(self) -> bool {
        self.is_virtual_school()
    }

    /// Designated teachers and professionals act for a school or setting.
    pub fn works_at_a_school(self) -> bool {
        matches!(self, Role::DesignatedTeacher | Role::DesignatedProfessional)
    }

    /// The social worker and the school write the PEP: they are told when
    /// it is signed off, reopened, returned or graded, and improve it.
    pub fn writes_pep(self) -> bool {
        self == Role::SocialWorker || self.works_at_a_school()
    }
}

serde_via_code!(Role, "role");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.code()));
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        }
        assert_eq!(Role::from_code("VS_HEAD"), None);
        assert!(serde_json::from_str::<Role>("\"admin\"").is_err());
    }

    #[test]
    fn codes_and_labels_are_distinct() {
        let codes: std::collections::HashSet<_> = Role::ALL.iter().map(|r| r.code()).collect();
        let labels: std::collections::HashSet<_> = Role::ALL.iter().map(|r| r.label()).collect();
        assert_eq!(codes.len(), Role::ALL.len());
        assert_eq!(labels.len(), Role::ALL.len());
        assert_eq!(Role::Iro.label(), "Independent reviewing officer");
        assert_eq!(Role::DesignatedProfessional.code(), "designated_professional");
    }

    #[test]
    fn only_the_virtual_school_sees_the_whole_authority() {
        let whole: Vec<Role> = Role::ALL.into_iter().filter(|r| r.sees_whole_authority()).collect();
        assert_eq!(whole, [Role::VsHead, Role::VsOfficer, Role::VsAdmin]);
        for role in Role::ALL {
            assert_eq!(role.is_virtual_school(), whole.contains(&role));
        }
    }
}
