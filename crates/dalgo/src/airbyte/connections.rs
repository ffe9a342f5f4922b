//! Streams, schemas and connections: what a source offers, the streams a
//! connection syncs, its schedule as Airbyte's Quartz cron.

use super::*;

/// A stream a source offers, with the sync modes it supports.
#[derive(Debug, Clone, Serialize)]
pub struct StreamInfo {
    pub name: String,
    pub namespace: Option<String>,
    pub supported_sync_modes: Vec<String>,
}

/// The fields of a `WebBackendConnectionRead` that a
/// `WebBackendConnectionUpdate` takes back (Config API v0.58 to v2), so that
/// an update keeps everything the schema update does not change.
pub(super) const WEB_BACKEND_UPDATE_FIELDS: [&str; 18] = [
    "name",
    "namespaceDefinition",
    "namespaceFormat",
    "prefix",
    "schedule",
    "scheduleType",
    "scheduleData",
    "status",
    "resourceRequirements",
    "operations",
    "geography",
    "dataplaneGroupId",
    "destinationCatalogId",
    "notifySchemaChanges",
    "notifySchemaChangesByEmail",
    "nonBreakingChangesPreference",
    "backfillPreference",
    "tags",
];

/// The names of the streams a catalog diff (`{transforms: [{streamDescriptor: {name}}]}`) touches, sorted.
pub(super) fn diff_streams(diff: &Value) -> Vec<String> {
    let transforms = diff.get("transforms").and_then(Value::as_array).into_iter().flatten();
    let mut names: Vec<String> = transforms
        .filter_map(|t| t.pointer("/streamDescriptor/name").and_then(Value::as_str).map(String::from))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// What a schema update changed: the selected streams its change touches.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaUpdate {
    pub connection_id: String,
    pub catalog_id: Option<String>,
    pub affected_streams: Vec<String>,
}

/// Applies the schema change Airbyte sees now on a connection, as Dalgo's
/// schema-change approval does: the connection read with its catalog
/// refreshed, its diff checked against the `approved` one (the same streams
/// touched, else [`Error::SchemaChangedSince`] and nothing is written), then
/// the connection updated with the refreshed catalog, everything else as it
/// was, without a reset (`skipReset`).
pub(crate) async fn update_schema(c: &Client, connection_id: &str, approved: &Value) -> Result<SchemaUpdate> {
    let get = |refresh: bool| {
        let body = json!({ "connectionId": connection_id, "withRefreshedCatalog": refresh });
        async move { c.post::<Value>("/web_backend/connections/get", &body, Call::Safe, Wait::Discover).await }
    };
    let refreshed = get(true).await?;
    let now = diff_streams(refreshed.get("catalogDiff").unwrap_or(&Value::Null));
    let approved = diff_streams(approved);
    if now != approved {
        return Err(Error::SchemaChangedSince { connection: connection_id.to_string(), approved, now });
    }
    let current = get(false).await?;
    let mut update: serde_json::Map<String, Value> =
        WEB_BACKEND_UPDATE_FIELDS.iter().filter_map(|k| current.get(*k).map(|v| (k.to_string(), v.clone()))).collect();
    let catalog_id = refreshed.get("catalogId").and_then(Value::as_str).map(String::from);
    update.insert("connectionId".into(), json!(connection_id));
    update.insert("skipReset".into(), json!(true));
    update.insert("syncCatalog".into(), refreshed.get("syncCatalog").cloned().unwrap_or(Value::Null));
    if let Some(id) = &catalog_id {
        update.insert("sourceCatalogId".into(), json!(id));
    }
    let _: Value =
        c.post("/web_backend/connections/update", &Value::Object(update), Call::Once, Wait::Discover).await?;
    let streams = refreshed.pointer("/syncCatalog/streams").and_then(Value::as_array).into_iter().flatten();
    let selected: Vec<&str> = streams
        .filter(|s| s.pointer("/config/selected").and_then(Value::as_bool) == Some(true))
        .filter_map(|s| s.pointer("/stream/name").and_then(Value::as_str))
        .collect();
    let affected_streams = now.into_iter().filter(|n| selected.contains(&n.as_str())).collect();
    Ok(SchemaUpdate { connection_id: connection_id.to_string(), catalog_id, affected_streams })
}

/// The source's catalog, freshly discovered (Airbyte's cache bypassed).
pub(crate) async fn discover(c: &Client, source_id: &str) -> Result<Value> {
    let body = json!({ "sourceId": source_id, "disable_cache": true });
    let v: Value = c.post("/sources/discover_schema", &body, Call::Safe, Wait::Discover).await?;
    match v.get("catalog") {
        Some(cat) if !cat.is_null() => Ok(cat.clone()),
        _ => {
            let why =
                v.pointer("/jobInfo/failureReason/externalMessage").and_then(Value::as_str).unwrap_or("no catalog");
            Err(Error::Airbyte { failure: Failure::Failed, status: None, message: format!("discover failed: {why}") })
        }
    }
}

/// The streams of a catalog, for people.
pub fn stream_infos(catalog: &Value) -> Vec<StreamInfo> {
    streams(catalog)
        .map(|s| StreamInfo {
            name: s.pointer("/stream/name").and_then(Value::as_str).unwrap_or_default().to_string(),
            namespace: s.pointer("/stream/namespace").and_then(Value::as_str).map(String::from),
            supported_sync_modes: s
                .pointer("/stream/supportedSyncModes")
                .and_then(Value::as_array)
                .map(|m| m.iter().filter_map(Value::as_str).map(String::from).collect())
                .unwrap_or_default(),
        })
        .collect()
}

string_enum! {
    /// How a source stream is read.
    pub enum SyncMode {
        FullRefresh => "full_refresh",
        Incremental => "incremental",
    }
}

string_enum! {
    /// How a stream's records land in the destination.
    pub enum DestinationSyncMode {
        Overwrite => "overwrite",
        Append => "append",
        AppendDedup => "append_dedup",
    }
}

/// Which streams a connection syncs, and how.
#[derive(Debug, Clone)]
pub struct StreamSelection {
    /// Empty: every stream.
    pub streams: Vec<String>,
    pub sync_mode: SyncMode,
    pub destination_sync_mode: DestinationSyncMode,
}

/// The catalog with the selection applied: chosen streams selected with the
/// sync modes asked for, the others deselected.
pub fn select_streams(catalog: &Value, sel: &StreamSelection) -> Result<Value> {
    let mut catalog = catalog.clone();
    let available: Vec<String> = stream_infos(&catalog).into_iter().map(|s| s.name).collect();
    let unknown: Vec<&String> = sel.streams.iter().filter(|s| !available.contains(s)).collect();
    if !unknown.is_empty() {
        return Err(Error::InvalidConfig {
            what: "stream selection".into(),
            problems: unknown
                .iter()
                .map(|s| format!("{s}: no such stream (streams: {})", available.join(", ")))
                .collect(),
        });
    }
    let mut problems = Vec::new();
    if let Some(list) = catalog.get_mut("streams").and_then(Value::as_array_mut) {
        for entry in list {
            let name = entry.pointer("/stream/name").and_then(Value::as_str).unwrap_or_default().to_string();
            let selected = sel.streams.is_empty() || sel.streams.contains(&name);
            let supported =
                entry.pointer("/stream/supportedSyncModes").and_then(Value::as_array).cloned().unwrap_or_default();
            if selected && !supported.iter().any(|m| m == sel.sync_mode.as_str()) {
                problems.push(format!("{name}: does not support sync mode {}", sel.sync_mode));
            }
            let config = entry.as_object_mut().map(|o| o.entry("config").or_insert_with(|| json!({})));
            if let Some(Value::Object(cfg)) = config {
                cfg.insert("selected".into(), json!(selected));
                cfg.insert("syncMode".into(), json!(sel.sync_mode.as_str()));
                cfg.insert("destinationSyncMode".into(), json!(sel.destination_sync_mode.as_str()));
            }
        }
    }
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(Error::InvalidConfig { what: "stream selection".into(), problems })
    }
}

/// What a new connection is made of.
#[derive(Debug, Clone)]
pub struct ConnectionSpec {
    pub name: Option<String>,
    pub source_id: String,
    pub destination_id: String,
    pub streams: StreamSelection,
    /// Written into the destination as `namespaceFormat` (custom namespace).
    pub namespace: Option<String>,
    /// A cron expression (UTC); none: manual syncs only.
    pub cron: Option<String>,
}

pub(crate) async fn list_connections(c: &Client, workspace_id: &str) -> Result<Vec<Connection>> {
    let v: Value =
        c.post("/connections/list", &json!({ "workspaceId": workspace_id }), Call::Safe, Wait::Normal).await?;
    let all: Vec<Connection> = parse_list(&v, "connections")?;
    Ok(all.into_iter().filter(|c| c.status != ConnectionStatus::Deprecated).collect())
}

pub(crate) async fn get_connection(c: &Client, id: &str) -> Result<Connection> {
    c.post("/connections/get", &json!({ "connectionId": id }), Call::Safe, Wait::Normal).await
}

/// A schedule in Airbyte's terms: a cron schedule (5 fields, as pipelines
/// take, converted by [`quartz`]; or Quartz's own 6 or 7) or manual.
pub(super) fn schedule_fields(cron: Option<&str>) -> Result<Value> {
    Ok(match cron {
        Some(expr) => {
            let expr = quartz(expr)?;
            json!({ "scheduleType": "cron", "scheduleData": { "cron": { "cronExpression": expr, "cronTimeZone": "UTC" } } })
        }
        None => json!({ "scheduleType": "manual" }),
    })
}

/// The Quartz cron expression Airbyte schedules with, from a 5-field cron
/// (`minute hour day-of-month month day-of-week`, validated as pipelines'
/// are): seconds `0` in front, `?` for the day field left `*`, and weekdays
/// renumbered (cron's 0 or 7 = Sunday is Quartz's 1). An expression of 6 or
/// 7 fields is Quartz already and is passed on as given.
pub fn quartz(expr: &str) -> Result<String> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    if matches!(fields.len(), 6 | 7) {
        return Ok(fields.join(" "));
    }
    crate::pipeline::validate_cron(expr)?;
    let [minute, hour, dom, month, dow] = fields[..] else {
        return Err(Error::InvalidCron { expr: expr.into(), reason: "it needs 5 fields".into() });
    };
    let (dom, dow) = match (dom, dow) {
        (d, "*") => (d.to_string(), "?".to_string()),
        ("*", w) => ("?".to_string(), quartz_weekdays(w)),
        _ => {
            return Err(Error::InvalidCron {
                expr: expr.into(),
                reason: "Airbyte's schedules cannot name both a day of the month and a day of the week".into(),
            });
        }
    };
    Ok(format!("0 {minute} {hour} {dom} {month} {dow}"))
}

/// Cron weekday numbers (0-7, Sunday 0 or 7) as Quartz's (1-7, Sunday 1),
/// in lists, ranges and `#` forms; names and steps stay as they are.
pub(super) fn quartz_weekdays(field: &str) -> String {
    let renumber = |n: &str| n.parse::<u8>().map_or_else(|_| n.to_string(), |d| (d % 7 + 1).to_string());
    field
        .split(',')
        .map(|item| {
            let (base, step) = item.split_once('/').map_or((item, None), |(b, s)| (b, Some(s)));
            let base = match base.split_once('#') {
                Some((day, nth)) => format!("{}#{nth}", renumber(day)),
                None => base.split('-').map(renumber).collect::<Vec<_>>().join("-"),
            };
            step.map_or(base.clone(), |s| format!("{base}/{s}"))
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub(super) fn namespace_fields(namespace: Option<&str>) -> Value {
    match namespace {
        Some(ns) => json!({ "namespaceDefinition": "customformat", "namespaceFormat": ns }),
        None => json!({ "namespaceDefinition": "destination" }),
    }
}

pub(super) fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        a.extend(b);
    }
}

/// Creates a connection from a freshly discovered catalog.
pub(crate) async fn create_connection(c: &Client, spec: &ConnectionSpec) -> Result<Connection> {
    let schedule = schedule_fields(spec.cron.as_deref())?;
    let catalog = discover(c, &spec.source_id).await?;
    let sync_catalog = select_streams(&catalog, &spec.streams)?;
    let mut body = json!({
        "sourceId": spec.source_id, "destinationId": spec.destination_id, "status": "active", "syncCatalog": sync_catalog,
    });
    if let Some(name) = &spec.name {
        body["name"] = json!(name);
    }
    merge(&mut body, schedule);
    merge(&mut body, namespace_fields(spec.namespace.as_deref()));
    c.post("/connections/create", &body, Call::Once, Wait::Normal).await
}

/// What an update changes; unset fields stay as they are (Airbyte patches).
#[derive(Debug, Clone, Default)]
pub struct ConnectionChanges {
    pub name: Option<String>,
    pub streams: Option<StreamSelection>,
    pub namespace: Option<Option<String>>,
    pub cron: Option<Option<String>>,
    /// Active (`true`) or paused (`false`, Airbyte's `inactive`).
    pub enabled: Option<bool>,
}

pub(crate) async fn update_connection(c: &Client, id: &str, ch: &ConnectionChanges) -> Result<Connection> {
    let mut body = json!({ "connectionId": id });
    if let Some(cron) = &ch.cron {
        merge(&mut body, schedule_fields(cron.as_deref())?);
    }
    if let Some(name) = &ch.name {
        body["name"] = json!(name);
    }
    if let Some(sel) = &ch.streams {
        let current = get_connection(c, id).await?;
        let catalog = discover(c, &current.source_id).await?;
        body["syncCatalog"] = select_streams(&catalog, sel)?;
    }
    if let Some(ns) = &ch.namespace {
        merge(&mut body, namespace_fields(ns.as_deref()));
    }
    if let Some(enabled) = ch.enabled {
        body["status"] = json!(if enabled { ConnectionStatus::Active } else { ConnectionStatus::Inactive });
    }
    c.post("/connections/update", &body, Call::Safe, Wait::Normal).await
}

pub(crate) async fn delete_connection(c: &Client, id: &str) -> Result<()> {
    match c.post_empty("/connections/delete", &json!({ "connectionId": id }), Call::Safe).await {
        Err(e) if is_not_found(&e) => Ok(()),
        other => other,
    }
}
