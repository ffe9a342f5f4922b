//! YAML and JSON documents from outside (config files, stdin, a tenant's
//! `dbt_project.yml`), read and parsed under limits: at most
//! 1 MiB, and nesting at most [`MAX_NESTING`] deep, checked
//! in one linear pass before the parser (whose cost grows with the square of
//! the depth) sees the text. Beyond either: [`Error::InputTooLarge`] or
//! [`Error::InputTooDeep`], exit 65.

use std::io::Read;

use serde_json::Value;

use crate::error::{Error, Result};

/// The largest document dalgo reads: 1 MiB.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// The deepest nesting dalgo parses: brackets or braces, or block levels.
pub const MAX_NESTING: usize = 64;

/// Reads at most 1 MiB of UTF-8 text; more is an error,
/// and nothing past the limit is read (`/dev/zero` ends at once).
pub fn read_limited(reader: impl Read, what: &str) -> Result<String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_DOCUMENT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::InvalidConfig { what: what.to_string(), problems: vec![format!("cannot read it: {e}")] })?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::InputTooLarge { what: what.to_string(), limit: MAX_DOCUMENT_BYTES });
    }
    String::from_utf8(bytes)
        .map_err(|_| Error::InvalidConfig { what: what.to_string(), problems: vec!["it is not UTF-8 text".into()] })
}

/// Parses YAML (JSON is YAML) within the limits.
pub fn parse(text: &str, what: &str) -> Result<Value> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::InputTooLarge { what: what.to_string(), limit: MAX_DOCUMENT_BYTES });
    }
    if nesting(text) > MAX_NESTING {
        return Err(Error::InputTooDeep { what: what.to_string(), limit: MAX_NESTING });
    }
    serde_yaml::from_str(text).map_err(|e| Error::InvalidConfig {
        what: what.to_string(),
        problems: vec![format!("it is not valid YAML or JSON: {e}")],
    })
}

/// Parses a YAML or JSON document into a JSON object (a warehouse or
/// connector config), within the limits.
pub fn parse_object(text: &str, what: &str) -> Result<serde_json::Map<String, Value>> {
    match parse(text, what)? {
        Value::Object(map) => Ok(map),
        _ => Err(Error::InvalidConfig {
            what: what.to_string(),
            problems: vec!["it must be a mapping of field names to values".into()],
        }),
    }
}

/// A copy of a config with every sensitive value (a password, a secret, a
/// key, a token…) replaced by `********`, at any depth: in objects, in
/// lists, and in `key=value` parameters inside strings (`jdbc_url_params`).
pub fn masked(config: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    crate::values::mask_object(config)
}

/// An upper bound on a document's nesting: the deepest run of open brackets
/// and braces outside quoted strings, or the deepest block indentation (two
/// columns a level), whichever is greater. One pass, no allocation.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut quote, mut escaped) = (0usize, 0usize, None::<char>, false);
    let (mut at_line_start, mut indent, mut deepest_indent) = (true, 0usize, 0usize);
    for c in text.chars() {
        if at_line_start {
            if c == ' ' || c == '-' {
                indent += 1;
                continue;
            }
            deepest_indent = deepest_indent.max(indent);
            at_line_start = false;
        }
        if c == '\n' {
            (at_line_start, indent) = (true, 0);
        }
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q || c == '\n' && q == '\'' {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                '#' => {}
                _ => {}
            },
        }
    }
    deepest.max(deepest_indent / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_documents_parse() {
        let v = parse("host: db\nport: 5432\nnested:\n  list:\n    - {a: [1, 2]}\n", "config").unwrap();
        assert_eq!(v["nested"]["list"][0]["a"][1], 2);
        assert_eq!(parse(r#"{"password": "p[[[{{{"}"#, "config").unwrap()["password"], "p[[[{{{");
    }

    #[test]
    fn deep_or_large_documents_are_refused_before_parsing() {
        let deep = "[".repeat(MAX_DOCUMENT_BYTES);
        let started = std::time::Instant::now();
        assert!(matches!(parse(&deep, "config"), Err(Error::InputTooDeep { .. })));
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
        let indented: String = (0..100).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        assert!(matches!(parse(&indented, "config"), Err(Error::InputTooDeep { .. })));
        let big = "a: b\n".repeat(MAX_DOCUMENT_BYTES / 5 + 1);
        assert!(matches!(parse(&big, "config"), Err(Error::InputTooLarge { .. })));
        let e = read_limited(std::io::repeat(0).take(u64::MAX), "stdin").unwrap_err();
        assert!(matches!(e, Error::InputTooLarge { .. }));
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
    }
}
