//! A typed client for Airbyte's Config API (`/api/v1`, servers 0.58 to 2.x)
//! and the operations dalgo runs for an org: its workspace, sources,
//! destinations, connections, syncs and their jobs.

mod client;
pub mod fields;
mod jobs;
pub mod types;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use client::Client;
pub use jobs::{AttemptLogs, JobKind, JobRecord, StreamRef, SyncEvent, SyncOptions, SyncOutcome, history};
pub(crate) use jobs::{Jobs, cancel, get_job, job_logs, record_job, run_job, sync_and_wait, trigger};
pub use types::*;

use crate::audit::{self, Action, Resource};
use crate::config::{AirbyteAuth, Config};
use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, Failure, OrWarn, Result};
use crate::org::{self, Org};
use client::{Call, Wait};

/// Airbyte OSS has one organization, with this id.
pub const DEFAULT_ORGANIZATION_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Keyring entries `dalgo airbyte login` writes.
pub const KEYRING_ENTRIES: [&str; 5] =
    ["airbyte-client-id", "airbyte-client-secret", "airbyte-api-token", "airbyte-username", "airbyte-password"];

/// A client for the configured Airbyte, or why there is none. Without
/// credentials in the environment or files, those `dalgo airbyte login`
/// stored in the OS keyring are used, if it can be read.
pub fn client(cfg: &Config) -> Result<Client> {
    let mut ab = cfg.airbyte.get()?.cloned().ok_or(Error::AirbyteNotConfigured)?;
    if matches!(ab.auth, AirbyteAuth::None) {
        ab.auth = keyring_auth().unwrap_or(AirbyteAuth::None);
    }
    Client::new(&ab)
}

fn keyring_auth() -> Option<AirbyteAuth> {
    let get = |name: &str| crate::secrets::keyring::get(name).ok().flatten();
    let text = |name: &str| get(name).map(|s| secrecy::ExposeSecret::expose_secret(&s).to_string());
    if let (Some(client_id), Some(client_secret)) = (text("airbyte-client-id"), get("airbyte-client-secret")) {
        return Some(AirbyteAuth::ClientCredentials { client_id, client_secret });
    }
    if let Some(token) = get("airbyte-api-token") {
        return Some(AirbyteAuth::BasicToken(token));
    }
    match (text("airbyte-username"), get("airbyte-password")) {
        (Some(username), Some(password)) => Some(AirbyteAuth::Basic { username, password }),
        _ => None,
    }
}

fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Airbyte { failure: Failure::NotFound, .. })
}

/// `dalgo airbyte health`.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub url: String,
    pub available: bool,
    pub version: Option<String>,
    pub auth: &'static str,
}

/// Reachable, healthy, and our credentials accepted (the instance
/// configuration needs them; health does not).
pub async fn health(c: &Client, cfg: &Config) -> Result<Health> {
    let h: Value = c.get("/health").await?;
    let instance: Value = c.get("/instance_configuration").await?;
    Ok(Health {
        url: c.base_url().to_string(),
        available: h.get("available").and_then(Value::as_bool).unwrap_or(false),
        version: instance.get("version").and_then(Value::as_str).map(String::from),
        auth: cfg.airbyte.get()?.map_or("none", |a| a.auth.describe()),
    })
}

/// An org with its Airbyte workspace.
#[derive(Debug, Clone)]
pub struct OrgWorkspace {
    pub org: Org,
    pub workspace_id: String,
}

impl OrgWorkspace {
    /// The org with its workspace, or an error saying how to create it.
    pub(crate) fn of(org: Org) -> Result<OrgWorkspace> {
        let workspace_id = org.airbyte_workspace_id.clone().ok_or_else(|| Error::NoWorkspace(org.slug.clone()))?;
        Ok(OrgWorkspace { org, workspace_id })
    }

    /// [`Error::NotInWorkspace`] unless `workspace_id` is the org's.
    pub(crate) fn owns(&self, what: &'static str, id: &str, workspace_id: &str) -> Result<()> {
        if workspace_id == self.workspace_id {
            Ok(())
        } else {
            Err(Error::NotInWorkspace { what, id: id.to_string(), org: self.org.slug.clone() })
        }
    }

    /// One of the org's connections: by its `workspaceId`, or (servers that
    /// leave that out) by its source's.
    pub(crate) async fn connection(&self, c: &Client, id: &str) -> Result<Connection> {
        crate::values::uuid_id("connection", id)?;
        let conn = get_connection(c, id).await?;
        let ws = match conn.extra.get("workspaceId").and_then(Value::as_str) {
            Some(ws) => ws.to_string(),
            None => get(c, Actor::Source, &conn.source_id).await?.workspace_id,
        };
        self.owns("connection", id, &ws)?;
        Ok(conn)
    }

    /// A job (a sync, or a clear) of one of the org's connections, followed
    /// to its end (with `opts.wait`) and recorded as the org's.
    pub(crate) async fn run_job(&self, jobs: Jobs<'_>, connection: &str, kind: JobKind<'_>) -> Result<SyncOutcome> {
        self.connection(jobs.client, connection).await?;
        Ok(run_job(jobs, Some(&self.org), connection, kind).await)
    }

    /// Applies the schema change Airbyte sees now on one of the org's
    /// connections, if it is still the `approved` one (see [`update_schema`]).
    pub(crate) async fn update_schema(&self, c: &Client, connection: &str, approved: &Value) -> Result<SchemaUpdate> {
        self.connection(c, connection).await?;
        update_schema(c, connection, approved).await
    }
}

/// The org and its workspace id, or an error saying how to create it.
pub(crate) async fn org_workspace(db: &Db, org_slug: &str) -> Result<OrgWorkspace> {
    OrgWorkspace::of(org::get(&mut *db.pool().acquire().await?, org_slug).await?)
}

pub(crate) async fn get_workspace(c: &Client, id: &str) -> Result<Workspace> {
    c.post("/workspaces/get", &json!({ "workspaceId": id }), Call::Safe, Wait::Normal).await
}

/// Creates the org's workspace (named after its slug) unless it has one that
/// Airbyte still knows. The org row stays locked meanwhile, so two runs never
/// make two workspaces. Returns the workspace and whether it was created.
pub async fn workspace_create(db: &Db, c: &Client, org_slug: &str, actor: &str) -> Result<(Workspace, bool)> {
    let mut tx = db.pool().begin().within().await?;
    let org = org::lock(&mut tx, org_slug).await?;
    if let Some(id) = &org.airbyte_workspace_id {
        match get_workspace(c, id).await {
            Ok(ws) => return Ok((ws, false)),
            Err(e) if is_not_found(&e) => {
                tracing::warn!(workspace = %id, "recorded workspace is gone; creating another")
            }
            Err(e) => return Err(e),
        }
    }
    let body = json!({ "name": org.slug, "organizationId": DEFAULT_ORGANIZATION_ID });
    let ws: Workspace = c.post("/workspaces/create", &body, Call::Once, Wait::Normal).await?;
    let recorded = async {
        sqlx::query("UPDATE orgs SET airbyte_workspace_id = $2, updated_at = now() WHERE id = $1")
            .bind(org.id)
            .bind(&ws.workspace_id)
            .execute(&mut *tx)
            .within()
            .await?;
        audit::Entry::new(actor, Action::Update, Resource::Org, org.uuid.to_string())
            .of(Some(&org))
            .details(json!({ "airbyte_workspace_id": ws.workspace_id }))
            .record(&mut tx)
            .await?;
        tx.commit().within().await?;
        Ok::<_, Error>(())
    }
    .await;
    if let Err(e) = recorded {
        // Undo the workspace rather than leave one no org points at.
        delete_workspace_remote(c, &ws.workspace_id)
            .await
            .or_warn(format_args!("delete the Airbyte workspace {}", ws.workspace_id));
        return Err(e);
    }
    Ok((ws, true))
}

async fn delete_workspace_remote(c: &Client, id: &str) -> Result<()> {
    match c.post_empty("/workspaces/delete", &json!({ "workspaceId": id }), Call::Safe).await {
        Err(e) if is_not_found(&e) => Ok(()),
        other => other,
    }
}

/// Deletes the org's workspace (Airbyte deletes its sources, destinations and
/// connections with it) and forgets it. A workspace Airbyte no longer knows
/// counts as deleted.
pub async fn workspace_delete(db: &Db, c: &Client, org_slug: &str, actor: &str) -> Result<Option<String>> {
    let mut tx = db.pool().begin().within().await?;
    let org = org::lock(&mut tx, org_slug).await?;
    let Some(id) = org.airbyte_workspace_id.clone() else { return Ok(None) };
    delete_workspace_remote(c, &id).await?;
    sqlx::query("UPDATE orgs SET airbyte_workspace_id = NULL, updated_at = now() WHERE id = $1")
        .bind(org.id)
        .execute(&mut *tx)
        .within()
        .await?;
    sqlx::query("UPDATE warehouses SET airbyte_destination_id = NULL WHERE org_id = $1")
        .bind(org.id)
        .execute(&mut *tx)
        .within()
        .await?;
    audit::Entry::new(actor, Action::Update, Resource::Org, org.uuid.to_string())
        .of(Some(&org))
        .details(json!({ "airbyte_workspace_id": null, "deleted_workspace": id }))
        .record(&mut tx)
        .await?;
    tx.commit().within().await?;
    Ok(Some(id))
}

/// Sources and destinations: the same operations under different names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Source,
    Destination,
}

impl Actor {
    /// `source` / `destination`
    pub fn noun(self) -> &'static str {
        match self {
            Actor::Source => "source",
            Actor::Destination => "destination",
        }
    }

    fn id_key(self) -> &'static str {
        match self {
            Actor::Source => "sourceId",
            Actor::Destination => "destinationId",
        }
    }

    fn definition_key(self) -> &'static str {
        match self {
            Actor::Source => "sourceDefinitionId",
            Actor::Destination => "destinationDefinitionId",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Actor::Source => "sources",
            Actor::Destination => "destinations",
        }
    }
}

/// A connector definition, whichever kind: Airbyte's source and destination
/// definitions differ only in their field names, which the aliases read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Definition {
    #[serde(alias = "sourceDefinitionId", alias = "destinationDefinitionId")]
    pub id: String,
    pub name: String,
    #[serde(alias = "dockerRepository")]
    pub docker_repository: String,
    #[serde(alias = "dockerImageTag")]
    pub docker_image_tag: String,
}

/// The connector definitions available in a workspace.
pub(crate) async fn definitions(c: &Client, actor: Actor, workspace_id: &str) -> Result<Vec<Definition>> {
    let (path, key) = match actor {
        Actor::Source => ("/source_definitions/list_for_workspace", "sourceDefinitions"),
        Actor::Destination => ("/destination_definitions/list_for_workspace", "destinationDefinitions"),
    };
    let list: Value = c.post(path, &json!({ "workspaceId": workspace_id }), Call::Safe, Wait::Normal).await?;
    parse_list(&list, key)
}

fn parse_list<T: serde::de::DeserializeOwned>(list: &Value, key: &str) -> Result<Vec<T>> {
    serde_json::from_value(list.get(key).cloned().unwrap_or(json!([]))).map_err(|e| Error::Airbyte {
        failure: Failure::Unexpected,
        status: None,
        message: format!("unexpected {key} from Airbyte: {e}"),
    })
}

/// The definition with this id, or the one with this name (case-insensitive).
pub(crate) async fn find_definition(
    c: &Client,
    actor: Actor,
    workspace_id: &str,
    name_or_id: &str,
) -> Result<Definition> {
    let all = definitions(c, actor, workspace_id).await?;
    let wanted = name_or_id.trim();
    all.iter()
        .find(|d| d.id == wanted)
        .or_else(|| all.iter().find(|d| d.name.eq_ignore_ascii_case(wanted)))
        .cloned()
        .ok_or_else(|| Error::UnknownDefinition { actor: actor.noun(), given: wanted.to_string() })
}

/// The JSON Schema a definition's configs must meet.
pub(crate) async fn specification(c: &Client, actor: Actor, workspace_id: &str, definition_id: &str) -> Result<Value> {
    let path = match actor {
        Actor::Source => "/source_definition_specifications/get",
        Actor::Destination => "/destination_definition_specifications/get",
    };
    let body = json!({ actor.definition_key(): definition_id, "workspaceId": workspace_id });
    let spec: DefinitionSpec = c.post(path, &body, Call::Safe, Wait::Check).await?;
    Ok(spec.connection_specification)
}

/// Checks a config against a definition's specification, listing every
/// problem by field; nothing is sent to Airbyte when it fails.
pub fn validate_config(actor: Actor, spec: &Value, config: &Value) -> Result<()> {
    let validator = jsonschema::options().should_validate_formats(true).build(spec).map_err(|e| Error::Airbyte {
        failure: Failure::Unexpected,
        status: None,
        message: format!("the {} definition's specification is not a usable JSON Schema: {e}", actor.noun()),
    })?;
    let problems: Vec<String> = validator
        .iter_errors(config)
        .map(|e| {
            let at = e.instance_path().to_string();
            format!(
                "{}: {e}",
                if at.is_empty() { "(config)".to_string() } else { at.trim_start_matches('/').replace('/', ".") }
            )
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidConfig { what: format!("{} config", actor.noun()), problems })
    }
}

/// A source or destination, whichever kind: Airbyte's two objects differ
/// only in their field names, which the aliases read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActorRead {
    #[serde(alias = "sourceId", alias = "destinationId")]
    pub id: String,
    pub name: String,
    /// The connector's name, e.g. "Postgres".
    #[serde(alias = "sourceName", alias = "destinationName")]
    pub connector: String,
    #[serde(alias = "sourceDefinitionId", alias = "destinationDefinitionId")]
    pub definition_id: String,
    #[serde(alias = "workspaceId")]
    pub workspace_id: String,
    /// As Airbyte returns it: secrets masked.
    #[serde(alias = "connectionConfiguration")]
    pub configuration: Value,
}

fn parse_actor(actor: Actor, v: Value) -> Result<ActorRead> {
    serde_json::from_value(v).map_err(|e| Error::Airbyte {
        failure: Failure::Unexpected,
        status: None,
        message: format!("unexpected {} from Airbyte: {e}", actor.noun()),
    })
}

/// How many items one list request asks for.
const PAGE_SIZE: usize = 100;

/// Every source or destination of a workspace. Servers from 1.8 page these
/// lists (`page_size` in the answer, the last id as the next cursor); older
/// ones ignore the paging fields and answer with everything.
pub(crate) async fn list(c: &Client, actor: Actor, workspace_id: &str) -> Result<Vec<ActorRead>> {
    let path = format!("/{}/list", actor.plural());
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut body = json!({ "workspaceId": workspace_id, "pageSize": PAGE_SIZE });
        if let Some(c) = &cursor {
            body["cursor"] = json!(c);
        }
        let page: Value = c.post(&path, &body, Call::Safe, Wait::Normal).await?;
        let items: Vec<Value> = page.get(actor.plural()).and_then(Value::as_array).cloned().unwrap_or_default();
        let n = items.len();
        for item in items {
            all.push(parse_actor(actor, item)?);
        }
        let paged = page.get("page_size").and_then(Value::as_u64);
        let next = all.last().map(|a: &ActorRead| a.id.clone());
        match paged {
            Some(size) if n > 0 && n as u64 >= size && next != cursor => cursor = next,
            _ => return Ok(all),
        }
    }
}

pub(crate) async fn get(c: &Client, actor: Actor, id: &str) -> Result<ActorRead> {
    let v: Value =
        c.post(&format!("/{}/get", actor.plural()), &json!({ actor.id_key(): id }), Call::Safe, Wait::Normal).await?;
    parse_actor(actor, v)
}

impl OrgWorkspace {
    /// Creates a source or destination in the org's workspace after
    /// checking its config against the definition's specification.
    pub(crate) async fn create(
        &self,
        c: &Client,
        actor: Actor,
        definition_id: &str,
        name: &str,
        config: &Value,
    ) -> Result<ActorRead> {
        let workspace_id = &self.workspace_id;
        let spec = specification(c, actor, workspace_id, definition_id).await?;
        validate_config(actor, &spec, config)?;
        let body = json!({
            "workspaceId": workspace_id, "name": name, actor.definition_key(): definition_id,
            "connectionConfiguration": config,
        });
        let v: Value = c.post(&format!("/{}/create", actor.plural()), &body, Call::Once, Wait::Normal).await?;
        parse_actor(actor, v)
    }
}

/// Replaces a source's or destination's name and config (Airbyte keeps the
/// stored secrets where the config sends back the mask).
pub(crate) async fn update(
    c: &Client,
    actor: Actor,
    id: &str,
    name: Option<&str>,
    config: &Value,
) -> Result<ActorRead> {
    let current = get(c, actor, id).await?;
    let spec = specification(c, actor, &current.workspace_id, &current.definition_id).await?;
    validate_config(actor, &spec, config)?;
    let body = json!({ actor.id_key(): id, "name": name.unwrap_or(&current.name), "connectionConfiguration": config });
    let v: Value = c.post(&format!("/{}/update", actor.plural()), &body, Call::Safe, Wait::Normal).await?;
    parse_actor(actor, v)
}

pub(crate) async fn check(c: &Client, actor: Actor, id: &str) -> Result<CheckResult> {
    c.post(&format!("/{}/check_connection", actor.plural()), &json!({ actor.id_key(): id }), Call::Safe, Wait::Check)
        .await
}

/// Deletes a source or destination; one Airbyte no longer knows counts as deleted.
pub(crate) async fn delete(c: &Client, actor: Actor, id: &str) -> Result<()> {
    match c.post_empty(&format!("/{}/delete", actor.plural()), &json!({ actor.id_key(): id }), Call::Safe).await {
        Err(e) if is_not_found(&e) => Ok(()),
        other => other,
    }
}

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
const WEB_BACKEND_UPDATE_FIELDS: [&str; 18] = [
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
fn diff_streams(diff: &Value) -> Vec<String> {
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
fn schedule_fields(cron: Option<&str>) -> Result<Value> {
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
fn quartz_weekdays(field: &str) -> String {
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

fn namespace_fields(namespace: Option<&str>) -> Value {
    match namespace {
        Some(ns) => json!({ "namespaceDefinition": "customformat", "namespaceFormat": ns }),
        None => json!({ "namespaceDefinition": "destination" }),
    }
}

fn merge(into: &mut Value, from: Value) {
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

/// The connector name Airbyte gives each warehouse type's destination.
fn destination_connector(wtype: crate::warehouse::WarehouseType) -> &'static str {
    match wtype {
        crate::warehouse::WarehouseType::Postgres => "Postgres",
        crate::warehouse::WarehouseType::Bigquery => "BigQuery",
        crate::warehouse::WarehouseType::Snowflake => "Snowflake",
    }
}

/// The org's warehouse destination as Airbyte knows it: the recorded one,
/// else the one named after the org with the wanted connector (a run killed
/// after Airbyte made it and before its id was recorded).
async fn current_destination(
    c: &Client,
    ow: &OrgWorkspace,
    recorded: Option<&str>,
    def: &Definition,
) -> Result<Option<ActorRead>> {
    if let Some(id) = recorded {
        match get(c, Actor::Destination, id).await {
            Ok(d) => return Ok(Some(d)),
            Err(e) if is_not_found(&e) => tracing::warn!(destination = %id, "recorded destination is gone"),
            Err(e) => return Err(e),
        }
    }
    let name = destination_name(&ow.org.slug);
    Ok(list(c, Actor::Destination, &ow.workspace_id)
        .await?
        .into_iter()
        .find(|d| d.name == name && d.definition_id == def.id))
}

/// Named after the org, so a killed run's destination is adopted, not duplicated.
fn destination_name(org_slug: &str) -> String {
    format!("{org_slug}-warehouse")
}

/// Airbyte cannot change a destination's connector: one of another
/// connector can only be replaced, and only while no connection writes to it.
async fn ensure_replaceable(c: &Client, ow: &OrgWorkspace, old: &ActorRead, wanted: &Definition) -> Result<()> {
    let writing =
        list_connections(c, &ow.workspace_id).await?.iter().filter(|conn| conn.destination_id == old.id).count();
    if writing == 0 {
        return Ok(());
    }
    Err(Error::InUse {
        message: format!(
            "the warehouse of {slug} is the {} destination {} in Airbyte, and {writing} connection(s) write to it; \
             Airbyte cannot turn it into a {} destination, and its connections cannot move: delete them first, \
             then set the warehouse again",
            old.connector,
            old.id,
            wanted.name,
            slug = ow.org.slug
        ),
        next: Some(crate::error::NextStep::ListConnections { org: ow.org.slug.clone() }),
    })
}

/// Refuses, before anything is written, a warehouse type change that the
/// destination step could not carry out (see [`ensure_replaceable`]). Asks
/// Airbyte only when the type changes and a destination is recorded.
pub(crate) async fn check_warehouse_type_change(
    db: &Db,
    c: &Client,
    org: &crate::org::Org,
    wtype: crate::warehouse::WarehouseType,
) -> Result<()> {
    let wh = crate::warehouse::find(&mut *db.pool().acquire().await?, org).await?;
    let (Some(wh), Some(workspace_id)) = (wh, &org.airbyte_workspace_id) else {
        return Ok(());
    };
    if wh.wtype == wtype.as_str() || wh.airbyte_destination_id.is_none() {
        return Ok(());
    }
    let ow = OrgWorkspace { org: org.clone(), workspace_id: workspace_id.clone() };
    let def = find_definition(c, Actor::Destination, workspace_id, destination_connector(wtype)).await?;
    match current_destination(c, &ow, wh.airbyte_destination_id.as_deref(), &def).await? {
        Some(old) if old.definition_id != def.id => ensure_replaceable(c, &ow, &old, &def).await,
        _ => Ok(()),
    }
}

/// Creates (or updates) the org's warehouse destination in Airbyte from the
/// warehouse credentials, and records its id on the warehouse. A recorded
/// destination Airbyte no longer knows is found by its name, or created anew;
/// one of another connector (the warehouse changed type) is deleted and
/// replaced, when no connection writes to it.
pub(crate) async fn upsert_warehouse_destination(
    db: &Db,
    c: &Client,
    org_slug: &str,
    creds: crate::warehouse::Credentials<'_>,
    actor: &str,
) -> Result<ActorRead> {
    let crate::warehouse::Credentials { wtype, config: creds } = creds;
    let ow = org_workspace(db, org_slug).await?;
    let wh = crate::warehouse::find(&mut *db.pool().acquire().await?, &ow.org)
        .await?
        .ok_or_else(|| Error::NoWarehouse(ow.org.slug.clone()))?;
    let config = Value::Object(creds.clone());
    let def = find_definition(c, Actor::Destination, &ow.workspace_id, destination_connector(wtype)).await?;
    let dest = match current_destination(c, &ow, wh.airbyte_destination_id.as_deref(), &def).await? {
        Some(d) if d.definition_id == def.id => update(c, Actor::Destination, &d.id, None, &config).await?,
        other => {
            if let Some(old) = other {
                ensure_replaceable(c, &ow, &old, &def).await?;
                // Deleted first: a run killed in between finds no destination
                // and creates one, rather than leaving the old one behind.
                delete(c, Actor::Destination, &old.id).await?;
            }
            ow.create(c, Actor::Destination, &def.id, &destination_name(&ow.org.slug), &config).await?
        }
    };
    let mut tx = db.pool().begin().within().await?;
    sqlx::query("UPDATE warehouses SET airbyte_destination_id = $2, updated_at = now() WHERE id = $1")
        .bind(wh.id)
        .bind(&dest.id)
        .execute(&mut *tx)
        .within()
        .await?;
    audit::Entry::new(actor, Action::Update, Resource::Warehouse, &wh.credentials_secret)
        .of(Some(&ow.org))
        .details(json!({ "airbyte_destination_id": dest.id }))
        .record(&mut tx)
        .await?;
    tx.commit().within().await?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_field_cron_becomes_quartz_and_quartz_passes_through() {
        assert_eq!(quartz("0 2 * * *").unwrap(), "0 0 2 * * ?");
        assert_eq!(quartz("30 3 1 * *").unwrap(), "0 30 3 1 * ?");
        assert_eq!(quartz("15 6 * * 1-5").unwrap(), "0 15 6 ? * 2-6");
        assert_eq!(quartz("0 0 * * 0,6").unwrap(), "0 0 0 ? * 1,7");
        assert_eq!(quartz("0 0 * * 7").unwrap(), "0 0 0 ? * 1");
        assert_eq!(quartz("0 9 * * MON").unwrap(), "0 0 9 ? * MON");
        assert_eq!(quartz("0 9 * * 5#2").unwrap(), "0 0 9 ? * 6#2");
        assert_eq!(quartz("0 0 12 * * ?").unwrap(), "0 0 12 * * ?");
        assert!(matches!(quartz("0 2 1 * 1"), Err(Error::InvalidCron { .. })));
        assert!(matches!(quartz("61 2 * * *"), Err(Error::InvalidCron { .. })));
        assert!(matches!(quartz("every day"), Err(Error::InvalidCron { .. })));
    }
}
