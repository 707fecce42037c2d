//! A new password, checked as the NCSC's password guidance advises: long
//! enough, not too long to hash, no composition rules, not a common or
//! breached password, not the person's own name or email address.

use std::fmt;
use std::sync::OnceLock;

/// The fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// The most characters a password may have (it is hashed, so the limit
/// only stops abuse).
pub const MAX_CHARS: usize = 256;
/// Context words (name, email local part) shorter than this are not
/// looked for in the password: "Jo" would refuse too much.
const MIN_CONTEXT_CHARS: usize = 4;

/// The most common passwords, lower case, one a line; `#` lines are notes.
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// Runs of keys and characters that people type as a "password".
const SEQUENCES: &[&str] = &[
    "012345678901234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
];

/// A password someone has chosen that meets the policy. It is not
/// printed by `Debug`, and has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Enter a password")]
    Missing,
    #[error("Password must be 12 characters or more")]
    TooShort,
    #[error("Password must be 256 characters or fewer")]
    TooLong,
    #[error("Choose a password that is harder to guess: this one is too common")]
    TooCommon,
    #[error("Your password must not contain your name or email address")]
    ContainsPersonalDetails,
}

impl NewPassword {
    /// Checks `candidate` as typed (spaces count and are kept). `context`
    /// holds words the password must not contain, such as the person's
    /// name and the part of their email address before the `@`; each word,
    /// and each part of it between spaces or punctuation, is looked for
    /// when it has at least 4 characters, ignoring case.
    pub fn parse(candidate: &str, context: &[&str]) -> Result<NewPassword, PasswordError> {
        if candidate.is_empty() {
            return Err(PasswordError::Missing);
        }
        let chars = candidate.chars().count();
        if chars > MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if chars < MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if contains_context(candidate, context) {
            return Err(PasswordError::ContainsPersonalDetails);
        }
        if is_common_password(candidate) {
            return Err(PasswordError::TooCommon);
        }
        Ok(NewPassword(candidate.to_owned()))
    }

    /// The password, to be hashed. Never log or show it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

/// Whether `candidate` is, or is built from, a common password: the list
/// ignores case, spaces, digits and punctuation added at either end
/// ("Password1234!"), common letter swaps ("P@ssw0rd"), repeating a word
/// ("monkeymonkey") and runs along the keyboard or the alphabet.
pub fn is_common_password(candidate: &str) -> bool {
    let lower = candidate.to_lowercase();
    let joined: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    if joined.is_empty() {
        return true;
    }
    let core = joined.trim_matches(|c: char| !c.is_alphabetic());
    let unswapped = unswap(core);

    let forms = [lower.as_str(), joined.as_str(), core, unswapped.as_str()];
    forms.iter().any(|form| {
        in_list(form)
            || repeated_unit(form).is_some_and(|unit| unit.chars().count() <= 3 || in_list(unit))
    }) || is_sequence(&joined)
        || repeated_unit(&joined).is_some_and(|unit| unit.chars().count() <= 3)
}

fn common_passwords() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut list: Vec<&str> = COMMON_PASSWORDS
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        list.sort_unstable();
        list.dedup();
        list
    })
}

fn in_list(form: &str) -> bool {
    !form.is_empty() && common_passwords().binary_search(&form).is_ok()
}

/// Undoes the usual swaps of digits and symbols for letters.
fn unswap(form: &str) -> String {
    form.chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '8' => 'b',
            '3' => 'e',
            '1' | '!' => 'i',
            '0' => 'o',
            '$' | '5' => 's',
            '7' => 't',
            other => other,
        })
        .collect()
}

/// The shortest unit that `form` repeats at least twice, if it is one.
fn repeated_unit(form: &str) -> Option<&str> {
    let chars: Vec<(usize, char)> = form.char_indices().collect();
    let n = chars.len();
    (1..=n / 2)
        .filter(|&len| n.is_multiple_of(len))
        .find(|&len| (len..n).all(|i| chars[i].1 == chars[i - len].1))
        .map(|len| &form[..chars[len].0])
}

/// Whether `form` is a run along one of [`SEQUENCES`], forwards or back.
fn is_sequence(form: &str) -> bool {
    let reversed: String = form.chars().rev().collect();
    SEQUENCES.iter().any(|run| run.contains(form) || run.contains(reversed.as_str()))
}

fn contains_context(candidate: &str, context: &[&str]) -> bool {
    let lower = candidate.to_lowercase();
    let alphanumeric: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    context
        .iter()
        .flat_map(|word| context_forms(word))
        .filter(|form| form.chars().count() >= MIN_CONTEXT_CHARS)
        .any(|form| lower.contains(&form) || alphanumeric.contains(&form))
}

/// A context word, lower case: whole, without its spaces and punctuation
/// ("jo.bloggs" → "jobloggs"), and each part ("bloggs").
fn context_forms(word: &str) -> Vec<String> {
    let lower = word.trim().to_lowercase();
    let mut forms = vec![lower.chars().filter(|c| c.is_alphanumeric()).collect(), lower.clone()];
    forms.extend(lower.split(|c: char| !c.is_alphanumeric()).map(str::to_owned));
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_CONTEXT: &[&str] = &[];

    fn parse(candidate: &str) -> Result<NewPassword, PasswordError> {
        NewPassword::parse(candidate, NO_CONTEXT)
    }

    #[test]
    fn passphrases_are_accepted() {
        for ok in [
            "correct horse battery staple",
            "Tr0ub4dor&3 is not enough",
            "purple elephants dance quietly",
            "my cat eats lasagne on tuesdays",
            "vqx7 kp2m zt9w",
            "glasgowtramlines",
        ] {
            let password = parse(ok).unwrap();
            assert_eq!(password.expose(), ok);
        }
    }

    #[test]
    fn spaces_are_kept_as_typed() {
        let password = parse("  leading and trailing  ").unwrap();
        assert_eq!(password.expose(), "  leading and trailing  ");
    }

    #[test]
    fn an_empty_password_is_missing() {
        assert_eq!(parse(""), Err(PasswordError::Missing));
        assert_eq!(PasswordError::Missing.to_string(), "Enter a password");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(parse("elevenchars"), Err(PasswordError::TooShort));
        assert!(parse("twelve chars").is_ok());
        // 11 characters, 22 bytes.
        assert_eq!(parse("éééééééééxy"), Err(PasswordError::TooShort));
        assert!(parse("crème brûlée!").is_ok());
        assert_eq!(PasswordError::TooShort.to_string(), "Password must be 12 characters or more");
    }

    /// `n` characters that repeat no unit: `unit` followed by a counter.
    fn varied(n: usize, unit: &str) -> String {
        (0..).flat_map(|i| format!("{unit}{i}").chars().collect::<Vec<_>>()).take(n).collect()
    }

    #[test]
    fn at_most_256_characters() {
        assert!(parse(&varied(MAX_CHARS, "horse ")).is_ok());
        assert_eq!(parse(&varied(MAX_CHARS + 1, "horse ")), Err(PasswordError::TooLong));
        // Multi-byte: 256 characters is fine, 257 is not.
        let accents = varied(MAX_CHARS, "é");
        assert!(accents.len() > MAX_CHARS);
        assert!(parse(&accents).is_ok());
        assert_eq!(parse(&varied(MAX_CHARS + 1, "é")), Err(PasswordError::TooLong));
        assert_eq!(PasswordError::TooLong.to_string(), "Password must be 256 characters or fewer");
    }

    #[test]
    fn common_passwords_are_refused() {
        for common in [
            "password1234",
            "Password1234!",
            "PASSWORD123456",
            "!!password!!!",
            "P@ssw0rd2024!",
            "iloveyou1234",
            "i love you 123",
            "qwertyuiop123",
            "1qaz2wsx3edc",
            "monkeymonkey",
            "Football2024!",
            "trustno1trustno1",
            "123456789012",
            "aaaaaaaaaaaa",
            "abcabcabcabc",
            "zyxwvutsrqponm",
            "            ",
        ] {
            assert_eq!(parse(common), Err(PasswordError::TooCommon), "{common}");
        }
        assert_eq!(
            PasswordError::TooCommon.to_string(),
            "Choose a password that is harder to guess: this one is too common"
        );
    }

    #[test]
    fn the_list_is_loaded_sorted_and_lower_case() {
        let list = common_passwords();
        assert!(list.len() > 9_900, "{}", list.len());
        assert!(list.windows(2).all(|w| w[0] < w[1]));
        assert!(list.iter().all(|p| *p == p.to_lowercase()));
        assert!(in_list("password"));
        assert!(in_list("123456"));
        assert!(!in_list("correct horse battery staple"));
        assert!(!in_list(""));
        assert!(!list.iter().any(|p| p.starts_with('#')));
    }

    #[test]
    fn the_persons_name_and_email_are_refused() {
        let context = ["jo.bloggs", "Jo Bloggs", "Joanna"];
        for personal in [
            "jo.bloggs is my name",
            "JoBloggs-forever-2024",
            "my surname is bloggs",
            "hello JOANNA hello",
        ] {
            assert_eq!(
                NewPassword::parse(personal, &context),
                Err(PasswordError::ContainsPersonalDetails),
                "{personal}"
            );
        }
        assert_eq!(
            PasswordError::ContainsPersonalDetails.to_string(),
            "Your password must not contain your name or email address"
        );
    }

    #[test]
    fn context_words_shorter_than_four_characters_are_ignored() {
        let context = ["Jo", "Ali", "j.o"];
        assert!(NewPassword::parse("jo and ali went out", &context).is_ok());
        assert!(NewPassword::parse("correct horse battery staple", &["", "  "]).is_ok());
    }

    #[test]
    fn the_rules_are_checked_in_order() {
        // Too short before anything else; personal before common.
        assert_eq!(NewPassword::parse("bloggs1", &["bloggs"]), Err(PasswordError::TooShort));
        assert_eq!(
            NewPassword::parse("password1234", &["password"]),
            Err(PasswordError::ContainsPersonalDetails)
        );
    }

    #[test]
    fn debug_does_not_show_the_password() {
        let password = parse("correct horse battery staple").unwrap();
        assert_eq!(format!("{password:?}"), "NewPassword(..)");
    }

    #[test]
    fn repeated_units_and_sequences() {
        assert_eq!(repeated_unit("abcabc"), Some("abc"));
        assert_eq!(repeated_unit("ééé"), Some("é"));
        assert_eq!(repeated_unit("abcab"), None);
        assert_eq!(repeated_unit(""), None);
        assert!(is_sequence("cdefghijklmn"));
        assert!(is_sequence("9876543210987"));
        assert!(!is_sequence("correcthorse"));
        assert_eq!(unswap("p@55w0rd"), "password");
    }
}
