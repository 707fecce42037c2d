//! Text as it is searched and sorted: lower case, without accents, so
//! "Zoë", "ZOE" and "zoe" meet, the same on every database.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases and strips diacritics (NFD, then drops combining marks).
pub fn fold(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Zoë"), "zoe");
        assert_eq!(fold("ÉLODIE Ngô"), "elodie ngo");
        assert_eq!(fold("O'Brien-Smith"), "o'brien-smith");
        assert_eq!(fold("Łukasz"), "łukasz");
    }
}
