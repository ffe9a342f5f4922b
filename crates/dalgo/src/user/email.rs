//! Email addresses: validated and normalised before they reach the database.

use std::fmt;

use serde::Serialize;

use crate::error::{Error, Result};

/// A syntactically valid address: trimmed, domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Validates and normalises `input`.
    pub fn parse(input: &str) -> Result<Email> {
        let fail = |reason| Err(Error::InvalidEmail { given: input.to_string(), reason });
        let s = input.trim();
        if s.is_empty() {
            return fail("it is empty");
        }
        if s.len() > 254 {
            return fail("it is longer than 254 characters");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return fail("it has no @");
        };
        if local.is_empty() || local.len() > 64 {
            return fail("the part before @ must have 1 to 64 characters");
        }
        if local.contains('@') || s.chars().any(|c| c.is_whitespace() || crate::values::is_hidden_char(c)) {
            return fail("it contains a space, an invisible character or a second @");
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return fail("the part before @ has a misplaced dot");
        }
        if !valid_domain(domain) {
            return fail("the domain must be a name like example.org");
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2)
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_whitespace_and_domain_case() {
        assert_eq!(Email::parse("  Asha.Rao@Example.ORG ").unwrap().as_str(), "Asha.Rao@example.org");
        assert_eq!(Email::parse("a+tag@sub.example.co.in").unwrap().as_str(), "a+tag@sub.example.co.in");
    }

    #[test]
    fn rejects_bad_addresses() {
        for bad in [
            "",
            "plain",
            "@example.org",
            "a@",
            "a@b",
            "a b@example.org",
            "a@@example.org",
            "a@-x.org",
            "a@example.org.",
            ".a@example.org",
            "a..b@example.org",
            "a@exa_mple.org",
            "a@example.1",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
