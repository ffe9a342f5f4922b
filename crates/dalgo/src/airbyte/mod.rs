//! A typed client for Airbyte's Config API (`/api/v1`, servers 0.58 to 2.x)
//! and the operations dalgo runs for an org: its workspace, sources,
//! destinations, connections, syncs and their jobs.

pub(crate) mod client;
mod connections;
mod destination;
pub mod fields;
mod jobs;
pub mod types;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use client::Client;
pub use connections::*;
pub(crate) use destination::*;
pub use jobs::{AttemptLogs, JobKind, JobRecord, StreamRef, SyncEvent, SyncOptions, SyncOutcome};
pub(crate) use jobs::{Jobs, cancel, get_job, job_logs, record_job, run_job, sync_and_wait, trigger};
pub use types::*;

use crate::audit::{self, Action, Resource};
use crate::config::{AirbyteAuth, Config};
use crate::db::Db;
use crate::db::Within;
use crate::error::{Error, Failure, Result};
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

pub(crate) fn is_not_found(e: &Error) -> bool {
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

pub(crate) async fn get_workspace(c: &Client, id: &str) -> Result<Workspace> {
    c.post("/workspaces/get", &json!({ "workspaceId": id }), Call::Safe, Wait::Normal).await
}

pub(crate) async fn delete_workspace_remote(c: &Client, id: &str) -> Result<()> {
    match c.post_empty("/workspaces/delete", &json!({ "workspaceId": id }), Call::Safe).await {
        Err(e) if is_not_found(&e) => Ok(()),
        other => other,
    }
}

/// Deletes the org's workspace (Airbyte deletes its sources, destinations and
/// connections with it) and forgets it. A workspace Airbyte no longer knows
/// counts as deleted.
pub(crate) async fn workspace_delete(db: &Db, c: &Client, org: &Org, actor: &str) -> Result<Option<String>> {
    let mut tx = db.pool().begin().within().await?;
    let org = org::lock(&mut tx, org).await?;
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
