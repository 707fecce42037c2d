//! Ethnicity as the DfE codes it in the school census and the SSDA903
//! return (the main categories).

/// Every ethnicity code with its description, in the census's order.
pub const ETHNICITIES: [(&str, &str); 20] = [
    ("WBRI", "White – British"),
    ("WIRI", "White – Irish"),
    ("WIRT", "White – Traveller of Irish heritage"),
    ("WROM", "White – Gypsy or Roma"),
    ("WOTH", "White – any other White background"),
    ("MWBC", "Mixed – White and Black Caribbean"),
    ("MWBA", "Mixed – White and Black African"),
    ("MWAS", "Mixed – White and Asian"),
    ("MOTH", "Mixed – any other mixed background"),
    ("AIND", "Asian or Asian British – Indian"),
    ("APKN", "Asian or Asian British – Pakistani"),
    ("ABAN", "Asian or Asian British – Bangladeshi"),
    ("AOTH", "Asian or Asian British – any other Asian background"),
    ("BCRB", "Black or Black British – Caribbean"),
    ("BAFR", "Black or Black British – African"),
    ("BOTH", "Black or Black British – any other Black background"),
    ("CHNE", "Chinese"),
    ("OOTH", "Any other ethnic group"),
    ("REFU", "Refused"),
    ("NOBT", "Information not yet obtained"),
];

/// What an ethnicity code means, if it is one.
pub fn describe(code: &str) -> Option<&'static str> {
    ETHNICITIES.iter().find(|(c, _)| *c == code).map(|(_, description)| *description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_four_capitals_unique_and_described() {
        let mut codes: Vec<_> = ETHNICITIES.iter().map(|(c, _)| *c).collect();
        assert!(codes.iter().all(|c| c.len() == 4 && c.chars().all(|ch| ch.is_ascii_uppercase())));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ETHNICITIES.len());
        assert_eq!(describe("BAFR"), Some("Black or Black British – African"));
        assert_eq!(describe("XXXX"), None);
    }
}
