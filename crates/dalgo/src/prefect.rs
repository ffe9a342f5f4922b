//! A typed client for the Prefect 3 REST API (`PREFECT_API_URL`), with the
//! calls dalgo needs for pipelines: work pools, flows, deployments, flow runs,
//! their states, task runs and logs.

use chrono::{DateTime, Utc};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::config::{Config, PrefectConfig};
use crate::error::{Error, ErrorKind, Failure, Result};
use crate::http::{Request, Service, Transport, decode};
use crate::values::uuid_id;

/// Prefect's page size cap for filters.
pub const PAGE: usize = 200;

/// A client for one Prefect server (or Prefect Cloud workspace).
pub struct Client {
    transport: Transport,
    cfg: PrefectConfig,
    /// `Bearer <PREFECT_API_KEY>`, for Prefect Cloud.
    auth: Option<SecretString>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("prefect::Client").field("cfg", &self.cfg).finish()
    }
}

/// A client for the configured Prefect, or why there is none.
pub fn client(cfg: &Config) -> Result<Client> {
    let p = cfg.prefect.get()?.ok_or(Error::PrefectNotConfigured)?;
    Client::new(p)
}

/// A deployment as Prefect returns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deployment {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub paused: bool,
    #[serde(default)]
    pub schedules: Vec<DeploymentSchedule>,
    #[serde(default)]
    pub parameters: Value,
    #[serde(default)]
    pub tags: Vec<String>,
    pub work_pool_name: Option<String>,
    pub work_queue_name: Option<String>,
    pub entrypoint: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeploymentSchedule {
    #[serde(default)]
    pub schedule: Value,
    #[serde(default)]
    pub active: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Deployment {
    /// The cron of its first schedule, and whether that schedule runs.
    pub fn cron(&self) -> Option<(String, bool)> {
        self.schedules.first().and_then(|s| {
            s.schedule.get("cron").and_then(Value::as_str).map(|c| (c.to_string(), s.active && !self.paused))
        })
    }
}

/// A flow run as Prefect returns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlowRun {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub deployment_id: Option<String>,
    /// Prefect's state type, as it sent it; [`FlowRun::state_type`] reads it.
    #[serde(rename = "state_type")]
    pub raw_state_type: Option<String>,
    pub state_name: Option<String>,
    pub start_time: Option<DateTime<Utc>>,
    pub expected_start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub total_run_time: f64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

pub use crate::state::{FINAL_STATES, StateType};

impl FlowRun {
    pub fn state_type(&self) -> StateType {
        self.raw_state_type.as_deref().and_then(|s| s.parse().ok()).unwrap_or(StateType::Unknown)
    }

    pub fn state_name(&self) -> &str {
        self.state_name.as_deref().unwrap_or("Unknown")
    }

    pub fn is_final(&self) -> bool {
        self.state_type().is_final()
    }
}

/// A task run as Prefect returns it (only what dalgo reads).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskRun {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub flow_run_id: Option<String>,
    pub state_name: Option<String>,
}

string_enum! {
    /// How Prefect's orchestration rules answered a state proposal.
    pub enum Verdict {
        Accept => "ACCEPT",
        Reject => "REJECT",
        Abort => "ABORT",
        Wait => "WAIT",
    }
}

/// Prefect's answer to a state proposal.
#[derive(Debug, Clone, Deserialize)]
pub struct Proposal {
    pub status: Verdict,
    #[serde(default)]
    pub details: Value,
}

impl Proposal {
    pub fn accepted(&self) -> bool {
        self.status == Verdict::Accept
    }
}

/// A work queue of a pool; Prefect marks it `READY` while a worker polls it.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkQueue {
    pub name: String,
    pub status: Option<String>,
    pub last_polled: Option<DateTime<Utc>>,
    #[serde(default)]
    pub is_paused: bool,
}

/// Every item of a paged Prefect filter: `page(offset)` is called until a
/// page comes back short.
pub(crate) async fn all_pages<T, F>(mut page: impl FnMut(usize) -> F) -> Result<Vec<T>>
where
    F: std::future::Future<Output = Result<Vec<T>>>,
{
    let mut all = Vec::new();
    loop {
        let got = page(all.len()).await?;
        let done = got.len() < PAGE;
        all.extend(got);
        if done {
            return Ok(all);
        }
    }
}

/// What [`Client::upsert_block`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockWrite {
    Created,
    Updated,
    Unchanged,
}

#[derive(Deserialize)]
struct BlockDocument {
    id: String,
    #[serde(default)]
    data: Value,
}

/// One log line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogEntry {
    #[serde(default)]
    pub id: String,
    pub level: i64,
    pub timestamp: DateTime<Utc>,
    pub message: String,
    pub flow_run_id: Option<String>,
    pub task_run_id: Option<String>,
}

impl Client {
    pub fn new(cfg: &PrefectConfig) -> Result<Client> {
        let transport = Transport::new(Service::Prefect, &cfg.api_url, &cfg.api_url, cfg.timeout, cfg.retries)?;
        let auth = cfg.api_key.as_ref().map(|k| SecretString::from(format!("Bearer {}", k.expose_secret())));
        Ok(Client { transport, cfg: cfg.clone(), auth })
    }

    pub fn config(&self) -> &PrefectConfig {
        &self.cfg
    }

    async fn call<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<&Value>) -> Result<T> {
        decode(Service::Prefect, path, self.send(method, path, body).await?)
    }

    /// Every call dalgo makes to Prefect is safe to repeat (reads, upserts,
    /// PATCHes, deletes, flow runs with an idempotency key), so each is
    /// retried on transient failures.
    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        let req = Request { method, path, body, auth: self.auth.as_ref(), safe: true, timeout: self.cfg.timeout };
        self.transport.send(req).await
    }

    /// A request that must not be repeated blindly: a state proposal whose
    /// answer was lost would be proposed again from the state it made.
    async fn send_once(&self, path: &str, body: &Value) -> Result<Value> {
        let req = Request {
            method: Method::POST,
            path,
            body: Some(body),
            auth: self.auth.as_ref(),
            safe: false,
            timeout: self.cfg.timeout,
        };
        self.transport.send(req).await
    }

    /// Tells the pool a worker of this name is alive (Prefect marks it
    /// OFFLINE after missing a few intervals).
    pub async fn worker_heartbeat(&self, pool: &str, name: &str, interval_secs: u64) -> Result<()> {
        let body = json!({ "name": name, "heartbeat_interval_seconds": interval_secs });
        let path = format!("/work_pools/{}/workers/heartbeat", encode(pool));
        self.send(Method::POST, &path, Some(&body)).await.map(|_| ())
    }

    /// The flow runs of these queues of a pool (all its queues when empty)
    /// scheduled to start before `before`, soonest first, at most `limit`.
    pub async fn scheduled_flow_runs(
        &self,
        pool: &str,
        queues: &[String],
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<FlowRun>> {
        #[derive(Deserialize)]
        struct Scheduled {
            flow_run: FlowRun,
        }
        let mut body = json!({ "scheduled_before": before, "limit": limit });
        if !queues.is_empty() {
            body["work_queue_names"] = json!(queues);
        }
        let path = format!("/work_pools/{}/get_scheduled_flow_runs", encode(pool));
        let got: Vec<Scheduled> = self.call(Method::POST, &path, Some(&body)).await?;
        Ok(got.into_iter().map(|s| s.flow_run).collect())
    }

    /// Proposes a state to a flow run; Prefect's orchestration rules decide.
    /// Two workers proposing PENDING for one scheduled run: one is accepted,
    /// the other aborted.
    pub async fn propose_state(&self, id: &str, state: Value) -> Result<Proposal> {
        let body = json!({ "state": state, "force": false });
        let v = self.send_once(&format!("/flow_runs/{}/set_state", uuid_id("flow run", id)?), &body).await?;
        serde_json::from_value(v).map_err(|e| Error::Prefect {
            failure: Failure::Unexpected,
            status: None,
            message: format!("Prefect's answer to a state proposal is not an orchestration result: {e}"),
        })
    }

    /// Creates a flow run of a flow (a subflow under `parent_task_run`),
    /// already in `state`.
    pub async fn create_child_flow_run(
        &self,
        flow_id: &str,
        name: &str,
        parent_task_run: &str,
        state: Value,
    ) -> Result<FlowRun> {
        let body = json!({ "flow_id": flow_id, "name": name, "parent_task_run_id": parent_task_run, "state": state });
        self.call(Method::POST, "/flow_runs/", Some(&body)).await
    }

    /// Creates a task run of a flow run, already in `state`.
    pub async fn create_task_run(
        &self,
        flow_run: &str,
        name: &str,
        (task_key, dynamic_key): (&str, &str),
        state: Value,
    ) -> Result<TaskRun> {
        let body = json!({ "flow_run_id": flow_run, "name": name, "task_key": task_key, "dynamic_key": dynamic_key,
                           "state": state });
        self.call(Method::POST, "/task_runs/", Some(&body)).await
    }

    /// Forces a task run into a state.
    pub async fn set_task_state(&self, id: &str, state: Value) -> Result<()> {
        let body = json!({ "state": state, "force": true });
        self.send(Method::POST, &format!("/task_runs/{}/set_state", uuid_id("task run", id)?), Some(&body))
            .await
            .map(|_| ())
    }

    /// Sends log lines (Prefect's `LogCreate`s) in one call.
    pub async fn send_logs(&self, lines: &[Value]) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        self.send(Method::POST, "/logs/", Some(&json!(lines))).await.map(|_| ())
    }

    /// Whether a work pool exists.
    pub async fn work_pool_exists(&self, name: &str) -> Result<bool> {
        Ok(found(self.send(Method::GET, &format!("/work_pools/{}", encode(name)), None).await)?.is_some())
    }

    /// Makes the work pool `name` of type `process`, as Prefect's own workers
    /// do for a pool that does not exist; `false` when it exists already
    /// (made meanwhile by another worker: Prefect answers 409).
    pub async fn create_work_pool(&self, name: &str) -> Result<bool> {
        let body = json!({ "name": name, "type": "process" });
        match self.send(Method::POST, "/work_pools/", Some(&body)).await {
            Ok(_) => Ok(true),
            Err(Error::Prefect { status: Some(409), .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The id of the flow with this name, created if needed (Prefect upserts by name).
    pub async fn ensure_flow(&self, name: &str) -> Result<String> {
        let v: Value = self.call(Method::POST, "/flows/", Some(&json!({ "name": name }))).await?;
        id_of(&v, "/flows/")
    }

    /// Creates a deployment, or updates the one with the same flow and name
    /// (Prefect upserts), so repeating it is harmless.
    /// Creates (or, by flow and name, updates: Prefect upserts) a deployment.
    /// Prefect answers 409 when a concurrent request inserted a row this one
    /// needs at the same moment (the work queue both name, made on first
    /// use); the upsert is tried again then, and succeeds once the other has
    /// committed.
    pub async fn create_deployment(&self, body: &Value) -> Result<Deployment> {
        let mut pause = std::time::Duration::from_millis(100);
        for _ in 0..3 {
            match self.call(Method::POST, "/deployments/", Some(body)).await {
                Err(Error::Prefect { status: Some(409), .. }) => {
                    tokio::time::sleep(pause).await;
                    pause *= 3;
                }
                other => return other,
            }
        }
        self.call(Method::POST, "/deployments/", Some(body)).await
    }

    pub async fn get_deployment(&self, id: &str) -> Result<Deployment> {
        self.call(Method::GET, &format!("/deployments/{}", uuid_id("deployment", id)?), None).await
    }

    /// PATCHes a deployment; `schedules`, when sent, replace all of them.
    pub async fn update_deployment(&self, id: &str, patch: &Value) -> Result<()> {
        self.send(Method::PATCH, &format!("/deployments/{}", uuid_id("deployment", id)?), Some(patch)).await.map(|_| ())
    }

    /// Deletes a deployment; `false` when Prefect did not know it.
    pub async fn delete_deployment(&self, id: &str) -> Result<bool> {
        Ok(found(self.send(Method::DELETE, &format!("/deployments/{}", uuid_id("deployment", id)?), None).await)?
            .is_some())
    }

    /// The deployments with these ids that Prefect knows, in as few calls as
    /// the page size allows.
    pub async fn deployments(&self, ids: &[String]) -> Result<Vec<Deployment>> {
        let mut all = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(PAGE) {
            let body = json!({ "deployments": { "id": { "any_": chunk } }, "limit": PAGE });
            let page: Vec<Deployment> = self.call(Method::POST, "/deployments/filter", Some(&body)).await?;
            all.extend(page);
        }
        Ok(all)
    }

    /// The deployment of a flow with this name, if Prefect has it.
    pub async fn deployment_by_name(&self, flow_name: &str, name: &str) -> Result<Option<Deployment>> {
        let path = format!("/deployments/name/{}/{}", encode(flow_name), encode(name));
        found(self.call(Method::GET, &path, None).await)
    }

    /// Every deployment whose name contains `fragment` (Prefect's `like_`),
    /// page by page.
    pub async fn deployments_named_like(&self, fragment: &str) -> Result<Vec<Deployment>> {
        all_pages(|offset| async move {
            let body = json!({ "deployments": { "name": { "like_": fragment } }, "limit": PAGE, "offset": offset });
            self.call(Method::POST, "/deployments/filter", Some(&body)).await
        })
        .await
    }

    /// The data of the block document `name` of a block type, secrets
    /// revealed; `None` when Prefect has no such block.
    pub async fn block_data(&self, type_slug: &str, name: &str) -> Result<Option<Value>> {
        Ok(self.block_document(type_slug, name).await?.map(|doc| doc.data))
    }

    /// Whether the block document `name` of a block type exists.
    pub async fn block_exists(&self, type_slug: &str, name: &str) -> Result<bool> {
        Ok(self.block_document(type_slug, name).await?.is_some())
    }

    /// Starts a flow run of a deployment now, with its own parameters. The
    /// idempotency key makes a retry return the run already created, so this
    /// is retried like a read.
    pub async fn create_flow_run(&self, deployment_id: &str, idempotency_key: &str) -> Result<FlowRun> {
        let body = json!({ "idempotency_key": idempotency_key });
        self.call(
            Method::POST,
            &format!("/deployments/{}/create_flow_run", uuid_id("deployment", deployment_id)?),
            Some(&body),
        )
        .await
    }

    pub async fn get_flow_run(&self, id: &str) -> Result<FlowRun> {
        self.call(Method::GET, &format!("/flow_runs/{}", uuid_id("flow run", id)?), None).await
    }

    /// One page of flow runs matching a filter body (without limit/offset).
    pub async fn filter_flow_runs(&self, filter: &Value, offset: usize) -> Result<Vec<FlowRun>> {
        self.filter_page("/flow_runs/filter", filter, offset).await
    }

    /// One page of a `…/filter` endpoint's answer to a filter body.
    async fn filter_page<T: DeserializeOwned>(&self, path: &str, filter: &Value, offset: usize) -> Result<Vec<T>> {
        let mut body = filter.clone();
        body["limit"] = json!(PAGE);
        body["offset"] = json!(offset);
        self.call(Method::POST, path, Some(&body)).await
    }

    /// Forces a flow run into a state.
    pub async fn set_state(&self, id: &str, state: Value) -> Result<Value> {
        let body = json!({ "state": state, "force": true });
        self.call(Method::POST, &format!("/flow_runs/{}/set_state", uuid_id("flow run", id)?), Some(&body)).await
    }

    /// One page of task runs matching a filter body (without limit/offset).
    pub async fn filter_task_runs(&self, filter: &Value, offset: usize) -> Result<Vec<TaskRun>> {
        self.filter_page("/task_runs/filter", filter, offset).await
    }

    /// A work pool's queue, if it exists.
    pub async fn work_queue(&self, pool: &str, queue: &str) -> Result<Option<WorkQueue>> {
        let path = format!("/work_pools/{}/queues/{}", encode(pool), encode(queue));
        found(self.call(Method::GET, &path, None).await)
    }

    /// Makes the block document `name` of a block type hold `data`: created
    /// with the type's newest schema, updated, or left as it is. `None` when
    /// Prefect does not know the block type (collections such as
    /// prefect-airbyte register theirs when they are first used).
    pub async fn upsert_block(&self, type_slug: &str, name: &str, data: &Value) -> Result<Option<BlockWrite>> {
        // A concurrent create makes ours fail with 409; the second pass updates.
        for _ in 0..2 {
            if let Some(doc) = self.block_document(type_slug, name).await? {
                if doc.data == *data {
                    return Ok(Some(BlockWrite::Unchanged));
                }
                let patch = json!({ "data": data, "merge_existing_data": false });
                self.send(
                    Method::PATCH,
                    &format!("/block_documents/{}", uuid_id("block document", &doc.id)?),
                    Some(&patch),
                )
                .await?;
                return Ok(Some(BlockWrite::Updated));
            }
            // Only a create needs the type; a lookup of an unknown type's block is just a 404.
            let path = format!("/block_types/slug/{}", encode(type_slug));
            let Some(block_type) = found(self.send(Method::GET, &path, None).await)? else {
                return Ok(None);
            };
            let type_id = id_of(&block_type, "/block_types/slug/")?;
            // A type is registered before its schema: until the schema lands
            // the type is as unusable as an absent one.
            let Some(schema_id) = self.newest_block_schema(&type_id).await? else {
                return Ok(None);
            };
            let body = json!({ "name": name, "data": data, "block_schema_id": schema_id, "block_type_id": type_id,
                               "is_anonymous": false });
            match self.send(Method::POST, "/block_documents/", Some(&body)).await {
                Ok(_) => return Ok(Some(BlockWrite::Created)),
                Err(Error::Prefect { status: Some(409), .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Prefect {
            failure: Failure::Busy,
            status: Some(409),
            message: format!("Prefect block {name} keeps changing under us; try again"),
        })
    }

    /// Deletes the block document `name` of a block type; `false` when
    /// Prefect has no such block (or no such type).
    pub async fn delete_block(&self, type_slug: &str, name: &str) -> Result<bool> {
        let Some(doc) = self.block_document(type_slug, name).await? else {
            return Ok(false);
        };
        Ok(found(
            self.send(Method::DELETE, &format!("/block_documents/{}", uuid_id("block document", &doc.id)?), None).await,
        )?
        .is_some())
    }

    async fn block_document(&self, type_slug: &str, name: &str) -> Result<Option<BlockDocument>> {
        let path = format!(
            "/block_types/slug/{}/block_documents/name/{}?include_secrets=true",
            encode(type_slug),
            encode(name)
        );
        found(self.call(Method::GET, &path, None).await)
    }

    /// Prefect lists a type's schemas newest first; `None` while the type
    /// has none yet.
    async fn newest_block_schema(&self, type_id: &str) -> Result<Option<String>> {
        let body = json!({ "block_schemas": { "block_type_id": { "any_": [type_id] } }, "limit": 1 });
        let schemas: Vec<Value> = self.call(Method::POST, "/block_schemas/filter", Some(&body)).await?;
        schemas.first().map(|schema| id_of(schema, "/block_schemas/filter")).transpose()
    }

    /// One page of the logs of these flow runs, oldest first; `since`
    /// keeps only lines stamped at or after it.
    pub async fn logs(
        &self,
        flow_run_ids: &[String],
        since: Option<DateTime<Utc>>,
        offset: usize,
    ) -> Result<Vec<LogEntry>> {
        let mut filter = json!({ "flow_run_id": { "any_": flow_run_ids } });
        if let Some(t) = since {
            filter["timestamp"] = json!({ "after_": t });
        }
        let body = json!({ "logs": filter, "sort": "TIMESTAMP_ASC", "offset": offset, "limit": PAGE });
        self.call(Method::POST, "/logs/filter", Some(&body)).await
    }
}

/// A 404 as `None`, for lookups and deletes where absence is an answer.
fn found<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn id_of(v: &Value, path: &str) -> Result<String> {
    v.get("id").and_then(Value::as_str).map(String::from).ok_or_else(|| Error::Prefect {
        failure: Failure::Unexpected,
        status: None,
        message: format!("Prefect's answer to {path} has no id"),
    })
}

#[cfg(test)]
mod tests;
