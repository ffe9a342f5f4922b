//! Org slugs: Django's `slugify`, cut to Dalgo's 20 characters, never empty,
//! and made unique with a deterministic numeric suffix.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// Dalgo's slug column is 20 characters; slugs end up in resource names.
pub const MAX_LEN: usize = 20;

/// Django's `slugify` without `allow_unicode`: NFKD, drop non-ASCII, keep
/// `[A-Za-z0-9_\s-]`, lower-case, collapse runs of spaces and dashes to one dash,
/// strip dashes and underscores at both ends.
pub fn slugify(name: &str) -> String {
    let ascii: String = name.nfkd().filter(char::is_ascii).collect::<String>().to_lowercase();
    let kept: String =
        ascii.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || c.is_whitespace()).collect();
    let mut out = String::with_capacity(kept.len());
    let mut in_run = false;
    for c in kept.chars() {
        if c == '-' || c.is_whitespace() {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out.trim_matches(|c| c == '-' || c == '_').to_string()
}

/// The slug an org named `name` gets when nothing collides: `slugify` cut to 20
/// characters; a name with no ASCII letters or digits gets `org-` and a hash of
/// the name, so it is never empty and stable across runs.
pub fn base_slug(name: &str) -> String {
    let s = truncate(&slugify(name), MAX_LEN);
    if s.is_empty() {
        let digest = Sha256::digest(name.trim().to_lowercase().as_bytes());
        let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("org-{hex}")
    } else {
        s
    }
}

/// Whether `s` is a slug as `orgs.slug`'s CHECK takes it: 1 to 20
/// lower-case letters, digits, `-` and `_`, not starting or ending with `-`.
pub fn is_valid(s: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    (1..=MAX_LEN).contains(&s.len()) && s.chars().all(ok_char) && !s.starts_with('-') && !s.ends_with('-')
}

/// The n-th candidate (n ≥ 1) for an org slug: the base, then `base-2`, `base-3`…,
/// the base shortened so the whole stays within 20 characters.
pub fn candidate(base: &str, n: u32) -> String {
    if n <= 1 {
        return base.to_string();
    }
    let suffix = format!("-{n}");
    format!("{}{suffix}", truncate(base, MAX_LEN - suffix.len()))
}

fn truncate(s: &str, max: usize) -> String {
    let cut: String = s.chars().take(max).collect();
    cut.trim_end_matches(['-', '_']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_slugs_are_those_the_schema_takes() {
        assert!(is_valid("acme_ngo-2"));
        for bad in ["", "Acme", "-a", "a-", "a b", "abcdefghijklmnopqrstu"] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn behaves_like_django_slugify() {
        assert_eq!(slugify("Hello World"), "hello-world");
        assert_eq!(slugify("  Café Ünïcode -- Org_Name!  "), "cafe-unicode-org_name");
        assert_eq!(slugify("a - b"), "a-b");
        assert_eq!(slugify("__x__"), "x");
        assert_eq!(slugify("ﬁne"), "fine"); // NFKD splits the ligature
    }

    #[test]
    fn base_is_cut_to_twenty_without_trailing_dash() {
        assert_eq!(base_slug("The Quick Brown Fox Jumps"), "the-quick-brown-fox");
        assert!(base_slug("The Quick Brown Fox Jumps").len() <= MAX_LEN);
    }

    #[test]
    fn names_without_ascii_still_get_a_stable_slug() {
        let s = base_slug("संस्था");
        assert!(s.starts_with("org-") && s.len() == 12, "{s}");
        assert_eq!(s, base_slug("संस्था"));
        assert_ne!(s, base_slug("组织"));
    }

    #[test]
    fn candidates_stay_within_twenty() {
        assert_eq!(candidate("acme", 1), "acme");
        assert_eq!(candidate("acme", 2), "acme-2");
        assert_eq!(candidate("the-quick-brown-fox", 12), "the-quick-brown-f-12");
        assert!(candidate("aaaaaaaaaaaaaaaaaaaa", 999).len() <= MAX_LEN);
    }
}
