//! An org's warehouse: its type and credentials. The credentials (Airbyte's
//! destination config, as Dalgo keeps them) live in the secrets store under
//! `warehouseCreds-<slug>-<uuid>`; the row keeps only that name.

use std::time::Duration;

use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{Connection, PgConnection};

use crate::audit::{self, Action, Resource};
use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, Result};
use crate::org::{self, Org};
use crate::secrets::SecretStore;

/// The kinds of warehouse Dalgo supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WarehouseType {
    Postgres,
    Bigquery,
    Snowflake,
}

impl WarehouseType {
    pub fn as_str(self) -> &'static str {
        match self {
            WarehouseType::Postgres => "postgres",
            WarehouseType::Bigquery => "bigquery",
            WarehouseType::Snowflake => "snowflake",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "postgres" => Ok(WarehouseType::Postgres),
            "bigquery" => Ok(WarehouseType::Bigquery),
            "snowflake" => Ok(WarehouseType::Snowflake),
            other => {
                Err(Error::StoredData { what: "warehouse type", reason: format!("{other:?} is not one dalgo knows") })
            }
        }
    }
}

impl std::str::FromStr for WarehouseType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "postgres" | "bigquery" | "snowflake" => Self::parse(s),
            other => Err(invalid("warehouse type", vec![format!("{other:?} is not postgres, bigquery or snowflake")])),
        }
    }
}

fn invalid(what: &str, problems: Vec<String>) -> Error {
    Error::InvalidConfig { what: what.to_string(), problems }
}

const SSL_MODES: [&str; 6] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/// Checks a warehouse config field by field, reporting every problem at once,
/// and normalises it (ports as numbers, BigQuery keys as JSON text).
pub fn validate(wtype: WarehouseType, mut config: Map<String, Value>) -> Result<Map<String, Value>> {
    let mut problems = Vec::new();
    match wtype {
        WarehouseType::Postgres => {
            for key in ["host", "username", "password", "database"] {
                require_string(&config, key, &mut problems);
            }
            match normalise_port(config.get("port")) {
                Ok(port) => {
                    config.insert("port".into(), json!(port));
                }
                Err(p) => problems.push(p),
            }
            if let Some(schema) = config.get("schema")
                && !schema.as_str().is_some_and(is_identifier)
            {
                problems.push("schema: must be an SQL identifier (letters, digits, underscores)".into());
            }
            if let Some(mode) = config.get("ssl_mode")
                && ssl_mode(mode).is_none()
            {
                problems.push(format!("ssl_mode: must be one of {} (or {{\"mode\": …}})", SSL_MODES.join(", ")));
            }
        }
        WarehouseType::Bigquery => {
            for key in ["project_id", "dataset_id", "dataset_location"] {
                require_string(&config, key, &mut problems);
            }
            match config.get("credentials_json") {
                None | Some(Value::Null) => {
                    problems.push("credentials_json: missing (the service account's JSON key)".into())
                }
                Some(v) => match service_account(v) {
                    Ok(text) => {
                        config.insert("credentials_json".into(), Value::String(text));
                    }
                    Err(p) => problems.push(p),
                },
            }
        }
        WarehouseType::Snowflake => snowflake(&mut config, &mut problems),
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(invalid(&format!("{} warehouse config", wtype.as_str()), problems))
    }
}

/// The suffix of a Snowflake account's host name.
pub(crate) const SNOWFLAKE_DOMAIN: &str = ".snowflakecomputing.com";

/// Checks a Snowflake config and puts it in the shape of Airbyte's
/// Snowflake destination: `host` (given, or made from `account`), `username`,
/// `database`, `warehouse`, `role`, `schema`, and `credentials` with either a
/// password or a key pair (given flat or as Airbyte nests them).
fn snowflake(config: &mut Map<String, Value>, problems: &mut Vec<String>) {
    if let Some(Value::String(account)) = config.remove("account")
        && !config.contains_key("host")
    {
        config.insert("host".into(), json!(format!("{}{SNOWFLAKE_DOMAIN}", account.trim())));
    }
    for key in ["host", "username", "database", "warehouse", "role", "schema"] {
        require_string(config, key, problems);
    }
    if let Some(host) = config.get("host").and_then(Value::as_str)
        && !host.trim_end_matches('/').ends_with(SNOWFLAKE_DOMAIN)
    {
        problems.push(format!("host: must end in {SNOWFLAKE_DOMAIN} (or give `account`)"));
    }
    let mut credentials = match config.remove("credentials") {
        Some(Value::Object(c)) => c,
        Some(_) => {
            problems.push("credentials: must be a mapping".into());
            Map::new()
        }
        None => Map::new(),
    };
    for key in ["password", "private_key", "private_key_password"] {
        if let Some(v) = config.remove(key) {
            credentials.insert(key.into(), v);
        }
    }
    let auth = match (credentials.get("password"), credentials.get("private_key")) {
        (Some(Value::String(_)), None) => "Username and Password",
        (None, Some(Value::String(_))) => "Key Pair Authentication",
        (Some(_), Some(_)) => {
            problems.push("credentials: give a password or a private key, not both".into());
            return;
        }
        _ => {
            problems.push("credentials: missing (a password, or a private_key with its private_key_password)".into());
            return;
        }
    };
    credentials.insert("auth_type".into(), json!(auth));
    config.insert("credentials".into(), Value::Object(credentials));
}

fn require_string(config: &Map<String, Value>, key: &str, problems: &mut Vec<String>) {
    match config.get(key) {
        None | Some(Value::Null) => problems.push(format!("{key}: missing")),
        Some(Value::String(s)) if s.trim().is_empty() => problems.push(format!("{key}: empty")),
        Some(Value::String(_)) => {}
        Some(other) => problems.push(format!("{key}: must be a string, not {}", type_name(other))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 63
}

fn normalise_port(v: Option<&Value>) -> std::result::Result<u16, String> {
    let n = match v {
        None | Some(Value::Null) => return Err("port: missing".into()),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(other) => return Err(format!("port: must be a number, not {}", type_name(other))),
    };
    n.filter(|p| (1..=65535).contains(p))
        .map(|p| p as u16)
        .ok_or_else(|| "port: must be a number from 1 to 65535".into())
}

/// The SSL mode of a config's `ssl_mode`: a string, or Airbyte's `{"mode": …}`.
fn ssl_mode(v: &Value) -> Option<&str> {
    let mode = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("mode")?.as_str()?,
        _ => return None,
    };
    SSL_MODES.contains(&mode).then_some(mode)
}

/// A service-account key given as JSON text or as a mapping, returned as text.
fn service_account(v: &Value) -> std::result::Result<String, String> {
    let parsed = match v {
        Value::String(s) => {
            serde_json::from_str::<Value>(s).map_err(|_| "credentials_json: is not JSON".to_string())?
        }
        Value::Object(_) => v.clone(),
        other => return Err(format!("credentials_json: must be JSON text or a mapping, not {}", type_name(other))),
    };
    let missing: Vec<&str> =
        ["type", "project_id", "private_key", "client_email"].into_iter().filter(|k| parsed.get(k).is_none()).collect();
    if !missing.is_empty() {
        return Err(format!("credentials_json: not a service-account key (missing {})", missing.join(", ")));
    }
    Ok(parsed.to_string())
}

/// Connects to a PostgreSQL warehouse with its credentials, to prove they work.
pub async fn check_postgres(config: &Map<String, Value>, timeout: Duration) -> Result<()> {
    let options = postgres_options(config);
    let target = format!("{}:{}/{}", options.get_host(), options.get_port(), options.get_database().unwrap_or(""));
    let attempt = tokio::time::timeout(timeout, PgConnection::connect_with(&options)).await;
    let fail = |reason: String| Err(Error::WarehouseCheck { target: target.clone(), reason });
    match attempt {
        Err(_) => fail(format!("no answer within {timeout:?}")),
        Ok(Err(e)) => fail(e.to_string()),
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
    }
}

fn postgres_options(config: &Map<String, Value>) -> PgConnectOptions {
    let text = |k: &str| config.get(k).and_then(Value::as_str).unwrap_or_default();
    let port = config.get("port").and_then(Value::as_u64).unwrap_or(5432) as u16;
    let ssl = match config.get("ssl_mode").and_then(ssl_mode) {
        Some("disable") => PgSslMode::Disable,
        Some("allow") => PgSslMode::Allow,
        Some("require") => PgSslMode::Require,
        Some("verify-ca") => PgSslMode::VerifyCa,
        Some("verify-full") => PgSslMode::VerifyFull,
        _ => PgSslMode::Prefer,
    };
    PgConnectOptions::new_without_pgpass()
        .host(text("host"))
        .port(port)
        .username(text("username"))
        .password(text("password"))
        .database(text("database"))
        .ssl_mode(ssl)
}

/// An org's warehouse row.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Warehouse {
    #[serde(skip)]
    pub id: i64,
    /// `type` in JSON, as flags and `warehouse set --help` say it.
    #[serde(rename = "type")]
    pub wtype: String,
    pub name: String,
    pub credentials_secret: String,
    pub airbyte_destination_id: Option<String>,
    pub bq_location: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Warehouse {
    pub fn warehouse_type(&self) -> Result<WarehouseType> {
        WarehouseType::parse(&self.wtype)
    }
}

/// The org's warehouse, if it has one.
pub async fn find(conn: &mut PgConnection, org: &Org) -> Result<Option<Warehouse>> {
    Ok(sqlx::query_as(
        "SELECT id, wtype, name, credentials_secret, airbyte_destination_id, bq_location, created_at, updated_at
           FROM warehouses WHERE org_id = $1",
    )
    .bind(org.id)
    .fetch_optional(conn)
    .within()
    .await?)
}

/// The org's warehouse and its credentials, or an error naming the fix.
pub async fn load(db: &Db, store: &SecretStore, org: &Org) -> Result<(Warehouse, Map<String, Value>)> {
    let wh = find(&mut *db.pool().acquire().await?, org).await?.ok_or_else(|| Error::NoWarehouse(org.slug.clone()))?;
    let secret = store.get(&wh.credentials_secret).await?.ok_or_else(|| Error::Secrets {
        message: format!(
            "{} holds no secret {} (the warehouse's credentials)",
            store.describe(),
            wh.credentials_secret
        ),
    })?;
    let creds = crate::document::parse_object(secret.expose_secret(), "stored warehouse credentials")?;
    Ok((wh, creds))
}

/// What `set` stored.
#[derive(Debug, Clone, Serialize)]
pub struct SetReport {
    pub org: String,
    #[serde(rename = "type")]
    pub wtype: WarehouseType,
    pub created: bool,
    pub credentials_secret: String,
}

/// A warehouse's type and its checked credentials (what [`validate`] returns).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Credentials<'a> {
    pub wtype: WarehouseType,
    pub config: &'a Map<String, Value>,
}

/// Records the warehouse with its credentials in the secret version `secret`,
/// in one transaction under the org's row lock. Returns whether the row was
/// created and the version it named before, which the caller removes after
/// this commit.
pub(crate) async fn record(
    db: &Db,
    org: &Org,
    creds: Credentials<'_>,
    secret: &str,
    actor: &str,
) -> Result<(bool, Option<String>)> {
    let Credentials { wtype, config } = creds;
    let mut tx = db.pool().begin().within().await?;
    org::lock(&mut tx, org).await?;
    let old = find(&mut tx, org).await?.map(|w| w.credentials_secret);
    let location = config.get("dataset_location").and_then(Value::as_str);
    // The org's row is locked: `old` stays true until the write.
    sqlx::query(match old {
        Some(_) => {
            "UPDATE warehouses SET wtype = $2, credentials_secret = $3, bq_location = $4, updated_at = now()
              WHERE org_id = $1"
        }
        None => "INSERT INTO warehouses (org_id, wtype, credentials_secret, bq_location) VALUES ($1, $2, $3, $4)",
    })
    .bind(org.id)
    .bind(wtype.as_str())
    .bind(secret)
    .bind(location)
    .execute(&mut *tx)
    .within()
    .await?;
    audit::Entry::new(
        actor,
        if old.is_none() { Action::Create } else { Action::Update },
        Resource::Warehouse,
        secret.to_string(),
    )
    .of(Some(org))
    .details(json!({ "type": wtype.as_str(), "replaced_secret": old }))
    .record(&mut tx)
    .await?;
    tx.commit().within().await?;
    Ok((old.is_none(), old))
}

/// The org's warehouse with its credentials masked.
pub(crate) async fn details(db: &Db, store: &SecretStore, org: &Org) -> Result<WarehouseDetails> {
    let (warehouse, creds) = load(db, store, org).await?;
    Ok(WarehouseDetails { org: org.slug.clone(), warehouse, credentials: crate::document::masked(&creds) })
}

/// A warehouse as `dalgo warehouse show` prints it: credentials masked.
#[derive(Debug, Clone, Serialize)]
pub struct WarehouseDetails {
    pub org: String,
    #[serde(flatten)]
    pub warehouse: Warehouse,
    pub credentials: Map<String, Value>,
}

pub(crate) async fn deletable(conn: &mut PgConnection, org: &Org) -> Result<Warehouse> {
    let wh = find(conn, org).await?.ok_or_else(|| Error::NoWarehouse(org.slug.clone()))?;
    let has_dbt: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM dbt_workspaces WHERE org_id = $1)")
        .bind(org.id)
        .fetch_one(&mut *conn)
        .within()
        .await?;
    if has_dbt {
        return Err(Error::InUse {
            message: format!("the warehouse of {} is used by its dbt workspace; remove that first", org.slug),
            next: Some(crate::error::NextStep::TeardownDbt { org: org.slug.clone() }),
        });
    }
    Ok(wh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflake_configs_take_airbytes_shape_and_refuse_ambiguity() {
        let base = json!({"host": "https://xy12345.snowflakecomputing.com", "username": "u", "database": "d",
                          "warehouse": "w", "role": "r", "schema": "s"});
        let with = |extra: Value| {
            let mut c = base.as_object().unwrap().clone();
            c.extend(extra.as_object().unwrap().clone());
            validate(WarehouseType::Snowflake, c)
        };
        let ok = with(json!({"credentials": {"password": "p"}})).unwrap();
        assert_eq!(ok["credentials"], json!({"auth_type": "Username and Password", "password": "p"}));
        let both = with(json!({"password": "p", "private_key": "k"})).unwrap_err();
        assert!(both.to_string().contains("not both"), "{both}");
        let wrong_host = with(json!({"host": "db.example.org", "password": "p"})).unwrap_err();
        assert!(wrong_host.to_string().contains("snowflakecomputing.com"), "{wrong_host}");
        assert_eq!("snowflake".parse::<WarehouseType>().unwrap(), WarehouseType::Snowflake);
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn postgres_config_problems_are_reported_field_by_field() {
        let err =
            validate(WarehouseType::Postgres, map(json!({"host": "db", "port": "x", "schema": "1bad"}))).unwrap_err();
        let Error::InvalidConfig { problems, .. } = &err else { panic!("{err:?}") };
        assert_eq!(
            problems,
            &[
                "username: missing",
                "password: missing",
                "database: missing",
                "port: must be a number from 1 to 65535",
                "schema: must be an SQL identifier (letters, digits, underscores)",
            ]
        );
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
    }

    #[test]
    fn postgres_config_is_normalised() {
        let ok = validate(
            WarehouseType::Postgres,
            map(json!({"host": "db", "port": "5433", "username": "u", "password": "p", "database": "d",
                       "ssl_mode": {"mode": "require"}})),
        )
        .unwrap();
        assert_eq!(ok["port"], 5433);
    }

    #[test]
    fn bigquery_needs_a_service_account_key() {
        let err = validate(
            WarehouseType::Bigquery,
            map(json!({"project_id": "p", "dataset_id": "d", "dataset_location": "US", "credentials_json": "{\"type\":1}"})),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not a service-account key"), "{err}");
    }

    #[test]
    fn masking_hides_every_sensitive_value() {
        let m = crate::document::masked(&map(
            json!({"host": "h", "password": "p", "tunnel_method": {"ssh_key": "k", "tunnel_host": "t"},
                                   "credentials_json": "{}"}),
        ));
        assert_eq!(m["host"], "h");
        assert_eq!(m["password"], "********");
        assert_eq!(m["tunnel_method"]["ssh_key"], "********");
        assert_eq!(m["tunnel_method"]["tunnel_host"], "t");
        assert_eq!(m["credentials_json"], "********");
    }

    #[test]
    fn masking_reaches_into_lists_at_any_depth() {
        let m = crate::document::masked(&map(json!({
            "nested": {"deep": [1, {"password": "p1", "host": "h"}, [{"api_token": "t"}]]},
            "hosts": ["a", "b"],
        })));
        assert_eq!(
            Value::Object(m.clone()),
            json!({"nested": {"deep": [1, {"password": "********", "host": "h"}, [{"api_token": "********"}]]},
                   "hosts": ["a", "b"]})
        );
        assert!(!Value::Object(m).to_string().contains("p1"));
    }
}
