//! Django-compatible password hashes: `pbkdf2_sha256$<iterations>$<salt>$<base64>`,
//! so a hash written by dalgo logs in through Dalgo's Django backend and back.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use rand::distr::Alphanumeric;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};

/// Django 4.2's iteration count, which Dalgo runs.
pub const ITERATIONS: u32 = 600_000;
const ALGORITHM: &str = "pbkdf2_sha256";
/// 22 characters of [A-Za-z0-9] hold 128 bits, as Django's salts do.
const SALT_LEN: usize = 22;

/// The longest password accepted, in bytes (Django's own forms stop at 4096
/// characters; PBKDF2 over megabytes is a denial of service).
pub const MAX_PASSWORD_BYTES: usize = 4096;

/// Hashes a new password with a random salt.
pub fn make_password(password: &SecretString) -> Result<String> {
    let pw = password.expose_secret();
    if pw.is_empty() {
        return Err(Error::InvalidPassword("it is empty"));
    }
    if pw.len() > MAX_PASSWORD_BYTES {
        return Err(Error::InvalidPassword("it is longer than 4096 bytes"));
    }
    // Django's forms refuse it too ("Null characters are not allowed"): a
    // password set here could not be typed into Dalgo's login form.
    if pw.contains('\0') {
        return Err(Error::InvalidPassword("it holds a NUL character"));
    }
    Ok(encode(pw, &random_alphanumeric(SALT_LEN), ITERATIONS))
}

/// The encoded hash for a given salt and iteration count.
pub fn encode(password: &str, salt: &str, iterations: u32) -> String {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt.as_bytes(), iterations, &mut key);
    format!("{ALGORITHM}${iterations}${salt}${}", STANDARD.encode(key))
}

/// Whether `password` matches `encoded`, using the iteration count stored in
/// it; unusable (`!…`) and malformed values never match.
pub fn check_password(password: &str, encoded: &str) -> bool {
    let mut parts = encoded.splitn(4, '$');
    let (Some(ALGORITHM), Some(iter), Some(salt), Some(_)) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(iterations) = iter.parse::<u32>() else { return false };
    if iterations == 0 {
        return false;
    }
    encode(password, salt, iterations).as_bytes().ct_eq(encoded.as_bytes()).into()
}

/// A value no password matches, as Django's `set_unusable_password` stores.
pub fn unusable_password() -> String {
    format!("!{}", random_alphanumeric(40))
}

fn random_alphanumeric(len: usize) -> String {
    rand::rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Produced by Django 4.2.30: make_password('correct horse battery staple', 'abcdefghijklmnopqrstuv').
    const DJANGO_42: &str = "pbkdf2_sha256$600000$abcdefghijklmnopqrstuv$/J0CpZ3vcK9I1h75JC/iU/sNXIXDOUp63J0kPWutYKA=";
    // Django 4.2.30: make_password('pässwörd ✓', 'AAAAbbbbCCCCddddEEEEff').
    const DJANGO_42_UNICODE: &str =
        "pbkdf2_sha256$600000$AAAAbbbbCCCCddddEEEEff$LdYlsibpJi723b/peULqAnTzF1T0IpBXtLLxsCU4M6A=";

    #[test]
    fn matches_django_42_vectors() {
        assert_eq!(encode("correct horse battery staple", "abcdefghijklmnopqrstuv", 600_000), DJANGO_42);
        assert_eq!(encode("pässwörd ✓", "AAAAbbbbCCCCddddEEEEff", 600_000), DJANGO_42_UNICODE);
        assert!(check_password("correct horse battery staple", DJANGO_42));
        assert!(!check_password("correct horse battery stapler", DJANGO_42));
    }

    #[test]
    fn new_hashes_have_djangos_shape_and_verify() {
        let h = make_password(&SecretString::from("s3cret-pw")).unwrap();
        let parts: Vec<_> = h.split('$').collect();
        assert_eq!(parts[0], "pbkdf2_sha256");
        assert_eq!(parts[1], "600000");
        assert_eq!(parts[2].len(), 22);
        assert!(parts[2].chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(parts[3].len(), 44);
        assert!(check_password("s3cret-pw", &h));
    }

    #[test]
    fn unusable_and_malformed_never_match() {
        assert!(!check_password("", &unusable_password()));
        assert!(!check_password("", ""));
        assert!(!check_password("x", "pbkdf2_sha256$zero$salt$hash"));
        assert!(make_password(&SecretString::from("")).is_err());
    }
}
