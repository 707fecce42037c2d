//! An authority's own CSV of children: any columns, mapped to the fields
//! OpenPEP keeps. The mapping is guessed from the file's header and can be
//! changed before the import; mapped rows are checked as the SSDA903
//! Header is, with dates and sex read more freely.

use std::collections::HashMap;

/// A field an LA CSV can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaField {
    /// The column name the rows are checked under (as in SSDA903).
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// Header names taken to mean this field, folded (see [`fold`]).
    aliases: &'static [&'static str],
}

pub const LA_FIELDS: [LaField; 10] = [
    LaField {
        key: "CHILD",
        label: "Child's ID in the council's system",
        required: true,
        aliases: &["child", "child id", "childid", "id", "person id", "client id", "case id"],
    },
    LaField {
        key: "FORENAME",
        label: "First name",
        required: true,
        aliases: &["forename", "first name", "firstname", "given name", "forenames"],
    },
    LaField {
        key: "SURNAME",
        label: "Last name",
        required: true,
        aliases: &["surname", "last name", "lastname", "family name"],
    },
    LaField {
        key: "PREFERRED_NAME",
        label: "Preferred name",
        required: false,
        aliases: &["preferred name", "known as", "preferred"],
    },
    LaField {
        key: "DOB",
        label: "Date of birth",
        required: true,
        aliases: &["dob", "d o b", "date of birth", "birth date", "birthdate"],
    },
    LaField { key: "SEX", label: "Sex", required: true, aliases: &["sex", "gender"] },
    LaField {
        key: "ETHNIC",
        label: "Ethnicity code",
        required: false,
        aliases: &["ethnic", "ethnicity", "ethnicity code", "ethnic code"],
    },
    LaField {
        key: "UPN",
        label: "Unique pupil number (UPN)",
        required: false,
        aliases: &["upn", "unique pupil number"],
    },
    LaField {
        key: "SCHOOL_URN",
        label: "School URN",
        required: false,
        aliases: &["school urn", "urn", "school"],
    },
    LaField {
        key: "SCHOOL_START",
        label: "Date the child started at the school",
        required: false,
        aliases: &["school start", "school start date", "start date", "date started"],
    },
];

/// A header name folded for matching: lower case, words split on anything
/// not a letter or digit.
pub fn fold(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which of the file's columns (by index) fills each field: the column
/// whose header matches the field's key or one of its aliases.
pub fn guess_mapping(header: &[&str]) -> HashMap<&'static str, usize> {
    let folded: Vec<String> = header.iter().map(|h| fold(h)).collect();
    LA_FIELDS
        .iter()
        .filter_map(|field| {
            let key = fold(field.key);
            folded
                .iter()
                .position(|h| *h == key || field.aliases.contains(&h.as_str()))
                .map(|i| (field.key, i))
        })
        .collect()
}

/// The field a key names.
pub fn field(key: &str) -> Option<&'static LaField> {
    LA_FIELDS.iter().find(|f| f.key == key)
}

/// The required fields a mapping leaves without a column.
pub fn unmapped_required(mapping: &HashMap<&'static str, usize>) -> Vec<&'static LaField> {
    LA_FIELDS.iter().filter(|f| f.required && !mapping.contains_key(f.key)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_is_guessed_from_common_header_names() {
        let header = ["Child ID", "First Name", "Last_Name", "D.O.B", "Gender", "UPN", "School"];
        let mapping = guess_mapping(&header);
        assert_eq!(mapping["CHILD"], 0);
        assert_eq!(mapping["FORENAME"], 1);
        assert_eq!(mapping["SURNAME"], 2);
        assert_eq!(mapping["DOB"], 3);
        assert_eq!(mapping["SEX"], 4);
        assert_eq!(mapping["UPN"], 5);
        assert_eq!(mapping["SCHOOL_URN"], 6);
        assert!(!mapping.contains_key("ETHNIC"));
        assert!(unmapped_required(&mapping).is_empty());
        let thin = guess_mapping(&["Name", "Birthday"]);
        let missing: Vec<&str> = unmapped_required(&thin).iter().map(|f| f.key).collect();
        assert_eq!(missing, ["CHILD", "FORENAME", "SURNAME", "DOB", "SEX"]);
    }

    #[test]
    fn header_names_fold_to_words() {
        assert_eq!(fold("  Date_of-BIRTH "), "date of birth");
        assert_eq!(fold("D.O.B"), "d o b");
    }
}
