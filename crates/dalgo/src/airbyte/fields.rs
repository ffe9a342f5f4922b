//! Fields of a connector config, by their place (`tunnel_method.password`),
//! and the secret fields dalgo wrote to an org's sources: Airbyte returns
//! every secret masked, so the value dalgo sent is kept as a secret version
//! of the org and `source_secrets` says which field of which source holds
//! it (see migration 0012).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::db::{Db, Within};
use crate::error::Result;
use crate::org::Org;

/// What Airbyte returns in place of a secret, and takes back as "keep the
/// one you hold".
pub const MASK: &str = "**********";

/// A field's place in a config: its keys from the top, joined by `.`.
pub fn place(path: &[String]) -> String {
    path.join(".")
}

/// A place's keys: what [`place`] joined.
pub fn path(place: &str) -> Vec<String> {
    place.split('.').map(String::from).collect()
}

/// The places of `config` whose value `select` picks, depth first; a
/// picked value is not looked into.
pub fn find(config: &Value, select: &dyn Fn(&Value) -> bool) -> Vec<Vec<String>> {
    fn walk(v: &Value, at: &mut Vec<String>, select: &dyn Fn(&Value) -> bool, out: &mut Vec<Vec<String>>) {
        if select(v) {
            out.push(at.clone());
        } else if let Value::Object(map) = v {
            for (k, child) in map {
                at.push(k.clone());
                walk(child, at, select, out);
                at.pop();
            }
        }
    }
    let mut out = Vec::new();
    walk(config, &mut Vec::new(), select, &mut out);
    out.retain(|p| !p.is_empty());
    out
}

/// The value at `path`, if there is one.
pub fn get<'a>(config: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(config, |v, k| v.get(k))
}

/// Sets the value at `path`, making the objects on the way.
pub fn set(config: &mut Value, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut at = config;
    for k in parents {
        if !at.get(k).is_some_and(Value::is_object) {
            at[k] = Value::Object(Default::default());
        }
        at = &mut at[k];
    }
    at[last] = value;
}

/// The places a connector specification marks `airbyte_secret`, in its
/// properties and in the alternatives (`oneOf`, `anyOf`) of any of them.
pub fn secret_places(spec: &Value) -> Vec<String> {
    fn walk(schema: &Value, at: &mut Vec<String>, out: &mut Vec<String>) {
        if schema.get("airbyte_secret").and_then(Value::as_bool) == Some(true) && !at.is_empty() {
            out.push(place(at));
        }
        for alt in ["oneOf", "anyOf", "allOf"].iter().filter_map(|k| schema.get(*k).and_then(Value::as_array)) {
            for s in alt {
                walk(s, at, out);
            }
        }
        for (k, s) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            at.push(k.clone());
            walk(s, at, out);
            at.pop();
        }
    }
    let mut out = Vec::new();
    walk(spec, &mut Vec::new(), &mut out);
    out.sort();
    out.dedup();
    out
}

/// The secret versions holding fields of the org's sources: by source id,
/// then by the field's place.
pub(crate) async fn held(db: &Db, org: &Org) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT source_id, field, secret FROM source_secrets WHERE org_id = $1")
            .bind(org.id)
            .fetch_all(db.pool())
            .within()
            .await?;
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (source, field, secret) in rows {
        out.entry(source).or_default().insert(field, secret);
    }
    Ok(out)
}

/// Records that the source's fields are held by these versions, in one
/// transaction, and forgets the fields not in `keep`; the versions no row
/// names any more, for the caller to remove.
pub(crate) async fn record(
    db: &Db,
    org: &Org,
    source_id: &str,
    written: &[(String, String)],
    keep: &[String],
) -> Result<Vec<String>> {
    let mut tx = db.pool().begin().within().await?;
    let fields: Vec<&String> = written.iter().map(|(f, _)| f).collect();
    let dropped: Vec<String> = sqlx::query_scalar(
        "DELETE FROM source_secrets WHERE source_id = $1 AND (field = ANY($2) OR NOT field = ANY($3)) RETURNING secret",
    )
    .bind(source_id)
    .bind(&fields)
    .bind(keep)
    .fetch_all(&mut *tx)
    .within()
    .await?;
    for (field, secret) in written {
        sqlx::query("INSERT INTO source_secrets (org_id, source_id, field, secret) VALUES ($1, $2, $3, $4)")
            .bind(org.id)
            .bind(source_id)
            .bind(field)
            .bind(secret)
            .execute(&mut *tx)
            .within()
            .await?;
    }
    tx.commit().within().await?;
    Ok(dropped)
}

/// Forgets fields of a source (`None`: all of them): dalgo no longer knows
/// what Airbyte holds there. The versions that held them are left for the
/// org's next operation (or `secrets gc`) to remove.
pub(crate) async fn forget(db: &Db, source_id: &str, only: Option<&[String]>) -> Result<()> {
    sqlx::query("DELETE FROM source_secrets WHERE source_id = $1 AND ($2::text[] IS NULL OR field = ANY($2))")
        .bind(source_id)
        .bind(only)
        .execute(db.pool())
        .within()
        .await?;
    Ok(())
}

/// The places of `config` that hold a value rather than Airbyte's mask:
/// what an update sent anew.
pub fn sent(config: &Value) -> Vec<String> {
    find(config, &|v| !v.is_object() && v != MASK).iter().map(|p| place(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn places_are_found_set_and_read() {
        let mut config = json!({ "host": "h", "tunnel": { "method": "SSH", "password": MASK }, "password": MASK });
        let masked = find(&config, &|v| v == MASK);
        assert_eq!(masked.iter().map(|p| place(p)).collect::<Vec<_>>(), ["password", "tunnel.password"]);
        set(&mut config, &["tunnel".into(), "password".into()], json!("x"));
        set(&mut config, &["new".into(), "deep".into()], json!(1));
        assert_eq!(get(&config, &["tunnel".into(), "password".into()]), Some(&json!("x")));
        assert_eq!(config["new"], json!({ "deep": 1 }));
    }

    #[test]
    fn secret_places_come_from_the_specification_and_its_alternatives() {
        let spec = json!({ "properties": {
            "host": { "type": "string" }, "password": { "type": "string", "airbyte_secret": true },
            "credentials": { "oneOf": [
                { "properties": { "private_key": { "airbyte_secret": true } } },
                { "properties": { "password": { "airbyte_secret": true } } } ] } } });
        assert_eq!(secret_places(&spec), ["credentials.password", "credentials.private_key", "password"]);
    }
}
