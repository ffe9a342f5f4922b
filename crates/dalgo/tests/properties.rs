//! Properties of the functions that read what others write (config
//! documents, a tenant's dbt_project.yml) and of masking, over generated
//! inputs. Bounded: a fixed number of cases, no files written.

use dalgo::document::{self, MAX_NESTING, masked};
use proptest::prelude::*;
use serde_json::{Map, Value};

const SENSITIVE: [&str; 5] = ["password", "client_secret", "ssh_key", "api_token", "credentials_json"];
const PLAIN: [&str; 4] = ["host", "port", "name", "tunnel"];

/// JSON trees of objects and lists, keyed by sensitive and plain names.
fn tree() -> impl Strategy<Value = Value> {
    let leaf =
        prop_oneof![any::<i64>().prop_map(Value::from), "[a-z0-9 ]{0,12}".prop_map(Value::from), Just(Value::Null),];
    leaf.prop_recursive(6, 64, 6, |inner| {
        let key = prop_oneof![proptest::sample::select(SENSITIVE.to_vec()), proptest::sample::select(PLAIN.to_vec())];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(key, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// Whether every value under a sensitive key, at any depth, is masked.
fn all_masked(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            o.iter().all(|(k, v)| if SENSITIVE.contains(&k.as_str()) { v == "********" } else { all_masked(v) })
        }
        Value::Array(items) => items.iter().all(all_masked),
        _ => true,
    }
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn masking_leaves_no_sensitive_value_at_any_depth(root in proptest::collection::btree_map(
        proptest::sample::select([SENSITIVE.as_slice(), PLAIN.as_slice()].concat()), tree(), 0..6)) {
        let map: Map<String, Value> = root.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let out = Value::Object(masked(&map));
        prop_assert!(all_masked(&out), "{out}");
    }

    #[test]
    fn any_text_is_parsed_or_refused_without_a_panic(text in "\\PC{0,400}") {
        let _ = document::parse(&text, "generated");
    }

    #[test]
    fn bracket_soup_is_parsed_or_refused_without_a_panic(text in "[\\[\\]{}:,\"' a\\n-]{0,2000}") {
        let _ = document::parse(&text, "generated");
    }

    #[test]
    fn nesting_up_to_the_limit_parses_and_beyond_is_refused(depth in 1usize..200) {
        let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let parsed = document::parse(&text, "generated");
        if depth <= MAX_NESTING {
            prop_assert!(parsed.is_ok(), "depth {depth}: {parsed:?}");
        } else {
            prop_assert!(matches!(parsed, Err(dalgo::Error::InputTooDeep { .. })), "depth {depth}");
        }
    }
}
