//! Authenticator app codes: TOTP (RFC 6238) with HMAC-SHA-1, 6 digits and
//! a 30-second step, the settings every authenticator app understands.
//!
//! The time is a parameter (Unix seconds), so tests can stand at any
//! moment. A code is accepted for the current step and one step either
//! side (clock drift), and a step once used is never accepted again: the
//! caller stores the step [`verify`] returns and passes it back next time.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Seconds in one time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Bytes in a new secret: 160 bits, the length RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// Steps either side of the current one that are accepted.
const WINDOW: i64 = 1;

/// A new random secret.
pub fn generate_secret() -> Vec<u8> {
    generate_secret_with(&mut rand::rng())
}

/// A new secret from the given source of randomness (tests pass a seeded
/// one).
pub fn generate_secret_with(rng: &mut impl RngCore) -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rng.fill_bytes(&mut secret);
    secret
}

/// The secret as people type it into an app: RFC 4648 base32, upper case,
/// no padding.
pub fn secret_base32(secret: &[u8]) -> String {
    BASE32_NOPAD.encode(secret)
}

/// Reads a base32 secret, ignoring case, spaces and `=` padding.
pub fn secret_from_base32(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    BASE32_NOPAD.decode(cleaned.as_bytes()).ok()
}

/// The time step that `unix_time` falls in.
pub fn step_at(unix_time: i64) -> i64 {
    unix_time.div_euclid(STEP_SECONDS)
}

/// The code an app shows at `unix_time` (before 1970 counts as step 0).
pub fn code_at(secret: &[u8], unix_time: i64) -> String {
    code_for_step(secret, u64::try_from(step_at(unix_time)).unwrap_or(0))
}

/// Checks `code` (spaces ignored) against the steps around `unix_time`.
/// Returns the step it matched, to be stored as the new `last_used_step`;
/// `None` for a wrong code, a code outside the window, or one whose step is
/// not after `last_used_step` (a replay).
pub fn verify(
    secret: &[u8],
    code: &str,
    unix_time: i64,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_at(unix_time);
    (current - WINDOW..=current + WINDOW)
        .filter(|&step| last_used_step.is_none_or(|last| step > last))
        .find(|&step| {
            u64::try_from(step).is_ok_and(|counter| {
                let expected = code_for_step(secret, counter);
                !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
            })
        })
}

/// The `otpauth://` URI that an app reads from a QR code, labelled
/// "issuer:account".
pub fn otpauth_uri(secret_b32: &str, account: &str, issuer: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret_b32}&issuer={issuer}\
         &algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        account = percent_encode(account),
    )
}

/// HOTP (RFC 4226) for one counter: HMAC-SHA-1, dynamic truncation, the
/// last [`DIGITS`] decimal digits.
fn code_for_step(secret: &[u8], counter: u64) -> String {
    // HMAC takes a key of any length, so this never fails; an empty code
    // matches nothing.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    format!("{:06}", binary % 1_000_000)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    /// RFC 6238 appendix B, SHA-1.
    const RFC_SECRET: &[u8] = b"12345678901234567890";
    const RFC_VECTORS: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn rfc_6238_test_vectors() {
        for (time, eight_digits) in RFC_VECTORS {
            assert_eq!(code_at(RFC_SECRET, time), eight_digits[2..], "{time}");
        }
    }

    #[test]
    fn rfc_4226_test_vectors() {
        // RFC 4226 appendix D: the same secret, counters 0-9.
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in (0u64..).zip(expected) {
            assert_eq!(code_for_step(RFC_SECRET, counter), code);
        }
    }

    #[test]
    fn verify_accepts_the_current_step_and_one_either_side() {
        let now = 1_111_111_111;
        let step = step_at(now);
        let code = code_at(RFC_SECRET, now);
        assert_eq!(verify(RFC_SECRET, &code, now, None), Some(step));
        assert_eq!(verify(RFC_SECRET, &code, now + 30, None), Some(step));
        assert_eq!(verify(RFC_SECRET, &code, now - 30, None), Some(step));
        assert_eq!(verify(RFC_SECRET, &code, now + 60, None), None);
        assert_eq!(verify(RFC_SECRET, &code, now - 60, None), None);
    }

    #[test]
    fn verify_refuses_a_replayed_or_older_step() {
        let now = 2_000_000_000;
        let code = code_at(RFC_SECRET, now);
        let used = verify(RFC_SECRET, &code, now, None).unwrap();
        assert_eq!(verify(RFC_SECRET, &code, now, Some(used)), None);
        assert_eq!(verify(RFC_SECRET, &code, now + 30, Some(used)), None);
        // The previous step's code is older than the one just used.
        let earlier = code_at(RFC_SECRET, now - 30);
        assert_eq!(verify(RFC_SECRET, &earlier, now, Some(used)), None);
        // The next step's code is still good.
        let next = code_at(RFC_SECRET, now + 30);
        assert_eq!(verify(RFC_SECRET, &next, now + 30, Some(used)), Some(used + 1));
    }

    #[test]
    fn verify_ignores_spaces_and_refuses_malformed_codes() {
        let now = 1_234_567_890;
        assert_eq!(code_at(RFC_SECRET, now), "005924");
        let step = Some(step_at(now));
        assert_eq!(verify(RFC_SECRET, "005 924", now, None), step);
        assert_eq!(verify(RFC_SECRET, " 005924\n", now, None), step);
        for bad in ["", "5924", "05924", "0059240", "00592a", "89005924", "٠٠٥٩٢٤", "005924x"]
        {
            assert_eq!(verify(RFC_SECRET, bad, now, None), None, "{bad:?}");
        }
        assert_eq!(verify(RFC_SECRET, "005925", now, None), None);
        assert_eq!(verify(b"another secret", "005924", now, None), None);
    }

    #[test]
    fn times_before_1970_do_not_wrap_around() {
        assert_eq!(step_at(-1), -1);
        assert_eq!(code_at(RFC_SECRET, -1), code_at(RFC_SECRET, 0));
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, 0), -100, None), None);
        assert_eq!(verify(RFC_SECRET, &code_at(RFC_SECRET, 0), -1, None), Some(0));
    }

    #[test]
    fn base32_of_known_values() {
        // RFC 4648 section 10, without padding.
        assert_eq!(secret_base32(b""), "");
        assert_eq!(secret_base32(b"f"), "MY");
        assert_eq!(secret_base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(secret_base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            secret_from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").as_deref(),
            Some(RFC_SECRET)
        );
        assert_eq!(secret_from_base32("MZXW6YTBOI======").unwrap(), b"foobar");
        assert_eq!(secret_from_base32("not base32!"), None);
    }

    #[test]
    fn new_secrets_are_20_random_bytes() {
        let a = generate_secret();
        let b = generate_secret();
        assert_eq!(a.len(), SECRET_BYTES);
        assert_ne!(a, b);
        let seeded = generate_secret_with(&mut StdRng::seed_from_u64(7));
        assert_eq!(seeded, generate_secret_with(&mut StdRng::seed_from_u64(7)));
        assert_eq!(secret_base32(&seeded).len(), 32);
        assert_eq!(secret_from_base32(&secret_base32(&seeded)).as_deref(), Some(seeded.as_slice()));
    }

    #[test]
    fn otpauth_uri_encodes_label_and_issuer() {
        let uri = otpauth_uri(
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "jo.bloggs+pep@example.gov.uk",
            "OpenPEP West Sussex",
        );
        assert_eq!(
            uri,
            "otpauth://totp/OpenPEP%20West%20Sussex:jo.bloggs%2Bpep%40example.gov.uk\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=OpenPEP%20West%20Sussex\
             &algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(percent_encode("a:b/c?d&é"), "a%3Ab%2Fc%3Fd%26%C3%A9");
    }
}
