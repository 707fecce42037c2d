//! Legal statuses of looked-after children, as coded in the SSDA903 return.

use crate::code::serde_via_code;

/// The legal status (SSDA903 `LS`) under which a child is looked after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LegalStatus {
    C1,
    C2,
    D1,
    E1,
    V2,
    V3,
    V4,
    L1,
    L2,
    L3,
    J1,
    J2,
    J3,
}

impl LegalStatus {
    pub const ALL: [LegalStatus; 13] = [
        LegalStatus::C1,
        LegalStatus::C2,
        LegalStatus::D1,
        LegalStatus::E1,
        LegalStatus::V2,
        LegalStatus::V3,
        LegalStatus::V4,
        LegalStatus::L1,
        LegalStatus::L2,
        LegalStatus::L3,
        LegalStatus::J1,
        LegalStatus::J2,
        LegalStatus::J3,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LegalStatus::C1 => "C1",
            LegalStatus::C2 => "C2",
            LegalStatus::D1 => "D1",
            LegalStatus::E1 => "E1",
            LegalStatus::V2 => "V2",
            LegalStatus::V3 => "V3",
            LegalStatus::V4 => "V4",
            LegalStatus::L1 => "L1",
            LegalStatus::L2 => "L2",
            LegalStatus::L3 => "L3",
            LegalStatus::J1 => "J1",
            LegalStatus::J2 => "J2",
            LegalStatus::J3 => "J3",
        }
    }

    pub fn from_code(code: &str) -> Option<LegalStatus> {
        LegalStatus::ALL.into_iter().find(|status| status.code() == code)
    }

    pub fn description(self) -> &'static str {
        match self {
            LegalStatus::C1 => "Interim care order",
            LegalStatus::C2 => "Full care order",
            LegalStatus::D1 => "Freeing order granted",
            LegalStatus::E1 => "Placement order granted",
            LegalStatus::V2 => "Single period of accommodation under section 20",
            LegalStatus::V3 => {
                "Accommodated under an agreed series of short-term breaks, when individual episodes of care are recorded"
            }
            LegalStatus::V4 => {
                "Accommodated under an agreed series of short-term breaks, when agreements are recorded"
            }
            LegalStatus::L1 => "Under police protection and in local authority accommodation",
            LegalStatus::L2 => "Emergency protection order (EPO)",
            LegalStatus::L3 => "Under child assessment order and in local authority accommodation",
            LegalStatus::J1 => {
                "Remanded to local authority accommodation or to youth detention accommodation"
            }
            LegalStatus::J2 => {
                "Placed in local authority accommodation under the Police and Criminal Evidence Act 1984"
            }
            LegalStatus::J3 => {
                "Sentenced to a youth rehabilitation order with residence or intensive fostering requirement"
            }
        }
    }
}

serde_via_code!(LegalStatus, "legal status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for status in LegalStatus::ALL {
            assert_eq!(LegalStatus::from_code(status.code()), Some(status));
            assert_eq!(format!("{status:?}"), status.code());
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(serde_json::from_str::<LegalStatus>(&json).unwrap(), status);
        }
        assert_eq!(LegalStatus::from_code("V1"), None);
        assert_eq!(LegalStatus::from_code("c1"), None);
    }

    #[test]
    fn descriptions() {
        assert_eq!(LegalStatus::C1.description(), "Interim care order");
        assert_eq!(LegalStatus::C2.description(), "Full care order");
        assert_eq!(LegalStatus::L2.description(), "Emergency protection order (EPO)");
        let distinct: std::collections::HashSet<_> =
            LegalStatus::ALL.iter().map(|s| s.description()).collect();
        assert_eq!(distinct.len(), LegalStatus::ALL.len());
    }
}
