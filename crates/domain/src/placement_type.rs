//! Where a looked-after child lives: the placement types of the SSDA903
//! return (`PLACE`), described in plain words.

/// Every placement type: its SSDA903 code and what it means.
pub const PLACEMENT_TYPES: [(&str, &str); 23] = [
    ("U1", "Foster placement with a relative or friend, long term"),
    ("U2", "Foster placement with a relative or friend who is also an approved adopter"),
    ("U3", "Foster placement with a relative or friend, not long term"),
    ("U4", "Foster placement with another foster carer, long term"),
    ("U5", "Foster placement with another foster carer who is also an approved adopter"),
    ("U6", "Foster placement with another foster carer, not long term"),
    ("A3", "Placed for adoption with consent, with their current foster carer"),
    ("A4", "Placed for adoption with consent, not with their current foster carer"),
    ("A5", "Placed for adoption with a placement order, with their current foster carer"),
    ("A6", "Placed for adoption with a placement order, not with their current foster carer"),
    ("P1", "Placed with their own parent or parents"),
    ("P2", "Independent living, such as a flat, lodgings or with friends"),
    ("P3", "Residential employment"),
    ("H5", "Supported or semi-independent accommodation"),
    ("K1", "Secure children's home"),
    ("K2", "Children's home"),
    ("R1", "Residential care home"),
    ("R2", "NHS or health trust establishment giving medical or nursing care"),
    ("R3", "Family centre or mother and baby unit"),
    ("R5", "Young offender institution or prison"),
    ("S1", "Residential school"),
    ("T0", "Temporary placement"),
    ("Z1", "Other placement"),
];

/// What a placement type code means, if it is one.
pub fn describe(code: &str) -> Option<&'static str> {
    PLACEMENT_TYPES.iter().find(|(c, _)| *c == code).map(|(_, description)| *description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_described() {
        let mut codes: Vec<_> = PLACEMENT_TYPES.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), PLACEMENT_TYPES.len());
        assert_eq!(describe("K2"), Some("Children's home"));
        assert_eq!(describe("U9"), None);
    }
}
