//! A stand-in Airbyte server for tests and benchmarks: Airbyte cannot run here.
//!
//! It keeps workspaces, sources, destinations, connections and jobs in memory,
//! and checks every request body against the real Config API spec
//! (`tests/specs/airbyte-config-api.yaml`, v0.58.0, and the v2.0.0 spec where
//! the path exists there) and every response it sends against the spec of the
//! version it emulates, with the spec's known `json_schema` mistake patched.
//! An invalid request is answered 422 and recorded in `violations()`; tests
//! assert that list stays empty. Faults (status codes, delays), latency,
//! auth modes, pagination (2.x) and structured logs (1.2+) are configurable.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SPEC_058: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/specs/airbyte-config-api.yaml");
const SPEC_200: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/specs/airbyte-config-api-v2.0.0.yaml");
const POSTGRES_SOURCE_DEF: &str = "decd338e-5647-4c0b-adf4-da0e75f5a750";
const FILE_SOURCE_DEF: &str = "778daa7c-feaf-4db6-96f3-70fd645acc77";
const POSTGRES_DEST_DEF: &str = "25c5221d-dce2-4163-ade9-739ef790f503";
const BIGQUERY_DEST_DEF: &str = "22f6c74f-5699-40ff-833c-4a879ea40133";
const SNOWFLAKE_DEST_DEF: &str = "424892c4-daac-4491-b35d-c6688ba547ba";

/// One API version's schemas, compiled.
struct Spec {
    root: Value,
    /// path ("/v1/…") → (request schema ref, 200 response schema)
    ops: HashMap<String, (Option<Value>, Option<Value>)>,
}

fn load(path: &str) -> Spec {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let mut root: Value = serde_yaml::from_str(&text).unwrap();
    // The spec's known mistake: AirbyteStream requires `json_schema`, the property is `jsonSchema`.
    if let Some(req) = root.pointer_mut("/components/schemas/AirbyteStream/required").and_then(Value::as_array_mut) {
        for r in req.iter_mut() {
            if r == "json_schema" {
                *r = json!("jsonSchema");
            }
        }
    }
    let mut ops = HashMap::new();
    for (path, item) in root["paths"].as_object().unwrap() {
        for method in ["post", "get"] {
            if let Some(op) = item.get(method) {
                let req = op.pointer("/requestBody/content/application~1json/schema").cloned();
                let resp = op.pointer("/responses/200/content/application~1json/schema").cloned();
                ops.insert(path.clone(), (req, resp));
            }
        }
    }
    Spec { root, ops }
}

fn spec(version: Version) -> &'static Spec {
    static V058: OnceLock<Spec> = OnceLock::new();
    static V200: OnceLock<Spec> = OnceLock::new();
    match version {
        Version::V058 => V058.get_or_init(|| load(SPEC_058)),
        Version::V200 => V200.get_or_init(|| load(SPEC_200)),
    }
}

/// Validates `instance` against `schema` (a schema object or `$ref`) within
/// the spec; each distinct schema is compiled once.
fn check(spec: &Spec, schema: &Value, instance: &Value) -> Vec<String> {
    type Cache = Mutex<HashMap<String, Arc<jsonschema::Validator>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = format!("{:p}{schema}", spec as *const Spec);
    let cached = CACHE.get_or_init(Default::default).lock().unwrap().get(&key).cloned();
    let validator = cached.unwrap_or_else(|| {
        let mut doc = json!({ "components": spec.root["components"].clone() });
        if let (Value::Object(d), Value::Object(s)) = (&mut doc, schema) {
            for (k, v) in s {
                d.insert(k.clone(), v.clone());
            }
        }
        let v = Arc::new(
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft7)
                .should_validate_formats(true)
                .build(&doc)
                .expect("spec schema compiles"),
        );
        CACHE.get_or_init(Default::default).lock().unwrap().insert(key, v.clone());
        v
    });
    validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// 0.58: plain lists, plain log lines.
    V058,
    /// 2.0: cursor-paginated source/destination lists, structured logs.
    V200,
}

#[derive(Debug, Clone)]
pub enum Auth {
    None,
    /// `Authorization: Basic <token>` as Dalgo sends AIRBYTE_API_TOKEN.
    Basic(String),
    /// abctl: a bearer token from /applications/token.
    Client {
        id: String,
        secret: String,
    },
}

#[derive(Debug, Clone)]
pub struct Options {
    pub version: Version,
    pub auth: Auth,
    /// Added to every answer.
    pub latency: Duration,
    /// How long a sync job runs before it succeeds.
    pub job_duration: Duration,
    /// The page size of 2.x lists.
    pub page_size: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            version: Version::V058,
            auth: Auth::None,
            latency: Duration::ZERO,
            job_duration: Duration::from_millis(300),
            page_size: 20,
        }
    }
}

/// A fault to inject into the next calls of a path.
#[derive(Debug, Clone)]
pub enum Fault {
    Status(u16),
    Delay(Duration),
    /// The request is recorded and never answered (a server that hangs).
    Hang,
    /// The request is carried out and never answered (a server that hangs
    /// after doing the work, or a reply lost on the way).
    HangAfter,
}

/// Holds a connection open, unanswered, for as long as the test process lives.
fn hang() -> ! {
    loop {
        std::thread::park();
    }
}

/// A request as the stub received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub authorization: Option<String>,
}

struct JobState {
    id: i64,
    config_type: &'static str,
    connection: String,
    started: Instant,
    cancelled: bool,
    fail: bool,
    /// Running until [`Stub::release_jobs`], however long that takes.
    held: bool,
}

#[derive(Default)]
struct State {
    workspaces: Vec<Value>,
    sources: Vec<Value>,
    destinations: Vec<Value>,
    connections: Vec<Value>,
    jobs: Vec<JobState>,
    next_id: u64,
    requests: Vec<Request>,
    violations: Vec<String>,
    faults: HashMap<String, VecDeque<Fault>>,
    tokens: Vec<String>,
    failing_connections: Vec<String>,
    /// New jobs stay running until released.
    hold: bool,
    /// Per connection: the catalog and catalog diff a refresh finds, and the new catalog's id.
    schema_changes: HashMap<String, (Value, Value, String)>,
}

impl State {
    fn uuid(&mut self) -> String {
        self.next_id += 1;
        format!("5a1b2c3d-0000-4000-8000-{:012x}", self.next_id)
    }
}

pub struct Stub {
    pub addr: SocketAddr,
    opts: Options,
    state: Arc<Mutex<State>>,
}

impl Stub {
    pub fn start(opts: Options) -> Stub {
        spec(Version::V058);
        spec(opts.version);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let (st, o) = (state.clone(), opts.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (st, o) = (st.clone(), o.clone());
                std::thread::spawn(move || serve(stream, &st, &o));
            }
        });
        Stub { addr, opts, state }
    }

    pub fn port(&self) -> String {
        self.addr.port().to_string()
    }

    /// The next `times` calls of `path` (e.g. "/v1/sources/list") suffer `fault`.
    pub fn fault(&self, path: &str, fault: Fault, times: usize) {
        let mut s = self.state.lock().unwrap();
        let q = s.faults.entry(path.to_string()).or_default();
        q.extend(std::iter::repeat_n(fault, times));
    }

    /// Jobs started from now on run until [`Stub::release_jobs`]: a test
    /// acts while a job is surely running, whatever the machine's speed.
    pub fn hold_jobs(&self) {
        self.state.lock().unwrap().hold = true;
    }

    /// Held jobs end now (as their duration says they would have), and new
    /// ones run for the job duration again.
    pub fn release_jobs(&self) {
        let mut s = self.state.lock().unwrap();
        s.hold = false;
        let ended = Instant::now().checked_sub(self.opts.job_duration).unwrap_or_else(Instant::now);
        for job in s.jobs.iter_mut().filter(|j| j.held) {
            job.held = false;
            job.started = ended;
        }
    }

    /// Bearer tokens issued so far stop working (as if expired).
    pub fn expire_tokens(&self) {
        self.state.lock().unwrap().tokens.clear();
    }

    /// The source of this connection changed: a catalog refresh finds
    /// `catalog` (a whole `syncCatalog`), described by `diff` (a `CatalogDiff`).
    pub fn change_schema(&self, connection: &str, catalog: Value, diff: Value) {
        let mut s = self.state.lock().unwrap();
        let id = s.uuid();
        s.schema_changes.insert(connection.to_string(), (catalog, diff, id));
    }

    /// A connection as the stub holds it now.
    pub fn connection(&self, id: &str) -> Value {
        let s = self.state.lock().unwrap();
        s.connections.iter().find(|c| c["connectionId"] == id).cloned().unwrap_or(Value::Null)
    }

    /// Syncs of this connection fail.
    pub fn fail_syncs_of(&self, connection: &str) {
        self.state.lock().unwrap().failing_connections.push(connection.to_string());
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.path == path).collect()
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }

    /// A workspace with a Postgres source and `n` active connections to a
    /// Postgres destination, made directly in the stub's state.
    pub fn seed_connections(&self, workspace_id: &str, n: usize) -> Vec<String> {
        let mut s = self.state.lock().unwrap();
        let src = s.uuid();
        let dst = s.uuid();
        s.sources.push(source_read(&src, workspace_id, "seed-source", POSTGRES_SOURCE_DEF, json!({"host": "h"})));
        s.destinations.push(destination_read(&dst, workspace_id, "seed-dest", POSTGRES_DEST_DEF, json!({"host": "h"})));
        (0..n)
            .map(|i| {
                let id = s.uuid();
                let conn = connection_read(
                    &id,
                    &format!("seed-{i}"),
                    &src,
                    &dst,
                    workspace_id,
                    catalog(),
                    json!({"scheduleType": "manual"}),
                );
                s.connections.push(conn);
                id
            })
            .collect()
    }

    /// Registers a workspace directly in the stub's state.
    pub fn seed_workspace(&self, name: &str) -> String {
        let mut s = self.state.lock().unwrap();
        let id = s.uuid();
        s.workspaces.push(workspace_read(&id, name));
        id
    }

    /// Live (not deleted) objects of a kind: "workspaces", "sources", "destinations", "connections".
    pub fn count(&self, kind: &str) -> usize {
        let s = self.state.lock().unwrap();
        match kind {
            "workspaces" => s.workspaces.len(),
            "sources" => s.sources.len(),
            "destinations" => s.destinations.len(),
            "connections" => s.connections.iter().filter(|c| c["status"] != "deprecated").count(),
            _ => panic!("unknown kind {kind}"),
        }
    }

    /// Adds `n` sources to a workspace (for pagination).
    pub fn seed_sources(&self, workspace_id: &str, n: usize) {
        let mut s = self.state.lock().unwrap();
        for i in 0..n {
            let id = s.uuid();
            s.sources.push(source_read(
                &id,
                workspace_id,
                &format!("bulk-{i:03}"),
                POSTGRES_SOURCE_DEF,
                json!({"host": "h"}),
            ));
        }
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, opts: &Options) {
    let Ok(clone) = stream.try_clone() else { return };
    let mut reader = BufReader::new(clone);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let full_path = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body: Value =
        if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(json!("<not json>")) };
    let path = full_path.strip_prefix("/api").unwrap_or(&full_path).to_string();
    std::thread::sleep(opts.latency);
    let (status, reply) = handle(state, opts, &method, &path, body, headers.get("authorization").cloned());
    let text = if reply.is_null() { String::new() } else { reply.to_string() };
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        text.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(text.as_bytes());
}

fn error(status: u16, message: &str) -> (u16, Value) {
    (status, json!({ "message": message }))
}

fn handle(
    state: &Mutex<State>,
    opts: &Options,
    method: &str,
    path: &str,
    body: Value,
    auth: Option<String>,
) -> (u16, Value) {
    let fault = {
        let mut s = state.lock().unwrap();
        s.requests.push(Request {
            method: method.into(),
            path: path.into(),
            body: body.clone(),
            authorization: auth.clone(),
        });
        s.faults.get_mut(path).and_then(VecDeque::pop_front)
    };
    let hang_after = matches!(fault, Some(Fault::HangAfter));
    match fault {
        Some(Fault::Status(code)) => return error(code, "injected fault"),
        Some(Fault::Delay(d)) => std::thread::sleep(d),
        Some(Fault::Hang) => hang(),
        Some(Fault::HangAfter) | None => {}
    }
    // Every request body, against every spec that has the path.
    for version in [Version::V058, Version::V200] {
        let sp = spec(version);
        match sp.ops.get(path) {
            Some((Some(schema), _)) => {
                let problems = check(sp, schema, &body);
                if !problems.is_empty() {
                    let msg = format!("{path} request invalid against {version:?}: {}", problems.join("; "));
                    state.lock().unwrap().violations.push(msg.clone());
                    return (422, json!({ "message": msg, "validationErrors": [] }));
                }
            }
            Some((None, _)) => {}
            None if version == Version::V058 && path != "/v1/applications/token" => {
                state.lock().unwrap().violations.push(format!("{path}: not in the v0.58 spec"));
                return error(404, "no such endpoint");
            }
            None => {}
        }
    }
    if let Some(denied) = authorize(state, opts, path, &body, auth.as_deref()) {
        return denied;
    }
    let (status, reply) = respond(state, opts, path, &body);
    if status == 200 {
        let sp = spec(opts.version);
        if let Some((_, Some(schema))) = sp.ops.get(path) {
            let problems = check(sp, schema, &reply);
            if !problems.is_empty() {
                state.lock().unwrap().violations.push(format!("{path} RESPONSE invalid: {}", problems.join("; ")));
            }
        }
    }
    if hang_after {
        hang();
    }
    (status, reply)
}

fn authorize(
    state: &Mutex<State>,
    opts: &Options,
    path: &str,
    body: &Value,
    auth: Option<&str>,
) -> Option<(u16, Value)> {
    match &opts.auth {
        Auth::None => None,
        Auth::Basic(token) => (auth != Some(&format!("Basic {token}"))).then(|| error(401, "Unauthorized")),
        Auth::Client { id, secret } => {
            let mut s = state.lock().unwrap();
            if path == "/v1/applications/token" {
                if body["client_id"] != id.as_str() || body["client_secret"] != secret.as_str() {
                    return Some(error(401, "invalid client credentials"));
                }
                let token = format!("token-{}", s.tokens.len() + s.requests.len());
                s.tokens.push(token.clone());
                return Some((200, json!({ "access_token": token, "token_type": "Bearer", "expires_in": 900 })));
            }
            let ok = auth.and_then(|a| a.strip_prefix("Bearer ")).is_some_and(|t| s.tokens.iter().any(|k| k == t));
            (!ok).then(|| error(401, "Unauthorized"))
        }
    }
}

fn job_info_stub() -> Value {
    json!({ "id": "9d0e1f20-0000-4000-8000-000000000006", "configType": "get_spec", "configId": "x",
            "createdAt": 1714000000000i64, "endedAt": 1714000004000i64, "succeeded": true, "connectorConfigurationUpdated": false,
            "logs": { "logLines": [] } })
}

fn workspace_read(id: &str, name: &str) -> Value {
    json!({ "workspaceId": id, "customerId": "b2c3d4e5-0000-4000-8000-000000000007", "name": name, "slug": name,
            "initialSetupComplete": false, "organizationId": "00000000-0000-0000-0000-000000000000", "tombstone": false,
            "notifications": [] })
}

fn source_read(id: &str, ws: &str, name: &str, def: &str, config: Value) -> Value {
    json!({ "sourceDefinitionId": def, "sourceId": id, "workspaceId": ws, "connectionConfiguration": mask(config),
            "name": name, "sourceName": if def == FILE_SOURCE_DEF { "File" } else { "Postgres" }, "createdAt": 1714000000 })
}

fn destination_read(id: &str, ws: &str, name: &str, def: &str, config: Value) -> Value {
    json!({ "destinationDefinitionId": def, "destinationId": id, "workspaceId": ws, "connectionConfiguration": mask(config),
            "name": name, "destinationName": destination_name(def), "createdAt": 1714000000 })
}

fn destination_name(def: &str) -> &'static str {
    match def {
        BIGQUERY_DEST_DEF => "BigQuery",
        SNOWFLAKE_DEST_DEF => "Snowflake",
        _ => "Postgres",
    }
}

/// Airbyte masks secrets in what it returns.
fn mask(mut config: Value) -> Value {
    if let Some(o) = config.as_object_mut() {
        for (k, v) in o.iter_mut() {
            if k.contains("password") || k.contains("credentials_json") || k.contains("private_key") {
                *v = json!("**********");
            } else if v.is_object() {
                *v = mask(v.take());
            }
        }
    }
    config
}

fn catalog() -> Value {
    let stream = |name: &str, modes: Value| {
        json!({ "stream": { "name": name, "jsonSchema": { "type": "object", "properties": { "id": { "type": "integer" } } },
                             "supportedSyncModes": modes, "sourceDefinedCursor": false, "defaultCursorField": [],
                             "sourceDefinedPrimaryKey": [["id"]], "namespace": "public" },
                "config": { "syncMode": "full_refresh", "destinationSyncMode": "overwrite", "selected": true, "aliasName": name,
                            "cursorField": [], "primaryKey": [["id"]] } })
    };
    json!({ "streams": [stream("orders", json!(["full_refresh", "incremental"])), stream("customers", json!(["full_refresh"]))] })
}

fn connection_read(id: &str, name: &str, src: &str, dst: &str, ws: &str, sync_catalog: Value, extra: Value) -> Value {
    let mut c = json!({ "connectionId": id, "name": name, "sourceId": src, "destinationId": dst, "syncCatalog": sync_catalog,
                        "status": "active", "breakingChange": false, "workspaceId": ws, "namespaceDefinition": "destination",
                        "scheduleType": "manual", "created_at": 1714000050 });
    merge(&mut c, extra);
    c
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        for (k, v) in b {
            a.insert(k, v);
        }
    }
}

/// Airbyte checks a config against its connector's specification (so a
/// Postgres destination refuses BigQuery's config) and answers 422.
fn unfit_config(def: &str, config: &Value) -> Option<(u16, Value)> {
    let validator = jsonschema::validator_for(&spec_for(def)).expect("connector spec compiles");
    let problems: Vec<String> = validator.iter_errors(config).map(|e| e.to_string()).collect();
    (!problems.is_empty()).then(|| {
        error(
            422,
            &format!("The provided configuration does not fulfill the specification. Errors: {}", problems.join("; ")),
        )
    })
}

fn spec_for(def: &str) -> Value {
    match def {
        FILE_SOURCE_DEF => json!({ "type": "object", "required": ["url", "format"], "properties": {
            "url": { "type": "string" }, "format": { "type": "string", "enum": ["csv", "json"] } } }),
        BIGQUERY_DEST_DEF => {
            json!({ "type": "object", "required": ["project_id", "dataset_id", "dataset_location", "credentials_json"],
            "properties": { "project_id": { "type": "string" }, "dataset_id": { "type": "string" },
                            "dataset_location": { "type": "string" }, "credentials_json": { "type": "string", "airbyte_secret": true } } })
        }
        // destination-snowflake's spec: the fields dalgo writes, and the
        // password and key-pair ways of its `credentials` (OAuth left out).
        SNOWFLAKE_DEST_DEF => json!({ "type": "object",
            "required": ["host", "role", "warehouse", "database", "schema", "username"],
            "properties": {
                "host": { "type": "string", "pattern": "^(http(s)?:\\/\\/)?([^./?#]+\\.)?([^./?#]+\\.)?([^./?#]+\\.)?([^./?#]+\\.snowflakecomputing\\.com)$" },
                "role": { "type": "string" }, "warehouse": { "type": "string" }, "database": { "type": "string" },
                "schema": { "type": "string" }, "username": { "type": "string" },
                "credentials": { "type": "object", "oneOf": [
                    { "type": "object", "required": ["private_key"], "properties": {
                        "auth_type": { "type": "string", "const": "Key Pair Authentication" },
                        "private_key": { "type": "string", "airbyte_secret": true },
                        "private_key_password": { "type": "string", "airbyte_secret": true } } },
                    { "type": "object", "required": ["password"], "properties": {
                        "auth_type": { "type": "string", "const": "Username and Password" },
                        "password": { "type": "string", "airbyte_secret": true } } } ] } } }),
        _ => json!({ "type": "object", "required": ["host", "port", "database", "username"], "properties": {
            "host": { "type": "string" }, "port": { "type": "integer", "minimum": 0, "maximum": 65536 },
            "database": { "type": "string" }, "username": { "type": "string" }, "schema": { "type": "string" },
            "password": { "type": "string", "airbyte_secret": true } } }),
    }
}

impl JobState {
    fn status(&self, duration: Duration) -> &'static str {
        if self.cancelled {
            "cancelled"
        } else if self.held || self.started.elapsed() < duration {
            "running"
        } else if self.fail {
            "failed"
        } else {
            "succeeded"
        }
    }

    fn read(&self, duration: Duration) -> Value {
        let fraction = (self.started.elapsed().as_secs_f64() / duration.as_secs_f64().max(0.001)).min(1.0);
        let records = (fraction * 1000.0) as i64;
        let status = self.status(duration);
        // A failed sync read its records and committed none, as Airbyte reports a destination failure.
        let committed = if status == "failed" { 0 } else { records };
        json!({ "id": self.id, "configType": self.config_type, "configId": self.connection, "createdAt": 1714000100,
                "updatedAt": 1714000100 + self.started.elapsed().as_secs() as i64, "startedAt": 1714000100,
                "status": status,
                "aggregatedStats": { "recordsEmitted": records, "bytesEmitted": records * 100,
                                     "recordsCommitted": committed, "bytesCommitted": committed * 100, "recordsRejected": 0 } })
    }
}

fn attempt_info(opts: &Options, job: &JobState) -> Value {
    let status = match job.status(opts.job_duration) {
        "succeeded" => "succeeded",
        "running" => "running",
        _ => "failed",
    };
    let mut attempt = json!({ "id": 0, "status": status, "createdAt": 1714000101, "updatedAt": 1714000101 });
    if job.status(opts.job_duration) == "failed" {
        attempt["failureSummary"] = json!({ "failures": [{ "failureOrigin": "destination", "failureType": "system_error",
            "externalMessage": "Destination failed: relation \"orders\" is locked", "timestamp": 1714000102000i64 }] });
    }
    match opts.version {
        Version::V058 => {
            json!({ "attempt": attempt, "logs": { "logLines": [format!("job {} attempt 0 started", job.id), "sync done"] } })
        }
        Version::V200 => json!({ "attempt": attempt, "logType": "structured", "logs": { "version": "1", "events": [
            { "timestamp": 1714000101000i64, "message": format!("job {} attempt 0 started", job.id), "level": "info", "logSource": "platform" },
            { "timestamp": 1714000102000i64, "message": "sync done", "level": "info", "logSource": "replication-orchestrator" } ] } }),
    }
}

fn respond(state: &Mutex<State>, opts: &Options, path: &str, b: &Value) -> (u16, Value) {
    let mut s = state.lock().unwrap();
    let id_of = |key: &str| b[key].as_str().unwrap_or_default().to_string();
    let find = |list: &Vec<Value>, key: &str, id: &str| list.iter().position(|x| x[key] == id);
    match path {
        "/v1/health" => (200, json!({ "available": true })),
        "/v1/instance_configuration" => (
            200,
            json!({
            "edition": "community", "version": if opts.version == Version::V058 { "0.58.0" } else { "2.0.0" },
            "airbyteUrl": "http://localhost:8000", "initialSetupComplete": true, "defaultUserId": "00000000-0000-0000-0000-000000000000",
            "defaultOrganizationId": "00000000-0000-0000-0000-000000000000", "defaultWorkspaceId": "00000000-0000-0000-0000-000000000000",
            "trackingStrategy": "logging" }),
        ),
        "/v1/workspaces/create" => {
            let id = s.uuid();
            let ws = workspace_read(&id, b["name"].as_str().unwrap_or_default());
            s.workspaces.push(ws.clone());
            (200, ws)
        }
        "/v1/workspaces/get" => match find(&s.workspaces, "workspaceId", &id_of("workspaceId")) {
            Some(i) => (200, s.workspaces[i].clone()),
            None => error(404, "workspace not found"),
        },
        "/v1/workspaces/delete" => match find(&s.workspaces, "workspaceId", &id_of("workspaceId")) {
            Some(i) => {
                let ws = id_of("workspaceId");
                s.workspaces.remove(i);
                s.sources.retain(|x| x["workspaceId"] != ws.as_str());
                s.destinations.retain(|x| x["workspaceId"] != ws.as_str());
                s.connections.retain(|x| x["workspaceId"] != ws.as_str());
                (204, Value::Null)
            }
            None => error(404, "workspace not found"),
        },
        "/v1/source_definitions/list_for_workspace" => (
            200,
            json!({ "sourceDefinitions": [
            { "sourceDefinitionId": POSTGRES_SOURCE_DEF, "name": "Postgres", "dockerRepository": "airbyte/source-postgres", "dockerImageTag": "3.3.26" },
            { "sourceDefinitionId": FILE_SOURCE_DEF, "name": "File (CSV, JSON, Excel, Feather, Parquet)", "dockerRepository": "airbyte/source-file", "dockerImageTag": "0.5.0" } ] }),
        ),
        "/v1/destination_definitions/list_for_workspace" => {
            let def = |id: &str, name: &str, repo: &str| {
                let mut d = json!({ "destinationDefinitionId": id, "name": name, "dockerRepository": repo, "dockerImageTag": "2.0.9",
                                    "documentationUrl": "https://docs.airbyte.com" });
                if opts.version == Version::V058 {
                    merge(&mut d, json!({ "supportsDbt": true, "normalizationConfig": { "supported": false } }));
                }
                d
            };
            (
                200,
                json!({ "destinationDefinitions": [def(POSTGRES_DEST_DEF, "Postgres", "airbyte/destination-postgres"),
                                                      def(BIGQUERY_DEST_DEF, "BigQuery", "airbyte/destination-bigquery"),
                                                      def(SNOWFLAKE_DEST_DEF, "Snowflake", "airbyte/destination-snowflake")] }),
            )
        }
        "/v1/source_definition_specifications/get" => (
            200,
            json!({ "sourceDefinitionId": id_of("sourceDefinitionId"),
            "connectionSpecification": spec_for(&id_of("sourceDefinitionId")), "jobInfo": job_info_stub() }),
        ),
        "/v1/destination_definition_specifications/get" => (
            200,
            json!({ "destinationDefinitionId": id_of("destinationDefinitionId"),
            "connectionSpecification": spec_for(&id_of("destinationDefinitionId")), "jobInfo": job_info_stub(),
            "supportedDestinationSyncModes": ["overwrite", "append"] }),
        ),
        "/v1/sources/create" | "/v1/destinations/create" => {
            let id = s.uuid();
            let src = path.starts_with("/v1/sources");
            let (ws, name, cfg) =
                (id_of("workspaceId"), b["name"].as_str().unwrap_or_default(), b["connectionConfiguration"].clone());
            let def = id_of(if src { "sourceDefinitionId" } else { "destinationDefinitionId" });
            if let Some(refused) = unfit_config(&def, &cfg) {
                return refused;
            }
            if src {
                let r = source_read(&id, &ws, name, &id_of("sourceDefinitionId"), cfg);
                s.sources.push(r.clone());
                (200, r)
            } else {
                let r = destination_read(&id, &ws, name, &id_of("destinationDefinitionId"), cfg);
                s.destinations.push(r.clone());
                (200, r)
            }
        }
        "/v1/sources/get"
        | "/v1/sources/update"
        | "/v1/sources/delete"
        | "/v1/sources/check_connection"
        | "/v1/destinations/get"
        | "/v1/destinations/update"
        | "/v1/destinations/delete"
        | "/v1/destinations/check_connection" => {
            let src = path.starts_with("/v1/sources");
            let key = if src { "sourceId" } else { "destinationId" };
            let id = id_of(key);
            let list = if src { &mut s.sources } else { &mut s.destinations };
            let Some(i) = list.iter().position(|x| x[key] == id.as_str()) else {
                return error(404, &format!("{key} {id} not found"));
            };
            match path.rsplit('/').next().unwrap_or_default() {
                "get" => (200, list[i].clone()),
                "delete" => {
                    list.remove(i);
                    (204, Value::Null)
                }
                "update" => {
                    let def = list[i][if src { "sourceDefinitionId" } else { "destinationDefinitionId" }].clone();
                    if let Some(refused) = unfit_config(def.as_str().unwrap_or_default(), &b["connectionConfiguration"])
                    {
                        return refused;
                    }
                    list[i]["name"] = b["name"].clone();
                    list[i]["connectionConfiguration"] = mask(b["connectionConfiguration"].clone());
                    (200, list[i].clone())
                }
                _ => {
                    let ok = list[i]["connectionConfiguration"]["host"] != "unreachable.example";
                    let mut r =
                        json!({ "status": if ok { "succeeded" } else { "failed" }, "jobInfo": job_info_stub() });
                    if !ok {
                        r["message"] = json!("Could not connect with provided configuration.");
                    }
                    (200, r)
                }
            }
        }
        "/v1/sources/list" | "/v1/destinations/list" => {
            let src = path.starts_with("/v1/sources");
            let (key, plural) = if src { ("sourceId", "sources") } else { ("destinationId", "destinations") };
            let ws = id_of("workspaceId");
            let mut items: Vec<Value> = (if src { &s.sources } else { &s.destinations })
                .iter()
                .filter(|x| x["workspaceId"] == ws.as_str())
                .cloned()
                .collect();
            if opts.version == Version::V058 {
                return (200, json!({ plural: items }));
            }
            let size = b["pageSize"].as_u64().map_or(opts.page_size, |p| (p as usize).min(opts.page_size));
            if let Some(cursor) = b["cursor"].as_str() {
                let at = items.iter().position(|x| x[key] == cursor).map_or(items.len(), |p| p + 1);
                items.drain(..at);
            }
            items.truncate(size);
            (200, json!({ plural: items, "page_size": size }))
        }
        "/v1/sources/discover_schema" => match find(&s.sources, "sourceId", &id_of("sourceId")) {
            Some(_) => (
                200,
                json!({ "catalog": catalog(), "jobInfo": job_info_stub(), "catalogId": "8c9d0e1f-0000-4000-8000-000000000005" }),
            ),
            None => error(404, "source not found"),
        },
        "/v1/connections/create" => {
            let id = s.uuid();
            let ws = s
                .sources
                .iter()
                .find(|x| x["sourceId"] == b["sourceId"])
                .map(|x| x["workspaceId"].clone())
                .unwrap_or(json!(null));
            let mut extra = json!({});
            for k in ["scheduleType", "scheduleData", "namespaceDefinition", "namespaceFormat", "status"] {
                if !b[k].is_null() {
                    extra[k] = b[k].clone();
                }
            }
            let name = b["name"].as_str().unwrap_or("connection").to_string();
            let c = connection_read(
                &id,
                &name,
                &id_of("sourceId"),
                &id_of("destinationId"),
                ws.as_str().unwrap_or_default(),
                b["syncCatalog"].clone(),
                extra,
            );
            s.connections.push(c.clone());
            (200, c)
        }
        "/v1/connections/list" => {
            let ws = id_of("workspaceId");
            (
                200,
                json!({ "connections": s.connections.iter().filter(|c| c["workspaceId"] == ws.as_str()).cloned().collect::<Vec<_>>() }),
            )
        }
        "/v1/connections/get"
        | "/v1/connections/update"
        | "/v1/connections/delete"
        | "/v1/connections/sync"
        | "/v1/connections/reset"
        | "/v1/connections/clear"
        | "/v1/connections/clear/stream" => {
            let id = id_of("connectionId");
            let Some(i) =
                find(&s.connections, "connectionId", &id).filter(|&i| s.connections[i]["status"] != "deprecated")
            else {
                return error(404, &format!("connection {id} not found"));
            };
            match path.trim_start_matches("/v1/connections/") {
                "get" => (200, s.connections[i].clone()),
                "update" => {
                    for (k, v) in b.as_object().unwrap() {
                        s.connections[i][k] = v.clone();
                    }
                    (200, s.connections[i].clone())
                }
                "delete" => {
                    s.connections[i]["status"] = json!("deprecated");
                    (204, Value::Null)
                }
                verb => {
                    if s.jobs.iter().any(|j| j.connection == id && j.status(opts.job_duration) == "running") {
                        return (
                            409,
                            json!({ "message": format!("A sync is already running for: {id}"),
                                             "exceptionClassName": "io.airbyte.commons.server.errors.ValueConflictKnownException" }),
                        );
                    }
                    let job = JobState {
                        id: 100 + s.jobs.len() as i64,
                        config_type: if verb == "sync" { "sync" } else { "reset_connection" },
                        fail: s.failing_connections.contains(&id),
                        connection: id,
                        started: Instant::now(),
                        cancelled: false,
                        held: s.hold,
                    };
                    let r = json!({ "job": job.read(opts.job_duration), "attempts": [attempt_info(opts, &job)] });
                    s.jobs.push(job);
                    (200, r)
                }
            }
        }
        "/v1/web_backend/connections/get" | "/v1/web_backend/connections/update" => {
            let id = id_of("connectionId");
            let Some(i) =
                find(&s.connections, "connectionId", &id).filter(|&i| s.connections[i]["status"] != "deprecated")
            else {
                return error(404, &format!("connection {id} not found"));
            };
            let refreshed = path.ends_with("get") && b["withRefreshedCatalog"] == true;
            if path.ends_with("update") {
                s.schema_changes.remove(&id);
                for (k, v) in b.as_object().unwrap() {
                    if k != "skipReset" {
                        s.connections[i][k] = v.clone();
                    }
                }
            }
            let c = s.connections[i].clone();
            let actor = |list: &Vec<Value>, key: &str| list.iter().find(|x| x[key] == c[key]).cloned();
            let (Some(source), Some(destination)) =
                (actor(&s.sources, "sourceId"), actor(&s.destinations, "destinationId"))
            else {
                return error(404, "the connection's source or destination is gone");
            };
            let mut read = json!({ "connectionId": id, "name": c["name"], "sourceId": c["sourceId"],
                                   "destinationId": c["destinationId"], "syncCatalog": c["syncCatalog"], "status": c["status"],
                                   "namespaceDefinition": c["namespaceDefinition"], "scheduleType": c["scheduleType"],
                                   "source": source, "destination": destination, "isSyncing": false, "schemaChange": "no_change",
                                   "notifySchemaChanges": false, "notifySchemaChangesByEmail": false,
                                   "nonBreakingChangesPreference": "ignore" });
            if let Some(catalog_id) = c.get("sourceCatalogId") {
                read["catalogId"] = catalog_id.clone();
            }
            if refreshed {
                read["catalogDiff"] = json!({ "transforms": [] });
                if let Some((catalog, diff, catalog_id)) = s.schema_changes.get(&id) {
                    read["syncCatalog"] = catalog.clone();
                    read["catalogDiff"] = diff.clone();
                    read["catalogId"] = json!(catalog_id);
                    read["schemaChange"] = json!("non_breaking");
                }
            }
            (200, read)
        }
        "/v1/jobs/get_light" | "/v1/jobs/get_without_logs" | "/v1/jobs/cancel" => {
            let id = b["id"].as_i64().unwrap_or(-1);
            let Some(job) = s.jobs.iter_mut().find(|j| j.id == id) else { return error(404, "job not found") };
            if path.ends_with("cancel") {
                job.cancelled = true;
            }
            let read = job.read(opts.job_duration);
            if path.ends_with("get_light") {
                (200, json!({ "job": read }))
            } else {
                let mut attempt = attempt_info(opts, job);
                attempt["logs"] = json!({ "logLines": [] });
                attempt.as_object_mut().unwrap().remove("logType");
                (200, json!({ "job": read, "attempts": [attempt] }))
            }
        }
        "/v1/jobs/list" => {
            let conn = id_of("configId");
            let jobs: Vec<Value> = s
                .jobs
                .iter()
                .rev()
                .filter(|j| j.connection == conn)
                .map(|j| json!({ "job": j.read(opts.job_duration), "attempts": [] }))
                .collect();
            (200, json!({ "jobs": jobs, "totalJobCount": jobs.len() }))
        }
        "/v1/attempt/get_for_job" => {
            let id = b["jobId"].as_i64().unwrap_or(-1);
            match s.jobs.iter().find(|j| j.id == id) {
                Some(job) if b["attemptNumber"] == 0 => (200, attempt_info(opts, job)),
                _ => error(404, "attempt not found"),
            }
        }
        _ => error(404, &format!("the stub does not implement {path}")),
    }
}
