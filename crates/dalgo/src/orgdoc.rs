//! An org as a document (`dalgo org export`, `dalgo apply`): its identity
//! (the slug), name, plan, warehouse, dbt workspace, Airbyte sources and
//! connections, members, feature-flag overrides and pipelines, in YAML or
//! JSON. The same types parse a document, print it, and give its JSON
//! Schema ([`schema`]).
//!
//! A section present in a document is the whole desired state of that
//! section (a member absent from `members` is removed); a section left out
//! is left alone. [`plan`] compares a document with the org as it is and
//! says, per resource, what applying it changes.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};

/// An org, as a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "dalgo org document")]
pub struct OrgDocument {
    /// The org's slug: its identity. An org this slug does not name yet is
    /// created (which takes `name`).
    pub org: String,
    /// The org's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The org's plan (Dalgo's `createorgplan`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanDoc>,
    /// The org's warehouse: its type, and where its configuration (with
    /// its credentials) comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<WarehouseDoc>,
    /// The org's dbt workspace: a repository dalgo clones, or a project on disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dbt: Option<DbtDoc>,
    /// The org's Airbyte sources and connections, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub airbyte: Option<AirbyteDoc>,
    /// Every member of the org with their role; anyone else is removed. A
    /// new user gets no password (they set one with `dalgo changepassword`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<MemberDoc>>,
    /// The org's own feature-flag values; flags not listed follow the
    /// global value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<BTreeMap<String, bool>>,
    /// Every orchestration pipeline of the org; any other is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipelines: Option<Vec<PipelineDoc>>,
}

/// An org's plan: which, for how long, with Superset or not, and its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDoc {
    /// `Free Trial`, `Dalgo` or `Internal`.
    pub base_plan: String,
    /// `Monthly`, `Annual` or `trial`.
    pub duration: String,
    #[serde(default)]
    pub superset: bool,
    /// The first day (YYYY-MM-DD).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub start: Option<chrono::NaiveDate>,
    /// The last day (YYYY-MM-DD).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub end: Option<chrono::NaiveDate>,
}

/// Where a credential comes from; a document never holds one in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum SecretRef {
    /// A secret in dalgo's store: an export names the one the org uses.
    Secret(String),
    /// An environment variable of the process that applies the document.
    Env(String),
    /// A file on the machine that applies the document.
    File(std::path::PathBuf),
}

/// An org's warehouse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WarehouseDoc {
    /// `postgres`, `bigquery` or `snowflake`.
    #[serde(rename = "type")]
    pub wtype: String,
    /// The whole configuration, as `warehouse set --config` takes it (YAML
    /// or JSON: Airbyte's destination fields, credentials included).
    #[serde(with = "serde_yaml::with::singleton_map")]
    #[schemars(with = "SecretRef")]
    pub config: SecretRef,
}

/// An org's dbt workspace: `repo` (with `branch` and `token`) or `local`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DbtDoc {
    /// The repository dalgo clones (https, ssh or a path on this machine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The branch to check out; absent: as it is (a new clone: the default branch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// A project already on disk, used in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<std::path::PathBuf>,
    /// The schema dbt builds into; absent: the one given before, else the warehouse's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_schema: Option<String>,
    /// The repository's access token; absent: as it is.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "serde_yaml::with::singleton_map")]
    #[schemars(with = "Option<SecretRef>")]
    pub token: Option<SecretRef>,
}

/// The org's Airbyte workspace: each list present is every source or
/// connection there is (any other is deleted); a list left out is left alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AirbyteDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<SourceDoc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<Vec<ConnectionDoc>>,
}

/// A source, by its name in the org's workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    pub name: String,
    /// Its connector: a source definition's name (`dalgo airbyte source-definitions`) or id.
    pub definition: String,
    /// Its configuration, as the connector's specification describes it. A
    /// secret field is a reference, never a value: `{secret: NAME}` (the
    /// version dalgo holds for it), `{env: VAR}`, `{file: PATH}`, or
    /// `{kept: airbyte}` (the value Airbyte holds, which dalgo never read:
    /// a source made elsewhere).
    #[serde(default)]
    pub config: Map<String, Value>,
}

/// A connection, by its name in the org's workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionDoc {
    pub name: String,
    /// The source it reads: its name.
    pub source: String,
    /// The destination it writes to: its name; absent: the org's warehouse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// The streams it syncs; empty or absent: every stream.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub streams: Vec<String>,
    /// `full_refresh` or `incremental`.
    #[serde(default = "full_refresh")]
    pub sync_mode: String,
    /// `overwrite`, `append` or `append_dedup`.
    #[serde(default = "overwrite")]
    pub destination_sync_mode: String,
    /// The schema it writes into; absent: the destination's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Airbyte's own schedule: a cron (5 fields, UTC, or Quartz's 6 or 7);
    /// null or absent: synced only when asked (as by a pipeline).
    #[serde(default)]
    pub cron: Option<String>,
    /// `false`: the connection is kept, paused (Airbyte's `inactive`).
    #[serde(default = "enabled", skip_serializing_if = "is_enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

/// An export leaves out what is the default: enabled.
fn is_enabled(enabled: &bool) -> bool {
    *enabled
}

fn full_refresh() -> String {
    "full_refresh".into()
}

fn overwrite() -> String {
    "overwrite".into()
}

/// A secret field of a source's configuration, as a document gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    Given(SecretRef),
    /// `{kept: airbyte}`: the value Airbyte holds, left as it is.
    Kept,
}

impl FieldRef {
    /// The reference a config value is, if it is one: an object of one
    /// key, `secret`, `env` or `file` with a string, or `kept: airbyte`.
    pub fn of(v: &Value) -> Option<FieldRef> {
        let (key, value) = v.as_object().filter(|o| o.len() == 1)?.iter().next()?;
        let value = value.as_str()?;
        Some(FieldRef::Given(match key.as_str() {
            "secret" => SecretRef::Secret(value.into()),
            "env" => SecretRef::Env(value.into()),
            "file" => SecretRef::File(value.into()),
            "kept" if value == "airbyte" => return Some(FieldRef::Kept),
            _ => return None,
        }))
    }

    /// The reference as a config value.
    pub fn to_value(&self) -> Value {
        match self {
            FieldRef::Given(SecretRef::Secret(n)) => json!({ "secret": n }),
            FieldRef::Given(SecretRef::Env(v)) => json!({ "env": v }),
            FieldRef::Given(SecretRef::File(f)) => json!({ "file": f }),
            FieldRef::Kept => json!({ "kept": "airbyte" }),
        }
    }
}

/// A member and their role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberDoc {
    pub email: String,
    /// A role's slug (`dalgo role list`).
    pub role: String,
}

/// An orchestration pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineDoc {
    pub name: String,
    /// Five-field cron, in UTC; null or absent: it runs only when asked.
    #[serde(default)]
    pub cron: Option<String>,
    /// Airbyte connections (names, or ids), synced first in this order.
    #[serde(default)]
    pub connections: Vec<String>,
    /// Transform task slugs in order (`[]`: none). Absent: Dalgo's default
    /// for a new pipeline, the current ones for an existing pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<Vec<String>>,
    /// Run every sync first, and the rest only if all succeeded.
    #[serde(default)]
    pub continue_on_sync_failure: bool,
}

/// The document's JSON Schema (draft 2020-12).
pub fn schema() -> Value {
    serde_json::to_value(schemars::schema_for!(OrgDocument)).unwrap_or(Value::Null)
}

/// The document as YAML, as `dalgo org export` writes it.
pub fn to_yaml(doc: &OrgDocument) -> Result<String> {
    serde_yaml::to_string(doc).map_err(|e| Error::Internal(format!("cannot write the document as YAML: {e}")))
}

/// Parses a YAML or JSON document (JSON is YAML), under dalgo's size and
/// depth limits; a field that is not the document's, or a value of the wrong
/// shape, is [`Error::InvalidDocument`] naming where (`members[2].role`).
pub fn parse(text: &str, document: &str) -> Result<OrgDocument> {
    let value: Value = crate::document::parse(text, document)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        invalid(document, if path == "." { String::new() } else { path }, e.into_inner())
    })
}

impl OrgDocument {
    /// Refuses a set of named documents two of which describe one org:
    /// applied in turn, each would undo the other and never converge. The
    /// second is named, with the first ([`Error::InvalidDocument`], 65).
    pub fn one_per_org<'a>(docs: impl IntoIterator<Item = (&'a str, &'a OrgDocument)>) -> Result<()> {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for (name, doc) in docs {
            if let Some((first, _)) = seen.iter().find(|(_, org)| org.eq_ignore_ascii_case(&doc.org)) {
                return Err(invalid(name, "org", format!("org {} is also {first}'s: one document per org", doc.org)));
            }
            seen.push((name, &doc.org));
        }
        Ok(())
    }
}

/// [`Error::InvalidDocument`]: what is wrong at `path` in `document`.
pub(crate) fn invalid(document: &str, path: impl Into<String>, reason: impl std::fmt::Display) -> Error {
    Error::InvalidDocument { document: document.to_string(), path: path.into(), reason: reason.to_string() }
}

string_enum! {
    /// What applying a document does to one resource.
    pub enum Action {
        Create => "create",
        Update => "update",
        Delete => "delete",
        Unchanged => "unchanged",
    }
}

string_enum! {
    /// The kinds of resource a document holds.
    pub enum ResourceKind {
        Org => "org",
        Plan => "plan",
        Warehouse => "warehouse",
        Dbt => "dbt",
        Source => "source",
        Connection => "connection",
        Member => "member",
        Flag => "flag",
        Pipeline => "pipeline",
    }
}

/// One field that changes, from its current value to the document's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub from: Value,
    pub to: Value,
}

/// What applying a document does to one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceChange {
    pub kind: ResourceKind,
    /// The org's slug, a member's email, a flag's or a pipeline's name.
    pub name: String,
    pub action: Action,
    /// For an update: the fields that change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

impl ResourceChange {
    fn new(kind: ResourceKind, name: &str, action: Action) -> ResourceChange {
        ResourceChange { kind, name: name.to_string(), action, fields: Vec::new() }
    }
}

/// What applying a document to an org does, resource by resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub org: String,
    pub changes: Vec<ResourceChange>,
}

impl Plan {
    /// How many resources change.
    pub fn changed(&self) -> usize {
        self.changes.iter().filter(|c| c.action != Action::Unchanged).count()
    }
}

/// The plan of applying `desired` to the org as `current` has it (`None`:
/// the org does not exist). Sections `desired` leaves out are not compared.
pub fn plan(current: Option<&OrgDocument>, desired: &OrgDocument) -> Plan {
    let empty = OrgDocument {
        org: desired.org.clone(),
        name: None,
        plan: None,
        warehouse: None,
        dbt: None,
        airbyte: None,
        members: None,
        flags: None,
        pipelines: None,
    };
    let now = current.unwrap_or(&empty);
    let mut org = ResourceChange::new(ResourceKind::Org, &desired.org, Action::Unchanged);
    if current.is_none() {
        org.action = Action::Create;
    } else if let Some(name) = desired.name.as_ref().filter(|n| now.name.as_ref() != Some(*n)) {
        org.action = Action::Update;
        org.fields.push(FieldChange { field: "name".into(), from: json!(now.name), to: json!(name) });
    }
    let mut changes = vec![org];
    if let Some(want) = &desired.plan {
        let keys = ["base_plan", "duration", "superset", "start", "end"];
        changes.push(one(ResourceKind::Plan, &desired.org, now.plan.as_ref().map(|p| json!(p)), json!(want), &keys));
    }
    if let Some(want) = &desired.warehouse {
        let now = now.warehouse.as_ref().map(|w| json!(w));
        changes.push(one(ResourceKind::Warehouse, &desired.org, now, json!(want), &["type", "config"]));
    }
    if let Some(want) = &desired.dbt {
        let keys = ["repo", "branch", "local", "default_schema", "token"];
        changes.push(one(ResourceKind::Dbt, &desired.org, now.dbt.as_ref().map(|d| json!(d)), json!(want), &keys));
    }
    if let Some(airbyte) = &desired.airbyte {
        changes.extend(airbyte_changes(now.airbyte.as_ref(), airbyte));
    }
    if let Some(members) = &desired.members {
        let key = |m: &MemberDoc| m.email.to_lowercase();
        let have: BTreeMap<String, &MemberDoc> = now.members.iter().flatten().map(|m| (key(m), m)).collect();
        let want: BTreeMap<String, &MemberDoc> = members.iter().map(|m| (key(m), m)).collect();
        changes.extend(section(ResourceKind::Member, &have, &want, |a, b| {
            field("role", &json!(a.role), &json!(b.role)).into_iter().collect()
        }));
    }
    if let Some(flags) = &desired.flags {
        let have: BTreeMap<String, &bool> = now.flags.iter().flatten().map(|(k, v)| (k.clone(), v)).collect();
        let want: BTreeMap<String, &bool> = flags.iter().map(|(k, v)| (k.clone(), v)).collect();
        changes.extend(section(ResourceKind::Flag, &have, &want, |a, b| {
            field("value", &json!(a), &json!(b)).into_iter().collect()
        }));
    }
    if let Some(pipelines) = &desired.pipelines {
        let have: BTreeMap<String, &PipelineDoc> =
            now.pipelines.iter().flatten().map(|p| (p.name.clone(), p)).collect();
        let want: BTreeMap<String, &PipelineDoc> = pipelines.iter().map(|p| (p.name.clone(), p)).collect();
        changes.extend(section(ResourceKind::Pipeline, &have, &want, pipeline_fields));
    }
    Plan { org: desired.org.clone(), changes }
}

/// The sources and connections that change, each list as the document
/// has it against `now`'s.
fn airbyte_changes(now: Option<&AirbyteDoc>, want: &AirbyteDoc) -> Vec<ResourceChange> {
    let mut changes = Vec::new();
    if let Some(sources) = &want.sources {
        let have: BTreeMap<String, &SourceDoc> =
            now.and_then(|a| a.sources.as_ref()).into_iter().flatten().map(|s| (s.name.clone(), s)).collect();
        let want: BTreeMap<String, &SourceDoc> = sources.iter().map(|s| (s.name.clone(), s)).collect();
        changes.extend(section(ResourceKind::Source, &have, &want, |a, b| {
            let mut keys: Vec<&String> = a.config.keys().chain(b.config.keys()).collect();
            keys.sort();
            keys.dedup();
            let config = keys.into_iter().filter_map(|k| {
                let at = |c: &Map<String, Value>| c.get(k).cloned().unwrap_or(Value::Null);
                field(&format!("config.{k}"), &at(&a.config), &at(&b.config))
            });
            field("definition", &json!(a.definition), &json!(b.definition)).into_iter().chain(config).collect()
        }));
    }
    if let Some(connections) = &want.connections {
        let have: BTreeMap<String, &ConnectionDoc> =
            now.and_then(|a| a.connections.as_ref()).into_iter().flatten().map(|c| (c.name.clone(), c)).collect();
        let want: BTreeMap<String, &ConnectionDoc> = connections.iter().map(|c| (c.name.clone(), c)).collect();
        let keys =
            ["source", "destination", "streams", "sync_mode", "destination_sync_mode", "namespace", "cron", "enabled"];
        changes.extend(section(ResourceKind::Connection, &have, &want, |a, b| fields_of(&json!(a), &json!(b), &keys)));
    }
    changes
}

/// A section that is one resource: created, updated (these fields) or unchanged.
fn one(kind: ResourceKind, name: &str, now: Option<Value>, want: Value, keys: &[&str]) -> ResourceChange {
    let Some(now) = now else { return ResourceChange::new(kind, name, Action::Create) };
    let fields = fields_of(&now, &want, keys);
    let action = if fields.is_empty() { Action::Unchanged } else { Action::Update };
    ResourceChange { fields, ..ResourceChange::new(kind, name, action) }
}

/// A section's resources by key: created, updated (with `fields`),
/// deleted or unchanged.
fn section<T>(
    kind: ResourceKind,
    have: &BTreeMap<String, T>,
    want: &BTreeMap<String, T>,
    fields: impl Fn(&T, &T) -> Vec<FieldChange>,
) -> Vec<ResourceChange> {
    let mut out: Vec<ResourceChange> = want
        .iter()
        .map(|(key, w)| match have.get(key) {
            None => ResourceChange::new(kind, key, Action::Create),
            Some(h) => {
                let fields = fields(h, w);
                let action = if fields.is_empty() { Action::Unchanged } else { Action::Update };
                ResourceChange { fields, ..ResourceChange::new(kind, key, action) }
            }
        })
        .collect();
    out.extend(have.keys().filter(|k| !want.contains_key(*k)).map(|k| ResourceChange::new(kind, k, Action::Delete)));
    out
}

/// The `keys` whose values differ between `now` and `want` (absent is null).
fn fields_of(now: &Value, want: &Value, keys: &[&str]) -> Vec<FieldChange> {
    let at = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    keys.iter().filter_map(|k| field(k, &at(now, k), &at(want, k))).collect()
}

fn field(name: &str, from: &Value, to: &Value) -> Option<FieldChange> {
    (from != to).then(|| FieldChange { field: name.to_string(), from: from.clone(), to: to.clone() })
}

fn pipeline_fields(a: &&PipelineDoc, b: &&PipelineDoc) -> Vec<FieldChange> {
    [
        field("cron", &json!(a.cron), &json!(b.cron)),
        field("connections", &json!(a.connections), &json!(b.connections)),
        // Absent in the document: the current transform stays.
        b.transform.as_ref().and_then(|t| field("transform", &json!(a.transform), &json!(t))),
        field("continue_on_sync_failure", &json!(a.continue_on_sync_failure), &json!(b.continue_on_sync_failure)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests;
