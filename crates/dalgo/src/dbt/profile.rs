//! `profiles.yml` from an org's warehouse credentials, in Dalgo's shape: the
//! profile named by the project's `dbt_project.yml`, target `default`.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::warehouse::WarehouseType;

/// The `profile:` a dbt project asks for.
pub fn project_profile_name(project_dir: &Path) -> Result<String> {
    let path = project_dir.join("dbt_project.yml");
    let fail = |reason: String| Error::DbtProject { path: project_dir.display().to_string(), reason };
    let file = std::fs::File::open(&path).map_err(|e| fail(format!("cannot read dbt_project.yml: {e}")))?;
    let doc: Value =
        crate::document::parse(&crate::document::read_limited(file, "dbt_project.yml")?, "dbt_project.yml")?;
    doc.get("profile")
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| fail("dbt_project.yml names no `profile:`".into()))
}

/// The profiles.yml text for a profile over the warehouse credentials.
pub fn render(profile: &str, wtype: WarehouseType, creds: &Map<String, Value>, default_schema: &str) -> Result<String> {
    let output = match wtype {
        WarehouseType::Postgres => output(wtype, default_schema, postgres_creds(creds)),
        WarehouseType::Bigquery => {
            let project = creds.get("project_id").cloned().unwrap_or(Value::Null);
            bigquery_output(project, bigquery_keyfile(creds)?, bigquery_extras(creds), default_schema)
        }
        WarehouseType::Snowflake => output(wtype, default_schema, snowflake_creds(creds)),
    };
    profiles_yml(profile, output)
}

/// Writes a profile's file (profiles.yml, its certificate) privately and
/// atomically, unless it holds `text` already.
pub(crate) fn write(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    crate::secrets::write_private_atomically(path, text.as_bytes()).map_err(|source| Error::Files {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

/// profiles.yml: the profile with its one output, `default`.
fn profiles_yml(profile: &str, output: Value) -> Result<String> {
    let doc = json!({ profile: { "target": "default", "outputs": { "default": output } } });
    serde_yaml::to_string(&doc).map_err(|e| Error::Internal(format!("cannot render profiles.yml: {e}")))
}

/// The value of Dalgo's `dbt-profile-<slug>` Prefect Secret, from which its
/// workers write profiles.yml: `{"wtype", "default_schema", "creds", "extras"}`.
pub fn secret_value(wtype: WarehouseType, creds: &Map<String, Value>, default_schema: &str) -> Result<Value> {
    let (dbt_creds, extras) = match wtype {
        WarehouseType::Postgres => (Value::Object(postgres_creds(creds)), Map::new()),
        WarehouseType::Bigquery => (bigquery_keyfile(creds)?, bigquery_extras(creds)),
        WarehouseType::Snowflake => (Value::Object(snowflake_creds(creds)), Map::new()),
    };
    Ok(json!({ "wtype": wtype.as_str(), "default_schema": default_schema, "creds": dbt_creds, "extras": extras }))
}

/// Postgres credentials as dbt takes them.
fn postgres_creds(creds: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for key in ["host", "port", "database", "password"] {
        if let Some(v) = creds.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    // Dalgo writes both; dbt reads `user`.
    if let Some(user) = creds.get("username") {
        out.insert("user".into(), user.clone());
        out.insert("username".into(), user.clone());
    }
    let mode = match creds.get("ssl_mode") {
        Some(Value::String(m)) => Some(m.clone()),
        Some(Value::Object(o)) => o.get("mode").and_then(Value::as_str).map(String::from),
        _ => None,
    };
    if let Some(mode) = mode.or_else(|| (creds.get("ssl") == Some(&json!(false))).then(|| "disable".into())) {
        out.insert("sslmode".into(), json!(mode));
    }
    out
}

/// A dbt output of the warehouse's type: its schema, 4 threads and its credentials.
fn output(wtype: WarehouseType, schema: &str, creds: Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!(wtype.as_str()));
    out.insert("schema".into(), json!(schema));
    out.insert("threads".into(), json!(4));
    out.extend(creds);
    Value::Object(out)
}

/// Snowflake credentials as dbt-snowflake takes them: the account (the
/// host without `.snowflakecomputing.com`), user, role, database, warehouse,
/// and a password or a private key with its passphrase.
fn snowflake_creds(creds: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let text = |key: &str| creds.get(key).and_then(Value::as_str);
    if let Some(host) = text("host") {
        let host = host.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
        out.insert("account".into(), json!(host.strip_suffix(crate::warehouse::SNOWFLAKE_DOMAIN).unwrap_or(host)));
    }
    for (to, from) in [("user", "username"), ("role", "role"), ("database", "database"), ("warehouse", "warehouse")] {
        if let Some(v) = text(from) {
            out.insert(to.into(), json!(v));
        }
    }
    let auth = creds.get("credentials").and_then(Value::as_object);
    for key in ["password", "private_key", "private_key_password"] {
        if let Some(v) = auth.and_then(|a| a.get(key)) {
            out.insert(key.into(), v.clone());
        }
    }
    out
}

fn bigquery_keyfile(creds: &Map<String, Value>) -> Result<Value> {
    let key_text = creds.get("credentials_json").and_then(Value::as_str).unwrap_or("{}");
    serde_json::from_str(key_text)
        .map_err(|e| Error::StoredData { what: "BigQuery credentials_json", reason: format!("it is not JSON: {e}") })
}

/// Dalgo's BigQuery extras: the dataset location and the job priority.
fn bigquery_extras(creds: &Map<String, Value>) -> Map<String, Value> {
    [("location", "dataset_location"), ("priority", "transformation_priority")]
        .into_iter()
        .filter_map(|(to, from)| creds.get(from).map(|v| (to.to_string(), v.clone())))
        .collect()
}

/// A BigQuery output: the service account's key inline, with Dalgo's extras.
fn bigquery_output(project: Value, keyfile: Value, extras: Map<String, Value>, schema: &str) -> Value {
    let mut out = json!({
        "type": "bigquery",
        "method": "service-account-json",
        "schema": schema,
        "threads": 4,
        "project": project,
        "keyfile_json": keyfile,
    });
    if let Some(o) = out.as_object_mut() {
        o.extend(extras);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_profile_has_dalgos_shape() {
        let creds = json!({"host": "db", "port": 5432, "username": "u", "password": "p", "database": "w",
                           "schema": "ignored", "ssl_mode": {"mode": "require"}});
        let text = render("proj", WarehouseType::Postgres, creds.as_object().unwrap(), "analytics").unwrap();
        let doc: Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(doc["proj"]["target"], "default");
        let out = &doc["proj"]["outputs"]["default"];
        assert_eq!(
            out,
            &json!({"type": "postgres", "schema": "analytics", "threads": 4, "host": "db", "port": 5432,
                    "database": "w", "password": "p", "user": "u", "username": "u", "sslmode": "require"})
        );
    }

    #[test]
    fn snowflake_profile_names_the_account_not_the_host() {
        let mut config = json!({"account": "xy12345.eu-west-1", "username": "loader", "database": "RAW",
                                "warehouse": "LOAD_WH", "role": "LOADER", "schema": "staging",
                                "private_key": "-----BEGIN PRIVATE KEY-----", "private_key_password": "pp"})
        .as_object()
        .unwrap()
        .clone();
        config = crate::warehouse::validate(WarehouseType::Snowflake, config).unwrap();
        assert_eq!(config["credentials"]["auth_type"], "Key Pair Authentication");
        let text = render("proj", WarehouseType::Snowflake, &config, "analytics").unwrap();
        let doc: Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(
            doc["proj"]["outputs"]["default"],
            json!({"type": "snowflake", "schema": "analytics", "threads": 4, "account": "xy12345.eu-west-1",
                   "user": "loader", "role": "LOADER", "database": "RAW", "warehouse": "LOAD_WH",
                   "private_key": "-----BEGIN PRIVATE KEY-----", "private_key_password": "pp"})
        );
        let secret = secret_value(WarehouseType::Snowflake, &config, "analytics").unwrap();
        assert_eq!(
            (secret["wtype"].as_str(), secret["creds"]["account"].as_str()),
            (Some("snowflake"), Some("xy12345.eu-west-1"))
        );
    }

    #[test]
    fn bigquery_profile_embeds_the_key() {
        let creds = json!({"project_id": "p1", "dataset_id": "d", "dataset_location": "EU",
                           "credentials_json": "{\"type\":\"service_account\",\"project_id\":\"p1\"}"});
        let text = render("proj", WarehouseType::Bigquery, creds.as_object().unwrap(), "d").unwrap();
        let doc: Value = serde_yaml::from_str(&text).unwrap();
        let out = &doc["proj"]["outputs"]["default"];
        assert_eq!(out["method"], "service-account-json");
        assert_eq!(out["keyfile_json"]["type"], "service_account");
        assert_eq!(out["location"], "EU");
    }

    #[test]
    fn the_profile_secret_has_dalgos_shape() {
        let creds =
            json!({"host": "db", "port": 5432, "username": "u", "password": "p", "database": "w", "ssl": false});
        let v = secret_value(WarehouseType::Postgres, creds.as_object().unwrap(), "analytics").unwrap();
        assert_eq!(
            v,
            json!({"wtype": "postgres", "default_schema": "analytics", "extras": {},
                   "creds": {"host": "db", "port": 5432, "database": "w", "password": "p", "user": "u", "username": "u",
                             "sslmode": "disable"}})
        );
        let creds = json!({"project_id": "p1", "dataset_location": "EU", "transformation_priority": "batch",
                           "credentials_json": "{\"type\":\"service_account\",\"project_id\":\"p1\"}"});
        let v = secret_value(WarehouseType::Bigquery, creds.as_object().unwrap(), "d").unwrap();
        assert_eq!(v["creds"], json!({"type": "service_account", "project_id": "p1"}));
        assert_eq!(v["extras"], json!({"location": "EU", "priority": "batch"}));
    }
}
