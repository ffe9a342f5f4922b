//! Enums whose values travel as fixed strings: in JSON, in text columns, on
//! the command line. `string_enum!` gives each its string form, parsing
//! (an unknown value is [`crate::Error::UnknownValue`], exit 65), serde as
//! that string, and decoding from a text column (`#[sqlx(try_from = "String")]`).

/// Whether `c` is a Unicode format character (general category Cf): the
/// invisible ones that reorder or hide text, such as U+202E RIGHT-TO-LEFT
/// OVERRIDE, U+200B ZERO WIDTH SPACE or U+FEFF. Names shown to people must not
/// hold them. The ranges are Unicode 15's.
pub fn is_format_char(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// Whether `c` must not stand in a name people read: a control character,
/// a format character ([`is_format_char`]) or a line or paragraph separator
/// (U+2028, U+2029), which break a line where none is seen.
pub fn is_hidden_char(c: char) -> bool {
    c.is_control() || is_format_char(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// The candidate nearest to `wanted`, compared without case, for a "did you
/// mean" hint: one within a third of its length in edits (at least one), or
/// one that `wanted` starts or ends. `None` when nothing is that close.
pub fn nearest(wanted: &str, candidates: &[String]) -> Option<String> {
    let wanted = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(&wanted, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= limit || (!wanted.is_empty() && c.to_lowercase().starts_with(&wanted)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.clone())
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// An id that must be a UUID (Prefect's and Airbyte's are): anything else is
/// [`crate::Error::InvalidId`] (65), before it reaches a URL or a request.
pub(crate) fn uuid_id(what: &'static str, id: &str) -> crate::Result<uuid::Uuid> {
    uuid::Uuid::parse_str(id).map_err(|_| crate::Error::InvalidId { what, given: id.to_string() })
}

/// Whether a key names something secret: a password (`password`, `pass`,
/// `pwd`, `passphrase`), a secret, a key, a token, credentials.
pub(crate) fn is_sensitive_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["pass", "pwd", "secret", "key", "token", "credentials"].iter().any(|s| k.contains(s))
}

/// `text` with the values of its sensitive `key=value` pairs (separated by
/// `&` or `;`, as in a URL query or JDBC parameters) replaced by `********`.
pub(crate) fn mask_pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for part in text.split_inclusive(['&', ';']) {
        let (body, sep) = match part.strip_suffix(['&', ';']) {
            Some(b) => (b, &part[b.len()..]),
            None => (part, ""),
        };
        match body.split_once('=') {
            Some((k, v)) if is_sensitive_key(k) && !v.is_empty() => {
                out.push_str(k);
                out.push_str("=********");
            }
            _ => out.push_str(body),
        }
        out.push_str(sep);
    }
    out
}

/// A copy of a JSON value with every sensitive value replaced by
/// `********`, at any depth (objects, lists, objects in lists), and the
/// sensitive `key=value` pairs inside strings masked too.
pub(crate) fn mask_json(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(o) => Value::Object(mask_object(o)),
        Value::Array(items) => Value::Array(items.iter().map(mask_json).collect()),
        Value::String(s) if s.contains('=') => Value::String(mask_pairs(s)),
        other => other.clone(),
    }
}

/// [`mask_json`] of an object.
pub(crate) fn mask_object(
    o: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    o.iter()
        .map(|(k, v)| {
            let v = if is_sensitive_key(k) { serde_json::Value::String("********".into()) } else { mask_json(v) };
            (k.clone(), v)
        })
        .collect()
}

/// An enum whose values are fixed strings (see `string_enum!`, this module's macro).
pub trait StringEnum: Copy + Send + Sync + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
}

/// A value of `T` named in any case (`DALGO` is `Dalgo`, as Dalgo's own
/// `createorgplan` spells it; `free trial` is `Free Trial`).
pub fn parse_any_case<T: StringEnum + std::str::FromStr<Err = crate::Error>>(given: &str) -> crate::Result<T> {
    match T::ALL.iter().find(|v| v.as_str().eq_ignore_ascii_case(given.trim())) {
        Some(v) => Ok(*v),
        None => given.parse(),
    }
}

/// Defines a string-valued enum: `Variant => "text"`. An unknown string is
/// [`crate::Error::UnknownValue`]; for values another system defines and may
/// add to, a trailing `else Variant` reads any other string as that variant.
macro_rules! string_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }
     else $other:ident) => {
        string_enum!(@define $(#[$meta])* $vis $name { $($(#[$vmeta])* $variant => $text),+ }
            |_: &str| Ok($name::$other));
    };
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        string_enum!(@define $(#[$meta])* $vis $name { $($(#[$vmeta])* $variant => $text),+ }
            |other: &str| Err($crate::Error::UnknownValue {
                what: stringify!($name),
                given: other.to_string(),
                valid: &[$($text),+],
            }));
    };
    (@define $(#[$meta:meta])* $vis:vis $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ }
     $unknown:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl $crate::values::StringEnum for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Error;
            fn from_str(s: &str) -> $crate::Result<Self> {
                let unknown: fn(&str) -> $crate::Result<$name> = $unknown;
                match s {
                    $($text => Ok($name::$variant),)+
                    other => unknown(other),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::Error;
            fn try_from(s: String) -> $crate::Result<Self> {
                s.parse()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_inside_strings_and_at_any_depth_are_masked() {
        assert_eq!(mask_pairs("ssl=true&password=x"), "ssl=true&password=********");
        assert_eq!(mask_pairs("user=a;pwd=b;pass=c"), "user=a;pwd=********;pass=********");
        assert_eq!(mask_pairs("bG9uZw=="), "bG9uZw==");
        let v = serde_json::json!({
            "pass": "x", "host": "h", "jdbc_url_params": "password=y&ssl=true",
            "steps": [{"git_clone": {"access_token": "t", "repository": "r"}}]
        });
        let m = mask_json(&v).to_string();
        for secret in ["\"x\"", "password=y", "\"t\""] {
            assert!(!m.contains(secret), "{secret} in {m}");
        }
        assert!(m.contains("\"h\"") && m.contains("ssl=true") && m.contains("\"r\""), "{m}");
    }

    #[test]
    fn the_nearest_name_is_suggested_only_when_close() {
        let names: Vec<String> = ["acme-ngo", "nightly", "hourly-sync"].iter().map(|s| s.to_string()).collect();
        assert_eq!(super::nearest("nightlyy", &names).as_deref(), Some("nightly"));
        assert_eq!(super::nearest("ACME-NGO", &names).as_deref(), Some("acme-ngo"));
        assert_eq!(super::nearest("acmengo", &names).as_deref(), Some("acme-ngo"));
        assert_eq!(super::nearest("hourly", &names).as_deref(), Some("hourly-sync"));
        assert_eq!(super::nearest("weekly-report", &names), None);
        assert_eq!(super::edit_distance("kitten", "sitting"), 3);
    }

    string_enum! {
        enum Colour { Red => "red", DarkBlue => "dark_blue" }
    }

    #[test]
    fn values_round_trip_as_their_strings() {
        assert_eq!(serde_json::to_string(&Colour::DarkBlue).unwrap(), "\"dark_blue\"");
        assert_eq!(serde_json::from_str::<Colour>("\"red\"").unwrap(), Colour::Red);
        assert_eq!("dark_blue".parse::<Colour>().unwrap(), Colour::DarkBlue);
        let e = "green".parse::<Colour>().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "unknown Colour \"green\"; valid: red, dark_blue");
        assert_eq!(Colour::ALL, [Colour::Red, Colour::DarkBlue]);
    }
}
